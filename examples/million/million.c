/*
 * million: a million threads on 1 KiB stacks.
 *
 * Starts 1,000,000 linkstack threads with the default 1 KiB first chunk.
 * Each recurses deep enough to leave its first chunk (about 2.5 KiB of
 * frames: after the first few threads, the 1 KiB first chunk and one chunk
 * sized by what their chains needed, rt/stack/fit.c; 3.5 KiB in all),
 * yields at the bottom so that all of them are alive and deep at once,
 * then returns a checksum of its frames.  main joins them all, checks
 * every result, and prints the time, the memory per thread and the
 * runtime's counters.
 *
 *     examples/million/million [THREADS [DEPTH]]
 *
 * DEPTH 0 blocks each thread one ~200-byte frame below its entry, in its
 * first chunk: `million 10000000 0` is scripts/showcase's ten million.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "linkstack.h"

/* Frames of about 200 bytes: DEPTH levels are DEPTH * ~200 bytes deep. */
__attribute__((noinline)) static long descend(long n, long seed)
{
    volatile char pad[176];
    long r;

    pad[0] = (char)(seed + n);
    if (n == 0) {
        lstk_yield(); /* every thread is this deep at once */
        return seed;
    }
    r = descend(n - 1, seed);
    return r + pad[0];
}

static long expected(long depth, long seed)
{
    long r = seed;
    for (long n = 1; n <= depth; n++)
        r += (char)(seed + n);
    return r;
}

static long depth = 12;

static void *body(void *arg)
{
    return (void *)descend(depth, (long)arg);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Resident set now and at most, in KiB (/proc/self/status). */
static void rss_kib(long *now_kib, long *peak_kib)
{
    char line[256];
    FILE *f = fopen("/proc/self/status", "r");

    *now_kib = *peak_kib = 0;
    if (!f)
        return;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmRSS:", 6) == 0)
            *now_kib = strtol(line + 6, NULL, 10);
        else if (strncmp(line, "VmHWM:", 6) == 0)
            *peak_kib = strtol(line + 6, NULL, 10);
    }
    fclose(f);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
    long rss0, hwm0, rss1, hwm1, bad = 0;
    lstk_stats_t s;
    lstk_t *t;
    double t0, t1, t2;

    if (argc > 2)
        depth = strtol(argv[2], NULL, 10);
    if (n <= 0 || depth < 0) {
        fprintf(stderr, "usage: %s [THREADS [DEPTH]]\n", argv[0]);
        return 2;
    }
    t = malloc((size_t)n * sizeof *t);
    if (!t) {
        perror("malloc");
        return 1;
    }
    memset(t, 0, (size_t)n * sizeof *t); /* its pages count in the baseline */
    lstk_yield();                        /* sets the scheduler up */
    rss_kib(&rss0, &hwm0);

    t0 = now();
    for (long i = 0; i < n; i++) {
        int rc = lstk_create(&t[i], NULL, body, (void *)i);
        if (rc) {
            fprintf(stderr, "million: lstk_create #%ld: %s\n", i, strerror(rc));
            return 1;
        }
    }
    t1 = now();
    for (long i = 0; i < n; i++) {
        void *r;
        int rc = lstk_join(t[i], &r);
        if (rc || (long)r != expected(depth, i))
            bad++;
    }
    t2 = now();
    rss_kib(&rss1, &hwm1);
    lstk_stats(&s);

    printf("million: %ld threads, first chunk %u bytes, %ld levels of ~200 bytes\n",
           n, LSTK_STACK_DEFAULT, depth);
    printf("  results:           %s (%ld wrong)\n", bad ? "WRONG" : "all correct", bad);
    printf("  create:            %.3f s (%.0f ns per thread)\n", t1 - t0,
           (t1 - t0) * 1e9 / (double)n);
    printf("  run + join:        %.3f s (%.0f ns per thread)\n", t2 - t1,
           (t2 - t1) * 1e9 / (double)n);
    printf("  total:             %.3f s\n", t2 - t0);
    printf("  peak RSS:          %.1f MiB above the start, %.2f KiB per thread\n",
           (double)(hwm1 - rss0) / 1024.0, (double)(hwm1 - rss0) / (double)n);
    printf("  stack peak:        %.2f KiB of chunks per thread (%llu bytes in all)\n",
           (double)s.bytes_peak / 1024.0 / (double)n,
           (unsigned long long)s.bytes_peak);
    printf("  threads:           peak %llu, live %llu, switches %llu\n",
           (unsigned long long)s.threads_peak, (unsigned long long)s.threads_live,
           (unsigned long long)s.switches);
    printf("  chunks:            peak %llu, live %llu, grow events %llu, "
           "allocations %llu\n",
           (unsigned long long)s.chunks_peak, (unsigned long long)s.chunks_live,
           (unsigned long long)s.grow_events,
           (unsigned long long)s.chunk_allocs);
    free(t);
    return bad ? 1 : 0;
}
