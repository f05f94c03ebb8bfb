/*
 * grow.c: the slow halves of the growth path, and what jumps leave behind.
 *
 * __morestack (arch/x86_64/morestack_*.S) handles the common cases in
 * registers; it calls into this file, on the OS thread's system stack, only
 * when it must allocate or free: no cached chunk or one too small, a chunk
 * that caches another or holds heap blocks, a broken canary.  Everything
 * here runs with the guard of the linked stack still in place but on the
 * system stack, so none of it can re-enter the growth path.
 *
 * Chunk sizes follow the need, not a doubling.  A new chunk holds the
 * request that failed (r10 + r11 + slack: the frame, its stack arguments,
 * and what the plugin knows lies below it before the next check) above its
 * guard, plus headroom for the frames that will follow:
 *   - the first growth of a stack: LSTK__GROW_FIRST (640) bytes.  A thread
 *     that overflows its first chunk by a little (the usual case: a few
 *     frames deeper than the 1 KiB) links one small chunk.  Chosen by
 *     measurement: 512 to 1536 tried, 640 holds examples/million at 4 KiB
 *     (512: 5.5) and keeps the worst held / (1.5 x live + 1 KiB) of
 *     threads blocked under 40- to 200-byte frames at 1.36 (512: 1.36,
 *     1024: 1.46);
 *   - every later growth: a quarter of the bytes the stack already holds,
 *     at least LSTK__GROW_MIN (768) and at least the request again.  A
 *     stack that keeps growing (unbounded recursion) so takes chunks 1.25x
 *     as large each time, up to 1 MiB: O(log depth) boundaries, then one
 *     per megabyte, as with doubling (the growth figure), while what it
 *     holds beyond its live depth stays about a quarter, not a half.
 * Each boundary leaves the header and most of R unused in the chunk it
 * left (about 400 bytes); the headroom is what makes that a small share.
 * A first growth at a site where earlier chains went deeper takes instead
 * the one chunk those chains would have needed (fit.c, issue 10): threads
 * that block at one place then cross one boundary, not several.
 * The size is rounded up to the allocator's class (at most 1/8 more).
 *
 * At most one chunk stays cached below the current one.  A deep recursion
 * that returns frees all but one, so memory follows the current depth,
 * not the peak; a loop crossing one boundary reuses the cached chunk.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "stack/stack.h"

/* Headroom of a stack's first growth and the least of the later ones. */
#define LSTK__GROW_FIRST 640u
#define LSTK__GROW_MIN 768u
/* The largest chunk the headroom may make (bigger frames still get a
   chunk that fits them): 1 MiB, as the doubling had.  Measured on
   bench/growth's warm 10,000,000-level descent: with a 64 KiB cap every
   descent allocates 17,198 chunks instead of 1,096 and spends ~1.6x the
   user time.  Issue 9 routes a chunk above its G' (64 KiB) to a guarded
   chunk (no ordinary chunk may offer G' above its guard). */
#define LSTK__GROW_MAX LSTK__CHUNK_MAX

/* A heap block handed out for an alloca/VLA that did not fit the chunk. */
struct lstk__dynblock {
    /* The next older block of the same chunk. */
    struct lstk__dynblock *next;
    /* Stack pointer of the frame that asked: when a later request comes
       from a frame above it (a higher sp), that frame has returned. */
    uintptr_t sp;
};

/* [plugin/issue 4, debug mode] A block no frame owns (sp = UINTPTR_MAX:
   lstk__dyn_free_below never frees it) that debug.c puts on every chunk's
   list, so that each release takes the slow path and is verified. */
struct lstk__dynblock lstk__dyn_sentinel = { NULL, UINTPTR_MAX };

void lstk__chunk_free_chain(struct lstk__chunk *c)
{
    while (c != NULL) {
        struct lstk__chunk *next = c->next;
        c->stack->held_bytes -= c->size;
        lstk__chunk_free(c);
        c = next;
    }
}

/* The size of the chunk to link after CUR for a request of NEED bytes
   above the guard (see the top of this file). */
static size_t lstk__grow_size(const struct lstk__chunk *cur, size_t need)
{
    const struct lstk__stack *stack = cur->stack;
    size_t want = need + LSTK__GUARD_OFFSET, extra;

    if (cur == stack->base) {
        extra = LSTK__GROW_FIRST;
    } else {
        extra = (size_t)stack->held_bytes / 4;
        if (extra < LSTK__GROW_MIN)
            extra = LSTK__GROW_MIN;
        if (extra < need)
            extra = need;
    }
    /* Requests that already fill the largest chunk get no headroom. */
    if (want + extra > LSTK__GROW_MAX)
        extra = want >= LSTK__GROW_MAX ? 0 : LSTK__GROW_MAX - want;
    return want + extra;
}

struct lstk__chunk *lstk__grow_slow(struct lstk__chunk *cur, size_t need,
                                    void *ra, uintptr_t from)
{
    struct lstk__stack *stack = cur->stack;

    lstk__chunk_verify(cur);
    if (lstk__debug_zone) /* [plugin/issue 4, debug mode] */
        lstk__debug_chunk_check(cur, "a growth");
    if (need + LSTK__GUARD_OFFSET < need)
        lstk__fatal("a frame of %zu bytes cannot be allocated (stack %p, "
                    "called from %p)", need, stack, ra);
    /* A cached chunk that is too small for this frame goes back. */
    if (cur->next != NULL) {
        lstk__chunk_free_chain(cur->next);
        LSTK__HDR_SET(cur, next, NULL);
    }
    size_t want = lstk__grow_size(cur, need);
    if (cur == stack->base) { /* [issue 10] a size learned at this site */
        size_t fit = lstk__fit_lookup((uintptr_t)ra);
        if (fit > want)
            want = fit;
    } else {
        lstk__fit_observe(cur, need, from);
    }
    struct lstk__chunk *n = want > LSTK__UNGUARDED_MAX /* [issue 9] */
                                ? lstk__guarded_alloc(want, stack, cur)
                                : lstk__chunk_alloc(want, stack);
    if (n == NULL)
        lstk__fatal("out of memory for a stack chunk of %zu bytes (frame "
                    "needs %zu) on stack %p, %zu bytes deep, called from %p",
                    want, need, stack, (size_t)stack->held_bytes, ra);
    LSTK__HDR_SET(n, prev, cur);
    LSTK__HDR_SET(cur, next, n);
    if (cur == stack->base)
        lstk__fit_mark(n, (uintptr_t)ra);
    stack->held_bytes += n->size;
    if (stack->held_bytes > stack->peak_bytes)
        stack->peak_bytes = stack->held_bytes;
    if (lstk__slow(lstk__san)) /* [issue 12] ASan: the stack is N now */
        lstk__san_entered(n);
    return n;
}

/* What a return and an exception leaving C have in common. */
static uintptr_t lstk__release(struct lstk__chunk *c)
{
    lstk__chunk_verify(c);
    if (lstk__debug_zone) /* [plugin/issue 4, debug mode] */
        lstk__debug_chunk_check(c, "a return");
    if (c->next != NULL) {
        lstk__chunk_free_chain(c->next);
        LSTK__HDR_SET(c, next, NULL);
    }
    if (c->dyn != NULL)
        lstk__dyn_free_all(c);
    return lstk__chunk_guard(c->prev);
}

uintptr_t lstk__release_slow(struct lstk__chunk *c)
{
    uintptr_t guard = lstk__release(c);

    if (lstk__slow(lstk__san)) /* [issue 12] ASan: C is not kept */
        lstk__san_returned(c);
    return guard;
}

/* __morestack's landing pad: an exception leaves C (still running on it). */
uintptr_t lstk__release_unwind(struct lstk__chunk *c)
{
    uintptr_t guard = lstk__release(c);

    if (lstk__slow(lstk__san)) /* [issue 12] ASan: C is not kept */
        lstk__san_unwound(c);
    return guard;
}

/* Frees C's heap blocks that belong to frames below SP (returned ones). */
static void lstk__dyn_free_below(struct lstk__chunk *c, uintptr_t sp)
{
    while (c->dyn != NULL && c->dyn->sp < sp) {
        struct lstk__dynblock *b = c->dyn;
        LSTK__HDR_SET(c, dyn, b->next);
        free(b);
    }
}

void lstk__dyn_free_all(struct lstk__chunk *c)
{
    lstk__dyn_free_below(c, UINTPTR_MAX);
}

/*
 * __morestack_allocate_stack_space's body.  The block is tied to the
 * current chunk and freed when the chunk is left, when the stack ends, or
 * when a later request comes from a frame above the one that asked.  A
 * function that takes this path and is called again and again from the
 * same frame keeps its blocks until that frame's chunk is left (as with
 * libgcc): the compiler tells the runtime nothing when a VLA dies.
 */
void *lstk__dyn_alloc(size_t size, void *caller_sp)
{
    uintptr_t guard = lstk__guard_get();
    struct lstk__chunk *c = lstk__guard_chunk(guard);

    lstk__chunk_verify(c);
    lstk__dyn_free_below(c, (uintptr_t)caller_sp);
    size_t total = sizeof(struct lstk__dynblock) + size;
    struct lstk__dynblock *b = total < size ? NULL : aligned_alloc(16, (total + 15) & ~(size_t)15);
    if (b == NULL)
        lstk__fatal("out of memory for a %zu-byte alloca/VLA block on stack "
                    "%p (chunk %p of %zu bytes)", size, c->stack, c,
                    c->size);
    b->sp = (uintptr_t)caller_sp;
    b->next = c->dyn;
    LSTK__HDR_SET(c, dyn, b);
    return b + 1;
}

_Static_assert(sizeof(struct lstk__dynblock) % 16 == 0, "block alignment");

noreturn void lstk__chunk_corrupt(const struct lstk__chunk *c)
{
    lstk__fatal("corrupted stack chunk %p (canary %p, size %zu, stack %p): "
                "a frame wrote below its chunk's reserve of %zu bytes",
                c, (void *)(uintptr_t)c->canary, c->size, c->stack,
                (size_t)LSTK__RESERVE);
}

static inline int lstk__chunk_holds(const struct lstk__chunk *c, uintptr_t sp)
{
    return sp > (uintptr_t)c + LSTK__CHUNK_HDR && sp <= (uintptr_t)c + c->size;
}

uintptr_t lstk__unwind_to(uintptr_t guard, uintptr_t sp)
{
    struct lstk__chunk *cur = lstk__guard_chunk(guard);
    struct lstk__chunk *t = cur;

    /* O(chunks between the two frames): a jump is never a hot path. */
    while (t != NULL && !lstk__chunk_holds(t, sp))
        t = t->prev;
    if (t == NULL)
        lstk__fatal("longjmp from linked stack %p to sp %p, which is not on "
                    "it: jumps between stacks or out of lstk_stack_run are "
                    "not supported", cur->stack, (void *)sp);
    if (t != cur) {
        /* t -> e -> ... -> cur (-> cached): keep e cached, free the rest. */
        struct lstk__chunk *e = t->next;
        if (e->next != NULL) {
            lstk__chunk_free_chain(e->next);
            LSTK__HDR_SET(e, next, NULL);
        }
        if (e->dyn != NULL)
            lstk__dyn_free_all(e);
    }
    lstk__dyn_free_below(t, sp);
    return lstk__chunk_guard(t);
}
