/*
 * vg-uninit.c: a real bug on a linkstack thread, for valgrind.sh: a thread
 * descends several chunks deep and branches on a local it never set.
 * Memcheck must report it ("depends on uninitialised value"), in
 * use_uninit, with a backtrace.
 */
#include <stdio.h>

#include "../common.h"

static volatile int sink;

__attribute__((noinline)) static void use_uninit(void)
{
    /* volatile: read from the frame, which memcheck marked undefined when
       rsp came down over it. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
    volatile int never_set[4];
    if (never_set[2] > 42)
        sink = 1;
#pragma GCC diagnostic pop
}

__attribute__((noinline)) static long descend(long n)
{
    volatile char pad[280];
    pad[0] = (char)n;
    test_touch(pad);
    if (n == 0) {
        use_uninit();
        return 0;
    }
    return descend(n - 1) + pad[0];
}

static void *uninit_entry(void *arg)
{
    return (void *)(descend((long)arg) + 1);
}

int main(void)
{
    lstk_t t;
    void *r;
    if (lstk_create(&t, NULL, uninit_entry, (void *)20L) != 0 ||
        lstk_join(t, &r) != 0)
        return 1;
    printf("vg-uninit: done\n");
    return 0;
}
