/*
 * deep.c: growth.  Recursion --depth levels deep (10,000,000 by default)
 * with 112-byte frames (-fstack-usage: an 80-byte local array, a saved
 * register and the return address), about 1.1 GB of stack in all.
 *
 * Where it runs (--where):
 *   contig   a pthread with a --stack bytes contiguous stack (2 GiB,
 *            mmap'd by glibc and faulted in lazily); plain build, or the
 *            linkstack build to see the checks alone (guard 0 there)
 *   contig-thp  the same, but the stack is our own 2 MiB-aligned mapping
 *            with madvise(MADV_HUGEPAGE), as linkstack's chunk arenas are:
 *            how much of a cold difference is huge pages alone
 *   thread   a pthread with default attributes; with the libgcc build
 *            libgcc's pthread_create wrapper gives it a split stack that
 *            grows through libgcc's __morestack
 *   linked   lstk_stack_run(0, ...) from the main thread (linkstack build):
 *            a 1 KiB first chunk, then chunks linked by linkstack's
 *            __morestack
 *
 * --runs descents run one after the other on the same thread (or, for
 * linked, in consecutive lstk_stack_run calls of the same OS thread).  The
 * first one is "cold": every byte of stack is fresh memory, so it pays the
 * page faults.  The others are "warm": they find memory that was touched
 * before (kept by glibc's stack, libgcc's segment list, linkstack's pool).
 *
 * Every level stores a value in its frame before the call and adds it to
 * the result after the call, so the frames are real and intact; the total
 * is checked against the closed form.
 */
#include "common.h"

#include <pthread.h>
#include <sys/mman.h>

#define PAD_WORDS 10

BENCH_NOINLINE uint64_t rec(uint64_t n)
{
    uint64_t pad[PAD_WORDS];
    pad[n % PAD_WORDS] = 3 * n + 1;
    bench_keep(pad);
    if (n == 0)
        return 0;
    uint64_t r = rec(n - 1);
    bench_keep(pad);
    return r + pad[n % PAD_WORDS];
}

struct job {
    uint64_t depth;
    int runs;
    const char *where;
};

static uint64_t expected(uint64_t d)
{
    /* sum over n = 1..d of 3n + 1 */
    return 3 * d * (d + 1) / 2 + d;
}

static void *rec_entry(void *p)
{
    uint64_t *io = p;
    *io = rec(*io);
    return p;
}

static void report(const struct job *j, int run, uint64_t ns,
                   const struct bench_counters *c, uint64_t grow,
                   uint64_t allocs, uint64_t peak)
{
    printf("RESULT prog=deep case=deep variant=%s where=%s run=%s index=%d "
           "depth=%" PRIu64 " ns=%" PRIu64 " faults=%" PRIu64
           " syscalls=%" PRId64 " stime_ns=%" PRIu64 " utime_ns=%" PRIu64
           " grow_events=%" PRIu64 " chunk_allocs=%" PRIu64
           " bytes_peak=%" PRIu64 "\n",
           BENCH_VARIANT, j->where, run == 0 ? "cold" : "warm", run, j->depth,
           ns, c->faults, c->syscalls, c->stime_ns, c->utime_ns, grow, allocs,
           peak);
    fflush(stdout);
}

/* Runs the descents on the calling thread. */
static void descend_here(const struct job *j, int linked)
{
    struct bench_counters c;
    bench_counters_open(&c);
    for (int run = 0; run < j->runs; run++) {
        uint64_t io = j->depth, grow = 0, allocs = 0, peak = 0;
#ifdef BENCH_LSTK
        lstk_stats_t s0, s1;
        lstk_stats(&s0);
#endif
        bench_counters_start(&c);
        uint64_t t0 = bench_now_ns();
        if (linked) {
#ifdef BENCH_LSTK
            void *res = NULL;
            int e = lstk_stack_run(0, rec_entry, &io, &res);
            if (e != 0 || res != &io) {
                fprintf(stderr, "deep: lstk_stack_run = %d (%s)\n", e,
                        strerror(e));
                exit(1);
            }
#endif
        } else {
            rec_entry(&io);
        }
        uint64_t t1 = bench_now_ns();
        bench_counters_stop(&c);
#ifdef BENCH_LSTK
        lstk_stats(&s1);
        grow = s1.grow_events - s0.grow_events;
        allocs = s1.chunk_allocs - s0.chunk_allocs;
        peak = s1.bytes_peak;
#endif
        if (io != expected(j->depth)) {
            fprintf(stderr,
                    "deep (%s, %s): wrong result %" PRIu64
                    " (expected %" PRIu64 ")\n",
                    BENCH_VARIANT, j->where, io, expected(j->depth));
            exit(1);
        }
        report(j, run, t1 - t0, &c, grow, allocs, peak);
    }
    bench_counters_close(&c);
}

static void *thread_main(void *p)
{
    descend_here(p, 0);
    return NULL;
}

int main(int argc, char **argv)
{
    struct job j;
    j.depth = bench_opt_u64(argc, argv, "depth", 10000000);
    j.runs = (int)bench_opt_u64(argc, argv, "runs", 3);
#ifdef BENCH_LSTK
    j.where = bench_opt(argc, argv, "where", "linked");
#elif defined(BENCH_SPLIT)
    j.where = bench_opt(argc, argv, "where", "thread");
#else
    j.where = bench_opt(argc, argv, "where", "contig");
#endif
    size_t stack = (size_t)bench_opt_u64(argc, argv, "stack", 2ull << 30);
    if (j.runs < 1)
        bench_die("deep", "--runs must be at least 1");

    if (strcmp(j.where, "linked") == 0) {
#ifndef BENCH_LSTK
        bench_die("deep", "--where=linked needs the linkstack build");
#endif
        descend_here(&j, 1);
        return 0;
    }
    int contig = strcmp(j.where, "contig") == 0;
    int thp = strcmp(j.where, "contig-thp") == 0;
    if (!contig && !thp && strcmp(j.where, "thread") != 0)
        bench_die("deep", "--where must be contig, contig-thp, thread or linked");
    if ((contig || thp) && stack < j.depth * 128 + (1u << 20))
        bench_die("deep", "--stack is too small for --depth");

    pthread_attr_t a;
    pthread_t t;
    pthread_attr_init(&a);
    if (contig && pthread_attr_setstacksize(&a, stack))
        bench_die("deep", "pthread_attr_setstacksize failed");
    if (thp) {
        const size_t huge = 2u << 20;
        stack = (stack + huge - 1) & ~(huge - 1);
        char *raw = mmap(NULL, stack + huge, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (raw == MAP_FAILED)
            bench_die("deep", "mmap of the stack failed");
        char *base = (char *)(((uintptr_t)raw + huge - 1) & ~(uintptr_t)(huge - 1));
        if (madvise(base, stack, MADV_HUGEPAGE) != 0)
            bench_die("deep", "madvise(MADV_HUGEPAGE) failed");
        if (pthread_attr_setstack(&a, base, stack))
            bench_die("deep", "pthread_attr_setstack failed");
    }
    int e = pthread_create(&t, &a, thread_main, &j);
    if (e)
        bench_die("deep", strerror(e));
    pthread_join(t, NULL);
    pthread_attr_destroy(&a);
    return 0;
}
