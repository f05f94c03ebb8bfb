/* san-growth.c: sanitizers.sh's growth program, built with -fsanitize=address
   and the plugin: a 1,000,000-level recursion, VLAs across chunk boundaries
   (some become heap blocks), and longjmp out of deep recursion, on threads
   and on lstk_stack_run, again and again so that chunks are reused.  Prints
   "ok" when every result is right; ASan must report nothing. */
#include <linkstack.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

static __attribute__((noinline)) long recurse(long n)
{
    volatile char pad[24];
    pad[n % 24] = (char)n;
    if (n == 0)
        return pad[0];
    return recurse(n - 1) + pad[n % 24];
}

static __attribute__((noinline)) long vla(int n, int len)
{
    char v[len];
    memset(v, n, (size_t)len);
    if (n == 0)
        return v[len - 1];
    return vla(n - 1, len + 37) + v[len / 2];
}

static __thread jmp_buf jb;

static __attribute__((noinline)) long jump_from(long n)
{
    char buf[40];
    memset(buf, 1, sizeof buf);
    if (n == 0)
        longjmp(jb, 7);
    return jump_from(n - 1) + buf[n % 40];
}

static long expect_recurse(long n)
{
    long s = 0;
    for (long i = n; i >= 1; i--)
        s += (char)i;
    return s;
}

static void *body(void *arg)
{
    long deep = (long)arg, bad = 0;
    if (recurse(deep) != expect_recurse(deep))
        bad++;
    for (int i = 0; i < 5; i++) {
        if (vla(150, 10 + i * 1000) == 0)
            bad++;
        if (setjmp(jb) == 0)
            jump_from(20000 + i * 977);
        if (recurse(30000) != expect_recurse(30000))
            bad++;
    }
    return (void *)bad;
}

int main(void)
{
    lstk_t t[3];
    void *r;
    long bad = 0;

    for (int i = 0; i < 3; i++)
        if (lstk_create(&t[i], NULL, body, (void *)(long)(i == 0 ? 1000000 : 50000)))
            return 1;
    for (int i = 0; i < 3; i++) {
        lstk_join(t[i], &r);
        bad += (long)r;
    }
    if (lstk_stack_run(0, body, (void *)50000L, &r) != 0)
        return 1;
    bad += (long)r;
    puts(bad ? "wrong results" : "ok");
    return bad != 0;
}
