/*
 * st.c: the State Threads peer (libst-dev, ST 1.9), all four cases.
 *
 *     st mem|steady|yield|condpp [N [REPS]]
 *
 * Threads get ST's smallest workable stack, one page (BT_ST_STACK, 4096;
 * ST rounds any size up to whole pages and puts the thread's own control
 * block and key table at the top of that stack).  ST has no yield call:
 * st_usleep(0) parks the thread on the sleep queue until the idle thread
 * has polled (a syscall per round), so the "yield" case is the same
 * condition-variable ping-pong as condpp (one hand-off = one switch); the
 * run script labels it so.  ST's conditions need no mutex (scheduling is
 * cooperative).
 */
#include <st.h>
#include <stdint.h>

#include "common.h"

#define SYS "st"
#ifndef BT_ST_STACK
#define BT_ST_STACK 4096
#endif

/* --- mem --------------------------------------------------------------- */

static st_cond_t gate_c, all_c;
static long arrived, nthreads;
static int gate_open;

static void *gate_body(void *arg)
{
    if (++arrived == nthreads)
        st_cond_signal(all_c);
    while (!gate_open)
        st_cond_wait(gate_c);
    return arg;
}

static void run_mem(long n)
{
    st_thread_t *t = bt_xcalloc((size_t)n, sizeof *t);
    struct bt_snap a, b, c;
    long rss0, hwm0, rss1, hwm1;
    char extra[256];

    nthreads = n;
    gate_c = st_cond_new();
    all_c = st_cond_new();
    bt_rss_kib(&rss0, &hwm0);
    bt_snap(&a);
    for (long i = 0; i < n; i++) {
        t[i] = st_thread_create(gate_body, (void *)i, 1, BT_ST_STACK);
        if (!t[i])
            bt_die("st: create #%ld of %ld: %s", i, n, strerror(errno));
    }
    while (arrived < n)
        st_cond_wait(all_c);
    bt_snap(&b);
    bt_rss_kib(&rss1, &hwm1);
    gate_open = 1;
    st_cond_broadcast(gate_c);
    for (long i = 0; i < n; i++) {
        void *r;
        if (st_thread_join(t[i], &r) != 0 || (long)(intptr_t)r != i)
            bt_die("st: join #%ld failed or wrong result", i);
    }
    bt_snap(&c);
    snprintf(extra, sizeof extra,
             "rss0_kib=%ld hwm0_kib=%ld hwm1_kib=%ld stack_bytes=%d", rss0,
             hwm0, hwm1, BT_ST_STACK);
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
        st_thread_t t = st_thread_create(nop_body, (void *)i, 1, BT_ST_STACK);
        if (!t)
            bt_die("st: create: %s", strerror(errno));
        if (st_thread_join(t, &r) != 0 || (long)(intptr_t)r != i)
            bt_die("st: join failed or wrong result");
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

/* --- condpp (and yield) ---------------------------------------------------- */

static st_cond_t pp_c[2];
static int turn;
static long loops;

static void *pp_body(void *arg)
{
    int me = (int)(intptr_t)arg;

    for (long i = 0; i < loops; i++) {
        while (turn != me)
            st_cond_wait(pp_c[me]);
        turn = !me;
        st_cond_signal(pp_c[!me]);
    }
    return arg;
}

static void run_pair(const char *cas, long n, int reps)
{
    pp_c[0] = st_cond_new();
    pp_c[1] = st_cond_new();
    for (int k = -1; k < reps; k++) {
        struct bt_snap a, b;
        long m = k < 0 ? n / 10 + 1 : n;
        st_thread_t t0, t1;

        loops = m;
        turn = 0;
        bt_snap(&a);
        t0 = st_thread_create(pp_body, (void *)0, 1, BT_ST_STACK);
        t1 = st_thread_create(pp_body, (void *)1, 1, BT_ST_STACK);
        if (!t0 || !t1)
            bt_die("st: create: %s", strerror(errno));
        st_thread_join(t0, NULL);
        st_thread_join(t1, NULL);
        bt_snap(&b);
        if (k >= 0)
            bt_result(cas, SYS,
                      (double)(b.wall_ns - a.wall_ns) / (2.0 * (double)m),
                      strcmp(cas, "yield") == 0 ? "ns/switch" : "ns/handoff",
                      m, &a, &b, "via=cond");
    }
}

int main(int argc, char **argv)
{
    long n = 1000000;
    int reps = 5;
    const char *cas = bt_args(argc, argv, &n, &reps);

    if (st_init() != 0)
        bt_die("st: st_init: %s", strerror(errno));
    if (strcmp(cas, "mem") == 0)
        run_mem(n);
    else if (strcmp(cas, "steady") == 0)
        run_steady(n, reps);
    else if (strcmp(cas, "yield") == 0 || strcmp(cas, "condpp") == 0)
        run_pair(cas, n, reps);
    else
        bt_die("st: unknown case %s", cas);
    return 0;
}
