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

/*
 * issue 11: the suites run again with LSTK_CPUS=2 and 4 and with
 * LINKSTACK_DEBUG=migrate (testsuite/run-criterion.sh).  A test whose
 * subject is the cooperative order of one scheduler (after a yield every
 * other runnable thread has run; FIFO across threads; one OS thread's
 * counters) says so with this; it is skipped when N > 1, where threads run
 * in parallel and that order is not promised (doc/threads.md).
 */
#define LSTK_TEST_COOPERATIVE()                                              \
    do {                                                                     \
        (void)lstk_self(); /* starts the schedulers LSTK_CPUS asks for */    \
        if (lstk_concurrency() > 1)                                          \
            cr_skip_test("tests one scheduler's cooperative order");         \
    } while (0)

/* Issue 14's blocking graph and policies work per scheduler; with N > 1
   smp.c's queues and stealing decide (doc/threads.md). */
#define LSTK_TEST_ONE_SCHEDULER()                                            \
    do {                                                                     \
        (void)lstk_self();                                                   \
        if (lstk_concurrency() > 1)                                          \
            cr_skip_test("the blocking graph and policies: one scheduler");  \
    } while (0)

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
