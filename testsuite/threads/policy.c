/*
 * policy.c: every scheduling policy (issue 14) keeps every thread
 * progressing under a mix built to make it starve someone, with the wait
 * counted in scheduling rounds (runs of any thread), never in time.
 *
 * The threads block in lstk_sleep_ns(1) (a timer due at once), not in
 * lstk_yield: a yield keeps FIFO's promise under every policy (batches,
 * rt/thread/policy.c), so only wake-ups from blocking give a policy its say.
 * The mix: HOGS threads at one location whose runs are short (srt's
 * favourites: least predicted work), VICTIMS whose runs are long (a spin)
 * and who then recurse and block deep, holding chunks (admit's last choice
 * under pressure: their way ahead takes memory), and one location per
 * kind, so cohort sees one big cohort next to small ones.  Every run of any
 * thread adds one round; each thread records the most rounds that passed
 * between two of its runs.  The bound asserted is rt/thread/policy.c's:
 * a thread p-th in its node's queue waits at most p * m * LSTK__POLICY_RR
 * picks (srt, admit), m the nodes holding threads; cohort's turns make it
 * 2 * THREADS here; FIFO's is the number of threads.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>

#include "common.h"

enum { HOGS = 16, VICTIMS = 3, THREADS = HOGS + VICTIMS, ROUNDS = 20000 };
/* Locations: the hogs' yield, the victims' two yields, the two entry
   functions: at most 5 nodes hold threads at once. */
enum { NODES = 5, RR = 8 };

static volatile int stop;
static long rounds;
static struct {
    long runs;     /* times it ran */
    long last;     /* rounds when it last ran */
    long max_wait; /* most rounds between two of its runs */
} seen[THREADS];

static void ran(int me)
{
    long wait = rounds - seen[me].last;

    if (seen[me].runs > 0 && wait > seen[me].max_wait)
        seen[me].max_wait = wait;
    seen[me].runs++;
    seen[me].last = ++rounds;
    if (rounds >= ROUNDS)
        stop = 1;
}

#define NOT_TAIL() __asm__ __volatile__("" ::: "memory")

__attribute__((noinline)) static void hog_yield(void)
{
    lstk_sleep_ns(1);
    NOT_TAIL();
}

__attribute__((noinline)) static void victim_yield(void)
{
    lstk_sleep_ns(1);
    NOT_TAIL();
}

__attribute__((noinline)) static long deep_yield(void *arg)
{
    (void)arg;
    lstk_sleep_ns(1);
    NOT_TAIL();
    return 0;
}

/* 8 levels of ~256 bytes: the victim blocks 2 KiB deep, past its 1 KiB
   first chunk, and gives the chunks back when it returns. */
TEST_DESCEND(descend, deep_yield)

static void *hog(void *arg)
{
    int me = (int)(intptr_t)arg;

    while (!stop) {
        ran(me);
        hog_yield();
    }
    return NULL;
}

static void *victim(void *arg)
{
    int me = (int)(intptr_t)arg;

    while (!stop) {
        ran(me);
        for (volatile int i = 0; i < 20000; i++) /* a long run */
            ;
        victim_yield();
        ran(me);
        descend(8, NULL);
    }
    return NULL;
}

/* Runs the mix under POLICY; returns the largest wait of any thread and
   checks that each ran a fair share at least. */
static long run_mix(int policy)
{
    lstk_t t[THREADS];
    long worst = 0;

    cr_assert(eq(int, lstk_sched_setpolicy(policy), 0));
    for (int i = 0; i < THREADS; i++)
        cr_assert(eq(int, lstk_create(&t[i], NULL, i < HOGS ? hog : victim,
                                      (void *)(intptr_t)i),
                     0));
    for (int i = 0; i < THREADS; i++)
        cr_assert(eq(int, lstk_join(t[i], NULL), 0));
    for (int i = 0; i < THREADS; i++) {
        /* Every thread ran, and ran again within the bound each time. */
        cr_assert(gt(long, seen[i].runs, 10), "thread %d ran %ld times", i,
                  seen[i].runs);
        if (seen[i].max_wait > worst)
            worst = seen[i].max_wait;
    }
    if (getenv("POLICY_TEST_VERBOSE"))
        fprintf(stderr, "policy %d: worst wait %ld rounds, runs:", policy, worst);
    for (int i = 0; getenv("POLICY_TEST_VERBOSE") && i < THREADS; i++)
        fprintf(stderr, " %ld", seen[i].runs);
    if (getenv("POLICY_TEST_VERBOSE"))
        fprintf(stderr, "\n");
    return worst;
}

Test(policy, fifo_bound)
{
    LSTK_TEST_ONE_SCHEDULER();
    long worst = run_mix(LSTK_SCHED_FIFO);
    cr_assert(le(long, worst, THREADS), "worst wait %ld rounds", worst);
}

Test(policy, cohort_starves_no_one)
{
    LSTK_TEST_ONE_SCHEDULER();
    /* A turn is at most what its node held when the turn began, so
       before its next run a thread sees the rest of its own node's turn
       and at most one turn of every other node: fewer than THREADS picks
       each (the general bound, p * m * LSTK__COHORT_QUOTA, is wider). */
    long worst = run_mix(LSTK_SCHED_COHORT);
    cr_assert(le(long, worst, 2L * THREADS), "worst wait %ld rounds", worst);
}

Test(policy, srt_starves_no_one)
{
    LSTK_TEST_ONE_SCHEDULER();
    long worst = run_mix(LSTK_SCHED_SRT);
    cr_assert(le(long, worst, (long)THREADS * NODES * RR), "worst wait %ld rounds",
              worst);
}

Test(policy, admit_under_pressure_starves_no_one)
{
    LSTK_TEST_ONE_SCHEDULER();
    /* Always over the limit: one chunk byte. */
    cr_assert(eq(int, lstk_sched_admit_limits(1, 1000, 1000000000), 0));
    long worst = run_mix(LSTK_SCHED_ADMIT);
    cr_assert(le(long, worst, (long)THREADS * NODES * RR), "worst wait %ld rounds",
              worst);
}

Test(policy, admit_under_the_limits)
{
    LSTK_TEST_ONE_SCHEDULER();
    cr_assert(eq(int, lstk_sched_admit_limits((size_t)1 << 40, 1000, 1000000000), 0));
    long worst = run_mix(LSTK_SCHED_ADMIT);
    cr_assert(le(long, worst, (long)THREADS * NODES * RR), "worst wait %ld rounds",
              worst);
}

/* The policies do prefer: under srt the hogs (short runs) get more runs
   than under FIFO, where each thread runs once per round. */
Test(policy, srt_prefers_short_runs)
{
    LSTK_TEST_ONE_SCHEDULER();
    run_mix(LSTK_SCHED_SRT);
    long hogs = 0, victims = 0;
    for (int i = 0; i < THREADS; i++)
        *(i < HOGS ? &hogs : &victims) += seen[i].runs;
    /* FIFO gives every thread one run per cycle: the victims' share of
       the runs would be VICTIMS / THREADS. */
    cr_assert(lt(long, victims * THREADS, (long)VICTIMS * (hogs + victims)),
              "victims %ld hogs %ld", victims, hogs);
}
