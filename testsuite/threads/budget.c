/*
 * budget.c: every public lstk_* call (but lstk_exit; the I/O calls are
 * testsuite/io/budget.c's) uses at most its budget in
 * rt/thread/thread-budgets.txt of its caller's stack (the plugin reserves that
 * much at each call; names without a line get 512 bytes), and every line
 * of that table is proven here.  Heavier work must go to the system stack.
 *
 * A thread with a large first chunk paints the 4 KiB below its stack
 * pointer, makes one call, and finds the lowest byte the call changed.
 * While the caller is suspended the other threads run on their own stacks
 * and signal handlers on the sigaltstack, so only the call itself writes
 * there.  Each call is measured on the paths that go deepest: blocking and
 * switching, timers firing, first-time allocations, unwinding.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <time.h>

#include "common.h"

#include "../stack_budget.h"

static lstk_mutex_t m = LSTK_MUTEX_INITIALIZER;
static lstk_cond_t c = LSTK_COND_INITIALIZER;
static lstk_once_t once = LSTK_ONCE_INIT;
static lstk_key_t key;
static volatile int stop;

static void nothing(void)
{
}

static void *spin(void *arg)
{
    while (!stop)
        lstk_yield();
    return arg;
}

static void *nap(void *arg)
{
    while (!stop)
        lstk_sleep_ns(1); /* a timer due at once, again and again */
    return arg;
}

static void *hold_mutex(void *arg)
{
    lstk_mutex_lock(&m);
    lstk_yield();
    lstk_yield();
    lstk_mutex_unlock(&m);
    return arg;
}

static void *ret(void *arg)
{
    return arg;
}

/* Signals the condition under the mutex: the measured lstk_cond_wait
   blocks, then wakes. */
static void *signal_c(void *arg)
{
    lstk_mutex_lock(&m);
    lstk_cond_signal(&c);
    lstk_mutex_unlock(&m);
    return arg;
}

static void *measure(void *arg)
{
    lstk_t t, u;
    lstk_stats_t st;
    size_t sz;
    lstk_stack_usage_t usage;
    void *ips[64];
    struct timespec ts;

    /* Switches, with sleepers whose timers fire during the decisions. */
    for (int i = 0; i < 64; i++)
        MEASURE("lstk_yield", lstk_yield());
    MEASURE("lstk_sleep_ns", lstk_sleep_ns(1000));
    MEASURE("lstk_self", lstk_self());
    MEASURE("lstk_equal", lstk_equal(lstk_self(), lstk_self()));
    MEASURE("lstk_stats", lstk_stats(&st));
    MEASURE("lstk_reserve", lstk_reserve());
    /* issue 11: N schedulers (set_concurrency asks for no more than run:
       the start itself runs on the system stack). */
    MEASURE("lstk_concurrency", lstk_concurrency());
    MEASURE("lstk_set_concurrency", lstk_set_concurrency(1));
    MEASURE("lstk_pin", lstk_pin());
    MEASURE("lstk_unpin", lstk_unpin());

    /* Attributes and initialisers. */
    {
        lstk_attr_t at;
        lstk_mutexattr_t ma;
        lstk_condattr_t ca;
        lstk_mutex_t m2;
        lstk_cond_t c2;
        size_t ss;
        int ds;
        lstk_key_t k2;
        void *r;

        MEASURE("lstk_attr_init", lstk_attr_init(&at));
        MEASURE("lstk_attr_setstacksize", lstk_attr_setstacksize(&at, 8192));
        MEASURE("lstk_attr_getstacksize", lstk_attr_getstacksize(&at, &ss));
        MEASURE("lstk_attr_setdetachstate", lstk_attr_setdetachstate(&at, LSTK_CREATE_JOINABLE));
        MEASURE("lstk_attr_getdetachstate", lstk_attr_getdetachstate(&at, &ds));
        MEASURE("lstk_attr_destroy", lstk_attr_destroy(&at));
        MEASURE("lstk_mutexattr_init", lstk_mutexattr_init(&ma));
        MEASURE("lstk_mutex_init", lstk_mutex_init(&m2, &ma));
        MEASURE("lstk_mutex_destroy", lstk_mutex_destroy(&m2));
        MEASURE("lstk_mutexattr_destroy", lstk_mutexattr_destroy(&ma));
        MEASURE("lstk_condattr_init", lstk_condattr_init(&ca));
        MEASURE("lstk_cond_init", lstk_cond_init(&c2, &ca));
        MEASURE("lstk_cond_destroy", lstk_cond_destroy(&c2));
        MEASURE("lstk_condattr_destroy", lstk_condattr_destroy(&ca));
        MEASURE("lstk_key_create", lstk_key_create(&k2, NULL));
        MEASURE("lstk_key_delete", lstk_key_delete(k2));
        /* A stack of its own, run to completion from here. */
        MEASURE("lstk_stack_run", lstk_stack_run(0, ret, NULL, &r));
    }

    /* Creation (may map memory: system stack), join that blocks. */
    MEASURE("lstk_create", lstk_create(&t, NULL, ret, NULL));
    MEASURE("lstk_stack_peak", lstk_stack_peak(t, &sz));
    MEASURE("lstk_stack_usage", lstk_stack_usage(t, &usage));
    MEASURE("lstk_stack_usage", lstk_stack_usage(lstk_self(), &usage));
    MEASURE("lstk_backtrace", lstk_backtrace(t, ips, 64, &sz));
    MEASURE("lstk_join", lstk_join(t, NULL));
    lstk_create(&t, NULL, ret, NULL);
    MEASURE("lstk_detach", lstk_detach(t));

    /* A mutex held by another thread: lock blocks, unlock hands off. */
    lstk_create(&t, NULL, hold_mutex, NULL);
    lstk_yield();
    MEASURE("lstk_mutex_lock", lstk_mutex_lock(&m));
    lstk_create(&u, NULL, hold_mutex, NULL);
    lstk_yield();
    MEASURE("lstk_mutex_unlock", lstk_mutex_unlock(&m));
    MEASURE("lstk_mutex_trylock", lstk_mutex_trylock(&m));
    lstk_join(t, NULL);
    lstk_join(u, NULL);

    /* Timed wait that expires; signal and broadcast. */
    lstk_mutex_lock(&m);
    for (int i = 0; i < 8; i++) {
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100000;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        MEASURE("lstk_cond_timedwait", lstk_cond_timedwait(&c, &m, &ts));
    }
    /* An untimed wait, woken by another thread. */
    lstk_create(&t, NULL, signal_c, NULL);
    MEASURE("lstk_cond_wait", lstk_cond_wait(&c, &m));
    lstk_mutex_unlock(&m);
    lstk_join(t, NULL);
    MEASURE("lstk_cond_signal", lstk_cond_signal(&c));
    MEASURE("lstk_cond_broadcast", lstk_cond_broadcast(&c));

    /* Keys: the first value allocates the table. */
    MEASURE("lstk_setspecific", lstk_setspecific(key, &m));
    MEASURE("lstk_getspecific", lstk_getspecific(key));
    MEASURE("lstk_once", lstk_once(&once, nothing));

    /* Issue 14: the same switches with the blocking graph on and a policy
       picking (the hooks' table work runs on the system stack). */
    {
        FILE *devnull = fopen("/dev/null", "w");

        MEASURE("lstk_graph_enable", lstk_graph_enable(1));
        MEASURE("lstk_sched_admit_limits", lstk_sched_admit_limits(1, 1, 0));
        MEASURE("lstk_sched_setpolicy", lstk_sched_setpolicy(LSTK_SCHED_ADMIT));
        MEASURE("lstk_sched_getpolicy", lstk_sched_getpolicy());
        for (int i = 0; i < 64; i++)
            MEASURE("lstk_yield", lstk_yield());
        MEASURE("lstk_sleep_ns", lstk_sleep_ns(1000));
        lstk_create(&t, NULL, hold_mutex, NULL);
        lstk_yield();
        MEASURE("lstk_mutex_lock", lstk_mutex_lock(&m));
        lstk_mutex_unlock(&m);
        MEASURE("lstk_join", lstk_join(t, NULL));
        MEASURE("lstk_graph_dump", lstk_graph_dump(devnull));
        lstk_sched_setpolicy(LSTK_SCHED_FIFO);
        lstk_graph_enable(0);
        fclose(devnull);
    }

    stop = 1;
    return arg;
}

Test(budget, every_call_fits_in_its_budget)
{
    lstk_attr_t a;
    lstk_t t, s1, s2;

    cr_assert(eq(int, lstk_key_create(&key, NULL), 0));
    lstk_attr_init(&a);
    lstk_attr_setstacksize(&a, 64 << 10); /* room to paint below */
    cr_assert(eq(int, lstk_create(&s1, NULL, spin, NULL), 0));
    cr_assert(eq(int, lstk_create(&s2, NULL, nap, NULL), 0));
    cr_assert(eq(int, lstk_create(&t, &a, measure, NULL), 0));
    cr_assert(eq(int, lstk_join(t, NULL), 0));
    cr_assert(eq(int, lstk_join(s1, NULL), 0));
    cr_assert(eq(int, lstk_join(s2, NULL), 0));

    char msg[256];
    /* Every thread call the header exports, but lstk_exit: it never
       returns, and the stack it leaves is gone before anything could read
       how deep it went. */
    static const char *const exempt[] = { "lstk_exit", NULL };
    char missing[1024];
    int nmiss = budget_unmeasured(NULL, "I/O and time", exempt, missing, sizeof missing);
    cr_assert(eq(int, nmiss, 0), "not measured: %s", missing);
    cr_expect(eq(int, budget_table_check(LSTK_BUDGET_TABLE, msg, sizeof msg), 0),
              "%s", msg);
}
