/*
 * timer.c: the scheduler's timers (lstk_sleep_ns, lstk_cond_timedwait).
 *
 * A binary min-heap of (deadline, sequence, thread), ordered by deadline
 * and, for equal deadlines, by arming order, so that sleepers with the same
 * deadline wake FIFO.  Each thread has at most one timer and remembers its
 * position (t->heap_idx), so a wait that ends early (a signalled condition)
 * disarms in O(log n) without searching.  Costs grow with the number of
 * *armed timers*, never with the number of threads, and arming touches no
 * memory allocator unless the heap's array is full (it then doubles, on a
 * big stack).
 *
 * The scheduler reads the clock (CLOCK_MONOTONIC through the vDSO, no
 * syscall) only when timers are armed: on every LSTK__TIMER_POLL-th
 * scheduling decision and whenever nothing else is runnable; it then
 * sleeps with clock_nanosleep until the earliest deadline (sched.c).
 *
 * issue 11: with N > 1 schedulers every timer lives in scheduler 0's heap,
 * under a spinlock (timers are armed by timed waits and sleeps, not on the
 * switch path), and only scheduler 0 fires them.  A wait can then end two
 * ways on two OS threads (its timer, a signal): whoever ends it bumps the
 * thread's wait_gen under the lock of the object waited on, and a timer
 * entry whose sequence number no longer matches is dropped.
 *
 * Rejected: a hierarchical timing wheel (O(1) arming, but finding the next
 * deadline for the idle sleep needs a scan or a bitmap cascade, and ties
 * lose their order); a sorted list (O(n) arming).
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "stack/stack.h"
#include "thread/graph.h"
#include "thread/thread.h"

#define LSTK__TIMERS_FIRST 64u

static inline int timer_before(const struct lstk__timer *a,
                               const struct lstk__timer *b)
{
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

/* Puts *E at position I, recording the position in its thread. */
static inline void heap_put(struct lstk__timers *h, uint32_t i,
                            const struct lstk__timer *e)
{
    h->v[i] = *e;
    e->t->heap_idx = i;
}

/* Sifts *E up from the hole at I.  E must not point into v[1..i]. */
static void heap_up(struct lstk__timers *h, uint32_t i,
                    const struct lstk__timer *e)
{
    while (i > 1 && timer_before(e, &h->v[i / 2])) {
        heap_put(h, i, &h->v[i / 2]);
        i /= 2;
    }
    heap_put(h, i, e);
}

/* Sifts *E down from the hole at I.  E must not point into v[1..n]. */
static void heap_down(struct lstk__timers *h, uint32_t i,
                      const struct lstk__timer *e)
{
    for (;;) {
        uint32_t c = 2 * i;
        if (c > h->n)
            break;
        if (c < h->n && timer_before(&h->v[c + 1], &h->v[c]))
            c++;
        if (!timer_before(&h->v[c], e))
            break;
        heap_put(h, i, &h->v[c]);
        i = c;
    }
    heap_put(h, i, e);
}

/* Removes the timer at position I (1 <= I <= n).  The last entry fills
   the hole; it is read in place (v[n + 1] after the decrement), which no
   sift writes to: no copy, a small frame on the caller's small stack. */
static void heap_remove(struct lstk__timers *h, uint32_t i)
{
    const struct lstk__timer *last = &h->v[h->n--];

    h->v[i].t->heap_idx = 0;
    if (i > h->n)
        return; /* it was the last one */
    if (i > 1 && timer_before(last, &h->v[i / 2]))
        heap_up(h, i, last);
    else
        heap_down(h, i, last);
}

/* Doubles the heap's array; on a big stack (realloc). */
static void *timers_grow(void *arg)
{
    struct lstk__timers *h = arg;
    uint32_t cap = h->cap ? 2 * h->cap : LSTK__TIMERS_FIRST;
    struct lstk__timer *v = realloc(h->v, (size_t)(cap + 1) * sizeof *v);

    if (!v)
        return (void *)(intptr_t)ENOMEM;
    h->v = v;
    h->cap = cap;
    return NULL;
}

/* issue 11: scheduler 0's heap is everyone's when N > 1. */
static int lstk__timers_lock;

__attribute__((noinline)) static int timer_add_smp(struct lstk_thread *t, uint64_t when)
{
    struct lstk__timers *h = &lstk__scheds[0]->timers;
    int first;

    lstk__spin_lock(&lstk__timers_lock);
    if (lstk__slow(h->n == h->cap)) {
        int rc = (int)(intptr_t)lstk__on_big_stack(timers_grow, h);
        if (rc) {
            lstk__spin_unlock(&lstk__timers_lock);
            return rc;
        }
    }
    struct lstk__timer e = {when, h->seq++, t};
    __atomic_store_n(&t->wait_gen, (uint32_t)e.seq, __ATOMIC_RELEASE);
    heap_up(h, ++h->n, &e);
    first = t->heap_idx == 1;
    lstk__spin_unlock(&lstk__timers_lock);
    if (first)
        lstk__sched_kick0(); /* it may sleep until a later deadline */
    return 0;
}

uint64_t lstk__timers_next_smp(void)
{
    struct lstk__timers *h = &lstk__scheds[0]->timers;
    uint64_t when = UINT64_MAX;

    lstk__spin_lock(&lstk__timers_lock);
    if (h->n)
        when = h->v[1].when;
    lstk__spin_unlock(&lstk__timers_lock);
    return when;
}

void lstk__timers_expire_smp(struct lstk__sched *s, uint64_t now)
{
    struct lstk__timers *h = &s->timers;

    for (;;) {
        lstk__spin_lock(&lstk__timers_lock);
        if (!(h->n && h->v[1].when <= now)) {
            lstk__spin_unlock(&lstk__timers_lock);
            return;
        }
        struct lstk__timer e = h->v[1];
        heap_remove(h, 1);
        lstk__spin_unlock(&lstk__timers_lock);
        struct lstk_thread *t = e.t;
        int *l = __atomic_load_n(&t->waitlock, __ATOMIC_ACQUIRE);
        if (__atomic_load_n(&t->wait_gen, __ATOMIC_ACQUIRE) != (uint32_t)e.seq)
            continue; /* the wait ended another way */
        if (l != NULL) {
            /* A timed wait on a mutex, condition or once: claim it under
               the object's lock, as a signal would. */
            lstk__spin_lock(l);
            if (t->waitlock != l || t->wait_gen != (uint32_t)e.seq) {
                lstk__spin_unlock(l);
                continue;
            }
            lstk__q_unlink(t->waitq, t);
            t->waitq = NULL;
            t->waitlock = NULL;
            t->wait_gen++;
            t->wait_rc = ETIMEDOUT;
            lstk__spin_unlock(l);
        }
        lstk__sched_ready(s, t);
    }
}

int lstk__timer_add(struct lstk__sched *s, struct lstk_thread *t, uint64_t when)
{
    struct lstk__timers *h = &s->timers;

    if (lstk__slow(lstk__smp))
        return timer_add_smp(t, when);

    if (lstk__slow(h->n == h->cap)) {
        int rc = (int)(intptr_t)lstk__on_big_stack(timers_grow, h);
        if (rc)
            return rc;
    }
    struct lstk__timer e = {when, h->seq++, t};
    heap_up(h, ++h->n, &e);
    return 0;
}

void lstk__timer_cancel(struct lstk__sched *s, struct lstk_thread *t)
{
    if (lstk__slow(lstk__smp)) {
        lstk__spin_lock(&lstk__timers_lock);
        if (t->heap_idx)
            heap_remove(&lstk__scheds[0]->timers, t->heap_idx);
        lstk__spin_unlock(&lstk__timers_lock);
        return;
    }
    if (t->heap_idx)
        heap_remove(&s->timers, t->heap_idx);
}

void lstk__timers_expire(struct lstk__sched *s, uint64_t now)
{
    struct lstk__timers *h = &s->timers;

    while (h->n && h->v[1].when <= now) {
        struct lstk_thread *t = h->v[1].t;
        heap_remove(h, 1);
        if (t->waitq) {
            /* A timed wait: it gives up its place in the queue. */
            lstk__q_unlink(t->waitq, t);
            t->waitq = NULL;
            t->wait_rc = ETIMEDOUT;
        }
        /* One scheduler only (N > 1: lstk__timers_expire_smp), so the
           plain queue push: no N > 1 branch in this deep path's frame. */
        t->state = LSTK__T_RUNNABLE;
        lstk__q_push(&s->runq, t);
    }
}

LSTK_EXPORT int lstk_sleep_ns(uint64_t ns)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    struct lstk__sched *s = lstk__sched_get();
    struct lstk_thread *self;
    uint64_t when;
    int rc;

    if (lstk__slow(s == NULL))
        return EPERM;
    if (ns == 0) {
        lstk__sched_yield(s);
        return 0;
    }
    self = s->current;
    when = lstk__now_ns() + ns;
    if (when < ns)
        when = UINT64_MAX - 1; /* "forever", but still a timer */
    self->state = LSTK__T_BLOCKED;
    self->waitq = NULL;
    self->wait_rc = 0;
    rc = lstk__timer_add(s, self, when);
    if (rc) {
        self->state = LSTK__T_RUNNING;
        return rc;
    }
    lstk__sched_block(s);
    return 0;
}
