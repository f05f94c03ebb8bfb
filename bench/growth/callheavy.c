/*
 * callheavy.c: the cost of the split-stack check on call-heavy code.
 *
 * Three workloads made of little more than calls and returns:
 *   fib    naive recursive Fibonacci
 *   tree   recursive sum over a perfect binary tree (built outside the timing)
 *   ack    Ackermann's function A(3, n) (deep, oscillating recursion)
 * Each is timed with clock_gettime, best of --runs runs (median printed too).
 *
 * Where the code runs:
 *   plain, libgcc   directly on the main thread (libgcc's guard is set by its
 *                   constructor 16000 bytes below main's entry sp; deeper
 *                   frames go to libgcc segments)
 *   linkstack       inside lstk_stack_run(--chunk, ...): with a big first
 *                   chunk (the default, 8 MiB) nothing ever grows, so the
 *                   difference to plain is the checks alone; --chunk=1024
 *                   also pays for growth.  --where=main runs it on the main
 *                   thread instead (guard 0: every check passes), which is
 *                   what the callgrind count uses.
 *
 * Usage: callheavy [--case=fib|tree|ack|all] [--runs=N] [--chunk=BYTES]
 *                  [--where=stack|main] [--scale=small|full]
 */
#include "common.h"

/* --- workloads ----------------------------------------------------------- */

BENCH_NOINLINE uint64_t fib(uint64_t n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

struct node {
    struct node *l, *r;
    uint64_t v;
};

BENCH_NOINLINE uint64_t tree_sum(const struct node *t)
{
    if (!t)
        return 0;
    return t->v + tree_sum(t->l) + tree_sum(t->r);
}

BENCH_NOINLINE uint64_t ack(uint64_t m, uint64_t n)
{
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

/* Perfect tree of 2^depth - 1 nodes in one array (heap order), so that the
   walk's memory traffic is the same in every variant. */
static struct node *tree_build(unsigned depth, uint64_t *sum)
{
    size_t n = ((size_t)1 << depth) - 1;
    struct node *a = calloc(n, sizeof *a);
    if (!a)
        return NULL;
    *sum = 0;
    for (size_t i = 0; i < n; i++) {
        a[i].v = (i * 2654435761u) & 0xffff;
        *sum += a[i].v;
        a[i].l = 2 * i + 1 < n ? &a[2 * i + 1] : NULL;
        a[i].r = 2 * i + 2 < n ? &a[2 * i + 2] : NULL;
    }
    return a;
}

/* --- one job ------------------------------------------------------------- */

enum which { FIB, TREE, ACK };

struct job {
    enum which which;
    uint64_t n;          /* fib n, tree walks, ack n */
    uint64_t k;          /* repetitions of fib and ack in one run */
    struct node *tree;
    uint64_t result;
};

BENCH_NOINLINE void *job_entry(void *p)
{
    struct job *j = p;
    uint64_t r = 0;
    switch (j->which) {
    case FIB:
        for (uint64_t i = 0; i < j->k; i++)
            r += fib(j->n);
        break;
    case TREE:
        for (uint64_t i = 0; i < j->n; i++)
            r += tree_sum(j->tree);
        break;
    case ACK:
        for (uint64_t i = 0; i < j->k; i++)
            r += ack(3, j->n);
        break;
    }
    j->result = r;
    return p;
}

static const char *where = "stack";
static size_t chunk = 8u << 20;

static void run_job(struct job *j)
{
#ifdef BENCH_LSTK
    if (strcmp(where, "main") != 0) {
        void *res = NULL;
        int e = lstk_stack_run(chunk, job_entry, j, &res);
        if (e != 0 || res != j) {
            fprintf(stderr, "callheavy: lstk_stack_run(%zu) = %d (%s)\n",
                    chunk, e, strerror(e));
            exit(1);
        }
        return;
    }
#endif
    job_entry(j);
}

int main(int argc, char **argv)
{
    const char *which = bench_opt(argc, argv, "case", "all");
    int runs = (int)bench_opt_u64(argc, argv, "runs", 5);
    const char *scale = bench_opt(argc, argv, "scale", "full");
    int small = strcmp(scale, "small") == 0;
    where = bench_opt(argc, argv, "where", "stack");
    chunk = (size_t)bench_opt_u64(argc, argv, "chunk", chunk);
    if (runs < 1 || runs > 64)
        bench_die("callheavy", "--runs must be 1..64");

    /* Sizes: about 0.1-0.3 s per run at full scale on the reference VM;
       "small" is for callgrind (a few tens of millions of instructions). */
    const unsigned tree_depth = small ? 12 : 16;
    uint64_t tree_total;
    struct node *tree = tree_build(tree_depth, &tree_total);
    if (!tree)
        bench_die("callheavy", "out of memory");

    struct {
        const char *name;
        enum which w;
        uint64_t n, k, expect;
    } cases[] = {
        {"fib", FIB, small ? 24 : 32, small ? 1 : 15, 0},
        {"tree", TREE, small ? 20 : 800, 1, 0},
        /* A(3, n) = 2^(n+3) - 3; its recursion goes 2^(n+3) frames deep. */
        {"ack", ACK, small ? 6 : 10, small ? 1 : 2, 0},
    };
    cases[0].expect = (small ? 46368 : 2178309) * cases[0].k;
    cases[1].expect = tree_total * cases[1].n;
    cases[2].expect = (((uint64_t)1 << (cases[2].n + 3)) - 3) * cases[2].k;

    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        if (strcmp(which, "all") != 0 && strcmp(which, cases[c].name) != 0)
            continue;
        uint64_t ns[64];
        struct job j = {cases[c].w, cases[c].n, cases[c].k, tree, 0};
        struct bench_counters cnt;
#ifdef BENCH_LSTK
        lstk_stats_t s0, s1;
        lstk_stats(&s0);
#endif
        /* One untimed warm-up run: page in code, data and chunks. */
        run_job(&j);
        bench_counters_open(&cnt);
        bench_counters_start(&cnt);
        int done = 0;
        uint64_t spent = 0;
        for (int r = 0; r < runs; r++) {
            uint64_t t0 = bench_now_ns();
            run_job(&j);
            uint64_t t1 = bench_now_ns();
            ns[done++] = t1 - t0;
            spent += t1 - t0;
            if (j.result != cases[c].expect) {
                fprintf(stderr,
                        "callheavy: %s: wrong result %" PRIu64
                        " (expected %" PRIu64 ")\n",
                        cases[c].name, j.result, cases[c].expect);
                return 1;
            }
            /* Keep the whole program under its time budget even when a
               variant is very slow (libgcc on ack). */
            if (done >= 3 && spent > 6000000000u)
                break;
        }
        bench_counters_stop(&cnt);
        bench_counters_close(&cnt);
        uint64_t grow = 0, allocs = 0;
#ifdef BENCH_LSTK
        lstk_stats(&s1);
        grow = s1.grow_events - s0.grow_events;
        allocs = s1.chunk_allocs - s0.chunk_allocs;
#endif
        printf("RESULT prog=callheavy case=%s variant=%s where=%s chunk=%zu "
               "runs=%d best_ns=%" PRIu64 " median_ns=%" PRIu64
               " n=%" PRIu64 " result=%" PRIu64 " faults=%" PRIu64
               " syscalls=%" PRId64 " grow_events=%" PRIu64
               " chunk_allocs=%" PRIu64 "\n",
               cases[c].name, BENCH_VARIANT,
#ifdef BENCH_LSTK
               where, strcmp(where, "main") ? chunk : (size_t)0,
#else
               "main", (size_t)0,
#endif
               done, bench_min(ns, done), bench_median(ns, done),
               cases[c].n, j.result, cnt.faults / (uint64_t)done,
               cnt.syscalls < 0 ? cnt.syscalls
                                : cnt.syscalls / (int64_t)done,
               grow / (uint64_t)(done + 1), allocs);
        fflush(stdout);
    }
    free(tree);
    return 0;
}
