/*
 * jump.c: leaving deep recursion by longjmp leaves a correct guard, and
 * the chunks left behind are reused or freed, never leaked.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <setjmp.h>

#include "common.h"

static jmp_buf env;
static sigjmp_buf senv;

static long dive(long n, int how)
{
    volatile char pad[40];
    pad[0] = 0;
    test_touch(pad);
    if (n == 0) {
        if (how == 0)
            longjmp(env, 42);
        siglongjmp(senv, 43);
    }
    return dive(n - 1, how) + pad[0];
}

static long dive_ok(void);

/* After the jump: is the guard right for this chunk (rsp above it, within
   the chunk), and does growing again still work? */
static long after_jump_checks(void)
{
    uintptr_t g = test_guard(), sp = test_sp();
    if (!(sp > g && sp - g < (2u << 20)))
        return -1;
    return dive_ok();
}

static long dive_plain(long n)
{
    volatile char pad[40];
    pad[0] = 1;
    test_touch(pad);
    return n == 0 ? 0 : dive_plain(n - 1) + pad[0] - 1;
}

static long dive_ok(void)
{
    return dive_plain(20000) == 20000 ? 0 : -2;
}

static void *jump_entry(void *arg)
{
    long levels = (long)arg;
    volatile long result = 0;
    int v = setjmp(env);
    if (v != 0) {
        result = v + after_jump_checks();
        return (void *)result;
    }
    dive(levels, 0);
    return (void *)-100L;
}

Test(jump, longjmp_out_of_ten_thousand_levels)
{
    lstk_stats_t before = test_stats();
    for (int round = 0; round < 5; round++) {
        void *r = NULL;
        cr_assert(eq(int, lstk_stack_run(1024, jump_entry, (void *)10000L, &r), 0));
        cr_assert(eq(long, (long)r, 42L));
    }
    lstk_stats_t after = test_stats();
    cr_assert(eq(u64, after.chunks_live, before.chunks_live));
    cr_assert(eq(u64, after.bytes_live, before.bytes_live));
}

/* Jumps within one stack, repeated: live chunks stay bounded (the chunks
   a jump skips are freed, not kept), whatever the number of jumps. */
static void *repeat_entry(void *arg)
{
    long rounds = (long)arg;
    static lstk_stats_t mid;
    for (volatile long i = 0; i < rounds; i++) {
        if (sigsetjmp(senv, 1) == 0)
            dive(3000 + i % 7, 1);
        if (i == 10)
            lstk_stats(&mid);
    }
    lstk_stats_t end;
    lstk_stats(&end);
    return (void *)(long)(end.chunks_live - mid.chunks_live);
}

Test(jump, repeated_siglongjmp_does_not_accumulate_chunks)
{
    void *r = NULL;
    cr_assert(eq(int, lstk_stack_run(1024, repeat_entry, (void *)500L, &r), 0));
    cr_assert(eq(long, (long)r, 0L));
}

/* A jump within the same chunk changes nothing. */
static jmp_buf near;
static void *same_chunk_entry(void *arg)
{
    uintptr_t g = test_guard();
    if (setjmp(near) == 0)
        longjmp(near, 1);
    return (void *)(long)(test_guard() == g);
}

Test(jump, longjmp_within_a_chunk_keeps_the_guard)
{
    void *r = NULL;
    cr_assert(eq(int, lstk_stack_run(0, same_chunk_entry, NULL, &r), 0));
    cr_assert(eq(long, (long)r, 1L));
}

/* Off linked stacks longjmp is libc's, unchanged. */
Test(jump, longjmp_on_main_stack_is_plain)
{
    volatile int n = 0;
    if (setjmp(near) == 0) {
        n = 1;
        longjmp(near, 7);
    }
    cr_assert(eq(int, n, 1));
    cr_assert(eq(u64, test_guard(), 0));
}
