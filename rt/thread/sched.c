/*
 * sched.c: the scheduler of user-level threads.
 *
 * Mechanism.  There is no scheduler context of its own: a thread that
 * blocks (join, mutex, condition, once, sleep) or yields picks the next
 * thread itself and switches straight to it, so each hand-over is one
 * switch, not two.  The OS thread's own context (normally main) is one of
 * the threads, with guard 0 and its own big stack: when main blocks, the
 * other threads run, which is what "main runs the scheduler whenever it
 * blocks" means here.  When nothing is runnable, the blocking thread waits
 * for the earliest timer (or the idle hook, later the epoll poller) on a
 * big stack: main's, or the system stack for a thread on a small chunk;
 * nothing switches while it waits there.
 *
 * Fairness: one FIFO run queue; every wake-up goes to its tail, every
 * choice takes its head; mutexes hand ownership to their first waiter.
 *
 * Invariants:
 *   - s->current is the only RUNNING thread; RUNNABLE threads are exactly
 *     the run queue; a BLOCKED thread is in at most one wait queue
 *     (t->waitq) and has at most one armed timer (t->heap_idx).
 *   - a FINISHED thread owns no chunk and no key table, only its TCB,
 *     which join (or the exit of a detached thread) returns to the pool.
 *   - nothing here allocates or enters the kernel while the pools have
 *     room and no thread waits for time.
 *
 * Rejected: a separate scheduler context that every switch goes through
 * (twice the switches); a run queue per priority (no priorities in the
 * API); scanning threads for expired sleeps (the timer heap instead).
 *
 * issue 11: with N > 1 schedulers (smp.c) the same functions branch once
 * on lstk__smp (a read-mostly global, predicted) to smp.c's queues; one
 * scheduler keeps exactly the paths above.  Every resume takes the sp
 * from the TCB and leaves NULL there (lstk__resume_sp), and records which
 * scheduler runs the thread (t->sched), so that code after a switch reads
 * its scheduler from the thread, never from a TLS address computed before.
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "stack/stack.h"
#include "thread/graph.h"
#include "thread/thread.h"

__thread struct lstk__sched lstk__sched_tls
    __attribute__((tls_model("initial-exec")));

/* issue 11: errno's offset from the thread pointer (glibc keeps errno in
   static TLS: the same offset on every OS thread); the switch saves and
   restores the word there (switch_*.S).  Set before the first switch. */
intptr_t lstk__errno_tpoff;

static void errno_tpoff_init(void)
{
    uintptr_t tp;

    __asm__ volatile("movq %%fs:0, %0" : "=r"(tp));
    lstk__errno_tpoff = (intptr_t)((uintptr_t)&errno - tp);
}

/* Set by the first OS thread that claims the scheduler.  Later, one per
   core: this becomes "how many schedulers exist". */
static atomic_int lstk__sched_claimed;

/* TCB arenas: the first is small so that a program with a few threads
   stays small; they double up to 2 MiB, which is asked for as a huge page
   (first touch ~0.8 us per 4 KiB instead of ~12 us, ARCHITECTURE.md). */
#define LSTK__TCB_ARENA_FIRST (64u << 10)
#define LSTK__TCB_ARENA_MAX (2u << 20)

/* Names the running user-level thread in fatal messages (fatal.c). */
static void *sched_self_hook(void)
{
    struct lstk__sched *s = &lstk__sched_tls;

    if (s->ready <= 0 || s->current == &s->main)
        return NULL;
    return s->current;
}

/* The set-up, on a big stack: this OS thread's pool, system stack and
   sigaltstack, then the scheduler and its main thread. */
static void *sched_init_big(void *arg)
{
    struct lstk__sched *s = arg;
    struct timespec ts;
    int rc = lstk__os_thread_init();

    if (rc)
        return (void *)(intptr_t)rc;
    errno_tpoff_init();
    /* Bind the libc functions that run on small chunks now, on this big
       stack: a lazy PLT lookup needs 1-3 KiB of stack (gcc-notes 2). */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    clock_gettime(CLOCK_REALTIME, &ts);
    memset(&s->main, 0, sizeof s->main);
    s->main.sched = s;
    s->main.state = LSTK__T_RUNNING;
    s->main.flags = LSTK__TF_MAIN;
    s->main.id = ++s->ids;
    s->current = &s->main;
    s->tcb_arena = LSTK__TCB_ARENA_FIRST;
    s->index = 0;
    return NULL;
}

/* The thread layer's start (libc/libc.h: the sequence): registers its
   hook in the stack layer, so that fatal messages name the running
   thread (sched_self_hook answers NULL until a scheduler runs). */
__attribute__((constructor(LSTK__START_THREAD))) static void
lstk__thread_start(void)
{
    lstk__self_hook = sched_self_hook;
    errno_tpoff_init();
    lstk__graph_start(); /* graph14: LINKSTACK_GRAPH, LSTK_SCHED */
}

struct lstk__sched *lstk__sched_init_slow(void)
{
    struct lstk__sched *s = &lstk__sched_tls;
    int expected = 0;

    if (s->ready < 0)
        return NULL;
    if (!atomic_compare_exchange_strong(&lstk__sched_claimed, &expected, 1)) {
        s->ready = -1; /* another OS thread runs the threads: foreign */
        return NULL;
    }
    /* On a linked stack (lstk_stack_run) this OS thread's pool, hence its
       system stack, is already set up. */
    if (lstk__on_big_stack(sched_init_big, s) != NULL) {
        atomic_store(&lstk__sched_claimed, 0);
        return NULL;
    }
    s->ready = 1;
    lstk__smp_env(s); /* issue 11: LSTK_CPUS, LINKSTACK_DEBUG=migrate */
    return s;
}

/* Maps a new TCB arena of s->tcb_arena bytes. */
static int tcb_arena_grow(struct lstk__sched *s)
{
    size_t size = s->tcb_arena;
    char *p;

    if (size >= LSTK__TCB_ARENA_MAX) {
        /* 2 MiB-aligned so that the kernel can back it by one huge page:
           map 4 MiB, keep the aligned half. */
        char *raw = mmap(NULL, 2 * size, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw == MAP_FAILED)
            return ENOMEM;
        p = (char *)(((uintptr_t)raw + size - 1) & ~(uintptr_t)(size - 1));
        if (p > raw)
            munmap(raw, (size_t)(p - raw));
        if (p + size < raw + 2 * size)
            munmap(p + size, (size_t)(raw + 2 * size - (p + size)));
        madvise(p, size, MADV_HUGEPAGE);
    } else {
        p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return ENOMEM;
        s->tcb_arena = size * 2;
    }
    /* The first slot links the arenas, for lstk_stats (thread.c). */
    ((struct lstk__tcb_arena *)p)->next = s->tcb_arenas;
    ((struct lstk__tcb_arena *)p)->end = p + size;
    s->tcb_arenas = p;
    s->tcb_bump = p + sizeof(struct lstk_thread);
    s->tcb_end = p + size;
    return 0;
}

/* Hot path: a pop from the free list, else a bump; the mapping happens
   once per 2 MiB (14563 TCBs). */
struct lstk_thread *lstk__tcb_alloc(struct lstk__sched *s)
{
    struct lstk_thread *t = s->tcb_free;

    if (lstk__fast(t != NULL)) {
        s->tcb_free = t->next;
        return t;
    }
    /* ">": the arena need not be a multiple of the TCB's size. */
    if (lstk__slow(s->tcb_end - s->tcb_bump < (ptrdiff_t)sizeof *t) &&
        tcb_arena_grow(s) != 0)
        return NULL;
    t = (struct lstk_thread *)s->tcb_bump;
    s->tcb_bump += sizeof *t;
    return t;
}

static noreturn void sched_deadlock(struct lstk__sched *s)
{
    lstk__fatal("deadlock: no thread can run, none waits for a timer "
                "(%zu threads besides main, main %s)",
                (size_t)lstk__pool.threads_live,
                s->main_exited ? "exited" : "blocked");
}

/*
 * Nothing is runnable: wait for the earliest timer (or the idle hook).
 * Runs on a big stack and never switches.  Returns the thread to run.
 */
static void *sched_idle(void *arg)
{
    struct lstk__sched *s = arg;

    for (;;) {
        struct lstk_thread *t;
        uint64_t deadline;

        if (s->timers.n)
            lstk__timers_expire(s, lstk__now_ns());
        t = lstk__runq_pop(s); /* graph14: pick hook */
        if (t)
            return t;
        deadline = s->timers.n ? s->timers.v[1].when : UINT64_MAX;
        if (s->idle && s->idle(s, deadline))
            continue;
        if (deadline == UINT64_MAX)
            sched_deadlock(s);
        struct timespec ts = {
            .tv_sec = (time_t)(deadline / 1000000000u),
            .tv_nsec = (long)(deadline % 1000000000u),
        };
        /* EINTR (a signal) just goes round again. */
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    }
}

/* issue 5: scheduling decisions between two polls that do not sleep
   while threads wait for I/O: a power of two; each poll is a syscall. */
#define LSTK__IO_POLL 64u

/* issue 5: the idle hook with deadline 0 polls without sleeping. */
static void *sched_poll_io(void *arg)
{
    struct lstk__sched *s = arg;

    s->idle(s, 0);
    return NULL;
}

/* lstk__sched_next when timers are armed or nothing is runnable. */
__attribute__((noinline)) static struct lstk_thread *
sched_next_slow(struct lstk__sched *s)
{
    struct lstk_thread *t;

    /* issue 5: one tick per decision for both (was: timers only). */
    if (s->timers.n != 0 || s->idle != NULL) {
        uint32_t tick = ++s->tick;
        if (s->timers.n != 0 && (tick & (LSTK__TIMER_POLL - 1)) == 0)
            lstk__timers_expire(s, lstk__now_ns());
        /* issue 5: while threads wait for I/O (the hook is set only then),
           poll without sleeping every LSTK__IO_POLL-th decision, so that
           runnable threads cannot starve the waiting ones. */
        if (s->idle != NULL && (tick & (LSTK__IO_POLL - 1)) == 0)
            lstk__on_big_stack(sched_poll_io, s);
    }
    t = lstk__runq_pop(s); /* graph14: pick hook */
    if (t)
        return t;
    return lstk__on_big_stack(sched_idle, s);
}

/*
 * Hot path: with no timer armed it is a test and a queue pop, inlined into
 * yield and block.  The clock (vDSO, ~20 ns) is read only every
 * LSTK__TIMER_POLL-th decision while timers are armed, and whenever the
 * run queue is empty.
 */
static inline struct lstk_thread *sched_next(struct lstk__sched *s)
{
    /* issue 5: "&& s->idle == NULL": threads waiting for I/O;
       graph14: "lstk__graph_on == 0": a policy picks, or the graph records */
    if (lstk__fast(s->timers.n == 0 && s->idle == NULL && s->runq.head != NULL &&
                   !lstk__smp && lstk__graph_on == 0))
        return lstk__q_pop(&s->runq);
    if (lstk__slow(lstk__smp)) /* issue 11 */
        return lstk__smp_next(s);
    return sched_next_slow(s);
}

struct lstk_thread *lstk__sched_next(struct lstk__sched *s)
{
    return sched_next(s);
}

/* Makes NEXT current and switches to it from SELF (which the caller has
   queued wherever it belongs). */
static inline void sched_switch(struct lstk__sched *s, struct lstk_thread *self,
                                struct lstk_thread *next)
{
    s->current = next;
    next->state = LSTK__T_RUNNING;
    next->sched = s; /* issue 11: who runs it now */
    lstk__pool.switches++;
    /* LINKSTACK_DEBUG: the leaving thread's painted zone is intact (one
       predictable branch on a read-mostly global otherwise). */
    if (lstk__slow(lstk__debug_zone != 0))
        lstk__debug_check_guard(lstk__guard_get());
    if (lstk__slow(lstk__san)) /* [issue 12] ASan, TSan: sanitizer.c */
        lstk__san_switch(self, next);
    /* issue 11: the sp is taken last, so that nothing else is live
       across a call here (this frame counts in every blocking budget). */
    lstk__ctx_switch(&self->sp, lstk__resume_sp(next), NULL);
}

int lstk__sched_block(struct lstk__sched *s)
{
    struct lstk_thread *self = s->current;
    struct lstk_thread *next;

    LSTK__GRAPH_PARK(self, 0); /* graph14: park hook */
    next = sched_next(s);
    if (next == self) /* a timer of our own fired while we idled */
        self->state = LSTK__T_RUNNING;
    else
        sched_switch(s, self, next);
    return self->wait_rc;
}

/* issue 11: yield with N > 1: to the ring's tail (or the home inbox of a
   pinned thread), then the next local thread or the idle context.  Out of
   line and returning lstk_yield's 0, so that lstk_yield tail-calls it and
   the caller's stack holds one frame of it, not two. */
__attribute__((noinline)) static int sched_yield_smp(struct lstk__sched *s)
{
    struct lstk_thread *self = s->current, *next;

    /* The successor is chosen before SELF is queued where another
       scheduler can take it: so a thread that others can pick has always
       chosen its own successor already, and two yields never wait for
       each other's sp (queued first, two schedulers each took the other's
       half-switched thread and spun in lstk__smp_wait_sp for ever). */
    /* With nothing local, NEXT is the idle context: SELF, queued, can be
       stolen meanwhile, and the idle context (its sp saved, in no queue)
       waits for SELF's sp safely. */
    next = lstk__smp_next(s);
    lstk__smp_ready(s, self, 0);
    sched_switch(s, self, next);
    return 0;
}

/* lstk_yield's general case: alone, or with timers to look at. */
void lstk__sched_yield(struct lstk__sched *s)
{
    struct lstk_thread *self = s->current, *next;

    if (lstk__slow(lstk__smp)) { /* issue 11 */
        sched_yield_smp(s);
        return;
    }
    /* graph14: lstk__runq_empty: a policy may hold runnable threads */
    if (lstk__runq_empty(s)) {
        /* Alone: only due timers (issue 5: or I/O) could give us company. */
        if (s->timers.n == 0 && s->idle == NULL)
            return;
        if (s->timers.n != 0)
            lstk__timers_expire(s, lstk__now_ns());
        if (lstk__runq_empty(s) && s->idle != NULL) /* issue 5 */
            lstk__on_big_stack(sched_poll_io, s);
        if (lstk__runq_empty(s))
            return;
    }
    LSTK__GRAPH_PARK(self, 1); /* graph14: park hook */
    lstk__sched_ready(s, self);
    next = sched_next(s);
    if (next == self)
        self->state = LSTK__T_RUNNING;
    else
        sched_switch(s, self, next);
}

/*
 * The hottest path (yield ping-pong): a TLS load, a pop and a push, and
 * the switch as a *tail call*, so that the frame it saves returns straight
 * to lstk_yield's caller.  The resumed thread then leaves with one
 * predicted indirect jump (`pop; jmp`) into its own caller, instead of a
 * `ret` from lstk_yield that the return-stack predictor, filled by the
 * other thread's calls, would miss every time.  The switch's message, 0,
 * is lstk_yield's return value.
 */
LSTK_EXPORT int lstk_yield(void)
{
    struct lstk__sched *s = lstk__sched_get();
    struct lstk_thread *self, *next;

    if (lstk__slow(s == NULL))
        return EPERM;
    /* issue 5: "|| s->idle != NULL": threads waiting for I/O;
       issue 11: "|| lstk__smp": N schedulers take the general path;
       graph14: "|| lstk__graph_on": a policy picks, or the graph records */
    if (lstk__slow(s->runq.head == NULL || s->timers.n != 0 ||
                   s->idle != NULL || lstk__smp || lstk__graph_on != 0)) {
        if (lstk__smp)
            return sched_yield_smp(s);
        LSTK__GRAPH_SITE(); /* graph14: yield's caller is the location */
        lstk__sched_yield(s);
        return 0;
    }
    self = s->current;
    next = lstk__q_pop(&s->runq);
    lstk__sched_ready(s, self);
    s->current = next;
    next->state = LSTK__T_RUNNING;
    lstk__pool.switches++;
    if (lstk__slow(lstk__debug_zone != 0)) /* LINKSTACK_DEBUG, as above */
        lstk__debug_check_guard(lstk__guard_get());
    if (lstk__slow(lstk__san)) /* [issue 12] as above */
        lstk__san_switch(self, next);
    return lstk__ctx_switch_int(&self->sp, lstk__resume_sp(next), 0);
}

/*
 * Exit, second half, on the system stack (lstk__ctx_exit): the dead
 * thread's chunks go back to the pool, its TCB too when detached, its
 * joiner becomes runnable; returns the sp of the next thread to resume.
 * Fast path: free-list pushes (its one or two chunks, maybe the TCB) and a
 * queue pop; no syscall, no free() unless it had key values.
 */
static void *thread_reap(void *arg)
{
    struct lstk_thread *t = arg, *next, *joiner;
    struct lstk__sched *s = t->sched;
    uint64_t peak = t->stack.peak_bytes;
    int detached;

    lstk__keys_free(t);
    lstk__stack_term(&t->stack);
    t->stack.base = NULL;
    t->stack.peak_bytes = peak; /* still readable until the join */
    lstk__pool.threads_live--;
    /* issue 11: with N > 1 a join or detach may race with this exit on
       another scheduler: the TCB's lock orders them. */
    lstk__tlock(t);
    t->state = LSTK__T_FINISHED;
    joiner = t->joiner;
    detached = (t->flags & LSTK__TF_DETACHED) != 0;
    lstk__tunlock(t);
    if (joiner)
        lstk__sched_wake(s, joiner);
    if (detached)
        lstk__tcb_free(s, t);
    if (lstk__slow(lstk__smp)) {
        if (__atomic_sub_fetch(&lstk__smp_live, 1, __ATOMIC_ACQ_REL) == 0)
            lstk__smp_thread_gone();
    } else if (s->main_exited && lstk__pool.threads_live == 0) {
        exit(0); /* main called lstk_exit and we were the last: as pthreads */
    }
    next = lstk__sched_next(s); /* guard is 0 here: idles in place */
    s->current = next;
    next->state = LSTK__T_RUNNING;
    next->sched = s;
    lstk__pool.switches++;
    /* [issue 12] ASan, TSan (sanitizer.c); T's TCB, even if freed above,
       is only read: nothing takes it before the switch. */
    if (lstk__slow(lstk__san))
        lstk__san_exit(t, next);
    return lstk__resume_sp(next);
}

/* Main called lstk_exit: it has no chunks to free; the process ends when
   the last thread does (thread_reap), as with pthread_exit in main. */
static noreturn void main_exit(struct lstk__sched *s, struct lstk_thread *t)
{
    if (lstk__slow(lstk__graph_on != 0)) /* graph14: park hook */
        lstk__graph_exit(t);
    t->state = LSTK__T_FINISHED;
    s->main_exited = 1;
    if (t->joiner)
        lstk__sched_ready(s, t->joiner);
    if (lstk__slow(lstk__smp)) { /* issue 11: threads of every scheduler */
        lstk__scheds[0]->main_exited = 1;
        if (__atomic_load_n(&lstk__smp_live, __ATOMIC_ACQUIRE) == 0)
            exit(0);
    } else if (lstk__pool.threads_live == 0)
        exit(0);
    sched_switch(s, t, lstk__sched_next(s)); /* never resumed */
    lstk__fatal("main resumed after lstk_exit");
}

void lstk__thread_finish(struct lstk_thread *t, void *result)
{
    lstk__keys_run_dtors(t);
    t->result = result;
    if (lstk__slow(t->flags & LSTK__TF_MAIN))
        main_exit(t->sched, t);
    if (lstk__slow(lstk__graph_on != 0)) /* graph14: park hook */
        lstk__graph_exit(t);
    lstk__ctx_exit(lstk__pool.sys_top, thread_reap, t);
}
