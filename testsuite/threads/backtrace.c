/*
 * backtrace.c: lstk_backtrace of a suspended thread three chunks deep walks
 * through every frame and chunk boundary down to the thread's entry, and
 * ends there cleanly.
 */
#define UNW_LOCAL_ONLY
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <libunwind.h>

#include "common.h"

/* The growth path's entry: one frame per chunk boundary. */
extern void __morestack(void);

enum { DEPTH = 16 /* ~4 KiB: chunks of 1, 2 and 4 KiB */ };

static lstk_mutex_t hold = LSTK_MUTEX_INITIALIZER;

/* Frames: bt_entry -> descend x (DEPTH + 1) -> wait_here. */
__attribute__((noinline)) static long wait_here(void *arg)
{
    lstk_mutex_lock(&hold); /* suspended here until main unlocks */
    lstk_mutex_unlock(&hold);
    return 1;
}

TEST_DESCEND(descend, wait_here)

__attribute__((noinline)) static void *bt_entry(void *arg)
{
    long r = descend(DEPTH, arg);
    test_touch((volatile char *)arg); /* no tail call: keeps our frame */
    return (void *)r;
}

/* Start address of the function holding return address IP. */
static uintptr_t func_of(void *ip)
{
    unw_proc_info_t pi;
    if (unw_get_proc_info_by_ip(unw_local_addr_space,
                                (unw_word_t)(uintptr_t)ip - 1, &pi, NULL) != 0)
        return 0;
    return (uintptr_t)pi.start_ip;
}

Test(backtrace, suspended_thread_three_chunks_deep)
{
    LSTK_TEST_COOPERATIVE();
    lstk_t t;
    void *ips[256];
    size_t n = 0, peak = 0;
    int ndescend = 0, morestack = 0, entry_at = -1, bottom_at = -1;

    lstk_mutex_lock(&hold);
    static char scratch;
    cr_assert(eq(int, lstk_create(&t, NULL, bt_entry, &scratch), 0));
    lstk_yield(); /* t descends and blocks on the mutex */
    cr_assert(eq(int, lstk_stack_peak(t, &peak), 0));
    cr_assert(ge(sz, peak, 1024 + 2048 + 4096), "three chunks linked: %zu", peak);

    cr_assert(eq(int, lstk_backtrace(t, ips, 256, &n), 0));
    cr_assert(lt(sz, n, 256), "the walk ended by itself");
    for (size_t i = 0; i < n; i++) {
        uintptr_t f = func_of(ips[i]);
        if (f == (uintptr_t)descend)
            ndescend++;
        else if (f == (uintptr_t)__morestack)
            morestack++;
        else if (f == (uintptr_t)bt_entry)
            entry_at = (int)i;
        else if (f == (uintptr_t)wait_here)
            bottom_at = (int)i;
    }
    cr_assert(ge(int, bottom_at, 1), "runtime frames first, then wait_here");
    cr_assert(eq(int, ndescend, DEPTH + 1));
    cr_assert(ge(int, morestack, 2), "chunk boundaries: %d", morestack);
    cr_assert(eq(int, entry_at, (int)n - 2),
              "bt_entry is last but the thread's entry (at %d of %zu)", entry_at, n);

    cr_assert(eq(int, lstk_backtrace(lstk_self(), ips, 256, &n), EINVAL));
    lstk_mutex_unlock(&hold);
    void *r = NULL;
    cr_assert(eq(int, lstk_join(t, &r), 0));
    cr_assert(eq(ptr, r, (void *)(DEPTH * (DEPTH + 1) / 2 + 1)));
    cr_assert(eq(int, lstk_backtrace(t, ips, 256, &n), ESRCH), "joined");
}

static void *fresh(void *arg)
{
    return arg;
}

Test(backtrace, never_run_thread_has_just_its_entry)
{
    LSTK_TEST_COOPERATIVE();
    lstk_t t;
    void *ips[8];
    size_t n = 99;

    cr_assert(eq(int, lstk_create(&t, NULL, fresh, NULL), 0));
    cr_assert(eq(int, lstk_backtrace(t, ips, 8, &n), 0));
    cr_assert(eq(sz, n, 1), "one frame, the entry trampoline");
    cr_assert(eq(int, lstk_join(t, NULL), 0));
}
