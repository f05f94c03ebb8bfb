/*
 * sanitizer.c: tells AddressSanitizer where the stack is, and
 * ThreadSanitizer who used a chunk before (issue 12).  The thread layer's
 * half (switches, thread life, synchronisation) is rt/thread/sanitizer.c.
 *
 * Detection.  At start-up (lstk__global_init, before the first chunk) weak
 * references to __asan_init and __tsan_init say whether the program was
 * linked with libasan or libtsan.  Without them every hook is one
 * predictable branch on lstk__san, a read-mostly byte, on slow paths and
 * in the chunk allocator; __morestack's fast halves have none.  The
 * sanitizer functions are weak references, never called then.
 *
 * AddressSanitizer knows one stack per OS thread: [bottom, top) from its
 * fiber API.  __asan_handle_no_return (before every longjmp, throw,
 * lstk_exit) clears the shadow from the current sp to that top, and gives
 * up with "ASan is ignoring requested __asan_handle_no_return" when sp is
 * not just below it; error reports use it to name the frame of a stack
 * address.  So the runtime announces the chunk rsp is in as the stack
 * (__sanitizer_start_switch_fiber + __sanitizer_finish_switch_fiber, the
 * fake stack kept) at every move between chunks.  Under ASan no chunk
 * keeps a cached successor while code runs on it:
 *   - a return frees the chunk it leaves (lstk__san_returned) instead of
 *     caching it, and every return takes __morestack's slow half because
 *     every chunk carries lstk__dyn_sentinel (as in debug mode);
 *   - so every growth finds no cached chunk and takes the slow half too,
 *     whose lstk__grow_slow announces the new chunk (lstk__san_entered);
 *   - an exception leaving a chunk (the landing pad, which still runs on
 *     it) unlinks it and frees it at the next slow call (one chunk per OS
 *     thread waits: lstk__san_dropped); a longjmp across chunks frees the
 *     one lstk__unwind_to keeps; both announce where they land;
 *   - lstk_stack_run (stack.c) and thread switches (rt/thread/sanitizer.c)
 *     announce the stack they move to.
 * Shadow left behind: a frame left by a jump or an exception keeps its
 * redzones' poison, which a later frame at the same address would hit.
 * ASan itself clears from the throwing frame to the top of its stack; the
 * runtime does the same for the chunks in between: a chunk taken from the
 * pool is cleared whole (lstk__san_chunk_new), and so is the chunk a jump
 * or an exception lands on.  Clearing the chunk a handler lands on also
 * clears its live frames' redzones: the detection lost is what ASan loses
 * on a contiguous stack above the throw.
 *
 * ThreadSanitizer sees each user-level thread as a fiber whose switches do
 * not synchronise (rt/thread/sanitizer.c).  A chunk that one thread gives
 * back and another takes held the first one's frames: the free releases
 * the chunk's address and the allocation acquires it, as malloc does for
 * heap memory, or every reuse would be reported as a race.
 *
 * Where the hooks run: libasan and libtsan functions need more stack than
 * a chunk's reserve, so the hooks run on the system stack (the growth
 * path's slow halves are there already) or through lstk__on_sys.
 */
#define _GNU_SOURCE
#include "config.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "stack/stack.h"

/* The sanitizer interfaces (<sanitizer/common_interface_defs.h>,
   <sanitizer/asan_interface.h>, <sanitizer/tsan_interface.h>), weak: the
   runtime is built without -fsanitize and must load without them. */
extern void __asan_init(void) __attribute__((weak));
extern void __tsan_init(void) __attribute__((weak));
extern void __sanitizer_start_switch_fiber(void **fake_stack_save,
                                           const void *bottom, size_t size)
    __attribute__((weak));
extern void __sanitizer_finish_switch_fiber(void *fake_stack_save,
                                            const void **bottom_old,
                                            size_t *size_old)
    __attribute__((weak));
extern void __asan_unpoison_memory_region(void const volatile *addr,
                                          size_t size) __attribute__((weak));
extern void __tsan_acquire(void *addr) __attribute__((weak));
extern void __tsan_release(void *addr) __attribute__((weak));
extern void *__tsan_create_fiber(unsigned flags) __attribute__((weak));
extern void __tsan_switch_to_fiber(void *fiber, unsigned flags)
    __attribute__((weak));

unsigned char lstk__san;

/* The OS thread's own stack (main's, a pthread's): what ASan is told when
   code runs there again (guard 0). */
static __thread uintptr_t lstk__san_os_lo
    __attribute__((tls_model("initial-exec")));
static __thread uintptr_t lstk__san_os_hi
    __attribute__((tls_model("initial-exec")));

void lstk__san_init(void)
{
    if (&__asan_init != NULL) {
        if (&__sanitizer_start_switch_fiber != NULL &&
            &__asan_unpoison_memory_region != NULL)
            lstk__san = LSTK__SAN_ASAN;
        else
            lstk__notice("this AddressSanitizer has no fiber API: linked "
                         "stacks are not announced, expect false reports");
    } else if (&__tsan_init != NULL) {
        if (&__tsan_create_fiber != NULL && &__tsan_switch_to_fiber != NULL &&
            &__tsan_acquire != NULL)
            lstk__san = LSTK__SAN_TSAN;
        else
            lstk__notice("this ThreadSanitizer has no fiber API: linkstack "
                         "threads look like one thread to it");
    }
}

void lstk__san_os_thread(void)
{
    pthread_attr_t a;
    void *lo;
    size_t size;

    if (!(lstk__san & LSTK__SAN_ASAN) ||
        pthread_getattr_np(pthread_self(), &a) != 0)
        return;
    if (pthread_attr_getstack(&a, &lo, &size) == 0) {
        lstk__san_os_lo = (uintptr_t)lo;
        lstk__san_os_hi = (uintptr_t)lo + size;
    }
    pthread_attr_destroy(&a);
}

void lstk__san_bounds(uintptr_t guard, const void **bottom, size_t *size)
{
    if (guard != 0) {
        const struct lstk__chunk *c = lstk__guard_chunk(guard);
        *bottom = c;
        *size = c->size;
    } else {
        *bottom = (const void *)lstk__san_os_lo;
        *size = lstk__san_os_hi - lstk__san_os_lo;
    }
}

/* ASan: the stack is now the chunk GUARD describes (0: the OS thread's). */
static void lstk__asan_announce(uintptr_t guard)
{
    const void *bottom;
    size_t size;
    void *fake = NULL;

    lstk__san_bounds(guard, &bottom, &size);
    __sanitizer_start_switch_fiber(&fake, bottom, size);
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
}

static void lstk__asan_clear(const struct lstk__chunk *c)
{
    __asan_unpoison_memory_region(c, c->size);
}

void lstk__san_chunk_new(struct lstk__chunk *c)
{
    if (lstk__san & LSTK__SAN_ASAN) {
        /* Every return from it takes __morestack's slow half.  A guarded
           chunk got it in its read-only header (guarded.c). */
        if (!lstk__chunk_guarded(c))
            c->dyn = &lstk__dyn_sentinel;
        lstk__asan_clear(c);
    } else {
        __tsan_acquire(c);
    }
}

void lstk__san_chunk_gone(struct lstk__chunk *c)
{
    if (lstk__san & LSTK__SAN_TSAN)
        __tsan_release(c);
}

/* Runs FN(ARG) off the chunks: here when already on the system stack (the
   growth path's slow halves), else through lstk__on_sys.  Never re-enters
   the system stack.  The size is chunk.c's LSTK__SYS_STACK_SIZE; any
   bound between it and the top works, as no chunk lies in between. */
static void lstk__san_off_chunk(void *(*fn)(void *), void *arg)
{
    uintptr_t sp = (uintptr_t)__builtin_frame_address(0);
    uintptr_t top = (uintptr_t)lstk__pool.sys_top;

    if (sp < top && sp > top - (256u << 10))
        fn(arg);
    else
        lstk__on_sys(fn, arg);
}

/* ASan: a chunk an exception left, unlinked from its stack, to be freed
   once nothing runs on it (the next growth, exception or jump on this OS
   thread). */
static __thread struct lstk__chunk *lstk__san_dropped
    __attribute__((tls_model("initial-exec")));

static void lstk__san_flush(void)
{
    struct lstk__chunk *c = lstk__san_dropped;

    if (c != NULL) {
        lstk__san_dropped = NULL;
        lstk__chunk_free(c);
    }
}

/* C, just left, stops being its predecessor's cached chunk. */
static void lstk__san_uncache(struct lstk__chunk *c)
{
    LSTK__HDR_SET(c->prev, next, NULL);
    c->stack->held_bytes -= c->size;
}

static void *lstk__san_announce_sys(void *arg)
{
    lstk__asan_announce((uintptr_t)arg);
    return NULL;
}

/* The chunk GUARD describes is where a jump or an exception lands: clear
   it whole (the frames below the landing one are gone), free the chunk it
   still caches (lstk__unwind_to keeps one) and announce it. */
static void *lstk__san_landed_sys(void *arg)
{
    uintptr_t guard = (uintptr_t)arg;

    if (guard != 0) {
        struct lstk__chunk *t = lstk__guard_chunk(guard);
        if (t->next != NULL) {
            lstk__chunk_free_chain(t->next);
            LSTK__HDR_SET(t, next, NULL);
        }
        lstk__asan_clear(t);
    }
    lstk__asan_announce(guard);
    return NULL;
}

void lstk__san_entered(struct lstk__chunk *c)
{
    if (!(lstk__san & LSTK__SAN_ASAN))
        return;
    lstk__san_flush(); /* growth: nothing runs on a dropped chunk now */
    lstk__san_off_chunk(lstk__san_announce_sys, (void *)lstk__chunk_guard(c));
}

void lstk__san_back(uintptr_t guard)
{
    if (lstk__san & LSTK__SAN_ASAN)
        lstk__san_off_chunk(lstk__san_announce_sys, (void *)guard);
}

void lstk__san_landed(uintptr_t guard)
{
    if (lstk__san & LSTK__SAN_ASAN)
        lstk__san_off_chunk(lstk__san_landed_sys, (void *)guard);
}

/* On the system stack (__morestack's .Lrelease_slow): nothing touches C
   after this, __morestack goes back to the predecessor's frame. */
void lstk__san_returned(struct lstk__chunk *c)
{
    uintptr_t guard = lstk__chunk_guard(c->prev);

    if (!(lstk__san & LSTK__SAN_ASAN))
        return;
    lstk__san_uncache(c);
    lstk__chunk_free(c);
    lstk__asan_announce(guard);
}

static void *lstk__san_unwound_sys(void *arg)
{
    struct lstk__chunk *c = arg;
    uintptr_t guard = lstk__chunk_guard(c->prev);

    lstk__san_uncache(c);
    lstk__san_flush(); /* the one dropped before: left, we run on C */
    lstk__san_dropped = c;
    return lstk__san_landed_sys((void *)guard);
}

/* The landing pad runs on C, and _Unwind_Resume will: C is unlinked now,
   freed later. */
void lstk__san_unwound(struct lstk__chunk *c)
{
    if (lstk__san & LSTK__SAN_ASAN)
        lstk__on_sys(lstk__san_unwound_sys, c);
}
