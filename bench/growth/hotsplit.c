/*
 * hotsplit.c: the "hot split".  A loop calls a function whose frame does not
 * fit on the current stack chunk (or libgcc segment), so every call crosses
 * the boundary: it moves to the next chunk and comes back on return.  This
 * is what made Go and Rust drop segmented stacks.
 *
 *   --case=boundary  descend(), a small recursive function, goes down one
 *                    level at a time and at each level probes callee() once;
 *                    at the first level where callee ran on another chunk
 *                    (its rsp is not where a plain call puts it), the loop
 *                    runs right there, in descend's own frame: every one of
 *                    the --iters calls crosses the boundary.
 *   --case=normal    the same loop at depth 0, where callee fits: a normal
 *                    call (checked in the split-stack builds, not crossing).
 *
 * callee has a 768-byte local array (never touched), so its frame is larger
 * than linkstack's reserve and it always carries a check, whatever the
 * plugin's placement decides.  descend and the loop call nothing external:
 * an external call would make the plugin ask for the external reserve in
 * descend's own prologue, and descend would then move to a new chunk itself.
 *
 * Where: plain and libgcc run in a pthread with default attributes (libgcc's
 * wrapper gives it a split stack); linkstack runs in lstk_stack_run with a
 * 1 KiB first chunk (boundary) or a 64 KiB one (normal), from the main thread.
 * Timing is taken around the whole descent (the probing is a few hundred
 * calls against --iters of them).  With linkstack the counters are checked:
 * one growth event per call (plus the probe's) and exactly one chunk taken
 * from the allocator (beyond what an lstk_stack_run that does not grow
 * takes: the runtime may count the first chunk as an allocation).
 */
#include "common.h"

#include <pthread.h>

#define CALLEE_PAD 768

static volatile uintptr_t callee_sp;

BENCH_NOINLINE uint64_t callee(uint64_t x)
{
    char buf[CALLEE_PAD];
    bench_keep(buf);
    callee_sp = bench_sp();
    return x + 1;
}

struct hs {
    uint64_t iters;
    uint64_t max_depth;
    int boundary;
    /* distance from a caller's rsp to callee's rsp in a plain call */
    uintptr_t plain_delta;
    /* out */
    uint64_t acc;
    uint64_t depth;
    int crossed;
};

/* rsp distance of a call that stays on the same stack. */
BENCH_NOINLINE uintptr_t measure_plain_delta(void)
{
    uintptr_t sp = bench_sp();
    callee(0);
    return sp - callee_sp;
}

BENCH_NOINLINE uint64_t descend(struct hs *h, uint64_t depth)
{
    if (h->boundary) {
        uintptr_t sp = bench_sp();
        callee(0);
        if (sp - callee_sp == h->plain_delta) {
            /* callee still fits here: one level deeper */
            if (depth >= h->max_depth)
                return 0;
            uint64_t r = descend(h, depth + 1);
            bench_keep(r); /* no tail call: this frame must stay */
            return r;
        }
    }
    /* The loop, in this very frame. */
    uintptr_t sp = bench_sp();
    uint64_t acc = 0;
    for (uint64_t i = 0; i < h->iters; i++)
        acc += callee(i);
    h->crossed = sp - callee_sp != h->plain_delta;
    h->depth = depth;
    h->acc = acc;
    return 1;
}

static void *descend_entry(void *p)
{
    struct hs *h = p;
    return descend(h, 0) ? p : NULL;
}

struct run {
    struct hs h;
    int runs;
    size_t chunk;
    const char *name;
    const char *where;
};

static void *nothing(void *p)
{
    return p;
}

static void *run_cases(void *p)
{
    struct run *r = p;
    uint64_t ns[64], stime = 0, utime = 0;
    uint64_t grow = 0, allocs = 0, depth = 0, base_allocs = 0;
    int bad = 0;
    struct bench_counters c;
#ifdef BENCH_LSTK
    /* What lstk_stack_run itself takes from the allocator (its first
       chunk, if the runtime counts it), to be subtracted below. */
    {
        lstk_stats_t s0, s1;
        lstk_stats(&s0);
        if (lstk_stack_run(r->chunk, nothing, NULL, NULL) != 0)
            bench_die("hotsplit", "lstk_stack_run failed");
        lstk_stats(&s1);
        base_allocs = s1.chunk_allocs - s0.chunk_allocs;
    }
#else
    (void)nothing;
#endif
    bench_counters_open(&c);
    /* Untimed warm-up, then the timed runs. */
    for (int i = -1; i < r->runs; i++) {
        struct hs h = r->h;
#ifdef BENCH_LSTK
        lstk_stats_t s0, s1;
        lstk_stats(&s0);
#endif
        if (i == 0)
            bench_counters_start(&c);
        uint64_t t0 = bench_now_ns();
#ifdef BENCH_LSTK
        void *res = NULL;
        int e = lstk_stack_run(r->chunk, descend_entry, &h, &res);
        if (e != 0) {
            fprintf(stderr, "hotsplit: lstk_stack_run = %d (%s)\n", e,
                    strerror(e));
            exit(1);
        }
#else
        void *res = descend_entry(&h);
#endif
        uint64_t t1 = bench_now_ns();
#ifdef BENCH_LSTK
        lstk_stats(&s1);
        grow = s1.grow_events - s0.grow_events;
        allocs = s1.chunk_allocs - s0.chunk_allocs;
        allocs -= base_allocs;
        /* probe + one per iteration; one chunk for all of them */
        if (r->h.boundary && (grow != r->h.iters + 1 || allocs != 1)) {
            fprintf(stderr,
                    "hotsplit: expected %" PRIu64
                    " growth events and 1 chunk alloc, got %" PRIu64
                    " and %" PRIu64 "\n",
                    r->h.iters + 1, grow, allocs);
            bad = 1;
        }
        if (!r->h.boundary && (grow != 0 || allocs != 0)) {
            fprintf(stderr,
                    "hotsplit: normal case grew %" PRIu64
                    " times, %" PRIu64 " chunk allocs\n",
                    grow, allocs);
            bad = 1;
        }
#endif
        if (res == NULL)
            bench_die("hotsplit", "no boundary found within --max-depth");
        if (h.acc != r->h.iters * (r->h.iters + 1) / 2)
            bench_die("hotsplit", "wrong sum");
        if (h.crossed != r->h.boundary) {
            fprintf(stderr, "hotsplit (%s, %s): crossed=%d, expected %d\n",
                    BENCH_VARIANT, r->name, h.crossed, r->h.boundary);
            exit(1);
        }
        depth = h.depth;
        if (i >= 0)
            ns[i] = t1 - t0;
    }
    bench_counters_stop(&c);
    bench_counters_close(&c);
    stime = c.stime_ns / (uint64_t)r->runs;
    utime = c.utime_ns / (uint64_t)r->runs;
    uint64_t best = bench_min(ns, r->runs);
    printf("RESULT prog=hotsplit case=%s variant=%s where=%s iters=%" PRIu64
           " runs=%d best_ns=%" PRIu64 " median_ns=%" PRIu64
           " ns_per_call=%.3f depth=%" PRIu64 " grow_events=%" PRIu64
           " chunk_allocs=%" PRIu64 " base_allocs=%" PRIu64
           " faults=%" PRIu64 " syscalls=%" PRId64 " stime_ns=%" PRIu64
           " utime_ns=%" PRIu64 " counters_ok=%d\n",
           r->name, BENCH_VARIANT, r->where, r->h.iters, r->runs, best,
           bench_median(ns, r->runs), (double)best / (double)r->h.iters,
           depth, grow, allocs, base_allocs, c.faults / (uint64_t)r->runs,
           c.syscalls < 0 ? c.syscalls : c.syscalls / r->runs, stime, utime,
           !bad);
    fflush(stdout);
    return NULL;
}

int main(int argc, char **argv)
{
    struct run r;
    memset(&r, 0, sizeof r);
    r.name = bench_opt(argc, argv, "case", "boundary");
    r.h.boundary = strcmp(r.name, "boundary") == 0;
    if (!r.h.boundary && strcmp(r.name, "normal") != 0)
        bench_die("hotsplit", "--case must be boundary or normal");
    r.h.iters = bench_opt_u64(argc, argv, "iters", 10000000);
    r.h.max_depth = bench_opt_u64(argc, argv, "max-depth", 100000);
    r.runs = (int)bench_opt_u64(argc, argv, "runs", 5);
    if (r.runs < 1 || r.runs > 64 || r.h.iters == 0)
        bench_die("hotsplit", "--runs must be 1..64 and --iters > 0");
    /* Measured where nothing can cross: the main thread (guard 0 for
       linkstack, 16000 bytes of room for libgcc at this depth). */
    r.h.plain_delta = measure_plain_delta();

#ifdef BENCH_LSTK
    r.where = "lstk_stack_run";
    r.chunk = (size_t)bench_opt_u64(argc, argv, "chunk",
                                    r.h.boundary ? 1024 : 65536);
    run_cases(&r);
#else
    if (r.h.boundary && bench_guard() == 0)
        bench_die("hotsplit", "--case=boundary needs a split-stack build");
    r.where = "pthread";
    pthread_t t;
    int e = pthread_create(&t, NULL, run_cases, &r);
    if (e)
        bench_die("hotsplit", strerror(e));
    pthread_join(t, NULL);
#endif
    return 0;
}
