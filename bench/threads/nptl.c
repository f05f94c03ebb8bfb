/*
 * nptl.c: the NPTL peer (glibc's pthreads: one kernel task per thread),
 * all four cases.
 *
 *     nptl mem|steady|yield|condpp [N [REPS]]
 *
 * Threads get PTHREAD_STACK_MIN stacks (16 KiB with glibc 2.36; glibc adds
 * its guard page and puts the thread descriptor and static TLS at the top
 * of the stack).  Each thread is a kernel task: it needs a PID, so N is
 * bounded by kernel.pid_max and kernel.threads-max, and each stack is two
 * mappings (stack + guard), bounded by vm.max_map_count.  The mem case
 * takes N as a wish: it checks those limits first and lowers N to stay
 * well inside them (it never runs the machine out of PIDs), and prints the
 * N it used.  Memory figures count user-space RSS only; the kernel's own
 * per-task memory (task_struct, kernel stack: ~10-20 KiB) is not in VmHWM.
 *
 * yield and condpp are both a condition-variable ping-pong (mutex, two
 * conditions, a turn variable) between two threads pinned to one CPU, so
 * that every hand-off is a kernel context switch as on one core; "condpp"
 * also prints an unpinned variant (case condpp_2cpu) for reference.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common.h"

#define SYS "nptl"

static pthread_attr_t attr;

static long read_long(const char *path)
{
    FILE *f = fopen(path, "r");
    long v = -1;

    if (f) {
        if (fscanf(f, "%ld", &v) != 1)
            v = -1;
        fclose(f);
    }
    return v;
}

/* Tasks that exist now (all processes), from /proc/loadavg's 4th field. */
static long tasks_now(void)
{
    FILE *f = fopen("/proc/loadavg", "r");
    long running = 0, total = -1;
    double x;

    if (f) {
        if (fscanf(f, "%lf %lf %lf %ld/%ld", &x, &x, &x, &running, &total) != 5)
            total = -1;
        fclose(f);
    }
    return total;
}

/* The most threads this process may create without crowding the machine:
   3/4 of the PIDs and tasks left, half of the mappings left. */
static long thread_cap(long want, char *why, size_t whylen)
{
    long pid_max = read_long("/proc/sys/kernel/pid_max");
    long thr_max = read_long("/proc/sys/kernel/threads-max");
    long maps = read_long("/proc/sys/vm/max_map_count");
    long tasks = tasks_now();
    long cap = want;
    struct rlimit rl;

    snprintf(why, whylen, "wanted");
    if (pid_max > 0 && tasks >= 0 && (pid_max - tasks) * 3 / 4 < cap) {
        cap = (pid_max - tasks) * 3 / 4;
        snprintf(why, whylen, "pid_max=%ld", pid_max);
    }
    if (thr_max > 0 && tasks >= 0 && (thr_max - tasks) * 3 / 4 < cap) {
        cap = (thr_max - tasks) * 3 / 4;
        snprintf(why, whylen, "threads-max=%ld", thr_max);
    }
    if (maps > 0 && (maps - 1000) / 2 < cap) {
        cap = (maps - 1000) / 2;
        snprintf(why, whylen, "max_map_count=%ld", maps);
    }
    /* RLIMIT_NPROC counts the user's tasks: raise the soft limit. */
    if (getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NPROC, &rl);
        getrlimit(RLIMIT_NPROC, &rl);
        if (rl.rlim_cur != RLIM_INFINITY && tasks >= 0 &&
            (long)rl.rlim_cur - tasks < cap) {
            cap = ((long)rl.rlim_cur - tasks) * 3 / 4;
            snprintf(why, whylen, "RLIMIT_NPROC=%ld", (long)rl.rlim_cur);
        }
    }
    return cap < 1 ? 1 : cap;
}

/* --- mem --------------------------------------------------------------- */

static pthread_mutex_t gate_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_c = PTHREAD_COND_INITIALIZER;
static pthread_cond_t all_c = PTHREAD_COND_INITIALIZER;
static long arrived, nthreads;
static int gate_open;

static void *gate_body(void *arg)
{
    pthread_mutex_lock(&gate_m);
    if (++arrived == nthreads)
        pthread_cond_signal(&all_c);
    while (!gate_open)
        pthread_cond_wait(&gate_c, &gate_m);
    pthread_mutex_unlock(&gate_m);
    return arg;
}

static void run_mem(long want)
{
    char why[64], extra[320];
    long n = thread_cap(want, why, sizeof why);
    pthread_t *t = bt_xcalloc((size_t)n, sizeof *t);
    struct bt_snap a, b, c;
    long rss0, hwm0, rss1, hwm1;

    nthreads = n;
    bt_rss_kib(&rss0, &hwm0);
    bt_snap(&a);
    for (long i = 0; i < n; i++) {
        int rc = pthread_create(&t[i], &attr, gate_body, (void *)i);
        if (rc)
            bt_die("nptl: create #%ld of %ld: %s", i, n, strerror(rc));
    }
    pthread_mutex_lock(&gate_m);
    while (arrived < n)
        pthread_cond_wait(&all_c, &gate_m);
    bt_snap(&b);
    bt_rss_kib(&rss1, &hwm1);
    gate_open = 1;
    pthread_cond_broadcast(&gate_c);
    pthread_mutex_unlock(&gate_m);
    for (long i = 0; i < n; i++) {
        void *r;
        if (pthread_join(t[i], &r) != 0 || (long)(intptr_t)r != i)
            bt_die("nptl: join #%ld failed or wrong result", i);
    }
    bt_snap(&c);
    snprintf(extra, sizeof extra,
             "rss0_kib=%ld hwm0_kib=%ld hwm1_kib=%ld stack_bytes=%ld "
             "wanted=%ld capped_by=%s",
             rss0, hwm0, hwm1, (long)PTHREAD_STACK_MIN, want, why);
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
        pthread_t t;
        void *r;
        int rc = pthread_create(&t, &attr, nop_body, (void *)i);
        if (rc)
            bt_die("nptl: create: %s", strerror(rc));
        if (pthread_join(t, &r) != 0 || (long)(intptr_t)r != i)
            bt_die("nptl: join failed or wrong result");
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

static pthread_mutex_t pp_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pp_c[2] = {PTHREAD_COND_INITIALIZER,
                                 PTHREAD_COND_INITIALIZER};
static int turn;
static long loops;

static void *pp_body(void *arg)
{
    int me = (int)(intptr_t)arg;

    for (long i = 0; i < loops; i++) {
        pthread_mutex_lock(&pp_m);
        while (turn != me)
            pthread_cond_wait(&pp_c[me], &pp_m);
        turn = !me;
        pthread_cond_signal(&pp_c[!me]);
        pthread_mutex_unlock(&pp_m);
    }
    return arg;
}

static void run_pair(const char *cas, long n, int reps, int pinned)
{
    pthread_attr_t pa;
    cpu_set_t one;

    pthread_attr_init(&pa);
    if (pinned) {
        CPU_ZERO(&one);
        CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
        pthread_attr_setaffinity_np(&pa, sizeof one, &one);
    }
    for (int k = -1; k < reps; k++) {
        struct bt_snap a, b;
        long m = k < 0 ? n / 10 + 1 : n;
        pthread_t t0, t1;

        loops = m;
        turn = 0;
        bt_snap(&a);
        if (pthread_create(&t0, &pa, pp_body, (void *)0) ||
            pthread_create(&t1, &pa, pp_body, (void *)1))
            bt_die("nptl: create failed");
        pthread_join(t0, NULL);
        pthread_join(t1, NULL);
        bt_snap(&b);
        if (k >= 0)
            bt_result(cas, SYS,
                      (double)(b.wall_ns - a.wall_ns) / (2.0 * (double)m),
                      strcmp(cas, "yield") == 0 ? "ns/switch" : "ns/handoff",
                      m, &a, &b, pinned ? "via=cond cpus=1" : "via=cond cpus=2");
    }
    pthread_attr_destroy(&pa);
}

int main(int argc, char **argv)
{
    long n = 1000000;
    int reps = 5;
    const char *cas = bt_args(argc, argv, &n, &reps);

    pthread_attr_init(&attr);
    if (pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN))
        bt_die("nptl: PTHREAD_STACK_MIN refused");
    if (strcmp(cas, "mem") == 0) {
        run_mem(n);
    } else if (strcmp(cas, "steady") == 0) {
        run_steady(n, reps);
    } else if (strcmp(cas, "yield") == 0) {
        run_pair("yield", n, reps, 1);
    } else if (strcmp(cas, "condpp") == 0) {
        run_pair("condpp", n, reps, 1);
        run_pair("condpp_2cpu", n, reps, 0);
    } else {
        bt_die("nptl: unknown case %s", cas);
    }
    return 0;
}
