/*
 * guarded.c: requests of G' (64 KiB) or more run on guarded chunks, which
 * are pooled, and the program's own SIGSEGV handler keeps working
 * (issue 9).  The overflow message itself is tested by guarded-fault.sh.
 *
 * Whether a chunk is guarded is read from /proc/self/maps: below a guarded
 * chunk's reserve the memory is not writable (its header page, then the
 * gap); below an ordinary chunk's reserve is its writable header.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

/* The protection of the mapping holding ADDR ("rw-p", ...), "" if none. */
static void addr_prot(uintptr_t addr, char prot[5])
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    prot[0] = 0;
    cr_assert(f != NULL);
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char p[5];
        if (sscanf(line, "%lx-%lx %4s", &lo, &hi, p) == 3 && addr >= lo &&
            addr < hi) {
            memcpy(prot, p, 5);
            break;
        }
    }
    fclose(f);
}

static int is_guarded(uintptr_t guard)
{
    char below[5], reserve[5];
    addr_prot(guard - lstk_reserve() - 64 - 1, below);
    addr_prot(guard - lstk_reserve(), reserve);
    cr_assert(eq(chr, reserve[1], 'w'), "the reserve is writable");
    return below[1] != 'w';
}

static uintptr_t seen_guard;

#define FRAME_FN(bytes)                                                    \
    __attribute__((noinline)) static long frame_##bytes(long x)            \
    {                                                                      \
        volatile char pad[bytes];                                          \
        pad[0] = 0;                                                        \
        test_touch(pad);                                                   \
        seen_guard = test_guard();                                         \
        return pad[0] - 1 + x * 0;                                         \
    }                                                                      \
    static void *run_##bytes(void *arg)                                    \
    {                                                                      \
        return (void *)frame_##bytes((long)arg);                           \
    }
FRAME_FN(16000)
FRAME_FN(60000)
FRAME_FN(65536)
FRAME_FN(70000)
FRAME_FN(300000)

static int guarded_after(void *(*run)(void *))
{
    void *r = (void *)1;
    seen_guard = 0;
    cr_assert(eq(int, lstk_stack_run(1024, run, NULL, &r), 0));
    cr_assert(eq(ptr, r, NULL));
    cr_assert(ne(u64, seen_guard, 0));
    /* The chunk stays mapped in the pool. */
    return is_guarded(seen_guard);
}

Test(guarded, frames_of_g_prime_or_more_run_on_guarded_chunks)
{
    cr_assert(eq(int, guarded_after(run_16000), 0));
    cr_assert(eq(int, guarded_after(run_65536), 1));
    cr_assert(eq(int, guarded_after(run_70000), 1));
    cr_assert(eq(int, guarded_after(run_300000), 1));
    /* Fits an ordinary 64 KiB chunk, which offers less than G'. */
    cr_assert(eq(int, guarded_after(run_60000), 0));
}

static void *loop_entry(void *arg)
{
    long n = (long)arg, bad = 0;
    for (long i = 0; i < n; i++)
        bad += frame_70000(i) != 0;
    return (void *)bad;
}

static void *nothing(void *arg)
{
    return arg;
}

Test(guarded, a_hot_guarded_call_reuses_one_chunk)
{
    lstk_stats_t s0 = test_stats();
    lstk_stack_run(1024, nothing, NULL, NULL);
    lstk_stats_t s1 = test_stats();
    uint64_t base = s1.chunk_allocs - s0.chunk_allocs;
    void *r = (void *)1;
    cr_assert(eq(int, lstk_stack_run(1024, loop_entry, (void *)100000L, &r), 0));
    lstk_stats_t s2 = test_stats();
    cr_assert(eq(ptr, r, NULL));
    cr_assert(eq(u64, s2.grow_events - s1.grow_events, 100000));
    cr_assert(eq(u64, s2.chunk_allocs - s1.chunk_allocs - base, 1),
              "one guarded chunk for every call");
    cr_assert(eq(u64, s2.chunks_live, s1.chunks_live));
    cr_assert(eq(u64, s2.bytes_live, s1.bytes_live));
}

/* Two levels: mid crosses into an ordinary chunk, which takes the guarded
   chunk from the pool and gives it back on every call. */
__attribute__((noinline)) static long mid(long i)
{
    volatile char pad[2000];
    pad[0] = 0;
    test_touch(pad);
    return frame_70000(i) + pad[0] - 1;
}

static void *two_level_entry(void *arg)
{
    long n = (long)arg, bad = 0;
    for (long i = 0; i < n; i++)
        bad += mid(i) != 0;
    return (void *)bad;
}

Test(guarded, a_pooled_guarded_chunk_comes_back_each_time)
{
    lstk_stats_t s0 = test_stats();
    void *r = (void *)1;
    cr_assert(eq(int, lstk_stack_run(1024, two_level_entry, (void *)10000L, &r), 0));
    lstk_stats_t s1 = test_stats();
    cr_assert(eq(ptr, r, NULL));
    cr_assert(ge(u64, s1.grow_events - s0.grow_events, 20000));
    cr_assert(eq(u64, s1.chunks_live, s0.chunks_live));
    cr_assert(eq(u64, s1.bytes_live, s0.bytes_live));
}

/* The program's SIGSEGV handler still runs for its own faults, on the
   alternate stack with the guard at 0, and sigaction reports it. */
static sigjmp_buf segv_env;
static volatile uintptr_t handler_guard = 1;
static void *volatile handler_addr;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    handler_guard = test_guard();
    handler_addr = si->si_addr;
    siglongjmp(segv_env, 1);
}

static int *volatile bad_ptr = (int *)24;

static void *fault_entry(void *arg)
{
    (void)arg;
    if (sigsetjmp(segv_env, 1) == 0)
        return (void *)(long)*bad_ptr;
    return (void *)7L;
}

Test(guarded, the_programs_sigsegv_handler_still_runs)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    cr_assert(eq(int, sigaction(SIGSEGV, &sa, NULL), 0));
    cr_assert(eq(int, sigaction(SIGSEGV, NULL, &old), 0));
    cr_assert(eq(ptr, (void *)old.sa_sigaction, (void *)on_segv));
    void *r = NULL;
    cr_assert(eq(int, lstk_stack_run(1024, fault_entry, NULL, &r), 0));
    cr_assert(eq(ptr, r, (void *)7L));
    cr_assert(eq(u64, handler_guard, 0));
    cr_assert(eq(ptr, handler_addr, (void *)24));
}
