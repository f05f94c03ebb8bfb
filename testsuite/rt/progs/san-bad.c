/* san-bad.c: sanitizers.sh's deliberate errors, built with
   -fsanitize=address and the plugin, on a linkstack thread 200 frames
   (several chunks) deep: a stack-buffer-overflow in overflow() (no
   argument) or a heap-use-after-free in use_freed() ("uaf").  ASan must
   report the kind, the line, and for the stack the frame and variable. */
#include <linkstack.h>
#include <stdlib.h>
#include <string.h>

static volatile int idx = 40;

static __attribute__((noinline)) int overflow(void)
{
    volatile char buf[32];
    for (int i = 0; i < 32; i++)
        buf[i] = (char)i;
    return buf[idx]; /* SBO-LINE: reads 8 bytes past buf */
}

static __attribute__((noinline)) int use_freed(void)
{
    char *p = malloc(64);
    p[3] = 1;
    free(p);
    return p[3]; /* UAF-LINE: reads freed memory */
}

static __attribute__((noinline)) int descend(int n, int which)
{
    volatile char pad[64];
    pad[n % 64] = (char)n;
    if (n == 0)
        return which ? use_freed() : overflow();
    return descend(n - 1, which) + pad[n % 64];
}

static void *body(void *arg)
{
    return (void *)(long)descend(200, arg != NULL);
}

int main(int argc, char **argv)
{
    lstk_t t;
    void *r;

    (void)argv;
    lstk_create(&t, NULL, body, argc > 1 ? "uaf" : NULL);
    lstk_join(t, &r);
    return (int)(long)r & 1;
}
