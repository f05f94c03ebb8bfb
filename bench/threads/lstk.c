/*
 * lstk.c: linkstack's user-level threads (issue 3), all four cases.
 *
 * Compiled with the linkstack plugin (every function checked) and linked
 * with liblinkstack and -Wl,-z,now, as README tells users.  The thread
 * bodies run on the default 1 KiB first chunk; they only call lstk_*
 * functions (512 bytes of budget each), so they never grow.
 *
 *     lstk mem|mem_nothp|steady|yield|condpp [N [REPS]]
 *
 * mem_nothp is mem with transparent huge pages disabled for the process
 * (prctl PR_SET_THP_DISABLE): the runtime's arenas ask for huge pages,
 * whose first-touch cost swings with the kernel's compaction work; this
 * variant shows the cold start on plain 4 KiB pages (system
 * linkstack_nothp).
 *
 * See common.h for what the cases measure and print.  Besides time, each
 * line carries the runtime's own counters (switches, chunks, bytes) so
 * that the run script can check that the work done is the work meant.
 */
#include <stdint.h>
#include <sys/prctl.h>

#include "common.h"
#include "linkstack.h"

/* "linkstack", or "linkstack_nothp" for mem_nothp. */
static const char *sys_name = "linkstack";

static void check(int rc, const char *what)
{
    if (rc)
        bt_die("lstk: %s: %s", what, strerror(rc));
}

/* --- mem: N threads alive at once ----------------------------------------- */

static lstk_mutex_t gate_m = LSTK_MUTEX_INITIALIZER;
static lstk_cond_t gate_c = LSTK_COND_INITIALIZER; /* threads wait here */
static lstk_cond_t all_c = LSTK_COND_INITIALIZER;  /* main waits here */
static long arrived, nthreads;
static int gate_open;

static void *gate_body(void *arg)
{
    lstk_mutex_lock(&gate_m);
    if (++arrived == nthreads)
        lstk_cond_signal(&all_c);
    while (!gate_open)
        lstk_cond_wait(&gate_c, &gate_m);
    lstk_mutex_unlock(&gate_m);
    return arg;
}

static void run_mem(long n)
{
    lstk_t *t = bt_xcalloc((size_t)n, sizeof *t);
    struct bt_snap a, b, c;
    long rss0, hwm0, rss1, hwm1;
    lstk_stats_t s0, s1;
    char extra[512];

    nthreads = n;
    check(lstk_yield(), "yield"); /* sets the scheduler up: baseline */
    lstk_stats(&s0);
    bt_rss_kib(&rss0, &hwm0);
    bt_snap(&a);
    for (long i = 0; i < n; i++) {
        int rc = lstk_create(&t[i], NULL, gate_body, (void *)i);
        if (rc)
            bt_die("lstk: create #%ld of %ld: %s", i, n, strerror(rc));
    }
    check(lstk_mutex_lock(&gate_m), "lock");
    while (arrived < n)
        check(lstk_cond_wait(&all_c, &gate_m), "cond_wait");
    bt_snap(&b);
    /* Every thread has run once and waits on the gate: all alive. */
    bt_rss_kib(&rss1, &hwm1);
    lstk_stats(&s1);
    gate_open = 1;
    check(lstk_cond_broadcast(&gate_c), "broadcast");
    check(lstk_mutex_unlock(&gate_m), "unlock");
    for (long i = 0; i < n; i++) {
        void *r;
        check(lstk_join(t[i], &r), "join");
        if ((long)(intptr_t)r != i)
            bt_die("lstk: thread %ld returned %ld", i, (long)(intptr_t)r);
    }
    bt_snap(&c);

    snprintf(extra, sizeof extra,
             "rss0_kib=%ld hwm0_kib=%ld hwm1_kib=%ld stack_bytes=%u "
             "threads_peak=%llu chunks_peak=%llu chunk_bytes_peak=%llu",
             rss0, hwm0, hwm1, LSTK_STACK_DEFAULT,
             (unsigned long long)(s1.threads_peak - s0.threads_live),
             (unsigned long long)(s1.chunks_peak - s0.chunks_live),
             (unsigned long long)(s1.bytes_peak - s0.bytes_live));
    bt_report_population(sys_name, n, hwm0, hwm1, &a, &b, &c, extra);
    free(t);
}

/* --- steady: create, first switch, exit, join -------------------------------- */

static void *nop_body(void *arg)
{
    return arg;
}

BT_NOINLINE static void steady_loop(long n)
{
    for (long i = 0; i < n; i++) {
        lstk_t t;
        void *r;
        int rc = lstk_create(&t, NULL, nop_body, (void *)i);
        if (rc)
            bt_die("lstk: create: %s", strerror(rc));
        rc = lstk_join(t, &r);
        if (rc || (long)(intptr_t)r != i)
            bt_die("lstk: join: %s (result %ld, expected %ld)", strerror(rc),
                   (long)(intptr_t)r, i);
    }
}

static void run_steady(long n, int reps)
{
    steady_loop(n / 10 + 1); /* warm: pools filled, code and data cached */
    for (int k = 0; k < reps; k++) {
        struct bt_snap a, b;
        lstk_stats_t s0, s1;
        char extra[128];

        lstk_stats(&s0);
        bt_snap(&a);
        steady_loop(n);
        bt_snap(&b);
        lstk_stats(&s1);
        snprintf(extra, sizeof extra, "switches=%llu chunk_allocs=%llu",
                 (unsigned long long)(s1.switches - s0.switches),
                 (unsigned long long)(s1.chunk_allocs - s0.chunk_allocs));
        bt_result("steady", sys_name, (double)(b.wall_ns - a.wall_ns) / (double)n,
                  "ns/thread", n, &a, &b, extra);
    }
}

/* --- yield: ping-pong ------------------------------------------------------ */

static long loops;

static void *yield_body(void *arg)
{
    for (long i = 0; i < loops; i++)
        lstk_yield();
    return arg;
}

/* --- condpp: hand-off through a mutex and two conditions -------------------- */

static lstk_mutex_t pp_m = LSTK_MUTEX_INITIALIZER;
static lstk_cond_t pp_c[2] = {LSTK_COND_INITIALIZER, LSTK_COND_INITIALIZER};
static int turn;

static void *pp_body(void *arg)
{
    int me = (int)(intptr_t)arg;

    for (long i = 0; i < loops; i++) {
        lstk_mutex_lock(&pp_m);
        while (turn != me)
            lstk_cond_wait(&pp_c[me], &pp_m);
        turn = !me;
        lstk_cond_signal(&pp_c[!me]);
        lstk_mutex_unlock(&pp_m);
    }
    return arg;
}

/* Runs BODY in two threads, N loops each; 2N switches or hand-offs. */
static void run_pair(const char *cas, void *(*body)(void *), long n, int reps)
{
    for (int k = -1; k < reps; k++) { /* k = -1: warm-up */
        struct bt_snap a, b;
        lstk_stats_t s0, s1;
        lstk_t t0, t1;
        long m = k < 0 ? n / 10 + 1 : n;
        char extra[128];

        loops = m;
        turn = 0;
        lstk_stats(&s0);
        bt_snap(&a);
        check(lstk_create(&t0, NULL, body, (void *)0), "create");
        check(lstk_create(&t1, NULL, body, (void *)1), "create");
        check(lstk_join(t0, NULL), "join");
        check(lstk_join(t1, NULL), "join");
        bt_snap(&b);
        lstk_stats(&s1);
        if (k < 0)
            continue;
        snprintf(extra, sizeof extra, "switches=%llu",
                 (unsigned long long)(s1.switches - s0.switches));
        bt_result(cas, sys_name, (double)(b.wall_ns - a.wall_ns) / (2.0 * (double)m),
                  strcmp(cas, "yield") == 0 ? "ns/switch" : "ns/handoff", m, &a,
                  &b, extra);
    }
}

int main(int argc, char **argv)
{
    long n = 1000000;
    int reps = 5;
    const char *cas = bt_args(argc, argv, &n, &reps);

    if (strcmp(cas, "mem") == 0) {
        run_mem(n);
    } else if (strcmp(cas, "mem_nothp") == 0) {
        if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0)
            bt_die("lstk: prctl(PR_SET_THP_DISABLE): %s", strerror(errno));
        sys_name = "linkstack_nothp";
        run_mem(n);
    }
    else if (strcmp(cas, "steady") == 0) {
        run_steady(n, reps);
    } else if (strcmp(cas, "yield") == 0) {
        run_pair("yield", yield_body, n, reps);
    } else if (strcmp(cas, "condpp") == 0) {
        run_pair("condpp", pp_body, n, reps);
    } else {
        bt_die("lstk: unknown case %s", cas);
    }
    return 0;
}
