/*
 * exceptions.cc: a C++ exception thrown many chunks deep and caught near
 * the base passes through every __morestack frame, whose landing pad gives
 * the chunk back and resets the guard; afterwards the stack grows again
 * normally and no chunk is left behind.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdexcept>

#include "common.h"

static long dive(long n)
{
    volatile char pad[48];
    pad[0] = 0;
    test_touch(pad);
    if (n == 0)
        throw std::runtime_error("bottom");
    return dive(n - 1) + pad[0];
}

static long plain(long n)
{
    volatile char pad[48];
    pad[0] = 1;
    test_touch(pad);
    return n == 0 ? 0 : plain(n - 1) + pad[0] - 1;
}

static void *entry(void *arg)
{
    long caught = 0;
    for (int i = 0; i < 5; i++) {
        try {
            dive((long)arg);
        } catch (const std::runtime_error &) {
            caught++;
        }
        uintptr_t g = test_guard(), sp = test_sp();
        if (!(sp > g && sp - g < (2u << 20)))
            return (void *)-1L;
        if (plain(20000) != 20000)
            return (void *)-2L;
    }
    return (void *)caught;
}

Test(exceptions, throw_across_chunks_restores_guard_and_frees_chunks)
{
    lstk_stats_t before = test_stats();
    void *r = nullptr;
    /* entry catches (__cxa_begin_catch has no proven budget), so it runs
       on a guarded chunk of 1 MiB (doc/plugin.md, "The guarded path"):
       dive goes 20000 levels deep (about 2 MiB) to leave it.  */
    cr_assert(eq(int, lstk_stack_run(1024, entry, (void *)20000L, &r), 0));
    lstk_stats_t after = test_stats();
    cr_assert(eq(long, (long)r, 5L));
    cr_assert(gt(u64, after.grow_events - before.grow_events, 10));
    cr_assert(eq(u64, after.chunks_live, before.chunks_live));
    cr_assert(eq(u64, after.bytes_live, before.bytes_live));
}
