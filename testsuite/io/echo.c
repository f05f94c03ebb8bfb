/*
 * echo.c: an unmodified blocking echo server and 1,000 clients
 * (echo_prog.c: plain socket/accept/connect/read/write, one pthread per
 * connection) run on linkstack threads in one OS thread.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "common.h"

/* --- an unmodified blocking echo server, on linkstack threads ------------ */

#include <linkstack/pthread.h>
#define main echo_prog_main
#include "echo_prog.c"
#undef main

Test(intercept, blocking_echo_server_serves_1000_clients_in_one_os_thread,
     .timeout = 60)
{
    lstk_stats_t s;

    cr_assert(eq(int, echo_prog_main(), 0), "%d good, %d bad", echo_ok, echo_bad);
    cr_assert(eq(int, echo_ok, CLIENTS * ROUNDS));
    /* main, every client and every connection thread: one OS thread. */
    cr_assert(eq(int, echo_ntids, 2 * CLIENTS + 1));
    for (int i = 0; i < echo_ntids; i++)
        cr_assert(eq(int, echo_tids[i], echo_tids[0]), "thread %d", i);
    lstk_stats(&s);
    cr_assert(ge(u64, s.threads_peak, CLIENTS + 1), "they were linkstack threads");
}

