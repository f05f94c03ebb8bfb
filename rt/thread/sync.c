/*
 * sync.c: mutexes, condition variables and once.
 *
 * All three are a FIFO wait queue of TCBs (intrusive, so waiting allocates
 * nothing) plus a word of state, in the caller's storage struct; all-zero
 * storage is a valid unlocked mutex, an empty condition, a not-yet-run once.
 *
 * Mutex: the owner's TCB, or NULL.  Unlock hands ownership straight to the
 * first waiter and makes it runnable (FIFO fairness: no barging, no
 * thundering herd, no retry loop).  Misuse is reported as by an
 * error-checking pthread mutex: relock by the owner EDEADLK, unlock by a
 * non-owner EPERM.
 *
 * Condition: waiters in FIFO order; a signal moves the first to the run
 * queue (and disarms its timer); the woken thread relocks the mutex itself.
 * A timed wait arms the thread's timer; when it fires, timer.c unlinks the
 * thread from the condition's queue (t->waitq) and the wait returns
 * ETIMEDOUT.  All operations are O(1) except broadcast (O(waiters)).
 *
 * Nothing here can run on a foreign thread: there is no lock, the state
 * belongs to the scheduler that runs the waiters.
 *
 * issue 11: with N > 1 schedulers (smp.c) the owner word changes by CAS
 * (an uncontended lock is one CAS) and each object's wait queue has its
 * own spinlock word in the object (a once, one of a small table of locks
 * hashed by address): held for a few queue operations, never across a
 * switch, and never shared by all schedulers.  A waiter queues itself and
 * drops the lock before it switches away; a waker on another scheduler
 * that picks it that early waits for its switch to store its sp
 * (lstk__resume_sp).  Code after a wait reads its scheduler from the
 * thread (self->sched): it may have moved.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "stack/stack.h"
#include "thread/graph.h"
#include "thread/thread.h"

struct lstk__mutex {
    struct lstk_thread *owner;
    struct lstk__queue waiters;
    /* issue 11: the waiters' lock when N > 1. */
    int lock;
    int spare;
};
_Static_assert(sizeof(struct lstk__mutex) == sizeof(lstk_mutex_t), "mutex");

struct lstk__cond {
    struct lstk__queue waiters;
    /* The mutex the current waiters use (NULL when none waits). */
    struct lstk__mutex *mutex;
    /* issue 11: the waiters' lock when N > 1. */
    int lock;
    int spare;
};
_Static_assert(sizeof(struct lstk__cond) == sizeof(lstk_cond_t), "cond");

enum { LSTK__ONCE_NEW = 0, LSTK__ONCE_RUNNING, LSTK__ONCE_DONE };

struct lstk__once {
    uintptr_t state;
    struct lstk__queue waiters;
};
_Static_assert(sizeof(struct lstk__once) == sizeof(lstk_once_t), "once");

#define MUTEX(m) ((struct lstk__mutex *)(void *)(m))
#define COND(c) ((struct lstk__cond *)(void *)(c))
#define ONCE(o) ((struct lstk__once *)(void *)(o))

/* Puts the current thread at the tail of Q and blocks it. */
static inline int wait_on(struct lstk__sched *s, struct lstk__queue *q)
{
    struct lstk_thread *self = s->current;

    self->state = LSTK__T_BLOCKED;
    self->waitq = q;
    self->wait_rc = 0;
    lstk__q_push(q, self);
    return lstk__sched_block(s);
}

/* Takes the first waiter of Q and makes it runnable; NULL if none. */
static inline struct lstk_thread *wake_one(struct lstk__sched *s,
                                           struct lstk__queue *q)
{
    struct lstk_thread *t = lstk__q_pop(q);

    if (t) {
        t->waitq = NULL;
        if (t->heap_idx)
            lstk__timer_cancel(s, t);
        lstk__sched_wake(s, t);
    }
    return t;
}

/* --- issue 11: the same with N > 1 schedulers ------------------------------ */

/* Queues the current thread on Q, whose lock L the caller holds, arms its
   timer for WHEN (0: none), drops L and blocks.  Returns wait_rc. */
static int wait_on_smp(struct lstk__sched *s, struct lstk__queue *q, int *l,
                       uint64_t when)
{
    struct lstk_thread *self = s->current;

    self->state = LSTK__T_BLOCKED;
    self->waitq = q;
    self->waitlock = l;
    self->wait_rc = 0;
    lstk__q_push(q, self);
    if (when) {
        int rc = lstk__timer_add(s, self, when);
        if (rc) {
            lstk__q_unlink(q, self);
            self->waitq = NULL;
            self->waitlock = NULL;
            self->state = LSTK__T_RUNNING;
            lstk__spin_unlock(l);
            return rc;
        }
    }
    lstk__spin_unlock(l);
    return lstk__sched_block(s);
}

/* Takes the first waiter of Q (lock held) and ends its wait: the caller
   makes it runnable once the lock is dropped. */
static struct lstk_thread *take_one_smp(struct lstk__sched *s,
                                        struct lstk__queue *q)
{
    struct lstk_thread *t = lstk__q_pop(q);

    if (t) {
        t->waitq = NULL;
        t->waitlock = NULL;
        /* A timer that fires now finds a stale generation (timer.c). */
        __atomic_add_fetch(&t->wait_gen, 1, __ATOMIC_ACQ_REL);
        if (__atomic_load_n(&t->heap_idx, __ATOMIC_RELAXED))
            lstk__timer_cancel(s, t);
    }
    return t;
}

__attribute__((noinline)) static int mutex_lock_smp(struct lstk__sched *s, struct lstk__mutex *mx)
{
    struct lstk_thread *self = s->current, *o = NULL;

    if (lstk__fast(__atomic_compare_exchange_n(&mx->owner, &o, self, 0,
                                               __ATOMIC_ACQUIRE,
                                               __ATOMIC_RELAXED)))
        return 0;
    if (o == self)
        return EDEADLK;
    lstk__spin_lock(&mx->lock);
    o = NULL;
    if (__atomic_compare_exchange_n(&mx->owner, &o, self, 0, __ATOMIC_ACQUIRE,
                                    __ATOMIC_RELAXED)) {
        lstk__spin_unlock(&mx->lock);
        return 0;
    }
    wait_on_smp(s, &mx->waiters, &mx->lock, 0); /* the unlocker made us owner */
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return 0;
}

/* The unlock always takes the waiters' lock: a locker that failed its CAS
   queues under it, so no waiter is missed. */
__attribute__((noinline)) static int mutex_unlock_smp(struct lstk__sched *s, struct lstk__mutex *mx)
{
    struct lstk_thread *w;

    if (lstk__slow(__atomic_load_n(&mx->owner, __ATOMIC_RELAXED) != s->current))
        return EPERM;
    lstk__spin_lock(&mx->lock);
    w = take_one_smp(s, &mx->waiters);
    __atomic_store_n(&mx->owner, w, __ATOMIC_RELEASE); /* hand-off */
    lstk__spin_unlock(&mx->lock);
    if (w)
        lstk__sched_wake(s, w);
    return 0;
}

/* --- attributes (pthread compatibility only) ------------------------------ */

LSTK_EXPORT int lstk_mutexattr_init(lstk_mutexattr_t *attr)
{
    if (!attr)
        return EINVAL;
    attr->_lstk_kind = 0;
    return 0;
}

LSTK_EXPORT int lstk_mutexattr_destroy(lstk_mutexattr_t *attr)
{
    return attr ? 0 : EINVAL;
}

LSTK_EXPORT int lstk_condattr_init(lstk_condattr_t *attr)
{
    if (!attr)
        return EINVAL;
    attr->_lstk_clock = CLOCK_REALTIME;
    return 0;
}

LSTK_EXPORT int lstk_condattr_destroy(lstk_condattr_t *attr)
{
    return attr ? 0 : EINVAL;
}

/* --- mutex ----------------------------------------------------------------- */

LSTK_EXPORT int lstk_mutex_init(lstk_mutex_t *m, const lstk_mutexattr_t *attr)
{
    (void)attr;
    if (!m)
        return EINVAL;
    memset(m, 0, sizeof *m);
    return 0;
}

LSTK_EXPORT int lstk_mutex_destroy(lstk_mutex_t *m)
{
    struct lstk__mutex *mx = MUTEX(m);

    if (!m)
        return EINVAL;
    if (mx->owner || mx->waiters.head)
        return EBUSY;
    return 0;
}

/* Hot path: uncontended, a compare and a store. */
static int mutex_lock(struct lstk__sched *s, struct lstk__mutex *mx)
{
    struct lstk_thread *self = s->current;

    if (lstk__slow(lstk__smp))
        return mutex_lock_smp(s, mx);
    if (lstk__fast(mx->owner == NULL)) {
        mx->owner = self;
        if (lstk__slow(lstk__san)) /* [issue 12] TSan: unlock -> lock */
            lstk__san_acquire(mx);
        return 0;
    }
    if (mx->owner == self)
        return EDEADLK;
    wait_on(s, &mx->waiters); /* the unlocker made us the owner */
    if (lstk__slow(lstk__san)) /* [issue 12] as above */
        lstk__san_acquire(mx);
    return 0;
}

static int mutex_unlock(struct lstk__sched *s, struct lstk__mutex *mx)
{
    struct lstk_thread *w;

    if (lstk__slow(lstk__smp))
        return mutex_unlock_smp(s, mx);
    if (lstk__slow(mx->owner != s->current))
        return EPERM;
    if (lstk__slow(lstk__san)) /* [issue 12] TSan: unlock -> lock */
        lstk__san_release(mx);
    w = wake_one(s, &mx->waiters);
    mx->owner = w; /* hand-off: FIFO, no barging */
    return 0;
}

LSTK_EXPORT int lstk_mutex_lock(lstk_mutex_t *m)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    struct lstk__sched *s = lstk__sched_get();

    if (lstk__slow(s == NULL))
        return EPERM;
    if (!m)
        return EINVAL;
    return mutex_lock(s, MUTEX(m));
}

LSTK_EXPORT int lstk_mutex_trylock(lstk_mutex_t *m)
{
    struct lstk__sched *s = lstk__sched_get();
    struct lstk__mutex *mx = MUTEX(m);

    if (lstk__slow(s == NULL))
        return EPERM;
    if (!m)
        return EINVAL;
    if (lstk__slow(lstk__smp)) {
        struct lstk_thread *o = NULL;
        return __atomic_compare_exchange_n(&mx->owner, &o, s->current, 0,
                                           __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)
                   ? 0
                   : EBUSY;
    }
    if (mx->owner)
        return EBUSY;
    mx->owner = s->current;
    if (lstk__slow(lstk__san)) /* [issue 12] TSan: unlock -> lock */
        lstk__san_acquire(mx);
    return 0;
}

LSTK_EXPORT int lstk_mutex_unlock(lstk_mutex_t *m)
{
    struct lstk__sched *s = lstk__sched_get();

    if (lstk__slow(s == NULL))
        return EPERM;
    if (!m)
        return EINVAL;
    return mutex_unlock(s, MUTEX(m));
}

/* --- condition ------------------------------------------------------------ */

LSTK_EXPORT int lstk_cond_init(lstk_cond_t *c, const lstk_condattr_t *attr)
{
    (void)attr;
    if (!c)
        return EINVAL;
    memset(c, 0, sizeof *c);
    return 0;
}

LSTK_EXPORT int lstk_cond_destroy(lstk_cond_t *c)
{
    if (!c)
        return EINVAL;
    return COND(c)->waiters.head ? EBUSY : 0;
}

/* cond_wait with N > 1: queued and timed under the condition's lock. */
__attribute__((noinline)) static int cond_wait_smp(struct lstk__sched *s, struct lstk__cond *cv,
                         struct lstk__mutex *mx, uint64_t when)
{
    struct lstk_thread *self = s->current;
    int rc;

    if (__atomic_load_n(&mx->owner, __ATOMIC_RELAXED) != self)
        return EPERM;
    lstk__spin_lock(&cv->lock);
    if (cv->waiters.head && cv->mutex != mx) {
        lstk__spin_unlock(&cv->lock);
        return EINVAL;
    }
    cv->mutex = mx;
    /* Queued before the mutex is released: a signal after the unlock
       finds us.  wait_on_smp drops the condition's lock; the mutex goes
       after, still before the switch. */
    self->state = LSTK__T_BLOCKED;
    self->waitq = &cv->waiters;
    self->waitlock = &cv->lock;
    self->wait_rc = 0;
    lstk__q_push(&cv->waiters, self);
    if (when && (rc = lstk__timer_add(s, self, when)) != 0) {
        lstk__q_unlink(&cv->waiters, self);
        self->waitq = NULL;
        self->waitlock = NULL;
        self->state = LSTK__T_RUNNING;
        if (!cv->waiters.head)
            cv->mutex = NULL;
        lstk__spin_unlock(&cv->lock);
        return rc;
    }
    lstk__spin_unlock(&cv->lock);
    mutex_unlock_smp(s, mx);
    rc = lstk__sched_block(s);
    s = self->sched; /* we may run on another scheduler now */
    lstk__spin_lock(&cv->lock);
    if (!cv->waiters.head)
        cv->mutex = NULL;
    lstk__spin_unlock(&cv->lock);
    mutex_lock_smp(s, mx);
    return rc;
}

/* The common part of wait and timedwait; WHEN is a CLOCK_MONOTONIC
   deadline or 0 for none. */
static int cond_wait(struct lstk__sched *s, struct lstk__cond *cv,
                     struct lstk__mutex *mx, uint64_t when)
{
    struct lstk_thread *self = s->current;
    int rc;

    if (lstk__slow(lstk__smp))
        return cond_wait_smp(s, cv, mx, when);
    if (mx->owner != self)
        return EPERM;
    if (cv->waiters.head && cv->mutex != mx)
        return EINVAL;
    if (when) {
        rc = lstk__timer_add(s, self, when);
        if (rc)
            return rc;
    }
    cv->mutex = mx;
    mutex_unlock(s, mx);
    rc = wait_on(s, &cv->waiters);
    if (lstk__slow(lstk__san)) /* [issue 12] TSan: signal -> wake-up */
        lstk__san_acquire(cv);
    if (!cv->waiters.head)
        cv->mutex = NULL;
    mutex_lock(s, mx);
    return rc;
}

LSTK_EXPORT int lstk_cond_wait(lstk_cond_t *c, lstk_mutex_t *m)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    struct lstk__sched *s = lstk__sched_get();

    if (lstk__slow(s == NULL))
        return EPERM;
    if (!c || !m)
        return EINVAL;
    return cond_wait(s, COND(c), MUTEX(m), 0);
}

LSTK_EXPORT int lstk_cond_timedwait(lstk_cond_t *c, lstk_mutex_t *m,
                                    const struct timespec *abstime)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    struct lstk__sched *s = lstk__sched_get();
    struct timespec real;
    int64_t left;

    if (lstk__slow(s == NULL))
        return EPERM;
    if (!c || !m || !abstime || abstime->tv_nsec < 0 ||
        abstime->tv_nsec >= 1000000000L)
        return EINVAL;
    if (__atomic_load_n(&MUTEX(m)->owner, __ATOMIC_RELAXED) != s->current)
        return EPERM;
    /* The deadline is on CLOCK_REALTIME; timers run on CLOCK_MONOTONIC.
       Convert once, here (a later change of the wall clock is ignored). */
    LSTK__REAL(clock_gettime)(CLOCK_REALTIME, &real); /* [issue 12] libc's */
    left = ((int64_t)abstime->tv_sec - (int64_t)real.tv_sec) * 1000000000 +
           (abstime->tv_nsec - real.tv_nsec);
    if (left <= 0)
        return ETIMEDOUT; /* never released: still "locked again" */
    return cond_wait(s, COND(c), MUTEX(m), lstk__now_ns() + (uint64_t)left);
}

LSTK_EXPORT int lstk_cond_signal(lstk_cond_t *c)
{
    struct lstk__sched *s = lstk__sched_get();

    if (lstk__slow(s == NULL))
        return EPERM;
    if (!c)
        return EINVAL;
    if (lstk__slow(lstk__san)) /* [issue 12] TSan: signal -> wake-up */
        lstk__san_release(c);
    if (lstk__slow(lstk__smp)) {
        struct lstk__cond *cv = COND(c);
        struct lstk_thread *t;
        lstk__spin_lock(&cv->lock);
        t = take_one_smp(s, &cv->waiters);
        lstk__spin_unlock(&cv->lock);
        if (t)
            lstk__sched_wake(s, t);
        return 0;
    }
    wake_one(s, &COND(c)->waiters);
    return 0;
}

LSTK_EXPORT int lstk_cond_broadcast(lstk_cond_t *c)
{
    struct lstk__sched *s = lstk__sched_get();

    if (lstk__slow(s == NULL))
        return EPERM;
    if (!c)
        return EINVAL;
    if (lstk__slow(lstk__san)) /* [issue 12] TSan: signal -> wake-up */
        lstk__san_release(c);
    if (lstk__slow(lstk__smp)) {
        struct lstk__cond *cv = COND(c);
        struct lstk__queue all = {NULL, NULL};
        struct lstk_thread *t;
        lstk__spin_lock(&cv->lock);
        while ((t = take_one_smp(s, &cv->waiters)) != NULL)
            lstk__q_push(&all, t);
        lstk__spin_unlock(&cv->lock);
        while ((t = lstk__q_pop(&all)) != NULL)
            lstk__sched_ready(s, t);
        return 0;
    }
    while (wake_one(s, &COND(c)->waiters))
        ;
    return 0;
}

/* --- once ----------------------------------------------------------------- */

/* issue 11: the waiters of a once are guarded by one of these, hashed by
   the once's address (a once has no room for a lock word; only the first
   calls and their waiters take it). */
static int lstk__once_locks[64 * 16] __attribute__((aligned(64)));

static int *once_lock(const struct lstk__once *on)
{
    uintptr_t h = (uintptr_t)on >> 3;
    h ^= h >> 7;
    return &lstk__once_locks[(h % 64) * 16]; /* one per cache line */
}

__attribute__((noinline)) static int once_smp(struct lstk__sched *s, struct lstk__once *on,
                    void (*fn)(void))
{
    int *l = once_lock(on);
    struct lstk__queue all = {NULL, NULL};
    struct lstk_thread *t, *self = s->current;

    lstk__spin_lock(l);
    if (on->state == LSTK__ONCE_DONE) {
        lstk__spin_unlock(l);
        return 0;
    }
    if (on->state == LSTK__ONCE_RUNNING) {
        /* Woken only once it is done. */
        wait_on_smp(s, &on->waiters, l, 0);
        return 0;
    }
    on->state = LSTK__ONCE_RUNNING;
    lstk__spin_unlock(l);
    fn();
    s = self->sched; /* FN may have blocked and moved us */
    lstk__spin_lock(l);
    __atomic_store_n(&on->state, LSTK__ONCE_DONE, __ATOMIC_RELEASE);
    while ((t = take_one_smp(s, &on->waiters)) != NULL)
        lstk__q_push(&all, t);
    lstk__spin_unlock(l);
    while ((t = lstk__q_pop(&all)) != NULL)
        lstk__sched_ready(s, t);
    return 0;
}

LSTK_EXPORT int lstk_once(lstk_once_t *o, void (*fn)(void))
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    struct lstk__once *on = ONCE(o);
    struct lstk__sched *s;

    if (!o || !fn)
        return EINVAL;
    /* Acquire: a foreign thread that sees DONE sees FN's effects. */
    if (lstk__fast(__atomic_load_n(&on->state, __ATOMIC_ACQUIRE) ==
                   LSTK__ONCE_DONE)) {
        if (lstk__slow(lstk__san)) /* [issue 12] TSan: FN -> here */
            lstk__san_acquire(on);
        return 0;
    }
    s = lstk__sched_get();
    if (lstk__slow(s == NULL))
        return EPERM;
    if (lstk__slow(lstk__smp))
        return once_smp(s, on, fn);
    if (on->state == LSTK__ONCE_RUNNING) {
        while (on->state != LSTK__ONCE_DONE)
            wait_on(s, &on->waiters);
        if (lstk__slow(lstk__san)) /* [issue 12] TSan: FN -> here */
            lstk__san_acquire(on);
        return 0;
    }
    on->state = LSTK__ONCE_RUNNING;
    fn();
    if (lstk__slow(lstk__san)) /* [issue 12] TSan: FN -> every return */
        lstk__san_release(on);
    __atomic_store_n(&on->state, LSTK__ONCE_DONE, __ATOMIC_RELEASE);
    while (wake_one(s, &on->waiters))
        ;
    return 0;
}
