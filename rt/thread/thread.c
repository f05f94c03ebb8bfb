/*
 * thread.c: thread life cycle (create, join, detach, exit), attributes,
 * identity and the per-thread stack high-water mark.
 *
 * Life of a thread:
 *   create   TCB from the free list, first chunk from the chunk pool, a
 *            hand-built switch frame on top of the chunk whose return
 *            address is lstk__thread_entry; queued at the run queue's tail.
 *   run      the first switch to it "returns" into lstk__thread_entry,
 *            which calls FN(ARG) on the base chunk with the chunk's guard.
 *   exit     FN returns (or lstk_exit): key destructors on its own stack,
 *            then lstk__ctx_exit moves to the system stack, where
 *            thread_reap (sched.c) frees the chunks and picks the next
 *            thread.  A joinable thread keeps only its TCB (FINISHED).
 *   join     takes the result and returns the TCB to the free list.
 *
 * Why create/exit/join are fast: no syscall, no malloc when the pools have
 * room (two free-list pops on create, two pushes on exit/join), and the
 * new thread's first run is an ordinary switch.  From a thread on a small
 * chunk, create runs on the system stack (it may have to map memory).
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <string.h>
#include <xmmintrin.h>

#include "stack/stack.h"
#include "thread/graph.h"
#include "thread/thread.h"

#define LSTK__ATTR_MAGIC 0x6c73746bu /* "lstk" */

/* --- attributes ----------------------------------------------------------- */

LSTK_EXPORT int lstk_attr_init(lstk_attr_t *attr)
{
    if (!attr)
        return EINVAL;
    memset(attr, 0, sizeof *attr);
    attr->_lstk_stacksize = LSTK_STACK_DEFAULT;
    attr->_lstk_detachstate = LSTK_CREATE_JOINABLE;
    attr->_lstk_magic = LSTK__ATTR_MAGIC;
    return 0;
}

LSTK_EXPORT int lstk_attr_destroy(lstk_attr_t *attr)
{
    if (!attr || attr->_lstk_magic != LSTK__ATTR_MAGIC)
        return EINVAL;
    attr->_lstk_magic = 0;
    return 0;
}

LSTK_EXPORT int lstk_attr_setstacksize(lstk_attr_t *attr, size_t size)
{
    if (!attr || attr->_lstk_magic != LSTK__ATTR_MAGIC || size < LSTK_STACK_MIN)
        return EINVAL;
    attr->_lstk_stacksize = size;
    return 0;
}

LSTK_EXPORT int lstk_attr_getstacksize(const lstk_attr_t *attr, size_t *size)
{
    if (!attr || !size || attr->_lstk_magic != LSTK__ATTR_MAGIC)
        return EINVAL;
    *size = attr->_lstk_stacksize;
    return 0;
}

LSTK_EXPORT int lstk_attr_setdetachstate(lstk_attr_t *attr, int state)
{
    if (!attr || attr->_lstk_magic != LSTK__ATTR_MAGIC ||
        (state != LSTK_CREATE_JOINABLE && state != LSTK_CREATE_DETACHED))
        return EINVAL;
    attr->_lstk_detachstate = state;
    return 0;
}

LSTK_EXPORT int lstk_attr_getdetachstate(const lstk_attr_t *attr, int *state)
{
    if (!attr || !state || attr->_lstk_magic != LSTK__ATTR_MAGIC)
        return EINVAL;
    *state = attr->_lstk_detachstate;
    return 0;
}

/* --- create ------------------------------------------------------------- */

struct create_req {
    struct lstk__sched *s;
    size_t size;
    void *(*fn)(void *);
    void *arg;
    struct lstk_thread *t;
    int detached;
};

/* The body of lstk_create, on a big stack (it may map memory). */
static void *create_big(void *arg)
{
    struct create_req *r = arg;
    struct lstk__sched *s = r->s;
    struct lstk_thread *t = lstk__tcb_alloc(s);
    struct lstk__ctx_frame *f;
    uint16_t cw;
    int rc;

    if (lstk__slow(t == NULL))
        return (void *)(intptr_t)EAGAIN;
    rc = lstk__stack_init(&t->stack, r->size);
    if (lstk__slow(rc != 0)) {
        lstk__tcb_free(s, t);
        return (void *)(intptr_t)(rc == ENOMEM ? EAGAIN : rc);
    }
    t->next = t->prev = NULL;
    t->sched = s;
    t->waitq = NULL;
    t->joiner = NULL;
    t->result = NULL;
    t->keys = NULL;
    t->heap_idx = 0;
    t->flags = r->detached ? LSTK__TF_DETACHED : 0;
    t->wait_rc = 0;
    t->waitlock = NULL;
    t->lock = 0;
    /* issue 11: ids and the live count are process-wide with N > 1. */
    if (lstk__slow(lstk__smp)) {
        t->id = __atomic_add_fetch(&lstk__scheds[0]->ids, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&lstk__smp_live, 1, __ATOMIC_RELAXED);
    } else {
        t->id = ++s->ids;
    }
    t->san = NULL;
    if (lstk__slow(lstk__san)) /* [issue 12] ASan, TSan: sanitizer.c */
        lstk__san_thread_new(t);

    /* The first context: as if the thread had called lstk__ctx_switch from
       lstk__thread_entry's first instruction with the top of its base
       chunk as stack pointer.  The FP control state is the creator's, as
       POSIX asks of pthread_create. */
    f = (struct lstk__ctx_frame *)((char *)lstk__stack_top(&t->stack) -
                                   LSTK__CTX_SIZE);
    __asm__("fnstcw %0" : "=m"(cw));
    f->guard = lstk__stack_guard0(&t->stack);
    f->mxcsr = (uint16_t)_mm_getcsr(); /* the upper half is reserved */
    f->x87cw = cw;
    f->err = 0;
    f->r15 = f->r14 = 0;
    f->r13 = (uint64_t)(uintptr_t)r->arg;
    f->r12 = (uint64_t)(uintptr_t)r->fn;
    f->rbx = (uint64_t)(uintptr_t)t;
    f->rbp = 0;
    f->rip = (uint64_t)(uintptr_t)lstk__thread_entry;
    t->sp = f;

    if (++lstk__pool.threads_live > lstk__pool.threads_peak)
        lstk__pool.threads_peak = lstk__pool.threads_live;
    lstk__sched_ready(s, t);
    r->t = t;
    return NULL;
}

LSTK_EXPORT int lstk_create(lstk_t *thread, const lstk_attr_t *attr,
                            void *(*fn)(void *), void *arg)
{
    struct create_req r;
    intptr_t rc;

    if (!thread || !fn)
        return EINVAL;
    r.size = LSTK_STACK_DEFAULT;
    r.detached = 0;
    if (attr) {
        if (attr->_lstk_magic != LSTK__ATTR_MAGIC)
            return EINVAL;
        r.size = attr->_lstk_stacksize;
        r.detached = attr->_lstk_detachstate == LSTK_CREATE_DETACHED;
    }
    r.s = lstk__sched_get();
    if (lstk__slow(r.s == NULL))
        return EPERM;
    r.fn = fn;
    r.arg = arg;
    rc = (intptr_t)lstk__on_big_stack(create_big, &r);
    if (rc)
        return (int)rc;
    *thread = r.t;
    return 0;
}

/* --- join, detach, exit ---------------------------------------------------- */

LSTK_EXPORT int lstk_join(lstk_t t, void **result)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    struct lstk__sched *s = lstk__sched_get();
    struct lstk_thread *self;

    if (lstk__slow(s == NULL))
        return EPERM;
    if (!t || t->state == LSTK__T_FREE)
        return ESRCH;
    self = s->current;
    if (t == self || self->joiner == t)
        return EDEADLK;
    /* issue 11: with N > 1, T may be exiting on another scheduler: its
       lock orders our look at its state against thread_reap's. */
    lstk__tlock(t);
    if ((t->flags & LSTK__TF_DETACHED) || t->joiner) {
        lstk__tunlock(t);
        return EINVAL;
    }
    if (t->state != LSTK__T_FINISHED) {
        t->joiner = self;
        self->state = LSTK__T_BLOCKED;
        lstk__tunlock(t);
        lstk__sched_block(s); /* thread_reap makes us runnable */
        s = self->sched;      /* issue 11: maybe another scheduler now */
    } else {
        lstk__tunlock(t);
    }
    if (lstk__slow(lstk__san)) /* [issue 12] TSan: its exit -> here */
        lstk__san_acquire(t);
    if (result)
        *result = t->result;
    if (!(t->flags & LSTK__TF_MAIN))
        lstk__tcb_free(s, t);
    return 0;
}

LSTK_EXPORT int lstk_detach(lstk_t t)
{
    struct lstk__sched *s = lstk__sched_get();

    if (lstk__slow(s == NULL))
        return EPERM;
    if (!t || t->state == LSTK__T_FREE)
        return ESRCH;
    if ((t->flags & LSTK__TF_DETACHED) || t->joiner)
        return EINVAL;
    if (t->flags & LSTK__TF_MAIN) {
        t->flags |= LSTK__TF_DETACHED;
        return 0;
    }
    lstk__tlock(t); /* issue 11: against thread_reap on another scheduler */
    if (t->state == LSTK__T_FINISHED) {
        lstk__tunlock(t);
        lstk__tcb_free(s, t);
    } else {
        t->flags |= LSTK__TF_DETACHED;
        lstk__tunlock(t);
    }
    return 0;
}

LSTK_EXPORT void lstk_exit(void *result)
{
    struct lstk__sched *s = lstk__sched_get();

    if (!s)
        lstk__fatal("lstk_exit called from a foreign thread");
    lstk__thread_finish(s->current, result);
}

LSTK_EXPORT lstk_t lstk_self(void)
{
    struct lstk__sched *s = lstk__sched_get();

    return s ? s->current : NULL;
}

LSTK_EXPORT int lstk_equal(lstk_t a, lstk_t b)
{
    return a == b;
}

/* The checks lstk_stack_peak and lstk_stack_usage share: 0 when T's
   stack may be read into OUT, or their documented error. */
static inline int lstk__stack_query_ok(lstk_t t, const void *out)
{
    if (lstk__slow(lstk__sched_get() == NULL))
        return EPERM;
    if (!out)
        return EINVAL;
    if (!t || t->state == LSTK__T_FREE)
        return ESRCH;
    if (t->flags & LSTK__TF_MAIN)
        return EINVAL;
    return 0;
}

LSTK_EXPORT int lstk_stack_peak(lstk_t t, size_t *out)
{
    int rc = lstk__stack_query_ok(t, out);

    if (rc != 0)
        return rc;
    *out = (size_t)t->stack.peak_bytes;
    return 0;
}

/* Bytes of chunk C above SP (C's top down to SP). */
static inline uint64_t lstk__used_above(const struct lstk__chunk *c,
                                        uintptr_t sp)
{
    uintptr_t top = (uintptr_t)c + c->size;
    return sp < top ? top - sp : 0;
}

/* Fills OUT's live_bytes and chunks for thread T: on each chunk, from its
   top down to where T left it, or to T's stack pointer (SP, the current
   one when T runs).  O(chunks of T): a query, not a hot path. */
static void lstk__stack_walk(const struct lstk_thread *t, uintptr_t sp,
                             lstk_stack_usage_t *out)
{
    int live = 1;

    if (t->state != LSTK__T_RUNNING)
        sp = (uintptr_t)t->sp;
    for (const struct lstk__chunk *c = t->stack.base; c; c = c->next) {
        out->chunks++;
        if (!live)
            continue; /* the cached chunk below the live ones */
        if (sp > (uintptr_t)c + LSTK__CHUNK_HDR && sp <= (uintptr_t)c + c->size) {
            out->live_bytes += lstk__used_above(c, sp);
            live = 0;
        } else if (c->next) {
            out->live_bytes += lstk__used_above(c, c->next->from);
        }
    }
}

LSTK_EXPORT int lstk_stack_usage(lstk_t t, lstk_stack_usage_t *out)
{
    int rc = lstk__stack_query_ok(t, out);

    if (rc != 0)
        return rc;
    memset(out, 0, sizeof *out);
    out->peak_bytes = t->stack.peak_bytes;
    out->held_bytes = t->stack.held_bytes;
    lstk__stack_walk(t, (uintptr_t)__builtin_frame_address(0), out);
    return 0;
}

/* lstk_stats' live depth (stack.h's hook): the live bytes of every thread
   of this OS thread's scheduler, found by walking its TCB arenas.
   O(threads): a query, never on a hot path. */
static uint64_t lstk__depth_hook_fn(void)
{
    struct lstk__sched *s = &lstk__sched_tls;
    lstk_stack_usage_t u = { 0 };
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);

    if (s->ready <= 0)
        return 0;
    for (char *a = s->tcb_arenas; a; a = ((struct lstk__tcb_arena *)a)->next) {
        char *end = ((struct lstk__tcb_arena *)a)->end;
        if (end == s->tcb_end)
            end = s->tcb_bump; /* the current arena: used up to the bump */
        for (char *p = a + sizeof(struct lstk_thread);
             p + sizeof(struct lstk_thread) <= end;
             p += sizeof(struct lstk_thread)) {
            const struct lstk_thread *t = (const struct lstk_thread *)p;
            if (t->state != LSTK__T_FREE && t->state != LSTK__T_FINISHED &&
                t->stack.base != NULL)
                lstk__stack_walk(t, sp, &u);
        }
    }
    return u.live_bytes;
}

__attribute__((constructor(LSTK__START_THREAD))) static void
lstk__depth_hook_start(void)
{
    lstk__depth_hook = lstk__depth_hook_fn;
}
