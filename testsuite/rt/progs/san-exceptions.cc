// san-exceptions.cc: sanitizers.sh's C++ program, built with
// -fsanitize=address and the plugin: exceptions thrown thousands of frames
// (several chunks) below their handler on three threads, caught, and the
// chunks used again by deep calls.  Prints "ok"; ASan must report nothing.
#include <linkstack.h>
#include <cstdio>
#include <cstring>
#include <stdexcept>

static __attribute__((noinline)) long thrower(long n)
{
    char buf[48];
    std::memset(buf, (int)n, sizeof buf);
    if (n == 0)
        throw std::runtime_error("deep");
    return thrower(n - 1) + buf[n % 48];
}

static __attribute__((noinline)) long plain(long n)
{
    char buf[48];
    std::memset(buf, (int)n, sizeof buf);
    if (n == 0)
        return buf[1];
    return plain(n - 1) + buf[n % 48];
}

static void *body(void *)
{
    long caught = 0;
    for (int i = 0; i < 20; i++) {
        try {
            thrower(3000 + i * 100);
        } catch (const std::exception &e) {
            caught += std::strcmp(e.what(), "deep") == 0;
        }
        plain(5000);
    }
    return (void *)caught;
}

int main()
{
    lstk_t t[3];
    void *r;
    long caught = 0;
    for (int i = 0; i < 3; i++)
        if (lstk_create(&t[i], nullptr, body, nullptr))
            return 1;
    for (int i = 0; i < 3; i++) {
        lstk_join(t[i], &r);
        caught += (long)r;
    }
    std::puts(caught == 60 ? "ok" : "wrong count");
    return caught != 60;
}
