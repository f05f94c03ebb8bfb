/*
 * smp.c: threads on several schedulers (issue 11).  Each test starts at
 * least SCHEDS schedulers itself (lstk_set_concurrency), so it checks the
 * same thing in every mode of the runner; counts are checked at the end
 * (nothing lost, nothing twice), never timings.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

enum { SCHEDS = 4 };

static void start(void)
{
    cr_assert(eq(int, lstk_set_concurrency(SCHEDS), 0));
    cr_assert(ge(u32, lstk_concurrency(), SCHEDS));
}

static long os_tid(void)
{
    return syscall(SYS_gettid);
}

/* --- errno and the guard follow a thread ------------------------------------ */

static long moved;

static long lstk_yield_long(void *arg)
{
    (void)arg;
    return lstk_yield();
}

TEST_DESCEND(descend, lstk_yield_long)

/* errno's address is computed afresh in each: __errno_location is
   declared const, so in one function GCC may keep the address it got
   before a switch (the hazard linkstack.h describes). */
__attribute__((noinline)) static void set_errno(int v)
{
    errno = v;
}

__attribute__((noinline)) static int get_errno(void)
{
    return errno;
}

/* Every round: set errno, switch (maybe to another OS thread), read it
   back; recurse over several chunks and yield at the bottom, so that the
   return path crosses chunk boundaries with the guard of the OS thread it
   resumed on. */
static void *errno_keeper(void *arg)
{
    long id = (long)arg, bad = 0;

    for (int i = 0; i < 200; i++) {
        long before = os_tid();
        set_errno((int)(id * 1000 + i));
        lstk_yield();
        if (get_errno() != (int)(id * 1000 + i))
            bad++;
        if (os_tid() != before)
            __atomic_add_fetch(&moved, 1, __ATOMIC_RELAXED);
        if (descend(24, NULL) != 24 * 25 / 2)
            bad++;
    }
    return (void *)bad;
}

Test(smp, errno_and_guard_survive_migration)
{
    lstk_t t[64];

    setenv("LINKSTACK_DEBUG", "migrate", 1); /* read at the first call */
    start();
    for (long i = 0; i < 64; i++)
        cr_assert(eq(int, lstk_create(&t[i], NULL, errno_keeper, (void *)(i + 1)), 0));
    for (long i = 0; i < 64; i++) {
        void *bad = (void *)1;
        cr_assert(eq(int, lstk_join(t[i], &bad), 0));
        cr_assert(eq(ptr, bad, NULL), "thread %ld lost its errno or stack", i);
    }
    cr_assert(gt(i64, __atomic_load_n(&moved, __ATOMIC_RELAXED), 0),
              "no thread ever changed OS thread");
}

/* --- 100,000 threads: ping-pong ----------------------------------------------- */

enum { PAIRS = 50000, ROUNDS = 4 };

struct pair {
    lstk_mutex_t m;
    lstk_cond_t c;
    int turn, hits[2];
};

static struct pair *pairs;

static void *player(void *arg)
{
    long i = (long)arg / 2, me = (long)arg % 2;
    struct pair *p = &pairs[i];

    for (int r = 0; r < ROUNDS; r++) {
        lstk_mutex_lock(&p->m);
        while (p->turn != me)
            lstk_cond_wait(&p->c, &p->m);
        p->hits[me]++;
        p->turn = !me;
        lstk_cond_signal(&p->c);
        lstk_mutex_unlock(&p->m);
    }
    return NULL;
}

Test(smp, hundred_thousand_threads_ping_pong, .timeout = 120)
{
    static lstk_t t[2 * PAIRS];

    start();
    pairs = calloc(PAIRS, sizeof *pairs);
    cr_assert(ne(ptr, pairs, NULL));
    for (long i = 0; i < 2 * PAIRS; i++)
        cr_assert(eq(int, lstk_create(&t[i], NULL, player, (void *)i), 0));
    for (long i = 0; i < 2 * PAIRS; i++)
        cr_assert(eq(int, lstk_join(t[i], NULL), 0));
    for (long i = 0; i < PAIRS; i++) {
        cr_assert(eq(int, pairs[i].hits[0], ROUNDS), "pair %ld", i);
        cr_assert(eq(int, pairs[i].hits[1], ROUNDS), "pair %ld", i);
    }
    cr_assert(eq(u64, test_stats().threads_live, 0));
}

/* --- 100,000 threads: producers and consumers ------------------------------------ */

enum { ITEMS = 50000, SLOTS = 64 };

static lstk_mutex_t qm = LSTK_MUTEX_INITIALIZER;
static lstk_cond_t not_full = LSTK_COND_INITIALIZER, not_empty = LSTK_COND_INITIALIZER;
static long q[SLOTS], qhead, qcount;
static unsigned char *seen;

static void *producer(void *arg)
{
    lstk_mutex_lock(&qm);
    while (qcount == SLOTS)
        lstk_cond_wait(&not_full, &qm);
    q[(qhead + qcount++) % SLOTS] = (long)arg;
    lstk_cond_signal(&not_empty);
    lstk_mutex_unlock(&qm);
    return NULL;
}

static void *consumer(void *arg)
{
    long item;

    (void)arg;
    lstk_mutex_lock(&qm);
    while (qcount == 0)
        lstk_cond_wait(&not_empty, &qm);
    item = q[qhead];
    qhead = (qhead + 1) % SLOTS;
    qcount--;
    lstk_cond_signal(&not_full);
    lstk_mutex_unlock(&qm);
    __atomic_add_fetch(&seen[item], 1, __ATOMIC_RELAXED);
    return NULL;
}

Test(smp, hundred_thousand_producers_and_consumers, .timeout = 120)
{
    lstk_attr_t a;
    lstk_t t;

    start();
    seen = calloc(ITEMS, 1);
    cr_assert(ne(ptr, seen, NULL));
    lstk_attr_init(&a);
    lstk_attr_setdetachstate(&a, LSTK_CREATE_DETACHED);
    for (long i = 0; i < ITEMS; i++) {
        cr_assert(eq(int, lstk_create(&t, &a, consumer, NULL), 0));
        cr_assert(eq(int, lstk_create(&t, &a, producer, (void *)i), 0));
    }
    while (test_stats().threads_live != 0)
        lstk_sleep_ns(1000000);
    for (long i = 0; i < ITEMS; i++)
        cr_assert(eq(int, seen[i], 1), "item %ld seen %d times", i, seen[i]);
    cr_assert(eq(long, qcount, 0));
}

/* --- join and detach racing with the exit ------------------------------------ */

static long ran;

static void *short_life(void *arg)
{
    __atomic_add_fetch(&ran, 1, __ATOMIC_RELAXED);
    if ((long)arg % 3 == 0)
        lstk_yield();
    return arg;
}

Test(smp, join_and_detach_race_with_exit, .timeout = 60)
{
    enum { N = 20000 };
    static lstk_t t[N];
    long joined = 0;

    start();
    for (long i = 0; i < N; i++)
        cr_assert(eq(int, lstk_create(&t[i], NULL, short_life, (void *)i), 0));
    /* Meanwhile some already ended on other schedulers, some not. */
    for (long i = 0; i < N; i++) {
        if (i % 2) {
            cr_assert(eq(int, lstk_detach(t[i]), 0));
        } else {
            void *r = NULL;
            cr_assert(eq(int, lstk_join(t[i], &r), 0));
            cr_assert(eq(ptr, r, (void *)i));
            joined++;
        }
    }
    while (test_stats().threads_live != 0)
        lstk_yield();
    cr_assert(eq(long, joined, N / 2));
    cr_assert(eq(long, __atomic_load_n(&ran, __ATOMIC_RELAXED), N));
}

/* --- sleeps and timed waits on every scheduler --------------------------------- */

static lstk_mutex_t tm = LSTK_MUTEX_INITIALIZER;
static lstk_cond_t tc = LSTK_COND_INITIALIZER;
static long timeouts, signalled, slept;

static void *sleeper(void *arg)
{
    lstk_sleep_ns(1000000 + (long)arg % 1000);
    __atomic_add_fetch(&slept, 1, __ATOMIC_RELAXED);
    return NULL;
}

static void *timed_waiter(void *arg)
{
    struct timespec ts;
    int rc;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 200000 + (long)arg % 500000;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    lstk_mutex_lock(&tm);
    rc = lstk_cond_timedwait(&tc, &tm, &ts);
    if (rc == ETIMEDOUT)
        timeouts++;
    else if (rc == 0)
        signalled++;
    lstk_mutex_unlock(&tm);
    return NULL;
}

static volatile int stop_signalling;

static void *signaller(void *arg)
{
    while (!stop_signalling) {
        lstk_cond_signal(&tc);
        lstk_yield();
    }
    return arg;
}

Test(smp, timers_and_timed_waits_across_schedulers, .timeout = 60)
{
    enum { N = 2000 };
    static lstk_t t[N], w[N];
    lstk_t s;

    start();
    cr_assert(eq(int, lstk_create(&s, NULL, signaller, NULL), 0));
    for (long i = 0; i < N; i++) {
        cr_assert(eq(int, lstk_create(&t[i], NULL, sleeper, (void *)i), 0));
        cr_assert(eq(int, lstk_create(&w[i], NULL, timed_waiter, (void *)i), 0));
    }
    for (long i = 0; i < N; i++) {
        cr_assert(eq(int, lstk_join(t[i], NULL), 0));
        cr_assert(eq(int, lstk_join(w[i], NULL), 0));
    }
    stop_signalling = 1;
    cr_assert(eq(int, lstk_join(s, NULL), 0));
    cr_assert(eq(long, slept, N));
    cr_assert(eq(long, timeouts + signalled, N), "every timed wait ended once");
}

/* --- a read woken from another scheduler -------------------------------------- */

static int pipefd[2];
static long reader_got;
static long writer_tid, main_tid;

static void *reader(void *arg)
{
    char c = 0;

    (void)arg;
    if (read(pipefd[0], &c, 1) == 1)
        reader_got = c;
    return NULL;
}

/* Waits until it runs on another OS thread than main's, pins itself there,
   then writes: its write is a plain system call on that OS thread, and the
   reader, blocked in scheduler 0's poller, is woken by the event. */
static void *writer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 100000 && os_tid() == main_tid; i++)
        lstk_yield();
    lstk_pin();
    writer_tid = os_tid();
    lstk_sleep_ns(2000000); /* the reader is blocked by now */
    if (write(pipefd[1], "x", 1) != 1)
        writer_tid = -1;
    lstk_unpin();
    return NULL;
}

Test(smp, read_woken_from_another_scheduler, .timeout = 30)
{
    lstk_t r, w;

    main_tid = os_tid();
    start();
    cr_assert(eq(int, pipe(pipefd), 0));
    cr_assert(eq(int, lstk_create(&r, NULL, reader, NULL), 0));
    cr_assert(eq(int, lstk_create(&w, NULL, writer, NULL), 0));
    cr_assert(eq(int, lstk_join(w, NULL), 0));
    cr_assert(eq(int, lstk_join(r, NULL), 0));
    cr_assert(eq(long, reader_got, 'x'));
    cr_assert(ne(long, writer_tid, main_tid), "the writer ran on another OS thread");
    cr_assert(ne(long, writer_tid, -1));
}

/* --- shutdown while schedulers are parked ------------------------------------ */

static void *parked_forever(void *arg)
{
    lstk_mutex_t m = LSTK_MUTEX_INITIALIZER;
    lstk_cond_t c = LSTK_COND_INITIALIZER;

    lstk_mutex_lock(&m);
    lstk_cond_timedwait(&c, &m, arg); /* an hour away */
    return NULL;
}

Test(smp, exit_while_schedulers_are_parked, .exit_code = 0)
{
    lstk_t t;
    struct timespec ts;

    start();
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 3600;
    cr_assert(eq(int, lstk_create(&t, NULL, parked_forever, &ts), 0));
    lstk_sleep_ns(20000000); /* every scheduler parks meanwhile */
    exit(0);                 /* with threads blocked and workers parked */
}

static void *last_one(void *arg)
{
    lstk_sleep_ns(5000000);
    return arg;
}

Test(smp, main_exit_waits_for_threads_on_other_schedulers, .exit_code = 0)
{
    lstk_t t;

    start();
    for (int i = 0; i < 100; i++)
        cr_assert(eq(int, lstk_create(&t, NULL, last_one, NULL), 0));
    lstk_exit(NULL); /* the process ends with 0 when the last one does */
}
