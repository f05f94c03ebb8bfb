/*
 * grow.c: the growth path end to end: deep recursion from a 1 KiB start,
 * the counters, the hot split, and misuse of the API.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <alloca.h>

#include "common.h"

/* ~64-byte frames: 1,000,000 levels need ~64 MB of linked chunks. */
static long deep(long n)
{
    volatile char pad[40];
    pad[0] = 1;
    test_touch(pad);
    if (n == 0)
        return 0;
    return deep(n - 1) + pad[0] - 1;
}

static void *deep_entry(void *arg)
{
    return (void *)deep((long)arg);
}

Test(grow, recursion_million_levels_from_1k_and_counters_return)
{
    lstk_stats_t before = test_stats();
    void *res = NULL;

    cr_assert(eq(int, lstk_stack_run(1024, deep_entry, (void *)1000000L, &res), 0));
    cr_assert(eq(long, (long)res, 1000000L));
    lstk_stats_t after = test_stats();
    cr_assert(eq(u64, after.chunks_live, before.chunks_live));
    cr_assert(eq(u64, after.bytes_live, before.bytes_live));
    cr_assert(eq(u64, after.stacks_live, before.stacks_live));
    /* It did grow: dozens of chunks, tens of megabytes. */
    cr_assert(gt(u64, after.chunk_allocs - before.chunk_allocs, 20));
    cr_assert(gt(u64, after.bytes_peak, 40u << 20));
}

Test(grow, guard_describes_current_chunk_and_is_zero_off_stacks)
{
    cr_assert(eq(u64, test_guard(), 0), "main thread runs unchecked");
}

static void *guard_probe(void *arg)
{
    uintptr_t g = test_guard(), sp = test_sp();
    /* rsp is above the guard on the base chunk, within its 1 KiB. */
    *(int *)arg = g != 0 && sp > g && sp - g < 1024;
    return NULL;
}

Test(grow, guard_set_on_linked_stack_and_restored_after)
{
    int ok = 0;
    cr_assert(eq(int, lstk_stack_run(0, guard_probe, &ok, NULL), 0));
    cr_assert(eq(int, ok, 1));
    cr_assert(eq(u64, test_guard(), 0));
}

/*
 * Hot split: put rsp just above the guard with alloca, so that every call
 * of hot_leaf fails its check; the loop must reuse one cached chunk.
 * hot_leaf must keep its check: the plugin leaves a leaf that fits the
 * reserve unchecked, but never a recursive function (the call below never
 * runs).
 */
__attribute__((noinline)) static long hot_leaf(long i)
{
    __asm__ volatile("" ::: "memory");
    if (i < 0) {
        long r = hot_leaf(i + 1);
        __asm__ volatile("" ::: "memory"); /* no tail call: a real cycle */
        return r;
    }
    return i ^ 0x5a;
}

static void *hot_entry(void *arg)
{
    long iters = (long)arg;
    /* Bring rsp down to the guard exactly (alloca rounds to 16 and the
       guard is 64-aligned), so each call enters hot_leaf below it. */
    long room = (long)(test_sp() - test_guard());
    volatile char *p = alloca(room - 16); /* GCC adds 16 - 1 and rounds */
    p[0] = 0;
    long sum = 0;
    for (long i = 0; i < iters; i++)
        sum += hot_leaf(i);
    return (void *)sum;
}

Test(grow, hot_split_ten_million_crossings_allocate_at_most_one_chunk)
{
    const long iters = 10000000;
    void *r = NULL;
    lstk_stats_t before = test_stats();
    cr_assert(eq(int, lstk_stack_run(4096, hot_entry, (void *)iters, &r), 0));
    lstk_stats_t after = test_stats();
    long expect = 0;
    for (long i = 0; i < iters; i++)
        expect += i ^ 0x5a;
    cr_assert(eq(long, (long)r, expect));
    cr_assert(ge(u64, after.grow_events - before.grow_events, (uint64_t)iters),
              "every call crossed a boundary");
    /* The stack's base chunk and one chunk for all the crossings. */
    cr_assert(le(u64, after.chunk_allocs - before.chunk_allocs, 2));
    cr_assert(eq(u64, after.chunks_live, before.chunks_live));
}

static void *nested_inner(void *arg)
{
    return (void *)(deep((long)arg) + 7);
}

static void *nested_outer(void *arg)
{
    void *r = NULL;
    uintptr_t g = test_guard();
    int rc = lstk_stack_run(0, nested_inner, arg, &r);
    if (rc != 0 || test_guard() != g)
        return (void *)-1L;
    return r;
}

Test(grow, stack_run_nested_from_a_linked_stack)
{
    void *r = NULL;
    cr_assert(eq(int, lstk_stack_run(0, nested_outer, (void *)20000L, &r), 0));
    cr_assert(eq(long, (long)r, 20007L));
}

static void *trivial(void *arg)
{
    return arg;
}

Test(api, misuse_returns_errors)
{
    void *r;
    cr_assert(eq(int, lstk_stack_run(0, NULL, NULL, &r), EINVAL));
    cr_assert(eq(int, lstk_stack_run(LSTK_STACK_MIN - 1, trivial, NULL, &r), EINVAL));
    cr_assert(eq(int, lstk_stack_run(100, trivial, NULL, &r), EINVAL));
    cr_assert(eq(int, lstk_stats(NULL), EINVAL));
    cr_assert(eq(int, lstk_stack_run(0, trivial, (void *)5L, NULL), 0));
    cr_assert(eq(int, lstk_stack_run(LSTK_STACK_MIN, trivial, (void *)5L, &r), 0));
    cr_assert(eq(long, (long)r, 5L));
    cr_assert(eq(sz, lstk_reserve(), 384));
}

/* Many OS threads, each running linked stacks at once: each has its own
   pool; foreign threads that never use the API run unchanged. */
#include <pthread.h>
static void *os_thread_body(void *arg)
{
    void *r = NULL;
    for (int i = 0; i < 20; i++) {
        if (lstk_stack_run(0, deep_entry, (void *)(long)(5000 + i), &r) != 0 ||
            (long)r != 5000 + i)
            return (void *)1L;
    }
    return test_guard() == 0 ? NULL : (void *)2L;
}

Test(grow, several_os_threads_grow_independently)
{
    pthread_t t[4];
    lstk_stats_t before = test_stats();
    for (int i = 0; i < 4; i++)
        cr_assert(eq(int, pthread_create(&t[i], NULL, os_thread_body, NULL), 0));
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        cr_assert(eq(ptr, r, NULL));
    }
    lstk_stats_t after = test_stats();
    cr_assert(eq(u64, after.chunks_live, before.chunks_live));
    cr_assert(eq(u64, after.stacks_live, before.stacks_live));
}
