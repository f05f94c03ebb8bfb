/*
 * valgrind.c: tells Valgrind (memcheck) which memory is a stack, so that
 * it takes a move of rsp into another chunk for what it is: a stack
 * switch, not a huge frame (issue 12).
 *
 * Memcheck follows rsp: when it goes down, the bytes passed are marked
 * undefined; when it goes up, inaccessible.  A jump of rsp by less than
 * --max-stackframe (2 MiB) looks like a frame, so without help every
 * __morestack, every thread switch and every call onto the system stack
 * would mark the chunks in between (their headers, other threads' frames)
 * undefined or inaccessible: the false reports in lstk__chunk_verify and
 * lstk__grow_slow.  Memcheck treats a move of rsp into a different
 * registered stack as a switch and leaves memory alone, so every stack
 * the runtime makes is registered once, when its memory is made:
 *
 *   - ordinary chunks when they are carved from an arena (lstk__chunk_alloc,
 *     lstk__arena_refill); a chunk taken again from a free list was
 *     registered when it was carved, and arenas are never unmapped, so the
 *     hot reuse path has no hook at all;
 *   - huge chunks and guarded chunks when mapped, deregistered when
 *     unmapped (the stack id is kept in the header's spare word);
 *   - the system stack and the sigaltstack when mapped (lstk__map_guarded);
 *   - the OS thread's own stack, at its set-up, when under Valgrind: a
 *     pthread's stack is not registered by Valgrind itself, and a move
 *     back from a chunk to an unregistered stack would again look like a
 *     frame.
 *
 * A stack is registered as (lo + 8 .. top], top included: rsp is exactly
 * at the top of a chunk when code is started there (lstk__call_on), and a
 * chunk carved right above in the same arena starts at that address; its
 * header's first bytes are never a stack pointer, so the ranges never
 * overlap.
 *
 * Memcheck also coalesces "rsp = X; rsp -= N" into one move when no memory
 * access lies between: then the N bytes above the new rsp, on the system
 * stack, stay as the last frames there left them (inaccessible), and
 * __morestack's stores into its save area would be reported.  So its two
 * landings on the system stack load the guard between the two steps
 * (rt/stack/x86_64/morestack_*.S): a switch, then a frame memcheck makes
 * addressable.
 *
 * Cost: the client requests are Valgrind's "special instruction" sequence,
 * a few rotates of rdi and an xchg that do nothing outside Valgrind, and
 * they run only where a stack's memory is made (a carve from an arena, an
 * mmap), never when a chunk is reused, entered or left.  Without
 * <valgrind/valgrind.h> at configure time (HAVE_VALGRIND_VALGRIND_H) this
 * file compiles to empty functions.
 */
#define _GNU_SOURCE
#include "config.h"

#include <pthread.h>
#include <stdint.h>

#include "stack/stack.h"

#if HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>

unsigned lstk__vg_stack_new(void *lo, size_t size)
{
    return VALGRIND_STACK_REGISTER((char *)lo + 8, (char *)lo + size);
}

void lstk__vg_stack_gone(unsigned id)
{
    VALGRIND_STACK_DEREGISTER(id);
}

void lstk__vg_os_thread(void)
{
    pthread_attr_t a;
    void *lo;
    size_t size;

    if (!RUNNING_ON_VALGRIND || pthread_getattr_np(pthread_self(), &a) != 0)
        return;
    if (pthread_attr_getstack(&a, &lo, &size) == 0)
        lstk__vg_stack_new(lo, size);
    pthread_attr_destroy(&a);
}

#else

unsigned lstk__vg_stack_new(void *lo, size_t size)
{
    (void)lo;
    (void)size;
    return 0;
}

void lstk__vg_stack_gone(unsigned id)
{
    (void)id;
}

void lstk__vg_os_thread(void)
{
}

#endif
