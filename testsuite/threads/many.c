/*
 * many.c: 100,000 threads alive at once, each a few KiB deep (several
 * chunks) when it yields; all joined with the right results, and every
 * counter back where it started.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "common.h"

enum { THREADS = 100000, DEPTH = 12 /* ~3 KiB */ };

static long at_bottom, resumed_early;

static long bottom(void *arg)
{
    at_bottom++;
    lstk_yield();
    /* FIFO: every other thread reached its bottom before we run again. */
    resumed_early += at_bottom != THREADS;
    return (long)arg;
}

TEST_DESCEND(descend, bottom)

static void *deep(void *arg)
{
    return (void *)descend(DEPTH, arg);
}

Test(many, hundred_thousand_threads_alive_at_once, .timeout = 120)
{
    LSTK_TEST_COOPERATIVE();
    static lstk_t t[THREADS];
    lstk_stats_t s0 = test_stats();
    long sum = DEPTH * (DEPTH + 1) / 2;

    for (long i = 0; i < THREADS; i++)
        cr_assert(eq(int, lstk_create(&t[i], NULL, deep, (void *)i), 0), "thread %ld", i);
    for (long i = 0; i < THREADS; i++) {
        void *r = NULL;
        cr_assert(eq(int, lstk_join(t[i], &r), 0));
        cr_assert(eq(i64, (long)r, sum + i), "result of thread %ld", i);
    }
    cr_assert(eq(i64, at_bottom, THREADS));
    cr_assert(eq(i64, resumed_early, 0));

    lstk_stats_t s1 = test_stats();
    cr_assert(eq(u64, s1.threads_live, s0.threads_live));
    cr_assert(eq(u64, s1.stacks_live, s0.stacks_live));
    cr_assert(eq(u64, s1.chunks_live, s0.chunks_live));
    cr_assert(eq(u64, s1.bytes_live, s0.bytes_live));
    cr_assert(ge(u64, s1.threads_peak, s0.threads_live + THREADS));
    cr_assert(ge(u64, s1.stacks_peak, s0.stacks_live + THREADS));
    /* A few chunks each at the bottom: base + at least one grown. */
    cr_assert(ge(u64, s1.chunks_peak, s0.chunks_live + 2 * THREADS));
    cr_assert(ge(u64, s1.grow_events, s0.grow_events + THREADS));
    cr_assert(ge(u64, s1.switches, s0.switches + 2 * THREADS));
}

static void *nothing(void *arg)
{
    return arg;
}

Test(many, create_and_join_in_a_loop_reuse_memory)
{
    LSTK_TEST_COOPERATIVE();
    lstk_stats_t s0, s1;
    lstk_t t;

    /* Warm the pools, then a steady loop allocates nothing new: the same
       control block (the free list is LIFO) and no chunk beyond the one. */
    lstk_t first;
    cr_assert(eq(int, lstk_create(&first, NULL, nothing, NULL), 0));
    cr_assert(eq(int, lstk_join(first, NULL), 0));
    s0 = test_stats();
    for (long i = 0; i < 100000; i++) {
        void *r;
        cr_assert(eq(int, lstk_create(&t, NULL, nothing, (void *)i), 0));
        cr_assert(eq(ptr, t, first), "control block reused");
        cr_assert(eq(int, lstk_join(t, &r), 0));
        cr_assert(eq(ptr, r, (void *)i));
    }
    s1 = test_stats();
    cr_assert(eq(u64, s1.chunks_peak, s0.chunks_peak), "no chunk beyond the first");
    cr_assert(eq(u64, s1.threads_live, 0));
}
