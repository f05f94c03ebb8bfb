/*
 * sync.c: mutexes, conditions, timed waits and sleeps.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <time.h>

#include "common.h"

/* --- producer-consumer ---------------------------------------------------- */

/* 5,000 producers put 20 items each through a 64-slot ring, 5,000 consumers
   take 20 each: 10,000 threads over one mutex and two conditions. */
enum { PRODUCERS = 5000, CONSUMERS = 5000, ITEMS = 20, SLOTS = 64 };

static struct {
    lstk_mutex_t lock;
    lstk_cond_t not_full, not_empty;
    long ring[SLOTS];
    unsigned head, count;
    int errors;
} pc = {LSTK_MUTEX_INITIALIZER, LSTK_COND_INITIALIZER, LSTK_COND_INITIALIZER,
        {0}, 0, 0, 0};

static void *producer(void *arg)
{
    long id = (long)arg;
    for (long i = 0; i < ITEMS; i++) {
        pc.errors += lstk_mutex_lock(&pc.lock) != 0;
        while (pc.count == SLOTS)
            pc.errors += lstk_cond_wait(&pc.not_full, &pc.lock) != 0;
        pc.ring[(pc.head + pc.count++) % SLOTS] = id * ITEMS + i + 1;
        pc.errors += lstk_cond_signal(&pc.not_empty) != 0;
        pc.errors += lstk_mutex_unlock(&pc.lock) != 0;
    }
    return NULL;
}

static void *consumer(void *arg)
{
    long sum = 0;
    for (long i = 0; i < ITEMS; i++) {
        pc.errors += lstk_mutex_lock(&pc.lock) != 0;
        while (pc.count == 0)
            pc.errors += lstk_cond_wait(&pc.not_empty, &pc.lock) != 0;
        sum += pc.ring[pc.head];
        pc.head = (pc.head + 1) % SLOTS;
        pc.count--;
        pc.errors += lstk_cond_signal(&pc.not_full) != 0;
        pc.errors += lstk_mutex_unlock(&pc.lock) != 0;
    }
    return (void *)sum;
}

Test(sync, producer_consumer_with_ten_thousand_threads, .timeout = 60)
{
    static lstk_t prod[PRODUCERS], cons[CONSUMERS];
    long total = 0, n = (long)PRODUCERS * ITEMS;
    lstk_stats_t s0 = test_stats();

    /* Interleave the two kinds so that both wait at some point. */
    for (long i = 0; i < CONSUMERS; i++) {
        cr_assert(eq(int, lstk_create(&cons[i], NULL, consumer, NULL), 0));
        cr_assert(eq(int, lstk_create(&prod[i], NULL, producer, (void *)i), 0));
    }
    for (long i = 0; i < PRODUCERS; i++)
        cr_assert(eq(int, lstk_join(prod[i], NULL), 0));
    for (long i = 0; i < CONSUMERS; i++) {
        void *sum;
        cr_assert(eq(int, lstk_join(cons[i], &sum), 0));
        total += (long)sum;
    }
    cr_assert(eq(int, pc.errors, 0));
    cr_assert(eq(u32, pc.count, 0));
    cr_assert(eq(i64, total, n * (n + 1) / 2), "every item consumed once");
    lstk_stats_t s1 = test_stats();
    cr_assert(eq(u64, s1.threads_peak - s0.threads_peak, PRODUCERS + CONSUMERS));
    cr_assert(eq(u64, s1.threads_live, s0.threads_live));
    cr_assert(eq(u64, s1.chunks_live, s0.chunks_live));
    cr_assert(gt(u64, s1.switches, s0.switches + PRODUCERS + CONSUMERS));
    cr_assert(eq(int, lstk_mutex_destroy(&pc.lock), 0));
    cr_assert(eq(int, lstk_cond_destroy(&pc.not_full), 0));
}

/* --- broadcast ------------------------------------------------------------ */

static lstk_mutex_t bm = LSTK_MUTEX_INITIALIZER;
static lstk_cond_t bc = LSTK_COND_INITIALIZER;
static int go, woken;

static void *wait_for_go(void *arg)
{
    lstk_mutex_lock(&bm);
    while (!go)
        lstk_cond_wait(&bc, &bm);
    woken++;
    lstk_mutex_unlock(&bm);
    return NULL;
}

Test(sync, broadcast_wakes_every_waiter)
{
    LSTK_TEST_COOPERATIVE();
    lstk_t t[100];

    for (int i = 0; i < 100; i++)
        cr_assert(eq(int, lstk_create(&t[i], NULL, wait_for_go, NULL), 0));
    lstk_yield(); /* all of them wait now */
    cr_assert(eq(int, lstk_cond_destroy(&bc), EBUSY));
    lstk_mutex_lock(&bm);
    go = 1;
    cr_assert(eq(int, lstk_cond_broadcast(&bc), 0));
    lstk_mutex_unlock(&bm);
    for (int i = 0; i < 100; i++)
        cr_assert(eq(int, lstk_join(t[i], NULL), 0));
    cr_assert(eq(int, woken, 100));
    cr_assert(eq(int, lstk_cond_destroy(&bc), 0));
}

/* --- conditions: misuse ----------------------------------------------------- */

Test(sync, cond_wait_needs_the_mutex)
{
    lstk_mutex_t m = LSTK_MUTEX_INITIALIZER, other = LSTK_MUTEX_INITIALIZER;
    lstk_cond_t c = LSTK_COND_INITIALIZER;
    struct timespec ts = {0, 1000000000L}, ok = {0, 0};

    cr_assert(eq(int, lstk_cond_wait(&c, &m), EPERM), "mutex not locked");
    lstk_mutex_lock(&m);
    cr_assert(eq(int, lstk_cond_timedwait(&c, &m, &ts), EINVAL), "bad tv_nsec");
    cr_assert(eq(int, lstk_cond_timedwait(&c, &other, &ok), EPERM));
    lstk_mutex_unlock(&m);
}

/* --- timed waits ------------------------------------------------------------ */

static struct timespec in_ms(long ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

Test(sync, timedwait_expires_with_the_mutex_locked_again)
{
    lstk_mutex_t m = LSTK_MUTEX_INITIALIZER;
    lstk_cond_t c = LSTK_COND_INITIALIZER;
    struct timespec ts = in_ms(20);
    struct timespec past = in_ms(-1000);

    lstk_mutex_lock(&m);
    cr_assert(eq(int, lstk_cond_timedwait(&c, &m, &ts), ETIMEDOUT));
    cr_assert(eq(int, lstk_mutex_trylock(&m), EBUSY), "still locked by us");
    cr_assert(eq(int, lstk_cond_timedwait(&c, &m, &past), ETIMEDOUT));
    cr_assert(eq(int, lstk_mutex_unlock(&m), 0));
    cr_assert(eq(int, lstk_cond_destroy(&c), 0), "no waiter left behind");
}

static lstk_mutex_t tm = LSTK_MUTEX_INITIALIZER;
static lstk_cond_t tc = LSTK_COND_INITIALIZER;

static void *timed_waiter(void *arg)
{
    struct timespec ts = in_ms((long)arg);
    lstk_mutex_lock(&tm);
    int rc = lstk_cond_timedwait(&tc, &tm, &ts);
    int owned = lstk_mutex_unlock(&tm) == 0;
    return (void *)(intptr_t)(owned ? rc : -1);
}

Test(sync, a_signal_before_the_deadline_wins)
{
    lstk_t patient, hasty;
    void *rp = NULL, *rh = NULL;

    /* "patient" waits first (10 s), "hasty" second (10 ms).  The signal
       comes when hasty has timed out, so it goes to patient. */
    cr_assert(eq(int, lstk_create(&patient, NULL, timed_waiter, (void *)10000L), 0));
    cr_assert(eq(int, lstk_create(&hasty, NULL, timed_waiter, (void *)10L), 0));
    cr_assert(eq(int, lstk_join(hasty, &rh), 0));
    cr_assert(eq(ptr, rh, (void *)(intptr_t)ETIMEDOUT));
    lstk_mutex_lock(&tm);
    cr_assert(eq(int, lstk_cond_signal(&tc), 0));
    lstk_mutex_unlock(&tm);
    cr_assert(eq(int, lstk_join(patient, &rp), 0));
    cr_assert(eq(ptr, rp, (void *)0));
    cr_assert(eq(int, lstk_cond_destroy(&tc), 0), "no waiter left behind");
}

/* --- sleeps ------------------------------------------------------------------ */

/* Sleepers with deadlines 8 ms apart, computed up front from one base
   (50 ms ahead, so that normally all are asleep before the first
   deadline), the last created first due.  The order is checked by
   construction, not by timing: a sleeper due earlier must wake before one
   due later whenever both were asleep by the earlier deadline (a pause of
   the machine can only leave pairs unconstrained, never fail them); and
   none wakes before its own deadline. */
enum { SLEEPERS = 12 };
static uint64_t sleep_base;
static int wake_order[SLEEPERS];
static int nwake;
static uint64_t asleep_at[SLEEPERS], woke_at[SLEEPERS];

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t due(long i)
{
    return sleep_base + (uint64_t)(SLEEPERS - i) * 8000000u;
}

static void *sleeper(void *arg)
{
    long i = (long)arg;
    uint64_t now = now_ns();

    asleep_at[i] = now;
    lstk_sleep_ns(due(i) > now ? due(i) - now : 0);
    woke_at[i] = now_ns();
    wake_order[nwake++] = (int)i;
    return NULL;
}

Test(sync, sleepers_wake_in_deadline_order)
{
    LSTK_TEST_COOPERATIVE();
    lstk_t t[SLEEPERS];
    int constrained = 0;

    sleep_base = now_ns() + 50000000u;
    for (long i = 0; i < SLEEPERS; i++)
        cr_assert(eq(int, lstk_create(&t[i], NULL, sleeper, (void *)i), 0));
    for (long i = 0; i < SLEEPERS; i++)
        cr_assert(eq(int, lstk_join(t[i], NULL), 0));
    cr_assert(eq(int, nwake, SLEEPERS));
    for (int i = 0; i < SLEEPERS; i++)
        cr_assert(ge(u64, woke_at[i], due(i)), "sleeper %d woke before its deadline", i);
    for (int p = 0; p < SLEEPERS; p++)
        for (int q = p + 1; q < SLEEPERS; q++) {
            int a = wake_order[p], b = wake_order[q]; /* a woke before b */
            if (due(b) < due(a) && asleep_at[a] < due(b) && asleep_at[b] < due(b))
                cr_assert(0, "sleeper %d (due %llu) woke before %d (due %llu), both asleep by then",
                          a, (unsigned long long)(due(a) - sleep_base), b,
                          (unsigned long long)(due(b) - sleep_base));
            uint64_t first = due(a) < due(b) ? due(a) : due(b);
            constrained += asleep_at[a] < first && asleep_at[b] < first;
        }
    cr_log_info("%d of %d pairs were asleep together by the earlier deadline", constrained,
                SLEEPERS * (SLEEPERS - 1) / 2);
}

static int spins;

static void *spinner(void *arg)
{
    while (!*(volatile int *)arg) {
        spins++;
        lstk_yield();
    }
    return NULL;
}

static void *nap_then_stop(void *arg)
{
    lstk_sleep_ns(2000000);
    *(volatile int *)arg = 1;
    return NULL;
}

Test(sync, a_sleeper_wakes_while_others_keep_yielding)
{
    static int stop;
    lstk_t a, b;

    cr_assert(eq(int, lstk_create(&a, NULL, spinner, &stop), 0));
    cr_assert(eq(int, lstk_create(&b, NULL, nap_then_stop, &stop), 0));
    cr_assert(eq(int, lstk_join(b, NULL), 0), "the timer fires without idling");
    cr_assert(eq(int, lstk_join(a, NULL), 0));
    cr_assert(gt(int, spins, 0));
}

Test(sync, main_sleeps_too)
{
    cr_assert(eq(int, lstk_sleep_ns(1000000), 0));
    cr_assert(eq(int, lstk_sleep_ns(0), 0));
}
