/*
 * staged.c: a CPU-bound staged workload (issue 14): cohort scheduling
 * against FIFO in instructions and cache misses per request.
 *
 *     staged [THREADS [REQUESTS]]      (LSTK_SCHED=fifo|cohort|... picks)
 *
 * Each request goes through STAGES stages; a stage reads and updates its
 * own table (TABLE bytes: one table fits in a 32 KiB L1 data cache, all of
 * them do not) and then blocks at its own call site (a yield), as a SEDA
 * stage would hand the request on.  Thread i starts at stage i % STAGES,
 * so FIFO runs the stages interleaved (each run touches another table),
 * while cohort runs the threads waiting at one location, hence at one
 * stage, together.  Prints one line: requests, wall time per request, and
 * a checksum; bench/threads/staged-run runs it natively and under
 * cachegrind for each policy.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "linkstack.h"

enum { STAGES = 4, TABLE = 24 << 10 };

static uint64_t table[STAGES][TABLE / sizeof(uint64_t)];
static long requests;

static void check(int rc, const char *what)
{
    if (rc) {
        fprintf(stderr, "staged: %s failed (%d)\n", what, rc);
        exit(1);
    }
}

/* One stage's work: a pass over its table. */
__attribute__((noinline)) static uint64_t work(int s, uint64_t x)
{
    uint64_t *t = table[s];
    for (size_t i = 0; i < TABLE / sizeof(uint64_t); i += 2) {
        x = x * 6364136223846793005u + t[i];
        t[i + 1] += x >> 33;
    }
    return x;
}

#define NOT_TAIL() __asm__ __volatile__("" ::: "memory")

/* One call site per stage: one location each in the blocking graph. */
__attribute__((noinline)) static void after_0(void) { lstk_yield(); NOT_TAIL(); }
__attribute__((noinline)) static void after_1(void) { lstk_yield(); NOT_TAIL(); __asm__(""); }
__attribute__((noinline)) static void after_2(void) { lstk_yield(); NOT_TAIL(); __asm__("nop"); }
__attribute__((noinline)) static void after_3(void) { lstk_yield(); NOT_TAIL(); __asm__("nop; nop"); }

static void (*const after[STAGES])(void) = {after_0, after_1, after_2, after_3};

static long per_thread;

static void *client(void *arg)
{
    long id = (long)arg;
    uint64_t x = (uint64_t)id;

    for (long r = 0; r < per_thread; r++) {
        for (int k = 0; k < STAGES; k++) {
            int s = (int)((id + k) % STAGES);
            x = work(s, x);
            after[s]();
        }
        requests++;
    }
    return (void *)(uintptr_t)x;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 64;
    lstk_t *t = calloc((size_t)n, sizeof *t);
    struct timespec a, b;
    uint64_t sum = 0;

    per_thread = argc > 2 ? atol(argv[2]) : 50;
    if (t == NULL || n <= 0 || per_thread <= 0)
        return 2;
    for (size_t s = 0; s < STAGES; s++)
        for (size_t i = 0; i < TABLE / sizeof(uint64_t); i++)
            table[s][i] = i * 2654435761u + s;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++)
        check(lstk_create(&t[i], NULL, client, (void *)i), "create");
    for (long i = 0; i < n; i++) {
        void *r;
        check(lstk_join(t[i], &r), "join");
        sum += (uint64_t)(uintptr_t)r;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
    printf("staged: policy=%d threads=%ld requests=%ld ns_per_request=%.1f checksum=%llx\n",
           lstk_sched_getpolicy(), n, requests, ns / (double)requests,
           (unsigned long long)sum);
    free(t);
    return 0;
}
