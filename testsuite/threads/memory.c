/*
 * memory.c: the chunks a blocked thread holds follow its live depth
 * (issue 10).  Threads block in lstk_yield at fixed depths; the test reads
 * lstk_stack_usage and lstk_stats (bytes, never timings) and checks them
 * against the growth policy of rt/stack/grow.c: a thread that blocks in its
 * entry function or one ~100-byte frame below holds its 1 KiB first chunk
 * and nothing else; a thread whose one big frame overflows it links one
 * chunk sized by that frame's need plus the first growth's 640 bytes of
 * headroom; a deep recursion holds at most 1.5x its live depth + 4 KiB;
 * threads that block at one site after the first holds a chain hold one
 * chunk besides their first, all the same, sized by the need the chain
 * showed (rt/stack/fit.c); and every chunk comes back when the threads
 * are joined.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

/* --- sizes learned per growth site (rt/stack/fit.c) ----------------------- */

#define SITE_THREADS 40
#define SITE_LEVELS 40 /* ~4.5 KiB of frames: several chunks by headroom */

static lstk_stack_usage_t site_seen[SITE_THREADS];

/* deep()'s twin on purpose: sizes are learned per growth site (rt/stack/fit.c),
   so this test needs a site no earlier test has taught. */
__attribute__((noinline)) static long site_deep(long n)
{
    volatile char pad[96];
    pad[0] = (char)n;
    if (n == 0) {
        while (!stop)
            lstk_yield();
        return 0;
    }
    return site_deep(n - 1) + pad[0];
}

static void *site_body(void *arg)
{
    return (void *)site_deep((long)arg);
}

Test(memory, threads_blocking_at_one_site_hold_one_chunk_sized_by_the_first)
{
    lstk_t t[SITE_THREADS];

    /* Sizes are learned per OS thread (fit.c): with several schedulers, or
       threads moved between OS threads, a thread may grow where the
       earlier ones did not teach. */
    LSTK_TEST_COOPERATIVE();
    const char *dbg = getenv("LINKSTACK_DEBUG");
    if (dbg && strstr(dbg, "migrate"))
        cr_skip_test("sizes are learned per OS thread; threads migrate here");
    lstk_stats_t before = test_stats();

    /* One at a time: each runs down to its yield before the next starts,
       so each first growth sees what the earlier chains taught. */
    for (int i = 0; i < SITE_THREADS; i++) {
        cr_assert(eq(int, lstk_create(&t[i], NULL, site_body, (void *)SITE_LEVELS), 0));
        lstk_yield();
        lstk_yield();
        cr_assert(eq(int, lstk_stack_usage(t[i], &site_seen[i]), 0));
    }
    /* The first thread grew by headroom: several chunks. */
    cr_expect(ge(u64, site_seen[0].chunks, 3), "first thread: %llu chunks",
              (unsigned long long)site_seen[0].chunks);
    /* After a few threads (each one that still crossed a boundary raised
       the figure) every thread holds its first chunk and one more, all the
       same: the learned size. */
    uint64_t held = site_seen[SITE_THREADS - 1].held_bytes;
    for (int i = 8; i < SITE_THREADS; i++) {
        cr_expect(eq(u64, site_seen[i].chunks, 2), "thread %d", i);
        cr_expect(eq(u64, site_seen[i].held_bytes, held), "thread %d", i);
    }
    uint64_t second = held - LSTK_STACK_DEFAULT, live = site_seen[8].live_bytes;
    cr_expect(eq(u64, second % 256, 0), "a 256-byte class: %llu",
              (unsigned long long)second);
    cr_expect(lt(u64, held, site_seen[0].held_bytes), "one chunk beats the chain");
    /* Sized by need: it holds the frames that left the first chunk (at
       most 960 bytes stayed there) with header and reserve, and exceeds
       that by no more than the deepest request (frame + lstk_yield's
       budget, under 512) and the class rounding (under 256). */
    cr_expect(ge(u64, second, live - 960 + 64 + 384), "second %llu, live %llu",
              (unsigned long long)second, (unsigned long long)live);
    cr_expect(le(u64, second, live + 64 + 384 + 512 + 256), "second %llu, live %llu",
              (unsigned long long)second, (unsigned long long)live);
    cr_expect(le(u64, held, live * 3 / 2 + 1024), "the issue's bound");

    stop = 1;
    for (int i = 0; i < SITE_THREADS; i++)
        cr_assert(eq(int, lstk_join(t[i], NULL), 0));
    lstk_stats_t after = test_stats();
    cr_expect(eq(u64, after.bytes_live, before.bytes_live), "all chunks back");
    cr_expect(eq(u64, after.chunks_live, before.chunks_live));
}
