/*
 * guarded.c: what a call costs when it takes the guarded path (issue 9)
 * rather than a table budget, for printf-family and malloc-family calls.
 *
 * Budget path: a wrapper that calls the function under test, in a loop on
 * a linked stack whose 64 KiB first chunk holds the wrapper's request: a
 * plain call, as when a proven budget fits where the caller runs.
 * Guarded path: the same wrapper asking for G (64 KiB, the request the
 * plugin makes before a call it cannot bound; guarded-calls.c): no ordinary
 * chunk offers that, so every call crosses to the thread's guarded chunk
 * and back, and the function runs at the top of that chunk: the
 * shape of a small function calling printf in a hot loop (the worst case:
 * a loop inside the function that asked pays the crossing once).
 * Each figure is the best of --runs runs of --iters calls; the ratio
 * guarded / budget is measured in the same process.  Goals, not tests.
 */
#define _GNU_SOURCE 1
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "linkstack.h"

#define NOINLINE __attribute__((noinline, noipa))
#define KEEP(v) __asm__ volatile("" : : "r"(v) : "memory")

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

char buf[128];

/* The calls under test.  The budget twins call directly (the plugin's
   table budget, or none at all for plain code); the guarded twins are in
   guarded-calls.c, compiled so that each asks for G before its call, as
   the plugin does before a call it cannot bound. */
NOINLINE static long b_snprintf(long i)
{
    return snprintf(buf, sizeof buf, "%ld items, %s, %.2f", i, "ok", 1.5);
}
NOINLINE static long b_malloc(long i)
{
    void *p = malloc(32 + (size_t)(i & 15));
    KEEP(p);
    free(p);
    return 1;
}
NOINLINE static long b_calloc(long i)
{
    void *p = calloc(4, 16 + (size_t)(i & 7));
    KEEP(p);
    void *q = realloc(p, 200);
    free(q);
    return 1;
}
NOINLINE static long b_empty(long i)
{
    return i;
}
long g_snprintf(long i);
long g_malloc(long i);
long g_calloc(long i);
long g_empty(long i);

struct job {
    long (*fn)(long);
    long iters;
    uint64_t ns;
    uint64_t grow;
    uint64_t allocs;
};

static void *loop(void *arg)
{
    struct job *j = arg;
    long acc = 0;
    lstk_stats_t s0, s1;
    lstk_stats(&s0);
    uint64_t t0 = now_ns();
    for (long i = 0; i < j->iters; i++)
        acc += j->fn(i);
    uint64_t t1 = now_ns();
    lstk_stats(&s1);
    KEEP(acc);
    j->ns = t1 - t0;
    j->grow = s1.grow_events - s0.grow_events;
    j->allocs = s1.chunk_allocs - s0.chunk_allocs;
    return NULL;
}

static double best_ns_per_call(long (*fn)(long), long iters, int runs,
                               uint64_t *grow, uint64_t *allocs)
{
    uint64_t best = UINT64_MAX;
    for (int r = -1; r < runs; r++) { /* one warm-up */
        struct job j = { fn, iters, 0, 0, 0 };
        if (lstk_stack_run(65536, loop, &j, NULL) != 0) {
            fprintf(stderr, "guarded: lstk_stack_run failed\n");
            exit(1);
        }
        if (r >= 0 && j.ns < best)
            best = j.ns;
        *grow = j.grow;
        *allocs = j.allocs;
    }
    return (double)best / (double)iters;
}

int main(int argc, char **argv)
{
    long iters = argc > 1 ? atol(argv[1]) : 1000000;
    int runs = argc > 2 ? atoi(argv[2]) : 5;
    static const struct {
        const char *name;
        long (*budget)(long), (*guarded)(long);
    } cases[] = {
        { "empty", b_empty, g_empty },
        { "snprintf", b_snprintf, g_snprintf },
        { "malloc+free", b_malloc, g_malloc },
        { "calloc+realloc+free", b_calloc, g_calloc },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint64_t gb = 0, gg = 0, ab = 0, ag = 0;
        double b = best_ns_per_call(cases[c].budget, iters, runs, &gb, &ab);
        double g = best_ns_per_call(cases[c].guarded, iters, runs, &gg, &ag);
        printf("RESULT prog=guarded fn=%s iters=%ld budget_ns=%.2f "
               "guarded_ns=%.2f ratio=%.3f extra_ns=%.2f budget_grows=%" PRIu64
               " guarded_grows=%" PRIu64 " guarded_chunk_allocs=%" PRIu64 "\n",
               cases[c].name, iters, b, g, g / b, g - b, gb, gg, ag);
    }
    return 0;
}
