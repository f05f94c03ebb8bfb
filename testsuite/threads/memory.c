/*
 * memory.c: the chunks a blocked thread holds follow its live depth
 * (issue 10).  Threads block in lstk_yield at fixed depths; the test reads
 * lstk_stack_usage and lstk_stats (bytes, never timings) and checks them
 * against the growth policy of rt/stack/grow.c: a thread that blocks in its
 * entry function or one ~100-byte frame below holds its 1 KiB first chunk
 * and nothing else; a thread whose one big frame overflows it links one
 * chunk sized by that frame's need plus the first growth's 640 bytes of
 * headroom; a deep recursion holds at most 1.5x its live depth + 4 KiB;
 * and every chunk comes back when the threads are joined.
 */
#include <errno.h>

#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "common.h"

static volatile int stop;
static lstk_stack_usage_t seen[4];

static void *at_entry(void *arg)
{
    while (!stop)
        lstk_yield();
    return arg;
}

__attribute__((noinline)) static long one_frame(long x)
{
    volatile char pad[96];
    pad[0] = (char)x;
    while (!stop)
        lstk_yield();
    return pad[0];
}

static void *one_below(void *arg)
{
    return (void *)one_frame((long)arg);
}

__attribute__((noinline)) static long big_frame(long x)
{
    volatile char pad[2000];
    pad[0] = (char)x;
    pad[1999] = (char)x;
    while (!stop)
        lstk_yield();
    return pad[0] + pad[1999];
}

static void *big_below(void *arg)
{
    return (void *)big_frame((long)arg);
}

__attribute__((noinline)) static long deep(long n)
{
    volatile char pad[96];
    pad[0] = (char)n;
    if (n == 0) {
        while (!stop)
            lstk_yield();
        return 0;
    }
    return deep(n - 1) + pad[0];
}

static void *deep_below(void *arg)
{
    return (void *)deep((long)arg);
}

Test(memory, blocked_threads_hold_what_the_policy_predicts)
{
    LSTK_TEST_COOPERATIVE();
    lstk_t t[4];
    lstk_stats_t before = test_stats();

    cr_assert(eq(int, lstk_create(&t[0], NULL, at_entry, NULL), 0));
    cr_assert(eq(int, lstk_create(&t[1], NULL, one_below, NULL), 0));
    cr_assert(eq(int, lstk_create(&t[2], NULL, big_below, NULL), 0));
    cr_assert(eq(int, lstk_create(&t[3], NULL, deep_below, (void *)512), 0));
    lstk_yield(); /* every thread runs down to its yield */
    lstk_yield();
    for (int i = 0; i < 4; i++)
        cr_assert(eq(int, lstk_stack_usage(t[i], &seen[i]), 0));
    lstk_stats_t during = test_stats();

    /* Blocked in the entry function or one small frame below: the first
       chunk only (the measured lstk_yield budget fits in it). */
    for (int i = 0; i < 2; i++) {
        cr_expect(eq(u64, seen[i].chunks, 1), "thread %d", i);
        cr_expect(eq(u64, seen[i].held_bytes, LSTK_STACK_DEFAULT), "thread %d", i);
        cr_expect(gt(u64, seen[i].live_bytes, 0));
        cr_expect(lt(u64, seen[i].live_bytes, 1024 - 64 - 384 + 384));
    }
    /* One 2000-byte frame: one chunk of its need (frame + 24 of slack +
       64-byte header + 384 reserve) + 640 of headroom, rounded up to a
       256-byte class, the frame's saved registers and callee budget adding
       at most 256 more. */
    uint64_t second = seen[2].held_bytes - LSTK_STACK_DEFAULT;
    cr_expect(eq(u64, seen[2].chunks, 2));
    cr_expect(eq(u64, second % 256, 0), "a 256-byte class: %llu",
              (unsigned long long)second);
    cr_expect(ge(u64, second, 2000 + 24 + 64 + 384 + 640));
    cr_expect(le(u64, second, 2000 + 24 + 64 + 384 + 640 + 255 + 256));
    cr_expect(ge(u64, seen[2].live_bytes, 2000));
    /* 512 levels of ~112 bytes: chunks 1.25x as large each time. */
    cr_expect(ge(u64, seen[3].live_bytes, 512 * 100));
    cr_expect(le(u64, seen[3].held_bytes, seen[3].live_bytes * 3 / 2 + 4096),
              "held %llu for a live depth of %llu",
              (unsigned long long)seen[3].held_bytes,
              (unsigned long long)seen[3].live_bytes);
    cr_expect(ge(u64, seen[3].peak_bytes, seen[3].held_bytes));

    /* lstk_stats counts the same chunks. */
    uint64_t held = 0, chunks = 0, live = 0;
    for (int i = 0; i < 4; i++) {
        held += seen[i].held_bytes;
        chunks += seen[i].chunks;
        live += seen[i].live_bytes;
    }
    cr_expect(eq(u64, during.depth_live, live), "lstk_stats' live depth");
    cr_expect(eq(u64, during.bytes_live - before.bytes_live, held));
    cr_expect(eq(u64, during.chunks_live - before.chunks_live, chunks));

    stop = 1;
    for (int i = 0; i < 4; i++)
        cr_assert(eq(int, lstk_join(t[i], NULL), 0));
    lstk_stats_t after = test_stats();
    cr_expect(eq(u64, after.bytes_live, before.bytes_live), "all chunks back");
    cr_expect(eq(u64, after.chunks_live, before.chunks_live));
}

Test(memory, usage_of_the_caller_and_errors)
{
    lstk_stack_usage_t u;
    cr_expect(eq(int, lstk_stack_usage(lstk_self(), &u), EINVAL)); /* main */
    cr_expect(eq(int, lstk_stack_usage(lstk_self(), NULL), EINVAL));
}
