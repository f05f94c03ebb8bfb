/*
 * thread/thread.h: the thread layer's private header: the user-level
 * threads (issue 3), their scheduler, timers and keys.  Includes only the
 * layers below (stack/stack.h); io/ includes it.
 *
 * A thread is a control block (TCB, struct lstk_thread, 128 bytes) plus a
 * linked stack whose first chunk is the thread's "stack size" (1 KiB by
 * default).  A suspended thread's registers live on its own stack, in the
 * 72-byte switch frame that lstk__ctx_switch pushed (layout below); the TCB
 * keeps only the stack pointer that addresses that frame.  So a switch
 * touches: the two TCBs, the two frames, and the scheduler's run queue.
 *
 * Every structure a scheduling decision touches belongs to one scheduler
 * (struct lstk__sched), one per OS thread that runs threads, reached from
 * the thread (t->sched: the scheduler that runs it now) or, for the
 * running code, from this OS thread's TLS.  By default one OS thread (the
 * first to use the API) runs the one scheduler; lstk_set_concurrency or
 * LSTK_CPUS start more (smp.c, issue 11), and threads then migrate
 * between them at switches.  So every use of the scheduler after a switch
 * (lstk__sched_block) re-reads it from self->sched, and no TLS address is
 * kept across a switch: the compiler may compute %fs-relative addresses
 * once per function, and after the switch %fs is another OS thread's.
 *
 * Complexity: every queue is an intrusive doubly linked FIFO (O(1) push,
 * pop and unlink); the TCB free list is LIFO (O(1)); timers are a binary
 * min-heap (O(log n) in the number of pending timers, not of threads).  No
 * operation scans the threads: a million threads cost what ten cost.
 *
 * Where code runs (the 512-byte rule).  The plugin gives every call to an
 * lstk_* function 512 bytes of the caller's chunk, no more.  Public calls
 * therefore do their light work (queue operations, the switch: its frame is
 * 72 bytes) on the caller's stack and send anything heavy (mmap, malloc,
 * libunwind, clock_nanosleep) to a big stack with lstk__on_big_stack():
 * directly when the guard is 0 (main's own stack, or already the system
 * stack), else on this OS thread's system stack through lstk__call_on.  No
 * code on the system stack may switch threads, because the next user of the
 * system stack would overwrite its frames.  The single exception is a dying
 * thread (lstk__ctx_exit): it jumps away from the system stack for good and
 * leaves nothing there that anyone returns to.
 */
#ifndef LSTK_THREAD_H
#define LSTK_THREAD_H

/* --- the switch frame, shared with the assembly ------------------------- */

/*
 * What lstk__ctx_switch pushes on the suspended thread's stack; the TCB's
 * sp points at offset 0.  A new thread gets the same frame, built by hand,
 * whose "return address" is lstk__thread_entry.
 *
 *     offset  contents
 *       0     guard (%fs:0x70) of the suspended code: its chunk's guard, or 0
 *       8     errno of the suspended thread (4 bytes; issue 11), then the
 *             x87 control word (2 bytes), then MXCSR's low 16 bits (its
 *             upper half is reserved, always 0)
 *      16     r15
 *      24     r14
 *      32     r13     new thread: ARG
 *      40     r12     new thread: FN
 *      48     rbx     new thread: the TCB
 *      56     rbp     new thread: 0 (ends frame-pointer walks)
 *      64     return address (resumed with pop + jmp)
 *      72     the caller's frame (new thread: top of the base chunk)
 *
 * issue 11: errno is per OS thread in glibc; a user-level thread that
 * resumes on another OS thread (N schedulers) must find its own value,
 * so the switch carries it like the guard (lstk__errno_tpoff: errno's
 * offset from the thread pointer, the same on every OS thread).  MXCSR is
 * kept in 16 bits so that the frame stays 72 bytes (every budget of a
 * call that switches counts it).
 */
#define LSTK__CTX_GUARD 0
#define LSTK__CTX_ERRNO 8
#define LSTK__CTX_X87CW 12
#define LSTK__CTX_MXCSR 14
#define LSTK__CTX_R15 16
#define LSTK__CTX_R14 24
#define LSTK__CTX_R13 32
#define LSTK__CTX_R12 40
#define LSTK__CTX_RBX 48
#define LSTK__CTX_RBP 56
#define LSTK__CTX_RIP 64
#define LSTK__CTX_SIZE 72

#ifndef __ASSEMBLER__

#include <errno.h>
#include <stdint.h>
#include <stdnoreturn.h>
#include <time.h>

#include "stack/stack.h"
#include "linkstack.h"

/* The frame above, as C sees it (new threads and backtraces). */
struct lstk__ctx_frame {
    uint64_t guard;
    int32_t err;
    uint16_t x87cw;
    uint16_t mxcsr;
    uint64_t r15, r14, r13, r12, rbx, rbp;
    uint64_t rip;
};
_Static_assert(sizeof(struct lstk__ctx_frame) == LSTK__CTX_SIZE, "ctx size");
_Static_assert(offsetof(struct lstk__ctx_frame, guard) == LSTK__CTX_GUARD, "g");
_Static_assert(offsetof(struct lstk__ctx_frame, mxcsr) == LSTK__CTX_MXCSR, "m");
_Static_assert(offsetof(struct lstk__ctx_frame, x87cw) == LSTK__CTX_X87CW, "x");
_Static_assert(offsetof(struct lstk__ctx_frame, err) == LSTK__CTX_ERRNO, "e");
_Static_assert(offsetof(struct lstk__ctx_frame, r15) == LSTK__CTX_R15, "r15");
_Static_assert(offsetof(struct lstk__ctx_frame, r14) == LSTK__CTX_R14, "r14");
_Static_assert(offsetof(struct lstk__ctx_frame, r13) == LSTK__CTX_R13, "r13");
_Static_assert(offsetof(struct lstk__ctx_frame, r12) == LSTK__CTX_R12, "r12");
_Static_assert(offsetof(struct lstk__ctx_frame, rbx) == LSTK__CTX_RBX, "rbx");
_Static_assert(offsetof(struct lstk__ctx_frame, rbp) == LSTK__CTX_RBP, "rbp");
_Static_assert(offsetof(struct lstk__ctx_frame, rip) == LSTK__CTX_RIP, "rip");

struct lstk__sched;

/* An intrusive FIFO of threads, linked through the threads' next/prev. */
struct lstk__queue {
    struct lstk_thread *head;
    struct lstk_thread *tail;
};

/* Thread states. */
enum {
    /* In the scheduler's TCB free list (or never used). */
    LSTK__T_FREE = 0,
    /* Running: the scheduler's current thread. */
    LSTK__T_RUNNING,
    /* In the run queue. */
    LSTK__T_RUNNABLE,
    /* Waiting: on a wait queue (waitq), a timer (heap_idx) or a joinee. */
    LSTK__T_BLOCKED,
    /* Returned or exited; its stack is gone, the TCB waits for a join. */
    LSTK__T_FINISHED,
};

/* Thread flags. */
#define LSTK__TF_DETACHED 1u
/* The scheduler's own thread (main): its TCB is in struct lstk__sched. */
#define LSTK__TF_MAIN 2u
/* issue 11: kept on its scheduler (t->sched): lstk_pin, main, an I/O wait
   (every wake goes to that scheduler's inbox, never to a stealable ring). */
#define LSTK__TF_PINNED 4u
#define LSTK__TF_IOPIN 8u
/* issue 11: a scheduler's idle context (smp.c): never queued. */
#define LSTK__TF_IDLE 16u

/* A thread's key values (key.c); allocated on its first setspecific. */
struct lstk__keytab;

/*
 * The thread control block: 128 bytes, two cache lines, carved from big
 * mappings and recycled through the scheduler's free list.
 */
struct lstk_thread {
    /* While suspended: the switch frame on its stack.  Hot: first. */
    void *sp;
    /* Links in the run queue or in the one wait queue the thread is in;
       in the free list, next links free TCBs. */
    struct lstk_thread *next;
    struct lstk_thread *prev;
    /* The scheduler that runs the thread. */
    struct lstk__sched *sched;
    /* The wait queue (mutex, condition, once) the thread is blocked in, so
       that a timeout can unlink it; NULL otherwise. */
    struct lstk__queue *waitq;
    /* The thread blocked in lstk_join on this one, or NULL. */
    struct lstk_thread *joiner;
    /* FN's return value or lstk_exit's argument. */
    void *result;
    /* Key values, or NULL before the first lstk_setspecific. */
    struct lstk__keytab *keys;
    /* The linked stack (base chunk, high-water mark); base is NULL for the
       main thread and after the thread finished. */
    struct lstk__stack stack;
    /* Position in the timer heap (1-based), 0 when no timer is armed. */
    uint32_t heap_idx;
    /* LSTK__T_*. */
    uint8_t state;
    /* issue 11: guards joiner/state/flags against a concurrent exit, join
       or detach when N > 1 (smp.c: lstk__tlock); unused with one
       scheduler. */
    uint8_t lock;
    /* LSTK__TF_*. */
    uint16_t flags;
    /* Why the last wait ended: 0, or ETIMEDOUT when its timer fired. */
    int32_t wait_rc;
    /* issue 11 (N > 1): the low half of the armed timer's seq; whoever
       ends the wait otherwise bumps it, so that a timer entry fired after
       its wait ended (another scheduler signalled) is ignored. */
    uint32_t wait_gen;
    /* graph14 (graph.h): the node of the thread's location, 0: none. */
    uint32_t gnode;
    /* Sequence number of the thread (1 = main), for debuggers and tests. */
    uint64_t id;
    /* issue 5: the I/O wait the thread is blocked in (struct lstk__wait,
       rt/io/io.h), an odd marker for an interrupt waiting to be delivered,
       or NULL; only rt/io/poller.c reads or writes it. */
    void *iowait;
    /* issue 11: the lock word of the object whose wait queue (waitq) the
       thread is in, when N > 1 (sync.c); NULL otherwise. */
    int *waitlock;
    /* graph14 (graph.h): when it parked, or was queued by a policy (tsc). */
    uint64_t gtsc;
    /* [issue 12] Under ASan the thread's fake stack while it is suspended,
       under TSan its fiber (rt/thread/sanitizer.c); NULL otherwise. */
    void *san;
};
/* 152 bytes since issues 11, 12 and 14 added their fields (was two cache
   lines): part of every thread's cost, keep it small. */
_Static_assert(sizeof(struct lstk_thread) == 152, "TCB size changed");

/* An armed timer: deadline, then insertion order for ties (FIFO). */
struct lstk__timer {
    uint64_t when;
    uint64_t seq;
    struct lstk_thread *t;
};

/* A binary min-heap of timers; v[0] is unused so that children of i are
   2i and 2i+1. */
struct lstk__timers {
    struct lstk__timer *v;
    uint32_t n;
    uint32_t cap;
    uint64_t seq;
};

/*
 * What the scheduler calls when nothing is runnable, on a big stack (issue
 * 5's epoll poller plugs in here).  It waits until DEADLINE (CLOCK_MONOTONIC
 * ns; UINT64_MAX: no timer pending) or until it made a thread runnable.
 * Returns 0 when it has nothing to wait for (no I/O waiter), so that the
 * scheduler sleeps until DEADLINE itself or reports a deadlock.
 * issue 5: the poller sets the hook only while threads wait for I/O, and
 * the scheduler also calls it with DEADLINE 0 (poll, do not sleep) every
 * LSTK__IO_POLL-th decision then (sched.c).
 */
typedef int lstk__idle_fn(struct lstk__sched *s, uint64_t deadline);

/* One scheduler: owned by one OS thread, in its TLS. */
/* The first TCB slot of each arena: the link to the next older arena. */
struct lstk__tcb_arena {
    char *next;
    char *end;
};

/* issue 11: a scheduler's bounded ring of runnable threads: the owner
   pushes at tail, the owner and thieves take from head (a CAS when N > 1).
   A power of two. */
#define LSTK__RING 256u

struct lstk__ring {
    /* Next to take: the owner and thieves advance it (CAS). */
    uint32_t head __attribute__((aligned(64)));
    /* Next free slot: only the owner writes it; on its own line. */
    uint32_t tail __attribute__((aligned(64)));
    struct lstk_thread *slot[LSTK__RING] __attribute__((aligned(64)));
};

struct lstk__sched {
    /* The running thread. */
    struct lstk_thread *current;
    /* Runnable threads, FIFO (one scheduler: the run queue; N > 1: this
       scheduler's pinned threads, owner only). */
    struct lstk__queue runq;
    /* Free TCBs (LIFO: the most recently freed is the warmest). */
    struct lstk_thread *tcb_free;
    /* Unused tail of the current TCB arena, and the next arena's size. */
    char *tcb_bump;
    char *tcb_end;
    size_t tcb_arena;
    /* Every TCB arena, newest first, linked through its first slot
       (struct lstk__tcb_arena): lstk_stats walks them for the live depth. */
    char *tcb_arenas;
    /* Timers of sleeping and timed-waiting threads. */
    struct lstk__timers timers;
    /* Counts scheduling decisions; when timers are armed, every
       LSTK__TIMER_POLL-th decision reads the clock. */
    uint32_t tick;
    /* 1: this OS thread runs the scheduler; 0: not set up; -1: another OS
       thread runs it (this one is foreign). */
    int ready;
    /* Set once main called lstk_exit: the last thread to exit ends the
       process. */
    int main_exited;
    /* issue 11: this scheduler's number (0: the first, main's). */
    int index;
    /* Threads created so far (ids). */
    uint64_t ids;
    /* Idle hook (NULL: sleep until the next timer). */
    lstk__idle_fn *idle;
    /* The TCB of the OS thread's own context (main). */
    struct lstk_thread main;

    /* --- issue 11: N > 1 only (smp.c) --- */
    /* The context that looks for work and parks: a worker's own OS-thread
       context (&main), or for scheduler 0 one on a mapped stack. */
    struct lstk_thread *idle_t;
    /* Woken threads that should run next (one slot, stealable). */
    struct lstk_thread *runnext;
    /* Consecutive decisions taken from runnext (capped: fairness). */
    uint32_t runnext_streak;
    /* xorshift state for picking victims. */
    uint32_t rand;
    /* Threads pushed here by other schedulers (pinned ones, migrate mode):
       a lock-free LIFO that the owner empties with one exchange. */
    struct lstk_thread *inbox;
    /* 1 while this scheduler searches other queues (at most half the
       schedulers do at once). */
    int spinning;
    /* Futex word: 1 while parked; the waker stores 0 and wakes it. */
    int park;
    /* How it is parked: 1 futex, 2 in the I/O poller (scheduler 0). */
    int park_how;
    int spare_smp;
    /* The ring, mapped when N > 1 (kept out of TLS: static TLS is scarce). */
    struct lstk__ring *ring;
};

extern __thread struct lstk__sched lstk__sched_tls
    __attribute__((tls_model("initial-exec"))) LSTK__HIDDEN;

/* Scheduling decisions between two clock reads while timers are armed: a
   power of two; bounds how long runnable threads can delay a due timer. */
#define LSTK__TIMER_POLL 16u

/* --- assembly (arch/x86_64/switch_*.S) ----------------------------------- */

/* errno's offset from the thread pointer (sched.c; the switch uses it). */
extern intptr_t lstk__errno_tpoff LSTK__HIDDEN;

/* Saves the caller's context on its stack, stores the stack pointer in
   *SAVE, resumes the context at TO.  Returns MSG in the resumed context. */
LSTK__HIDDEN void *lstk__ctx_switch(void **save, void *to, void *msg);
/* The same code, for callers that return its result as an int (MSG 0):
   lets lstk_yield end in a tail call. */
LSTK__HIDDEN int lstk__ctx_switch_int(void **save, void *to, long msg);
/* Moves to SYS_TOP with guard 0, abandoning the current stack, and calls
   FN(ARG); FN returns the saved sp of the context to resume. */
LSTK__HIDDEN noreturn void lstk__ctx_exit(void *sys_top,
                                          void *(*fn)(void *), void *arg);
/* The first "return address" of every new thread: calls FN(ARG) from r12
   and r13, then lstk__thread_finish(rbx, result).  Unwinding ends here. */
LSTK__HIDDEN void lstk__thread_entry(void);

/* --- scheduler (sched.c) ------------------------------------------------- */

/* Sets up this OS thread's scheduler; NULL when another OS thread runs it. */
LSTK__HIDDEN struct lstk__sched *lstk__sched_init_slow(void);

/* The calling OS thread's scheduler, or NULL if the caller is foreign. */
static inline struct lstk__sched *lstk__sched_get(void)
{
    struct lstk__sched *s = &lstk__sched_tls;
    if (lstk__fast(s->ready > 0))
        return s;
    return lstk__sched_init_slow();
}

/* Runs FN(ARG) where heavy work may run: directly off the linked stacks
   (guard 0), else on this OS thread's system stack.  FN must not switch. */
static inline void *lstk__on_big_stack(void *(*fn)(void *), void *arg)
{
    if (lstk__guard_get() == 0)
        return fn(arg);
    return lstk__call_on(lstk__pool.sys_top, 0, fn, arg);
}

static inline void lstk__q_push(struct lstk__queue *q, struct lstk_thread *t)
{
    t->next = NULL;
    t->prev = q->tail;
    if (q->tail)
        q->tail->next = t;
    else
        q->head = t;
    q->tail = t;
}

static inline struct lstk_thread *lstk__q_pop(struct lstk__queue *q)
{
    struct lstk_thread *t = q->head;
    if (t) {
        q->head = t->next;
        if (q->head)
            q->head->prev = NULL;
        else
            q->tail = NULL;
    }
    return t;
}

static inline void lstk__q_unlink(struct lstk__queue *q, struct lstk_thread *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        q->head = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        q->tail = t->prev;
}

/* --- N schedulers (smp.c, issue 11) -------------------------------------- */

/* Most schedulers (the idle bitmap is one 64-bit word). */
#define LSTK__SCHED_MAX 64

/* Non-zero once lstk_set_concurrency started a second scheduler; read on
   the hot paths as one predicted branch (it never goes back to 0). */
extern int lstk__smp LSTK__HIDDEN;
/* LINKSTACK_DEBUG=migrate (smp.c). */
extern int lstk__migrate LSTK__HIDDEN;
/* How many schedulers run, and each one (index = lstk__sched.index). */
extern int lstk__nsched LSTK__HIDDEN;
extern struct lstk__sched *lstk__scheds[LSTK__SCHED_MAX] LSTK__HIDDEN;
/* Threads alive across all schedulers while N > 1 (atomic). */
extern uint64_t lstk__smp_live LSTK__HIDDEN;
/* What wakes scheduler 0 when it is parked in the I/O poller (io/ sets
   it: an eventfd write); NULL while there is no poller. */
extern void (*lstk__sched_kick_hook)(void) LSTK__HIDDEN;

/* Makes T runnable from scheduler S (the caller's own): WAKE 1 for a
   wake-up (the next-to-run slot), 0 for the ring's tail. */
LSTK__HIDDEN void lstk__smp_ready(struct lstk__sched *s, struct lstk_thread *t,
                                  int wake);
/* The next thread for S: local work, else S's idle context. */
LSTK__HIDDEN struct lstk_thread *lstk__smp_next(struct lstk__sched *s);
/* T's saved sp once its old OS thread has stored it (a short spin). */
LSTK__HIDDEN void *lstk__smp_wait_sp(struct lstk_thread *t);
/* Starts schedulers up to N (big stack); 0 or an errno value. */
LSTK__HIDDEN int lstk__smp_start(struct lstk__sched *s, int n);
/* Reads LSTK_CPUS and LINKSTACK_DEBUG=migrate once the first scheduler
   is set up (sched.c). */
LSTK__HIDDEN void lstk__smp_env(struct lstk__sched *s);
/* Wakes scheduler 0 if parked (a timer was armed for it). */
LSTK__HIDDEN void lstk__sched_kick0(void);
/* N > 1: the earliest deadline (UINT64_MAX: none), and firing the due
   timers; scheduler 0 only (timer.c). */
LSTK__HIDDEN uint64_t lstk__timers_next_smp(void);
LSTK__HIDDEN void lstk__timers_expire_smp(struct lstk__sched *s, uint64_t now);
/* The last thread ended after main's lstk_exit (N > 1). */
LSTK__HIDDEN void lstk__smp_thread_gone(void);

/* A test-and-set lock for one object's wait queue or one TCB (N > 1):
   held for a few queue operations, never across a switch. */
static inline void lstk__spin_lock(int *l)
{
    while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
        while (__atomic_load_n(l, __ATOMIC_RELAXED))
            __builtin_ia32_pause();
}

static inline void lstk__spin_unlock(int *l)
{
    __atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

/* T's own lock (join/detach/exit races), only when N > 1. */
static inline void lstk__tlock(struct lstk_thread *t)
{
    if (lstk__slow(lstk__smp))
        while (__atomic_exchange_n(&t->lock, 1, __ATOMIC_ACQUIRE))
            __builtin_ia32_pause();
}

static inline void lstk__tunlock(struct lstk_thread *t)
{
    if (lstk__slow(lstk__smp))
        __atomic_store_n(&t->lock, 0, __ATOMIC_RELEASE);
}

/*
 * The stack pointer to resume T at, taken from its TCB (which is left
 * NULL while T runs).  With N > 1 a thread that has just put itself on a
 * wait queue may be woken and picked by another scheduler before its own
 * switch stored its sp: the taker then waits for that store (a few
 * instructions away; the Linux scheduler's on_cpu wait).  One scheduler
 * never sees NULL.
 */
static inline void *lstk__resume_sp(struct lstk_thread *t)
{
    void *sp = __atomic_load_n(&t->sp, __ATOMIC_ACQUIRE);
    if (lstk__slow(sp == NULL))
        sp = lstk__smp_wait_sp(t);
    t->sp = NULL;
    return sp;
}

/* Puts T at the tail of its scheduler's run queue. */
static inline void lstk__sched_ready(struct lstk__sched *s,
                                     struct lstk_thread *t)
{
    if (lstk__slow(lstk__smp)) {
        lstk__smp_ready(s, t, 0);
        return;
    }
    t->state = LSTK__T_RUNNABLE;
    lstk__q_push(&s->runq, t);
}

/* A wake-up of T (mutex hand-off, signal, join): as lstk__sched_ready
   with one scheduler; with N > 1, T runs next on S (runnext). */
static inline void lstk__sched_wake(struct lstk__sched *s,
                                    struct lstk_thread *t)
{
    if (lstk__slow(lstk__smp)) {
        lstk__smp_ready(s, t, 1);
        return;
    }
    t->state = LSTK__T_RUNNABLE;
    lstk__q_push(&s->runq, t);
}

/* Blocks the current thread, whose state and queues the caller has set,
   until something makes it runnable; runs the other threads meanwhile.
   Returns the wait's wait_rc (0 or ETIMEDOUT). */
LSTK__HIDDEN int lstk__sched_block(struct lstk__sched *s);

/* lstk_yield for the current thread of S. */
LSTK__HIDDEN void lstk__sched_yield(struct lstk__sched *s);

/* The next thread to run: the run queue's head, else waits (on a big
   stack) for a timer or the idle hook.  Fatal when nothing can ever run. */
LSTK__HIDDEN struct lstk_thread *lstk__sched_next(struct lstk__sched *s);

/* Takes a TCB (EAGAIN-worthy NULL when out of memory); big stack only. */
LSTK__HIDDEN struct lstk_thread *lstk__tcb_alloc(struct lstk__sched *s);
/* Returns T's TCB to the free list. */
static inline void lstk__tcb_free(struct lstk__sched *s, struct lstk_thread *t)
{
    t->state = LSTK__T_FREE;
    t->next = s->tcb_free;
    s->tcb_free = t;
}

/* --- threads (thread.c) -------------------------------------------------- */

/* Ends the current thread T with RESULT (from lstk__thread_entry and
   lstk_exit): key destructors, then lstk__ctx_exit. */
LSTK__HIDDEN noreturn void lstk__thread_finish(struct lstk_thread *t,
                                               void *result);

/* --- timers (timer.c) ---------------------------------------------------- */

/* CLOCK_MONOTONIC in ns (vDSO: no syscall). */
static inline uint64_t lstk__now_ns(void)
{
    struct timespec ts;
    LSTK__REAL(clock_gettime)(CLOCK_MONOTONIC, &ts); /* [issue 12] libc's */
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Arms T's timer for WHEN.  Returns 0 or ENOMEM (heap could not grow). */
LSTK__HIDDEN int lstk__timer_add(struct lstk__sched *s, struct lstk_thread *t,
                                 uint64_t when);
/* Disarms T's timer if armed. */
LSTK__HIDDEN void lstk__timer_cancel(struct lstk__sched *s,
                                     struct lstk_thread *t);
/* Fires every timer due at NOW: unlinks the thread from its wait queue,
   sets wait_rc = ETIMEDOUT when it was in one, makes it runnable. */
LSTK__HIDDEN void lstk__timers_expire(struct lstk__sched *s, uint64_t now);

/* --- keys (key.c) -------------------------------------------------------- */

/* Runs T's key destructors (on T's stack: they are user code). */
LSTK__HIDDEN void lstk__keys_run_dtors(struct lstk_thread *t);
/* Frees T's key table; big stack only. */
LSTK__HIDDEN void lstk__keys_free(struct lstk_thread *t);

/* --- AddressSanitizer, ThreadSanitizer (sanitizer.c) [issue 12] --------- */
/* Each only when lstk__san (rt/stack/stack.h) is set.  Just before the
   switch from FROM to TO (any stack: they move to a big one). */
LSTK__HIDDEN void lstk__san_switch(struct lstk_thread *from,
                                   struct lstk_thread *to);
/* Just before the switch from the finished thread DEAD to NEXT. */
LSTK__HIDDEN void lstk__san_exit(struct lstk_thread *dead,
                                 struct lstk_thread *next);
/* A new thread T, by its creator (on a big stack). */
LSTK__HIDDEN void lstk__san_thread_new(struct lstk_thread *t);
/* TSan: the current thread acquires / releases OBJ (any stack). */
LSTK__HIDDEN void lstk__san_acquire(const void *obj);
LSTK__HIDDEN void lstk__san_release(const void *obj);

#endif /* !__ASSEMBLER__ */
#endif /* LSTK_THREAD_H */
