/*
 * stack.c: linked stacks as objects, and lstk_stack_run.
 *
 * A stack is its base chunk plus whatever the growth path links to it.
 * The struct lives in its owner (lstk_stack_run's frame, a thread's control
 * block), so making a stack allocates exactly one chunk, from the pool.
 */
#include "config.h"

#include <errno.h>

#include "stack/stack.h"

int lstk__stack_init(struct lstk__stack *stack, size_t first)
{
    if (first == 0)
        first = LSTK_STACK_DEFAULT;
    if (first < LSTK_STACK_MIN)
        return EINVAL;
    int rc = lstk__os_thread_init();
    if (rc != 0)
        return rc;
    struct lstk__chunk *c = lstk__chunk_alloc(first, stack);
    if (c == NULL)
        return ENOMEM;
    stack->base = c;
    stack->peak_bytes = c->size;
    stack->held_bytes = c->size;
    struct lstk__pool *p = &lstk__pool;
    if (++p->stacks_live > p->stacks_peak)
        p->stacks_peak = p->stacks_live;
    return 0;
}

void lstk__stack_term(struct lstk__stack *stack)
{
    /* The base chunk and the chain it caches; chunk_free checks each
       canary, so an overflow that went unnoticed is reported here. */
    lstk__chunk_free_chain(stack->base);
    stack->base = NULL;
    lstk__pool.stacks_live--;
}

/* lstk_stack_run's work, in pieces that can run on the system stack when
   the caller is itself on a nearly full chunk. */
struct lstk__run {
    struct lstk__stack stack;
    size_t first;
    int rc;
    uintptr_t guard; /* [issue 12] the caller's */
};

static void *lstk__run_init(void *arg)
{
    struct lstk__run *r = arg;
    r->rc = lstk__stack_init(&r->stack, r->first);
    if (lstk__slow(lstk__san) && r->rc == 0) /* [issue 12] */
        lstk__san_entered(r->stack.base);
    return NULL;
}

static void *lstk__run_term(void *arg)
{
    lstk__stack_term(&((struct lstk__run *)arg)->stack);
    if (lstk__slow(lstk__san)) /* [issue 12] back on the caller's stack */
        lstk__san_back(((struct lstk__run *)arg)->guard);
    return NULL;
}

int lstk_stack_run(size_t first_chunk, void *(*fn)(void *), void *arg,
                   void **result)
{
    struct lstk__run r = { .first = first_chunk, .guard = lstk__guard_get() };

    if (fn == NULL)
        return EINVAL;
    /* Off linked stacks (guard 0) there is room to do the set-up here. */
    /* [issue 9, C3] A guard before any stack of ours is libgcc's. */
    if (lstk__slow(!lstk__pool.ready) && lstk__guard_get() != 0)
        lstk__os_thread_init();
    int nested = lstk__guard_get() != 0;
    if (nested)
        lstk__on_sys(lstk__run_init, &r);
    else
        lstk__run_init(&r);
    if (r.rc != 0)
        return r.rc;
    void *ret = lstk__call_on(lstk__stack_top(&r.stack),
                              lstk__stack_guard0(&r.stack), fn, arg);
    if (nested)
        lstk__on_sys(lstk__run_term, &r);
    else
        lstk__run_term(&r);
    if (result != NULL)
        *result = ret;
    return 0;
}
