/*
 * unwind.c: a libunwind backtrace taken several chunks deep walks across
 * every chunk boundary (one __morestack frame each) to the stack's entry
 * function and on to the caller of lstk_stack_run.
 */
#define UNW_LOCAL_ONLY
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <libunwind.h>
#include <string.h>

#include "common.h"

struct trace {
    int frames;
    int morestack;
    int saw_entry;
    int saw_caller;
    int saw_bottom;
};

__attribute__((noinline)) static void take_trace(struct trace *t)
{
    unw_context_t ctx;
    unw_cursor_t cur;
    char name[128];
    unw_word_t off;

    unw_getcontext(&ctx);
    unw_init_local(&cur, &ctx);
    do {
        t->frames++;
        if (unw_get_proc_name(&cur, name, sizeof name, &off) != 0)
            continue;
        if (strcmp(name, "__morestack") == 0)
            t->morestack++;
        else if (strcmp(name, "unwind_entry") == 0)
            t->saw_entry = 1;
        else if (strcmp(name, "lstk_stack_run") == 0)
            t->saw_caller = 1;
        else if (strcmp(name, "bottom") == 0)
            t->saw_bottom = 1;
    } while (unw_step(&cur) > 0 && t->frames < 100000);
}

__attribute__((noinline)) static void bottom(struct trace *t)
{
    volatile char pad[32];
    test_touch(pad);
    take_trace(t);
}

static long descend(long n, struct trace *t)
{
    volatile char pad[200];
    pad[0] = 0;
    test_touch(pad);
    if (n == 0) {
        bottom(t);
        return 0;
    }
    return descend(n - 1, t) + pad[0] - 1;
}

static void *unwind_entry(void *arg)
{
    /* ~250 bytes a level * 100 levels = 25 KiB: chunks of 1, 2, 4, 8 and
       16 KiB, so at least four boundaries. */
    descend(100, arg);
    return NULL;
}

Test(unwind, libunwind_backtrace_crosses_chunks_to_entry)
{
    struct trace t = { 0 };
    cr_assert(eq(int, lstk_stack_run(1024, unwind_entry, &t, NULL), 0));
    cr_assert(ge(int, t.morestack, 3), "chunk boundaries seen: %d", t.morestack);
    cr_assert(eq(int, t.saw_bottom, 1));
    cr_assert(eq(int, t.saw_entry, 1), "the walk reached the entry function");
    cr_assert(eq(int, t.saw_caller, 1), "and went on to lstk_stack_run's frame");
    cr_assert(ge(int, t.frames, 8));
}
