/*
 * smp.c: N schedulers on N OS threads, with work stealing (issue 11).
 *
 * Off by default: one scheduler runs every thread on the OS thread that
 * first used the API, with sched.c's paths unchanged.  lstk_set_concurrency
 * (or LSTK_CPUS=N in the environment) starts N - 1 more OS threads, each
 * running a scheduler (struct lstk__sched in its TLS); from then on
 * lstk__smp is 1 and every scheduling decision branches here once.
 *
 * Where runnable threads wait (per scheduler unless said otherwise):
 *   runnext  one slot for the thread just woken by the running one (a
 *            mutex hand-off, a signal, a join): it runs next, so that a
 *            pair that talks stays on one core and in cache.  At most
 *            LSTK__RUNNEXT_MAX decisions in a row come from it, then the
 *            ring's head goes first (a ping-pong pair cannot starve the
 *            ring: Tokio's LIFO-slot starvation, tokio#5712).  A thief
 *            takes it when the ring is empty (Tokio's slot was not
 *            stealable, and a worker busy in one long task starved the
 *            task in it: tokio#4941).
 *   ring     256 slots; only the owner pushes (tail), the owner and
 *            thieves take from the head with a CAS (Go's runq).  Thieves
 *            take half of a victim's ring in one CAS.
 *   runq     the owner's FIFO of threads that must run here (pinned:
 *            main, lstk_pin, a thread in an I/O wait), filled from:
 *   inbox    a lock-free LIFO other schedulers push such threads to; the
 *            owner empties it with one exchange per decision that finds it
 *            non-empty.
 *   global   one FIFO under a spinlock for what overflows a ring (half of
 *            it moves in one locked operation, so the lock is taken once
 *            per 128 pushes at most: Go's runqputslow).  Every 61st
 *            decision looks at it first, so that it cannot starve.
 *
 * Idle schedulers.  A thread that blocks with no local work switches to
 * its scheduler's idle context (a worker's own OS-thread context, or for
 * scheduler 0 a context on a mapped stack), which looks at the global
 * queue, steals, and parks.  Only while fewer than half the busy
 * schedulers are searching does one more search (Go's limit on spinning
 * Ms: searching is pure overhead when parallelism is low).  A parked
 * scheduler sleeps in a futex, or scheduler 0 in the I/O poller's
 * epoll_wait when threads wait for I/O; a waker looks at one word (the
 * bitmap of parked schedulers) and pays a syscall only when a scheduler
 * is parked and none is searching.
 *
 * Shared state is one cache line of counters (the parked bitmap, the
 * searching count) and the global queue; the common paths (a push, a pop,
 * a wake) touch only the caller's own scheduler and the woken thread.
 *
 * Timers and I/O waits live on scheduler 0 (its timer heap, under a lock
 * when N > 1; its epoll instance): one poller shared by all, because the
 * I/O layer's descriptor table is single-writer (io.h); a thread that
 * starts an I/O call moves to scheduler 0 first and stays pinned there
 * while it waits (io/io.h: lstk__io_sched).  doc/threads.md, "Threads on
 * every core", says what that costs.
 *
 * Rejected: one run queue under a lock (every switch on a shared line);
 * handing a woken thread straight to a parked scheduler (Go's design notes:
 * thread-state thrashing, lost locality); spinning without a limit.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "stack/stack.h"
#include "thread/thread.h"

int lstk__smp;
int lstk__nsched = 1;
struct lstk__sched *lstk__scheds[LSTK__SCHED_MAX];
uint64_t lstk__smp_live;
void (*lstk__sched_kick_hook)(void);

/* LINKSTACK_DEBUG=migrate: every thread made runnable goes to another
   scheduler (tests: flushes out TLS addresses kept across a switch). */
int lstk__migrate;

/* Decisions in a row taken from runnext before the ring goes first. */
#define LSTK__RUNNEXT_MAX 3u
/* Every this many decisions the global queue is looked at first. */
#define LSTK__GLOBAL_POLL 61u
/* Rounds over all victims a searching scheduler makes before parking. */
#define LSTK__STEAL_ROUNDS 4

/* What every scheduler reads when it has nothing to do. */
static struct {
    /* Bit i: scheduler i is parked. */
    uint64_t parked;
    /* Schedulers searching other queues now. */
    int searching;
    int spare;
} lstk__idle __attribute__((aligned(64)));

static struct {
    int lock;
    uint32_t n;
    struct lstk__queue q;
} lstk__global __attribute__((aligned(64)));

/* The idle context of scheduler 0 (the workers' is their own &main). */
static struct lstk_thread lstk__idle0;

/* --- the ring ------------------------------------------------------------- */

/* Owner only: pushes T; 0 when full. */
static inline int ring_put(struct lstk__ring *r, struct lstk_thread *t)
{
    uint32_t h = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE), tl = r->tail;

    if (lstk__slow(tl - h >= LSTK__RING))
        return 0;
    __atomic_store_n(&r->slot[tl & (LSTK__RING - 1)], t, __ATOMIC_RELAXED);
    __atomic_store_n(&r->tail, tl + 1, __ATOMIC_RELEASE); /* publish */
    return 1;
}

/* Owner: takes the head (a CAS: thieves take from the same end). */
static inline struct lstk_thread *ring_get(struct lstk__ring *r)
{
    uint32_t h = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);

    for (;;) {
        if (h == r->tail)
            return NULL;
        struct lstk_thread *t =
            __atomic_load_n(&r->slot[h & (LSTK__RING - 1)], __ATOMIC_RELAXED);
        if (__atomic_compare_exchange_n(&r->head, &h, h + 1, 0,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            return t;
    }
}

/* Thief: moves half of SRC's ring into DST (the thief's own, empty) and
   returns one of them, or NULL.  The slots are read before the CAS that
   claims them; a slot the owner rewrote meanwhile means the head moved,
   and the CAS fails. */
static struct lstk_thread *ring_steal(struct lstk__ring *dst,
                                      struct lstk__ring *src)
{
    uint32_t dt = dst->tail, h, n;

    for (;;) {
        h = __atomic_load_n(&src->head, __ATOMIC_ACQUIRE);
        uint32_t tl = __atomic_load_n(&src->tail, __ATOMIC_ACQUIRE);
        n = tl - h;
        n -= n / 2;
        if (n == 0)
            return NULL;
        if (n > LSTK__RING / 2)
            continue; /* read head and tail at different times: again */
        for (uint32_t i = 0; i < n; i++) {
            struct lstk_thread *t = __atomic_load_n(
                &src->slot[(h + i) & (LSTK__RING - 1)], __ATOMIC_RELAXED);
            __atomic_store_n(&dst->slot[(dt + i) & (LSTK__RING - 1)], t,
                             __ATOMIC_RELAXED);
        }
        if (__atomic_compare_exchange_n(&src->head, &h, h + n, 0,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            break;
    }
    n--; /* the last one is returned, the others published */
    struct lstk_thread *t =
        __atomic_load_n(&dst->slot[(dt + n) & (LSTK__RING - 1)],
                        __ATOMIC_RELAXED);
    if (n)
        __atomic_store_n(&dst->tail, dt + n, __ATOMIC_RELEASE);
    return t;
}

static inline uint32_t ring_len(struct lstk__ring *r)
{
    return __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) -
           __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
}

/* --- global queue ----------------------------------------------------------- */

/* The ring is full: T and the older half of the ring go to the global
   queue in one locked operation (amortised over 128 pushes). */
static void global_overflow(struct lstk__sched *s, struct lstk_thread *t)
{
    struct lstk__queue batch = {NULL, NULL};
    uint32_t n = 1;
    struct lstk_thread *u;

    for (uint32_t i = 0; i < LSTK__RING / 2 && (u = ring_get(s->ring)); i++) {
        lstk__q_push(&batch, u);
        n++;
    }
    lstk__q_push(&batch, t);
    lstk__spin_lock(&lstk__global.lock);
    if (lstk__global.q.tail) {
        lstk__global.q.tail->next = batch.head;
        batch.head->prev = lstk__global.q.tail;
    } else {
        lstk__global.q.head = batch.head;
    }
    lstk__global.q.tail = batch.tail;
    __atomic_store_n(&lstk__global.n, lstk__global.n + n, __ATOMIC_RELEASE);
    lstk__spin_unlock(&lstk__global.lock);
}

/* Takes a fair share of the global queue into S's ring; returns one
   thread or NULL.  MAX 1: just one. */
static struct lstk_thread *global_take(struct lstk__sched *s, uint32_t max)
{
    struct lstk_thread *first, *t;
    uint32_t n;

    if (__atomic_load_n(&lstk__global.n, __ATOMIC_ACQUIRE) == 0)
        return NULL;
    lstk__spin_lock(&lstk__global.lock);
    n = lstk__global.n / (uint32_t)lstk__nsched + 1;
    if (n > lstk__global.n)
        n = lstk__global.n;
    if (n > max)
        n = max;
    first = lstk__q_pop(&lstk__global.q);
    for (uint32_t i = 1; i < n && (t = lstk__q_pop(&lstk__global.q)); i++) {
        if (!ring_put(s->ring, t)) {
            /* cannot happen below LSTK__RING / 2; put it back */
            t->next = lstk__global.q.head;
            t->prev = NULL;
            if (lstk__global.q.head)
                lstk__global.q.head->prev = t;
            else
                lstk__global.q.tail = t;
            lstk__global.q.head = t;
            n = i;
            break;
        }
    }
    __atomic_store_n(&lstk__global.n, lstk__global.n - (first ? n : 0),
                     __ATOMIC_RELEASE);
    lstk__spin_unlock(&lstk__global.lock);
    return first;
}

/* --- parking ---------------------------------------------------------------- */

/* A raw system call: no libc frame on the caller's small stack. */
static inline long futex(int *uaddr, int op, int val, const struct timespec *ts)
{
    return lstk__sc6(SYS_futex, (long)uaddr, op, val, (long)ts, 0, 0);
}

/* Wakes scheduler J, which the caller took out of the parked bitmap. */
__attribute__((noinline)) static void unpark(struct lstk__sched *j)
{
    __atomic_store_n(&j->park, 0, __ATOMIC_SEQ_CST);
    if (j->park_how == 2 && lstk__sched_kick_hook != NULL)
        lstk__sched_kick_hook();
    else
        futex(&j->park, FUTEX_WAKE_PRIVATE, 1, NULL);
}

/* Wakes scheduler J if it is parked (a thread was pushed to its inbox, or
   a timer to scheduler 0). */
static void kick(struct lstk__sched *j)
{
    uint64_t bit = 1ull << j->index;

    if (__atomic_load_n(&lstk__idle.parked, __ATOMIC_SEQ_CST) & bit &&
        __atomic_fetch_and(&lstk__idle.parked, ~bit, __ATOMIC_SEQ_CST) & bit)
        unpark(j);
}

/* New work is queued: if a scheduler is parked and none is searching,
   wake one to search (it will steal).  The common case is one load. */
static void wake_one_idle(struct lstk__sched *self)
{
    uint64_t p = __atomic_load_n(&lstk__idle.parked, __ATOMIC_SEQ_CST);

    if (lstk__fast(p == 0) ||
        __atomic_load_n(&lstk__idle.searching, __ATOMIC_SEQ_CST) != 0)
        return;
    while (p != 0) {
        int j = __builtin_ctzll(p);
        uint64_t bit = 1ull << j;
        if (j != self->index &&
            __atomic_fetch_and(&lstk__idle.parked, ~bit, __ATOMIC_SEQ_CST) & bit) {
            unpark(lstk__scheds[j]);
            return;
        }
        p &= ~bit;
    }
}

/* A timer was armed on scheduler 0: it may be parked for a later one. */
void lstk__sched_kick0(void)
{
    if (lstk__smp)
        kick(lstk__scheds[0]);
}

static void inbox_push(struct lstk__sched *j, struct lstk_thread *t)
{
    struct lstk_thread *old = __atomic_load_n(&j->inbox, __ATOMIC_RELAXED);

    do
        t->next = old;
    while (!__atomic_compare_exchange_n(&j->inbox, &old, t, 1,
                                        __ATOMIC_RELEASE, __ATOMIC_RELAXED));
    kick(j);
}

/* Owner: moves the inbox to runq (pinned) or the ring, oldest first. */
static void inbox_drain(struct lstk__sched *s)
{
    struct lstk_thread *l = __atomic_exchange_n(&s->inbox, NULL,
                                                __ATOMIC_ACQUIRE), *rev = NULL;

    while (l) { /* LIFO -> FIFO */
        struct lstk_thread *n = l->next;
        l->next = rev;
        rev = l;
        l = n;
    }
    while (rev) {
        struct lstk_thread *n = rev->next;
        if ((rev->flags & (LSTK__TF_PINNED | LSTK__TF_IOPIN | LSTK__TF_MAIN)) ||
            !ring_put(s->ring, rev))
            lstk__q_push(&s->runq, rev);
        rev = n;
    }
}

/* --- making threads runnable ------------------------------------------------ */

static inline int pinned(const struct lstk_thread *t)
{
    return (t->flags & (LSTK__TF_PINNED | LSTK__TF_IOPIN | LSTK__TF_MAIN)) != 0;
}

/* Hot path with N > 1: a slot store and a tail store on the caller's own
   scheduler, one load of the parked bitmap; no lock, no syscall unless a
   scheduler is parked and nobody searches. */
void lstk__smp_ready(struct lstk__sched *s, struct lstk_thread *t, int wake)
{
    t->state = LSTK__T_RUNNABLE;
    if (lstk__slow(pinned(t))) {
        struct lstk__sched *home = t->sched;
        if (home == s)
            lstk__q_push(&s->runq, t);
        else
            inbox_push(home, t);
        return;
    }
    if (lstk__slow(lstk__migrate)) {
        inbox_push(lstk__scheds[(s->index + 1) % lstk__nsched], t);
        return;
    }
    if (wake) {
        t = __atomic_exchange_n(&s->runnext, t, __ATOMIC_ACQ_REL);
        if (t == NULL)
            goto woke;
    }
    if (lstk__slow(!ring_put(s->ring, t)))
        global_overflow(s, t);
woke:
    wake_one_idle(s);
}

/* --- choosing ----------------------------------------------------------------- */

/* Scheduler 0's housekeeping: due timers, and I/O polls while threads
   wait for I/O (as sched.c does with one scheduler). */
static void *poll_io(void *arg)
{
    struct lstk__sched *s = arg;
    s->idle(s, 0);
    return NULL;
}

/* Fires due timers on a big stack: waking each thread may kick another
   scheduler (a system call), deeper than a caller's budget allows. */
static void *expire_big(void *arg)
{
    lstk__timers_expire_smp(arg, lstk__now_ns());
    return NULL;
}

static void housekeeping(struct lstk__sched *s, uint32_t tick, int force)
{
    if (s->timers.n != 0 && (force || (tick & (LSTK__TIMER_POLL - 1)) == 0))
        lstk__on_big_stack(expire_big, s);
    if (s->idle != NULL && (force || (tick & 63u) == 0))
        lstk__on_big_stack(poll_io, s);
}

/* Local work for S, or NULL.  O(1) but for the inbox drain (what others
   pushed) and a global batch. */
static struct lstk_thread *local_next(struct lstk__sched *s)
{
    uint32_t tick = ++s->tick;
    struct lstk_thread *t;

    if (s->index == 0)
        housekeeping(s, tick, 0);
    if (lstk__slow(tick % LSTK__GLOBAL_POLL == 0) &&
        (t = global_take(s, 1)) != NULL)
        return t;
    if (__atomic_load_n(&s->inbox, __ATOMIC_RELAXED) != NULL)
        inbox_drain(s);
    if (s->runnext != NULL && s->runnext_streak < LSTK__RUNNEXT_MAX) {
        t = __atomic_exchange_n(&s->runnext, NULL, __ATOMIC_ACQ_REL);
        if (t) {
            s->runnext_streak++;
            return t;
        }
    }
    s->runnext_streak = 0;
    /* Pinned threads (main) and the ring take turns. */
    if ((tick & 1) && (t = lstk__q_pop(&s->runq)) != NULL)
        return t;
    if ((t = ring_get(s->ring)) != NULL)
        return t;
    if ((t = lstk__q_pop(&s->runq)) != NULL)
        return t;
    if (s->runnext != NULL &&
        (t = __atomic_exchange_n(&s->runnext, NULL, __ATOMIC_ACQ_REL)) != NULL)
        return t;
    return global_take(s, LSTK__RING / 2);
}

struct lstk_thread *lstk__smp_next(struct lstk__sched *s)
{
    struct lstk_thread *t = local_next(s);
    return t ? t : s->idle_t;
}

void *lstk__smp_wait_sp(struct lstk_thread *t)
{
    void *sp;

    while ((sp = __atomic_load_n(&t->sp, __ATOMIC_ACQUIRE)) == NULL)
        __builtin_ia32_pause();
    return sp;
}

/* One thief pass over every other scheduler from a random one. */
static struct lstk_thread *steal(struct lstk__sched *s)
{
    int n = lstk__nsched;

    s->rand ^= s->rand << 13;
    s->rand ^= s->rand >> 17;
    s->rand ^= s->rand << 5;
    for (int round = 0; round < LSTK__STEAL_ROUNDS; round++) {
        int start = (int)(s->rand % (uint32_t)n);
        for (int k = 0; k < n; k++) {
            struct lstk__sched *v = lstk__scheds[(start + k) % n];
            struct lstk_thread *t;
            if (v == s || v == NULL)
                continue;
            if ((t = ring_steal(s->ring, v->ring)) != NULL)
                return t;
            /* Its next-to-run slot too, on the last round only: it is
               probably about to run there (Go does the same). */
            if (round == LSTK__STEAL_ROUNDS - 1 &&
                __atomic_load_n(&v->runnext, __ATOMIC_ACQUIRE) != NULL &&
                (t = __atomic_exchange_n(&v->runnext, NULL, __ATOMIC_ACQ_REL)))
                return t;
        }
    }
    return global_take(s, LSTK__RING / 2);
}

/* Whether anything is runnable anywhere (the last check before parking). */
static int work_anywhere(struct lstk__sched *s)
{
    if (__atomic_load_n(&lstk__global.n, __ATOMIC_ACQUIRE) ||
        __atomic_load_n(&s->inbox, __ATOMIC_ACQUIRE) || s->runq.head)
        return 1;
    for (int i = 0; i < lstk__nsched; i++) {
        struct lstk__sched *v = lstk__scheds[i];
        if (v && (ring_len(v->ring) || __atomic_load_n(&v->runnext, __ATOMIC_ACQUIRE)))
            return 1;
    }
    return 0;
}

/* Searches others' queues if fewer than half the busy schedulers do. */
static struct lstk_thread *search(struct lstk__sched *s)
{
    int busy = lstk__nsched -
               __builtin_popcountll(__atomic_load_n(&lstk__idle.parked,
                                                    __ATOMIC_RELAXED));
    struct lstk_thread *t;

    if (2 * __atomic_load_n(&lstk__idle.searching, __ATOMIC_RELAXED) >= busy)
        return NULL;
    __atomic_add_fetch(&lstk__idle.searching, 1, __ATOMIC_SEQ_CST);
    t = steal(s);
    /* The last searcher to find work wakes another to keep searching,
       so that a burst of new threads spreads (Go's resetspinning). */
    if (__atomic_sub_fetch(&lstk__idle.searching, 1, __ATOMIC_SEQ_CST) == 0 && t)
        wake_one_idle(s);
    return t;
}

static noreturn void smp_deadlock(void)
{
    lstk__fatal("deadlock: no thread can run, none waits for a timer or "
                "for I/O (%zu threads besides main, %d schedulers parked)",
                (size_t)__atomic_load_n(&lstk__smp_live, __ATOMIC_RELAXED),
                lstk__nsched);
}

/* Parks S until kicked, until its next timer (scheduler 0), or until an
   I/O event (scheduler 0 with I/O waiters).  Big stack. */
static void park(struct lstk__sched *s)
{
    uint64_t bit = 1ull << s->index, all, deadline = UINT64_MAX;
    struct timespec ts, *tsp = NULL;

    s->park_how = (s->index == 0 && s->idle != NULL) ? 2 : 1;
    __atomic_store_n(&s->park, 1, __ATOMIC_SEQ_CST);
    all = __atomic_or_fetch(&lstk__idle.parked, bit, __ATOMIC_SEQ_CST);
    if (work_anywhere(s))
        goto unpark;
    if (s->index == 0)
        deadline = lstk__timers_next_smp();
    if (all == (lstk__nsched == 64 ? ~0ull : (1ull << lstk__nsched) - 1) &&
        deadline == UINT64_MAX && lstk__scheds[0]->idle == NULL &&
        lstk__scheds[0]->timers.n == 0) {
        /* Everyone parked with nothing to wait for: look again after a
           pause (a kick in flight clears a bit), then it is a deadlock. */
        struct timespec pause = {0, 10000000};
        futex(&s->park, FUTEX_WAIT_PRIVATE, 1, &pause);
        if (__atomic_load_n(&lstk__idle.parked, __ATOMIC_SEQ_CST) == all &&
            !work_anywhere(s) && lstk__scheds[0]->idle == NULL &&
            lstk__scheds[0]->timers.n == 0 && s->park == 1)
            smp_deadlock();
    }
    if (s->park_how == 2) {
        /* The poller sleeps until an event, the deadline or a kick (the
           hook rings its eventfd). */
        s->idle(s, deadline == UINT64_MAX ? UINT64_MAX : deadline);
    } else {
        if (deadline != UINT64_MAX) {
            uint64_t now = lstk__now_ns(), rel = deadline > now ? deadline - now : 0;
            ts.tv_sec = (time_t)(rel / 1000000000u);
            ts.tv_nsec = (long)(rel % 1000000000u);
            tsp = &ts;
        }
        if (__atomic_load_n(&s->park, __ATOMIC_SEQ_CST) == 1)
            futex(&s->park, FUTEX_WAIT_PRIVATE, 1, tsp);
    }
unpark:
    __atomic_fetch_and(&lstk__idle.parked, ~bit, __ATOMIC_SEQ_CST);
    __atomic_store_n(&s->park, 0, __ATOMIC_RELAXED);
}

/* Before parking, watch S's own queues for a short while (about 20 us):
   a thread woken from another scheduler a moment later (a ping-pong
   across cores) then costs no futex wake and no OS-thread wake-up.
   Bounded, and never while others search, so an idle machine still parks
   at once.  Returns 1 when there is work. */
static int idle_spin(struct lstk__sched *s)
{
    if (__atomic_load_n(&lstk__idle.searching, __ATOMIC_RELAXED) != 0)
        return 0;
    for (int i = 0; i < 512; i++) {
        if (__atomic_load_n(&s->inbox, __ATOMIC_RELAXED) != NULL ||
            __atomic_load_n(&s->runnext, __ATOMIC_RELAXED) != NULL ||
            ring_len(s->ring) != 0 ||
            __atomic_load_n(&lstk__global.n, __ATOMIC_RELAXED) != 0)
            return 1;
        __builtin_ia32_pause();
    }
    return 0;
}

/* The idle context of S: runs a thread when there is one, else searches
   and parks.  Big stack, guard 0; never returns. */
static noreturn void idle_loop(struct lstk__sched *s)
{
    struct lstk_thread *self = s->idle_t;

    for (;;) {
        struct lstk_thread *t = local_next(s);
        if (t == NULL && s->index == 0) {
            housekeeping(s, 0, 1);
            t = local_next(s);
        }
        if (t == NULL)
            t = search(s);
        if (t == NULL && idle_spin(s))
            continue;
        if (t == NULL) {
            park(s);
            continue;
        }
        if (t == self)
            continue;
        void *sp = lstk__resume_sp(t);
        s->current = t;
        t->state = LSTK__T_RUNNING;
        t->sched = s;
        lstk__pool.switches++;
        lstk__ctx_switch(&self->sp, sp, NULL);
        /* A thread of S switched back here: S is still this OS thread's
           (the idle context never migrates). */
    }
}

static void *idle0_entry(void *arg)
{
    idle_loop(arg);
}

/* --- start-up ----------------------------------------------------------------- */

static struct lstk__ring *ring_new(void)
{
    void *p = mmap(NULL, sizeof(struct lstk__ring), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

struct worker_arg {
    int index;
    int rc;
    int done;
};

/* A worker OS thread: its scheduler, then the idle loop on its own stack
   (guard 0), which is also its "main" context. */
static void *worker_main(void *arg)
{
    struct worker_arg *w = arg;
    struct lstk__sched *s = &lstk__sched_tls;
    sigset_t async;
    int rc;

    /* Process-directed signals go to the program's own threads. */
    sigemptyset(&async);
    sigaddset(&async, SIGINT);
    sigaddset(&async, SIGTERM);
    sigaddset(&async, SIGHUP);
    sigaddset(&async, SIGQUIT);
    sigaddset(&async, SIGUSR1);
    sigaddset(&async, SIGUSR2);
    sigaddset(&async, SIGALRM);
    sigaddset(&async, SIGCHLD);
    sigaddset(&async, SIGPIPE);
    sigaddset(&async, SIGWINCH);
    pthread_sigmask(SIG_BLOCK, &async, NULL);
    rc = lstk__os_thread_init();
    if (rc == 0 && (s->ring = ring_new()) == NULL)
        rc = ENOMEM;
    if (rc) {
        w->rc = rc;
        __atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
        return NULL;
    }
    memset(&s->main, 0, sizeof s->main);
    s->main.sched = s;
    s->main.state = LSTK__T_RUNNING;
    s->main.flags = LSTK__TF_MAIN | LSTK__TF_IDLE;
    s->current = &s->main;
    s->idle_t = &s->main;
    s->tcb_arena = 64u << 10;
    s->index = w->index;
    s->rand = 0x9e3779b9u * (uint32_t)(w->index + 1);
    s->ready = 1;
    __atomic_store_n(&lstk__scheds[w->index], s, __ATOMIC_RELEASE);
    __atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
    idle_loop(s);
}

/* Scheduler 0 switches to N > 1: its ring, its idle context, the threads
   already runnable; then the workers.  Big stack. */
static int smp_first(struct lstk__sched *s)
{
    struct lstk__queue old;
    struct lstk__ctx_frame *f;
    size_t size;
    char *base;
    uint16_t cw;
    struct lstk_thread *t;

    s->ring = ring_new();
    base = lstk__alt_stack_map(&size); /* 64 KiB, guard page below */
    if (s->ring == NULL || base == NULL)
        return ENOMEM;
    memset(&lstk__idle0, 0, sizeof lstk__idle0);
    lstk__idle0.sched = s;
    lstk__idle0.state = LSTK__T_BLOCKED;
    lstk__idle0.flags = LSTK__TF_IDLE | LSTK__TF_PINNED;
    f = (struct lstk__ctx_frame *)(base + size - LSTK__CTX_SIZE);
    memset(f, 0, sizeof *f);
    __asm__("fnstcw %0" : "=m"(cw));
    f->mxcsr = 0x1f80;
    f->x87cw = cw;
    f->r12 = (uint64_t)(uintptr_t)idle0_entry;
    f->r13 = (uint64_t)(uintptr_t)s;
    f->rbx = (uint64_t)(uintptr_t)&lstk__idle0;
    f->rip = (uint64_t)(uintptr_t)lstk__thread_entry;
    lstk__idle0.sp = f;
    s->idle_t = &lstk__idle0;
    s->index = 0;
    s->rand = 0x2545f491u;
    s->current->sp = NULL; /* running: see lstk__resume_sp */
    lstk__scheds[0] = s;
    lstk__smp_live = lstk__pool.threads_live;
    /* Main is pinned to scheduler 0 (TF_MAIN); other runnable threads
       move to the ring (or the global queue). */
    old = s->runq;
    s->runq.head = s->runq.tail = NULL;
    __atomic_store_n(&lstk__nsched, 1, __ATOMIC_RELEASE);
    __atomic_store_n(&lstk__smp, 1, __ATOMIC_SEQ_CST);
    while ((t = lstk__q_pop(&old)) != NULL) {
        if (pinned(t))
            lstk__q_push(&s->runq, t);
        else if (!ring_put(s->ring, t))
            global_overflow(s, t);
    }
    return 0;
}

int lstk__smp_start(struct lstk__sched *s, int n)
{
    int rc;

    /* [issue 12] The sanitizer hooks announce switches of one scheduler
       (sanitizer.c reads the resumed thread's frame, which N > 1 hands
       over only at the switch): not yet with several. */
    if (lstk__san && n > 1)
        return ENOTSUP;
    if (!lstk__smp && (rc = smp_first(s)) != 0)
        return rc;
    for (int i = lstk__nsched; i < n; i++) {
        struct worker_arg w = {i, 0, 0};
        pthread_attr_t a;
        pthread_t pt;
        pthread_attr_init(&a);
        pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
        rc = pthread_create(&pt, &a, worker_main, &w);
        pthread_attr_destroy(&a);
        if (rc)
            return rc;
        while (!__atomic_load_n(&w.done, __ATOMIC_ACQUIRE))
            sched_yield();
        if (w.rc)
            return w.rc;
        __atomic_store_n(&lstk__nsched, i + 1, __ATOMIC_RELEASE);
    }
    return 0;
}

struct conc_req {
    struct lstk__sched *s;
    int n;
};

static void *set_concurrency_big(void *arg)
{
    struct conc_req *r = arg;
    return (void *)(intptr_t)lstk__smp_start(r->s, r->n);
}

LSTK_EXPORT int lstk_set_concurrency(unsigned n)
{
    struct lstk__sched *s = lstk__sched_get();
    struct conc_req r;

    if (lstk__slow(s == NULL))
        return EPERM;
    if (n == 0) {
        long c = sysconf(_SC_NPROCESSORS_ONLN);
        n = c > 0 ? (unsigned)c : 1;
    }
    if (n > LSTK__SCHED_MAX)
        n = LSTK__SCHED_MAX;
    if ((int)n <= lstk__nsched && !(lstk__migrate && !lstk__smp))
        return 0; /* never fewer: threads may be anywhere */
    if (s->index != 0 || s->current->sched != s)
        return EPERM;
    r.s = s;
    r.n = (int)n;
    return (int)(intptr_t)lstk__on_big_stack(set_concurrency_big, &r);
}

LSTK_EXPORT unsigned lstk_concurrency(void)
{
    return (unsigned)__atomic_load_n(&lstk__nsched, __ATOMIC_ACQUIRE);
}

void lstk__smp_env(struct lstk__sched *s)
{
    const char *cpus = getenv("LSTK_CPUS");
    const char *dbg = getenv("LINKSTACK_DEBUG");
    struct conc_req r = {s, 1};

    if (dbg && strstr(dbg, "migrate"))
        lstk__migrate = 1;
    if (cpus && *cpus) {
        char *end;
        long v = strtol(cpus, &end, 10);
        if (*end != '\0' || v < 0)
            lstk__fatal("LSTK_CPUS=%s: not a number of schedulers (0: one "
                        "per online CPU)", cpus);
        if (v == 0) {
            long c = sysconf(_SC_NPROCESSORS_ONLN);
            v = c > 0 ? c : 1;
        }
        r.n = v > LSTK__SCHED_MAX ? LSTK__SCHED_MAX : (int)v;
    }
    if (lstk__migrate && r.n < 2)
        r.n = 2; /* migration needs somewhere to go */
    if (r.n > 1) {
        int rc = (int)(intptr_t)lstk__on_big_stack(set_concurrency_big, &r);
        if (rc == ENOTSUP)
            lstk__fatal("cannot start %d schedulers: AddressSanitizer and "
                        "ThreadSanitizer work with one scheduler only (unset "
                        "LSTK_CPUS and LINKSTACK_DEBUG=migrate)", r.n);
        if (rc)
            lstk__fatal("cannot start %d schedulers (%s)", r.n, strerror(rc));
    }
}

void lstk__smp_thread_gone(void)
{
    if (__atomic_load_n(&lstk__scheds[0]->main_exited, __ATOMIC_ACQUIRE))
        exit(0); /* main called lstk_exit and the last thread ended */
}

/* --- pinning ------------------------------------------------------------------ */

LSTK_EXPORT int lstk_pin(void)
{
    struct lstk__sched *s = lstk__sched_get();

    if (lstk__slow(s == NULL))
        return EPERM;
    s->current->flags |= LSTK__TF_PINNED;
    return 0;
}

LSTK_EXPORT int lstk_unpin(void)
{
    struct lstk__sched *s = lstk__sched_get();

    if (lstk__slow(s == NULL))
        return EPERM;
    s->current->flags &= (uint16_t)~LSTK__TF_PINNED;
    return 0;
}
