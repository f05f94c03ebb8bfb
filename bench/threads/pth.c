/*
 * pth.c: the GNU Pth peer (libpth-dev, Pth 2.0.7), all four cases.
 *
 *     pth mem|steady|yield|condpp [N [REPS]]
 *
 * Threads get Pth's smallest workable stack, BT_PTH_STACK = 8 KiB: Pth
 * raises smaller requests to its own minimum (asking for 2 or 4 KiB gave
 * the same resident memory per thread as 8 KiB).  Pth's scheduler is a thread of its own and
 * keeps its queues sorted by priority with a linear insertion, and scans
 * every waiting thread for its event on each pass: creating and waking N
 * threads costs O(N^2), so the run script caps N for the memory case.
 */
#include <pth.h>
#include <stdint.h>

#include "common.h"

#define SYS "pth"
#ifndef BT_PTH_STACK
#define BT_PTH_STACK 8192
#endif

static pth_attr_t attr;

/* --- mem --------------------------------------------------------------- */

static pth_mutex_t gate_m = PTH_MUTEX_INIT;
static pth_cond_t gate_c = PTH_COND_INIT, all_c = PTH_COND_INIT;
static long arrived, nthreads;
static int gate_open;

static void *gate_body(void *arg)
{
    pth_mutex_acquire(&gate_m, FALSE, NULL);
    if (++arrived == nthreads)
        pth_cond_notify(&all_c, FALSE);
    while (!gate_open)
        pth_cond_await(&gate_c, &gate_m, NULL);
    pth_mutex_release(&gate_m);
    return arg;
}

static void run_mem(long n)
{
    pth_t *t = bt_xcalloc((size_t)n, sizeof *t);
    struct bt_snap a, b, c;
    long rss0, hwm0, rss1, hwm1;
    char extra[256];

    nthreads = n;
    bt_rss_kib(&rss0, &hwm0);
    bt_snap(&a);
    for (long i = 0; i < n; i++) {
        t[i] = pth_spawn(attr, gate_body, (void *)i);
        if (!t[i])
            bt_die("pth: spawn #%ld of %ld: %s", i, n, strerror(errno));
    }
    pth_mutex_acquire(&gate_m, FALSE, NULL);
    while (arrived < n)
        pth_cond_await(&all_c, &gate_m, NULL);
    bt_snap(&b);
    bt_rss_kib(&rss1, &hwm1);
    gate_open = 1;
    pth_cond_notify(&gate_c, TRUE);
    pth_mutex_release(&gate_m);
    for (long i = 0; i < n; i++) {
        void *r;
        if (!pth_join(t[i], &r) || (long)(intptr_t)r != i)
            bt_die("pth: join #%ld failed or wrong result", i);
    }
    bt_snap(&c);
    snprintf(extra, sizeof extra,
             "rss0_kib=%ld hwm0_kib=%ld hwm1_kib=%ld stack_bytes=%d", rss0,
             hwm0, hwm1, BT_PTH_STACK);
    bt_report_population(SYS, n, hwm0, hwm1, &a, &b, &c, extra);
    free(t);
}

/* --- steady -------------------------------------------------------------- */

static void *nop_body(void *arg)
{
    return arg;
}

BT_NOINLINE static void steady_loop(long n)
{
    for (long i = 0; i < n; i++) {
        void *r;
        pth_t t = pth_spawn(attr, nop_body, (void *)i);
        if (!t)
            bt_die("pth: spawn: %s", strerror(errno));
        if (!pth_join(t, &r) || (long)(intptr_t)r != i)
            bt_die("pth: join failed or wrong result");
    }
}

static void run_steady(long n, int reps)
{
    steady_loop(n / 10 + 1);
    for (int k = 0; k < reps; k++) {
        struct bt_snap a, b;
        bt_snap(&a);
        steady_loop(n);
        bt_snap(&b);
        bt_result("steady", SYS, (double)(b.wall_ns - a.wall_ns) / (double)n,
                  "ns/thread", n, &a, &b, "");
    }
}

/* --- yield and condpp ---------------------------------------------------- */

static long loops;

static void *yield_body(void *arg)
{
    for (long i = 0; i < loops; i++)
        pth_yield(NULL);
    return arg;
}

static pth_mutex_t pp_m = PTH_MUTEX_INIT;
static pth_cond_t pp_c[2] = {PTH_COND_INIT, PTH_COND_INIT};
static int turn;

static void *pp_body(void *arg)
{
    int me = (int)(intptr_t)arg;

    for (long i = 0; i < loops; i++) {
        pth_mutex_acquire(&pp_m, FALSE, NULL);
        while (turn != me)
            pth_cond_await(&pp_c[me], &pp_m, NULL);
        turn = !me;
        pth_cond_notify(&pp_c[!me], FALSE);
        pth_mutex_release(&pp_m);
    }
    return arg;
}

static void run_pair(const char *cas, void *(*body)(void *), long n, int reps)
{
    for (int k = -1; k < reps; k++) {
        struct bt_snap a, b;
        long m = k < 0 ? n / 10 + 1 : n;
        pth_t t0, t1;

        loops = m;
        turn = 0;
        bt_snap(&a);
        t0 = pth_spawn(attr, body, (void *)0);
        t1 = pth_spawn(attr, body, (void *)1);
        if (!t0 || !t1)
            bt_die("pth: spawn: %s", strerror(errno));
        pth_join(t0, NULL);
        pth_join(t1, NULL);
        bt_snap(&b);
        if (k >= 0)
            bt_result(cas, SYS,
                      (double)(b.wall_ns - a.wall_ns) / (2.0 * (double)m),
                      strcmp(cas, "yield") == 0 ? "ns/switch" : "ns/handoff",
                      m, &a, &b, "");
    }
}

int main(int argc, char **argv)
{
    long n = 1000000;
    int reps = 5;
    const char *cas = bt_args(argc, argv, &n, &reps);

    if (!pth_init())
        bt_die("pth: pth_init: %s", strerror(errno));
    attr = pth_attr_new();
    pth_attr_set(attr, PTH_ATTR_STACK_SIZE, (unsigned int)BT_PTH_STACK);
    pth_attr_set(attr, PTH_ATTR_JOINABLE, TRUE);
    if (strcmp(cas, "mem") == 0)
        run_mem(n);
    else if (strcmp(cas, "steady") == 0)
        run_steady(n, reps);
    else if (strcmp(cas, "yield") == 0)
        run_pair("yield", yield_body, n, reps);
    else if (strcmp(cas, "condpp") == 0)
        run_pair("condpp", pp_body, n, reps);
    else
        bt_die("pth: unknown case %s", cas);
    return 0;
}
