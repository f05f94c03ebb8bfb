/*
 * pthread_compat.c: a pthread program compiled unchanged against
 * <linkstack/pthread.h> runs on linkstack threads.
 *
 * pthread_prog.c is an ordinary pthread program; it is included here
 * behind the compat header (what `-include linkstack/pthread.h` does on a
 * command line), with its main() renamed.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "common.h"

#include <linkstack/pthread.h>
#define main pthread_prog_main
#include "pthread_prog.c"
#undef main

_Static_assert(__builtin_types_compatible_p(pthread_t, lstk_t), "mapped");
_Static_assert(__builtin_types_compatible_p(pthread_mutex_t, lstk_mutex_t),
               "mapped");

Test(pthread_compat, unchanged_pthread_program_runs_on_linkstack_threads)
{
    cr_assert(eq(int, pthread_prog_main(), 0));
    /* With N > 1 schedulers the detached thread may still be ending on
       another one (issue 11): let it. */
    for (int i = 0; i < 1000000 && test_stats().threads_live != 0; i++)
        lstk_yield();
    lstk_stats_t s = test_stats();
    cr_assert(ge(u64, s.threads_peak, WORKERS + 1), "its threads were ours");
    cr_assert(eq(u64, s.threads_live, 0));
    cr_assert(eq(u64, s.stacks_live, 0));
}
