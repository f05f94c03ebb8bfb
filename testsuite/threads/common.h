/*
 * common.h: helpers for the thread tests.  The tests are compiled with the
 * plugin, so every function here has a stack check.
 *
 * Rule for these tests: assertions run in the test's own context (main),
 * never inside a linkstack thread.  Criterion's assertions format messages
 * (several KiB of libc stack) and a failing one leaves the test function by
 * a jump, which must not start from another thread's stack.  Threads record
 * what they saw; the test asserts on it after joining.
 */
#ifndef LSTK_TEST_THREADS_COMMON_H
#define LSTK_TEST_THREADS_COMMON_H

#include <stdint.h>

#include "linkstack.h"

static inline lstk_stats_t test_stats(void)
{
    lstk_stats_t s;
    lstk_stats(&s);
    return s;
}

/* Keeps the compiler from merging or eliding frames and locals. */
__attribute__((noinline, unused)) static void test_touch(volatile char *p)
{
    p[0]++;
}

/*
 * Defines NAME(n, arg): recurses N levels of about 256 bytes each, calls
 * BOTTOM(arg) at the bottom, and returns BOTTOM's result plus 1 + 2 + ...
 * + N, so that every frame's local is used after the recursion.  BOTTOM is
 * called directly: an indirect call would make the plugin reserve room
 * for unknown code in every level's frame request.
 */
#define TEST_DESCEND(NAME, BOTTOM)                                           \
    __attribute__((noinline)) static long NAME(long n, void *arg)           \
    {                                                                        \
        volatile char pad[224];                                             \
        long r;                                                              \
        pad[0] = (char)(n & 0x7f);                                           \
        test_touch(pad);                                                     \
        if (n == 0)                                                          \
            return BOTTOM(arg);                                              \
        r = NAME(n - 1, arg);                                                \
        return r + n + (pad[0] - (char)((n & 0x7f) + 1));                    \
    }

#endif
