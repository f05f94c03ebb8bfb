/*
 * common.h: helpers shared by the growth-path benchmarks (bench/growth/).
 *
 * Each benchmark is one C file compiled three ways by bench/run:
 *   plain      gcc -O2                                  (no checks)
 *   libgcc     gcc -O2 -fsplit-stack (compile and link) (libgcc's __morestack)
 *   linkstack  gcc -O2 -fplugin=linkstack.so + liblinkstack
 * The build defines BENCH_VARIANT to one of those names and, for the
 * linkstack build, BENCH_LSTK.
 *
 * Programs print one line per measurement:
 *   RESULT prog=<p> case=<c> variant=<v> key=value ...
 * bench/run parses these; anything else on stdout is commentary.
 *
 * Costs besides time: page faults come from getrusage(RUSAGE_THREAD) and
 * syscalls from the raw_syscalls:sys_enter tracepoint through
 * perf_event_open when asked (BENCH_SYSCOUNT=1) and the kernel lets us
 * (root, or CAP_PERFMON); "syscalls=-1" means not counted.  Timing itself is
 * clock_gettime(CLOCK_MONOTONIC) only.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifdef BENCH_LSTK
#include "linkstack.h"
#endif

#ifndef BENCH_VARIANT
#error "compile with -DBENCH_VARIANT=\"plain\" (or libgcc, linkstack)"
#endif

#define BENCH_NOINLINE __attribute__((noinline, noipa))

/* Keeps VALUE (and the memory it points to) alive for the optimizer. */
#define bench_keep(value) __asm__ volatile("" : : "r"(value) : "memory")

static inline uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The split-stack guard of the calling thread (%fs:0x70): 0 off split
   stacks, libgcc's or linkstack's limit otherwise.  Read-only here. */
static inline uintptr_t bench_guard(void)
{
    uintptr_t g;
    __asm__ volatile("movq %%fs:0x70, %0" : "=r"(g));
    return g;
}

static inline uintptr_t bench_sp(void)
{
    uintptr_t sp;
    __asm__ volatile("movq %%rsp, %0" : "=r"(sp));
    return sp;
}

/* --- cost counters (per OS thread) -------------------------------------- */

struct bench_counters {
    int sys_fd;            /* tracepoint fd, -1 when not available */
    uint64_t faults;       /* minor + major page faults */
    int64_t syscalls;      /* -1 when not counted */
    uint64_t stime_ns;     /* kernel time */
    uint64_t utime_ns;     /* user time */
};

static int bench_syscall_tracepoint_id(void)
{
    static const char *paths[] = {
        "/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
        "/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        FILE *f = fopen(paths[i], "r");
        int id;
        if (!f)
            continue;
        if (fscanf(f, "%d", &id) != 1)
            id = -1;
        fclose(f);
        if (id >= 0)
            return id;
    }
    return -1;
}

/* Opens the counters for the calling thread.  Syscalls are counted only
   when BENCH_SYSCOUNT=1 is in the environment: the tracepoint costs about
   100 ns per syscall, which would inflate the peers' times, so bench/run
   counts in separate, untimed invocations. */
static inline void bench_counters_open(struct bench_counters *c)
{
    memset(c, 0, sizeof *c);
    c->sys_fd = -1;
    const char *on = getenv("BENCH_SYSCOUNT");
    if (!on || strcmp(on, "1") != 0)
        return;
    int id = bench_syscall_tracepoint_id();
    if (id < 0)
        return;
    struct perf_event_attr a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.type = PERF_TYPE_TRACEPOINT;
    a.config = (uint64_t)id;
    a.disabled = 1;
    a.sample_period = 0;
    c->sys_fd = (int)syscall(SYS_perf_event_open, &a, 0 /* this thread */,
                             -1, -1, 0);
}

static inline void bench_counters_close(struct bench_counters *c)
{
    if (c->sys_fd >= 0)
        close(c->sys_fd);
    c->sys_fd = -1;
}

static inline void bench_rusage(uint64_t *faults, uint64_t *stime_ns,
                                uint64_t *utime_ns)
{
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    *faults = (uint64_t)ru.ru_minflt + (uint64_t)ru.ru_majflt;
    *stime_ns = (uint64_t)ru.ru_stime.tv_sec * 1000000000u +
                (uint64_t)ru.ru_stime.tv_usec * 1000u;
    *utime_ns = (uint64_t)ru.ru_utime.tv_sec * 1000000000u +
                (uint64_t)ru.ru_utime.tv_usec * 1000u;
}

/* Starts a measured region (call right before taking the start time). */
static inline void bench_counters_start(struct bench_counters *c)
{
    bench_rusage(&c->faults, &c->stime_ns, &c->utime_ns);
    if (c->sys_fd >= 0) {
        ioctl(c->sys_fd, PERF_EVENT_IOC_RESET, 0);
        ioctl(c->sys_fd, PERF_EVENT_IOC_ENABLE, 0);
    }
}

/* Ends it: C then holds the deltas. */
static inline void bench_counters_stop(struct bench_counters *c)
{
    uint64_t f, s, u;
    if (c->sys_fd >= 0) {
        uint64_t n = 0;
        ioctl(c->sys_fd, PERF_EVENT_IOC_DISABLE, 0);
        if (read(c->sys_fd, &n, sizeof n) == (ssize_t)sizeof n)
            c->syscalls = (int64_t)n;
        else
            c->syscalls = -1;
    } else {
        c->syscalls = -1;
    }
    bench_rusage(&f, &s, &u);
    c->faults = f - c->faults;
    c->stime_ns = s - c->stime_ns;
    c->utime_ns = u - c->utime_ns;
}

/* --- small statistics ---------------------------------------------------- */

static int bench_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static inline uint64_t bench_min(const uint64_t *v, int n)
{
    uint64_t m = v[0];
    for (int i = 1; i < n; i++)
        if (v[i] < m)
            m = v[i];
    return m;
}

static inline uint64_t bench_median(const uint64_t *v, int n)
{
    uint64_t tmp[64];
    if (n > 64)
        n = 64;
    memcpy(tmp, v, (size_t)n * sizeof *v);
    qsort(tmp, (size_t)n, sizeof *tmp, bench_cmp_u64);
    return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

static inline void bench_die(const char *prog, const char *msg)
{
    fprintf(stderr, "%s (%s): %s\n", prog, BENCH_VARIANT, msg);
    exit(1);
}

/* Parses "--name=value" among argv; returns DEF when absent. */
static inline const char *bench_opt(int argc, char **argv, const char *name,
                                    const char *def)
{
    size_t n = strlen(name);
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "--", 2) == 0 &&
            strncmp(argv[i] + 2, name, n) == 0 && argv[i][2 + n] == '=')
            return argv[i] + 3 + n;
    return def;
}

static inline uint64_t bench_opt_u64(int argc, char **argv, const char *name,
                                     uint64_t def)
{
    const char *s = bench_opt(argc, argv, name, NULL);
    if (!s)
        return def;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end) {
        fprintf(stderr, "bad --%s=%s\n", name, s);
        exit(2);
    }
    return (uint64_t)v;
}

#endif /* BENCH_COMMON_H */
