/*
 * life.c: the life cycle of threads: create, run order, join, detach,
 * exit, keys and their destructors, attributes, the stack high-water mark,
 * and the errors of misuse (as pthreads reports them).
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "common.h"

/* --- create, join, run order ------------------------------------------- */

static int order[64];
static int norder;

static void *yield_thrice(void *arg)
{
    long id = (long)arg;
    for (int i = 0; i < 3; i++) {
        order[norder++] = (int)id * 10 + i;
        lstk_yield();
    }
    return (void *)(id + 100);
}

Test(life, create_join_returns_results_in_fifo_order)
{
    LSTK_TEST_COOPERATIVE();
    lstk_t t[3];

    for (long i = 0; i < 3; i++)
        cr_assert(eq(int, lstk_create(&t[i], NULL, yield_thrice, (void *)i), 0));
    cr_assert(eq(int, norder, 0), "a new thread waits for the creator to block");
    for (long i = 0; i < 3; i++) {
        void *r = NULL;
        cr_assert(eq(int, lstk_join(t[i], &r), 0));
        cr_assert(eq(ptr, r, (void *)(i + 100)));
    }
    int want[] = {0, 10, 20, 1, 11, 21, 2, 12, 22};
    cr_assert(eq(int, norder, 9));
    for (int i = 0; i < 9; i++)
        cr_assert(eq(int, order[i], want[i]), "position %d", i);
    lstk_stats_t s = test_stats();
    cr_assert(eq(u64, s.threads_live, 0));
    cr_assert(eq(u64, s.threads_peak, 3));
    cr_assert(eq(u64, s.stacks_live, 0));
    cr_assert(eq(u64, s.chunks_live, 0));
}

static void *self_of(void *arg)
{
    *(lstk_t *)arg = lstk_self();
    return NULL;
}

Test(life, self_and_equal_identify_threads)
{
    lstk_t t, seen = NULL;
    lstk_t me = lstk_self();

    cr_assert(ne(ptr, me, NULL));
    cr_assert(lstk_equal(me, lstk_self()));
    cr_assert(eq(int, lstk_create(&t, NULL, self_of, &seen), 0));
    cr_assert(eq(int, lstk_yield(), 0));
    cr_assert(eq(int, lstk_join(t, NULL), 0)); /* any number of schedulers */
    cr_assert(lstk_equal(seen, t));
    cr_assert(eq(int, lstk_equal(seen, me), 0));
}

/* --- exit -------------------------------------------------------------- */

static long exit_at_bottom(void *arg)
{
    if (arg)
        lstk_exit(arg);
    return 0;
}

TEST_DESCEND(descend_then_exit, exit_at_bottom)

static void *exit_deep(void *arg)
{
    descend_then_exit(40, arg); /* ~10 KiB: several chunks */
    return NULL;                /* never reached */
}

Test(life, exit_from_deep_recursion_frees_every_chunk)
{
    LSTK_TEST_COOPERATIVE();
    lstk_t t;
    void *r = NULL;
    size_t peak = 0;
    lstk_stats_t s0 = test_stats();

    cr_assert(eq(int, lstk_create(&t, NULL, exit_deep, (void *)0x5eed), 0));
    cr_assert(eq(int, lstk_yield(), 0)); /* it runs and exits */
    cr_assert(eq(int, lstk_stack_peak(t, &peak), 0), "readable until joined");
    cr_assert(ge(sz, peak, 8192), "peak %zu", peak);
    lstk_stats_t s1 = test_stats();
    cr_assert(eq(u64, s1.threads_live, s0.threads_live));
    cr_assert(eq(u64, s1.chunks_live, s0.chunks_live), "a finished thread holds no chunk");
    cr_assert(eq(int, lstk_join(t, &r), 0));
    cr_assert(eq(ptr, r, (void *)0x5eed));
}

/* --- detach ------------------------------------------------------------ */

static int detached_ran;

static void *mark(void *arg)
{
    detached_ran++;
    lstk_yield();
    return arg;
}

Test(life, detached_threads_clean_up_after_themselves)
{
    LSTK_TEST_COOPERATIVE();
    lstk_t t[4];
    lstk_attr_t a;
    int st = -1;

    cr_assert(eq(int, lstk_attr_init(&a), 0));
    cr_assert(eq(int, lstk_attr_getdetachstate(&a, &st), 0));
    cr_assert(eq(int, st, LSTK_CREATE_JOINABLE));
    cr_assert(eq(int, lstk_attr_setdetachstate(&a, LSTK_CREATE_DETACHED), 0));
    cr_assert(eq(int, lstk_attr_setdetachstate(&a, 7), EINVAL));
    cr_assert(eq(int, lstk_create(&t[0], &a, mark, NULL), 0));
    cr_assert(eq(int, lstk_create(&t[1], &a, mark, NULL), 0));
    cr_assert(eq(int, lstk_attr_destroy(&a), 0));
    /* Detached after creation, before and after it finished. */
    cr_assert(eq(int, lstk_create(&t[2], NULL, mark, NULL), 0));
    cr_assert(eq(int, lstk_detach(t[2]), 0));
    cr_assert(eq(int, lstk_detach(t[2]), EINVAL), "already detached");
    cr_assert(eq(int, lstk_create(&t[3], NULL, mark, NULL), 0));
    for (int i = 0; i < 4; i++)
        lstk_yield();
    cr_assert(eq(int, detached_ran, 4));
    cr_assert(eq(u64, test_stats().threads_live, 0));
    cr_assert(eq(int, lstk_detach(t[3]), 0), "finished: its TCB goes now");
    cr_assert(eq(u64, test_stats().stacks_live, 0));
}

/* --- keys -------------------------------------------------------------- */

static lstk_key_t key_a, key_b;
static int dtor_a_calls, dtor_b_calls;
static void *dtor_a_value, *dtor_b_value;

static void dtor_a(void *v)
{
    dtor_a_calls++;
    dtor_a_value = v;
}

static void dtor_b(void *v)
{
    dtor_b_calls++;
    dtor_b_value = v;
    /* A destructor that sets a value again is called again (next round). */
    if (dtor_b_calls < 3)
        lstk_setspecific(key_b, (void *)((uintptr_t)v + 1));
}

static void *use_keys(void *arg)
{
    int ok = lstk_getspecific(key_a) == NULL;
    ok &= lstk_setspecific(key_a, (void *)0xa0) == 0;
    ok &= lstk_setspecific(key_b, (void *)0xb0) == 0;
    lstk_yield();
    ok &= lstk_getspecific(key_a) == (void *)0xa0;
    ok &= lstk_getspecific(key_b) == (void *)0xb0;
    return (void *)(intptr_t)ok;
}

Test(life, key_values_are_per_thread_and_destructors_run_at_exit)
{
    LSTK_TEST_COOPERATIVE();
    lstk_t t1, t2;
    void *ok1 = NULL, *ok2 = NULL;

    cr_assert(eq(int, lstk_key_create(&key_a, dtor_a), 0));
    cr_assert(eq(int, lstk_key_create(&key_b, dtor_b), 0));
    cr_assert(ne(u32, key_a, key_b));
    cr_assert(eq(int, lstk_setspecific(key_a, (void *)0x1), 0));
    cr_assert(eq(int, lstk_create(&t1, NULL, use_keys, NULL), 0));
    cr_assert(eq(int, lstk_join(t1, &ok1), 0));
    cr_assert(eq(ptr, ok1, (void *)1), "values seen by the thread");
    cr_assert(eq(ptr, lstk_getspecific(key_a), (void *)0x1), "main's own value");
    cr_assert(eq(int, dtor_a_calls, 1));
    cr_assert(eq(ptr, dtor_a_value, (void *)0xa0));
    cr_assert(eq(int, dtor_b_calls, 3), "re-set values get more rounds");
    cr_assert(eq(ptr, dtor_b_value, (void *)0xb2));

    /* A deleted key reads NULL everywhere and runs no destructor. */
    dtor_a_calls = dtor_b_calls = 0;
    cr_assert(eq(int, lstk_create(&t2, NULL, use_keys, NULL), 0));
    cr_assert(eq(int, lstk_yield(), 0)); /* it sets its values, yields */
    cr_assert(eq(int, lstk_key_delete(key_a), 0));
    cr_assert(eq(int, lstk_key_delete(key_a), EINVAL));
    cr_assert(eq(int, lstk_join(t2, &ok2), 0));
    cr_assert(eq(ptr, ok2, (void *)0), "the thread saw its value vanish");
    cr_assert(eq(int, dtor_a_calls, 0));
    cr_assert(eq(ptr, lstk_getspecific(key_a), NULL));
    cr_assert(eq(int, lstk_setspecific(key_a, (void *)1), EINVAL));
    cr_assert(eq(int, lstk_key_delete(key_b), 0));
}

/* --- once -------------------------------------------------------------- */

static lstk_once_t once = LSTK_ONCE_INIT;
static int once_calls;

static void once_fn(void)
{
    once_calls++;
    lstk_yield(); /* the others arrive while it runs, and wait */
}

static void *call_once(void *arg)
{
    lstk_once(&once, once_fn);
    return (void *)(intptr_t)once_calls;
}

Test(life, once_runs_once_and_late_callers_wait)
{
    lstk_t t[8];

    for (int i = 0; i < 8; i++)
        cr_assert(eq(int, lstk_create(&t[i], NULL, call_once, NULL), 0));
    for (int i = 0; i < 8; i++) {
        void *seen = NULL;
        cr_assert(eq(int, lstk_join(t[i], &seen), 0));
        cr_assert(eq(ptr, seen, (void *)1), "thread %d returned before the "
                  "function had run", i);
    }
    cr_assert(eq(int, once_calls, 1));
}

/* --- attributes and stack sizes ------------------------------------------ */

static void *shallow(void *arg)
{
    return arg;
}

Test(life, stack_size_attribute_sets_the_first_chunk)
{
    lstk_attr_t a;
    lstk_t t;
    size_t sz = 0, peak = 0;

    cr_assert(eq(int, lstk_attr_init(&a), 0));
    cr_assert(eq(int, lstk_attr_getstacksize(&a, &sz), 0));
    cr_assert(eq(sz, sz, LSTK_STACK_DEFAULT));
    cr_assert(eq(int, lstk_attr_setstacksize(&a, LSTK_STACK_MIN - 1), EINVAL));
    cr_assert(eq(int, lstk_attr_setstacksize(&a, 0), EINVAL));
    cr_assert(eq(int, lstk_attr_setstacksize(&a, LSTK_STACK_MIN), 0));
    cr_assert(eq(int, lstk_attr_setstacksize(&a, 16384), 0));
    cr_assert(eq(int, lstk_attr_getstacksize(&a, &sz), 0));
    cr_assert(eq(sz, sz, 16384));
    cr_assert(eq(int, lstk_create(&t, &a, shallow, NULL), 0));
    cr_assert(eq(int, lstk_stack_peak(t, &peak), 0));
    cr_assert(eq(sz, peak, 16384));
    cr_assert(eq(int, lstk_join(t, NULL), 0));
    cr_assert(eq(int, lstk_stack_peak(lstk_self(), &peak), EINVAL),
              "main has no linked stack");

    lstk_attr_t bad;
    memset(&bad, 0, sizeof bad);
    cr_assert(eq(int, lstk_create(&t, &bad, shallow, NULL), EINVAL),
              "an attribute that was never initialised");
    cr_assert(eq(int, lstk_create(&t, NULL, NULL, NULL), EINVAL));
}

/* --- misuse -------------------------------------------------------------- */

static void *join_main(void *arg)
{
    return (void *)(intptr_t)lstk_join(arg, NULL);
}

static void *join_itself(void *arg)
{
    return (void *)(intptr_t)lstk_join(lstk_self(), NULL);
}

Test(life, join_misuse_is_reported)
{
    LSTK_TEST_COOPERATIVE();
    lstk_t t, u;
    lstk_attr_t a;
    void *r = NULL;

    cr_assert(eq(int, lstk_join(lstk_self(), NULL), EDEADLK), "join self");
    cr_assert(eq(int, lstk_create(&t, NULL, join_itself, NULL), 0));
    cr_assert(eq(int, lstk_join(t, &r), 0));
    cr_assert(eq(ptr, r, (void *)(intptr_t)EDEADLK), "join self, in a thread");

    /* Join a detached thread (still alive). */
    lstk_attr_init(&a);
    lstk_attr_setdetachstate(&a, LSTK_CREATE_DETACHED);
    cr_assert(eq(int, lstk_create(&t, &a, shallow, NULL), 0));
    cr_assert(eq(int, lstk_join(t, NULL), EINVAL));
    lstk_yield();

    /* Two threads joining each other: the second is refused. */
    cr_assert(eq(int, lstk_create(&u, NULL, join_main, lstk_self()), 0));
    lstk_yield(); /* u now waits for main */
    cr_assert(eq(int, lstk_join(u, NULL), EDEADLK));
    cr_assert(eq(int, lstk_join(NULL, NULL), ESRCH));
}

static lstk_mutex_t owned = LSTK_MUTEX_INITIALIZER;

static void *lock_and_wait(void *arg)
{
    int rc = lstk_mutex_lock(&owned);
    lstk_yield(); /* main tries to unlock it meanwhile */
    return (void *)(intptr_t)(rc == 0 && lstk_mutex_unlock(&owned) == 0);
}

Test(life, mutex_misuse_is_reported)
{
    LSTK_TEST_COOPERATIVE();
    lstk_t t;
    void *ok = NULL;
    lstk_mutex_t m = LSTK_MUTEX_INITIALIZER;

    cr_assert(eq(int, lstk_mutex_unlock(&m), EPERM), "not locked");
    cr_assert(eq(int, lstk_mutex_lock(&m), 0));
    cr_assert(eq(int, lstk_mutex_lock(&m), EDEADLK), "relock by the owner");
    cr_assert(eq(int, lstk_mutex_trylock(&m), EBUSY));
    cr_assert(eq(int, lstk_mutex_destroy(&m), EBUSY));
    cr_assert(eq(int, lstk_mutex_unlock(&m), 0));
    cr_assert(eq(int, lstk_mutex_destroy(&m), 0));

    cr_assert(eq(int, lstk_create(&t, NULL, lock_and_wait, NULL), 0));
    lstk_yield();
    cr_assert(eq(int, lstk_mutex_unlock(&owned), EPERM), "owned by another thread");
    cr_assert(eq(int, lstk_mutex_trylock(&owned), EBUSY));
    cr_assert(eq(int, lstk_join(t, &ok), 0));
    cr_assert(eq(ptr, ok, (void *)1));
    cr_assert(eq(int, lstk_mutex_trylock(&owned), 0));
    cr_assert(eq(int, lstk_mutex_unlock(&owned), 0));
}

/* --- out of memory ------------------------------------------------------- */

static void *park(void *arg)
{
    lstk_mutex_t *m = arg;
    lstk_mutex_lock(m); /* main holds it until the end */
    lstk_mutex_unlock(m);
    return arg;
}

Test(life, create_fails_with_eagain_when_memory_runs_out)
{
    enum { MAX = 1 << 20 };
    static lstk_t t[MAX];
    lstk_mutex_t m = LSTK_MUTEX_INITIALIZER;
    struct rlimit lim;
    size_t n = 0;
    int rc = 0;
    long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    cr_assert(ne(ptr, f, NULL));
    cr_assert(eq(int, fscanf(f, "%ld", &pages), 1));
    fclose(f);
    lstk_mutex_lock(&m);
    /* Room for some thousands of threads beyond what is mapped now. */
    lim.rlim_cur = lim.rlim_max = (rlim_t)pages * 4096 + (48u << 20);
    cr_assert(eq(int, setrlimit(RLIMIT_AS, &lim), 0));
    while (n < MAX && (rc = lstk_create(&t[n], NULL, park, &m)) == 0)
        n++;
    cr_assert(eq(int, rc, EAGAIN));
    cr_assert(gt(sz, n, 1000), "only %zu threads before running out", n);
    cr_assert(eq(u64, test_stats().threads_live, n), "the failure left nothing behind");
    /* The process carries on: every thread runs, finishes and is joined. */
    lstk_mutex_unlock(&m);
    for (size_t i = 0; i < n; i++) {
        void *r = NULL;
        cr_assert(eq(int, lstk_join(t[i], &r), 0));
        cr_assert(eq(ptr, r, &m));
    }
    cr_assert(eq(u64, test_stats().threads_live, 0));
    /* Their memory is in the pools again: creating works. */
    cr_assert(eq(int, lstk_create(&t[0], NULL, shallow, NULL), 0));
    cr_assert(eq(int, lstk_join(t[0], NULL), 0));
}

/* --- main's exit ------------------------------------------------------- */

static int main_gone, ran_after_main;

/* Runs at exit(), with the status the runtime exits with, and turns
   "the other thread ran after main left, then the process exited with
   status 0" into status 7: a runtime that exited without running it, with
   another status, or without exit() (no handlers run: status 0 or other)
   gives anything but 7. */
static void check_ran_after_main(int status, void *arg)
{
    (void)arg;
    _exit(status == 0 && ran_after_main ? 7 : 3);
}

static void *outlive_main(void *arg)
{
    lstk_sleep_ns(1000000);
    ran_after_main = main_gone;
    return NULL; /* the last thread: the process exits with status 0 */
}

Test(life, main_exit_lets_the_others_finish, .exit_code = 7)
{
    lstk_t t;
    lstk_attr_t a;

    on_exit(check_ran_after_main, NULL);
    lstk_attr_init(&a);
    lstk_attr_setdetachstate(&a, LSTK_CREATE_DETACHED);
    cr_assert(eq(int, lstk_create(&t, &a, outlive_main, NULL), 0));
    main_gone = 1;
    lstk_exit(NULL);
}

/* --- deadlock ------------------------------------------------------------ */

static void *wait_forever(void *arg)
{
    lstk_mutex_lock(arg);
    return NULL;
}

Test(life, deadlock_is_fatal, .signal = SIGABRT)
{
    lstk_mutex_t m = LSTK_MUTEX_INITIALIZER;
    lstk_t t;

    lstk_mutex_lock(&m);
    lstk_create(&t, NULL, wait_forever, &m);
    lstk_join(t, NULL); /* t waits for main, main for t */
}

/* --- foreign threads ------------------------------------------------------ */

struct foreign_report {
    lstk_t self;
    int create, yield, join, lock, sleep, setspecific, mutex_init, key_create,
        attr_init;
};

static void *foreign(void *arg)
{
    struct foreign_report *r = arg;
    lstk_t t;
    lstk_mutex_t m;
    lstk_key_t k;
    lstk_attr_t a;

    r->self = lstk_self();
    r->create = lstk_create(&t, NULL, shallow, NULL);
    r->yield = lstk_yield();
    r->join = lstk_join(lstk_self(), NULL);
    r->mutex_init = lstk_mutex_init(&m, NULL);
    r->lock = lstk_mutex_lock(&m);
    r->sleep = lstk_sleep_ns(1);
    r->key_create = lstk_key_create(&k, NULL);
    r->setspecific = lstk_setspecific(k, &k);
    r->attr_init = lstk_attr_init(&a);
    return NULL;
}

Test(life, foreign_pthreads_get_eperm)
{
    struct foreign_report r;
    pthread_t p;

    memset(&r, 0xff, sizeof r);
    cr_assert(ne(ptr, lstk_self(), NULL), "this OS thread runs the threads");
    cr_assert(eq(int, pthread_create(&p, NULL, foreign, &r), 0));
    cr_assert(eq(int, pthread_join(p, NULL), 0));
    cr_assert(eq(ptr, r.self, NULL));
    cr_assert(eq(int, r.create, EPERM));
    cr_assert(eq(int, r.yield, EPERM));
    cr_assert(eq(int, r.join, EPERM));
    cr_assert(eq(int, r.lock, EPERM));
    cr_assert(eq(int, r.sleep, EPERM));
    cr_assert(eq(int, r.setspecific, EPERM));
    cr_assert(eq(int, r.mutex_init, 0), "object set-up is allowed");
    cr_assert(eq(int, r.key_create, 0));
    cr_assert(eq(int, r.attr_init, 0));
}
