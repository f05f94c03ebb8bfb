/*
 * common.h: helpers shared by the C and C++ programs of bench/threads/.
 *
 * Every program measures one (system, case) per run:
 *
 *     PROG CASE [N [REPS]]
 *
 * and prints one line per measurement on stdout:
 *
 *     case=<c> system=<s> value=<v> unit=<u> n=<count> key=value ...
 *
 * bench/threads/run keeps the lines that start with "case="; anything else
 * is commentary.  The extra keys are the costs of the timed region:
 * wall_ns, utime_ns, stime_ns (getrusage of the process), faults (minor
 * page faults), and for the memory case rss0_kib/hwm1_kib.
 *
 * Cases (a program does those that make sense for its system):
 *   mem      N threads alive at once: each runs once and blocks on a
 *            condition (a gate), main measures VmHWM, then releases and
 *            joins them.  Prints three lines, from one process:
 *              mem       (VmHWM after - VmHWM before) / N, bytes/thread
 *              cold      create + first switch of N threads, fresh memory
 *              teardown  release + exit + join of those N, ns/thread
 *   steady   create, first switch, exit, join, one thread at a time, N
 *            times (memory reused): ns/thread, REPS lines.
 *   yield    two threads yield to each other N times each: ns/switch,
 *            REPS lines.
 *   condpp   two threads hand a token to each other through a condition
 *            variable (or the system's nearest thing), N times each:
 *            ns/hand-off, REPS lines.
 */
#ifndef BENCH_THREADS_COMMON_H
#define BENCH_THREADS_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define BT_NOINLINE __attribute__((noinline, noipa))

static inline uint64_t bt_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* VmRSS and VmHWM of the process, in KiB. */
static inline void bt_rss_kib(long *rss, long *hwm)
{
    char line[256];
    FILE *f = fopen("/proc/self/status", "r");

    *rss = *hwm = -1;
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmRSS:", 6) == 0)
            *rss = strtol(line + 6, NULL, 10);
        else if (strncmp(line, "VmHWM:", 6) == 0)
            *hwm = strtol(line + 6, NULL, 10);
    }
    fclose(f);
}

/* A snapshot of the costs of the process so far. */
struct bt_snap {
    uint64_t wall_ns, utime_ns, stime_ns;
    long faults;
};

static inline void bt_snap(struct bt_snap *s)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    s->utime_ns = (uint64_t)ru.ru_utime.tv_sec * 1000000000u +
                  (uint64_t)ru.ru_utime.tv_usec * 1000u;
    s->stime_ns = (uint64_t)ru.ru_stime.tv_sec * 1000000000u +
                  (uint64_t)ru.ru_stime.tv_usec * 1000u;
    s->faults = ru.ru_minflt + ru.ru_majflt;
    s->wall_ns = bt_now_ns(); /* last: the rest is overhead before it */
}

/* Prints one result line: VALUE per unit for the region A..B (B may be
   NULL: no cost keys), followed by EXTRA (may be NULL or ""). */
static inline void bt_result(const char *cas, const char *sys, double value,
                             const char *unit, long n, const struct bt_snap *a,
                             const struct bt_snap *b, const char *extra)
{
    printf("case=%s system=%s value=%.6g unit=%s n=%ld", cas, sys, value, unit,
           n);
    if (a && b)
        printf(" wall_ns=%llu utime_ns=%llu stime_ns=%llu faults=%ld",
               (unsigned long long)(b->wall_ns - a->wall_ns),
               (unsigned long long)(b->utime_ns - a->utime_ns),
               (unsigned long long)(b->stime_ns - a->stime_ns),
               b->faults - a->faults);
    if (extra && *extra)
        printf(" %s", extra);
    printf("\n");
    fflush(stdout);
}

/* Parses "PROG CASE [N [REPS]]"; N and REPS keep their defaults when
   absent.  Exits with a usage message on nonsense. */
/* The three figures of a population run, all N threads made (A..B) and
   all joined (B..C): peak RSS growth per thread, cold start and teardown
   per thread.  HWM0/HWM1: VmHWM in KiB before and with all N alive. */
static inline void bt_report_population(const char *sys, long n, long hwm0,
                                        long hwm1, const struct bt_snap *a,
                                        const struct bt_snap *b,
                                        const struct bt_snap *c,
                                        const char *extra)
{
    bt_result("mem", sys, (double)(hwm1 - hwm0) * 1024.0 / (double)n,
              "B/thread", n, a, b, extra);
    bt_result("cold", sys, (double)(b->wall_ns - a->wall_ns) / (double)n,
              "ns/thread", n, a, b, "");
    bt_result("teardown", sys, (double)(c->wall_ns - b->wall_ns) / (double)n,
              "ns/thread", n, b, c, "");
}

static inline const char *bt_args(int argc, char **argv, long *n, int *reps)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s mem|steady|yield|condpp [N [REPS]]\n",
                argv[0]);
        exit(2);
    }
    if (argc > 2)
        *n = strtol(argv[2], NULL, 10);
    if (argc > 3)
        *reps = (int)strtol(argv[3], NULL, 10);
    if (*n <= 0 || *reps <= 0) {
        fprintf(stderr, "%s: N and REPS must be positive\n", argv[0]);
        exit(2);
    }
    return argv[1];
}

static inline void *bt_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);

    if (!p) {
        fprintf(stderr, "out of memory (%zu x %zu bytes)\n", n, size);
        exit(1);
    }
    /* calloc may hand out untouched pages: touch them so that they count
       in the baseline, not in the threads' figure. */
    memset(p, 0, n * size);
    return p;
}

#define bt_die(...)                                                           \
    do {                                                                      \
        fprintf(stderr, __VA_ARGS__);                                         \
        fputc('\n', stderr);                                                  \
        exit(1);                                                              \
    } while (0)

#endif /* BENCH_THREADS_COMMON_H */
