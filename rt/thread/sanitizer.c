/*
 * thread/sanitizer.c: user-level threads as AddressSanitizer and
 * ThreadSanitizer fibers (issue 12).  The stack layer's half (detection,
 * chunk crossings, chunk reuse) and the reasons are in rt/stack/sanitizer.c.
 *
 * Every switch (sched.c: sched_switch, lstk_yield; a thread's exit,
 * thread_reap) calls lstk__san_switch just before lstk__ctx_switch when
 * lstk__san is set: one predictable branch otherwise.  All of the work is
 * done there, by the leaving thread, on a big stack: the switch itself
 * returns into the resumed thread's caller (a tail call in lstk_yield), so
 * there is no code of ours to run on the other side.  Nothing instrumented
 * runs between the announcement and the switch.
 *
 *   ASan: the stack is now the chunk the resumed thread is on (its saved
 *   guard, in its switch frame), or the OS thread's own stack for main;
 *   the leaving thread's fake stack (detect_stack_use_after_return) is
 *   kept in its TCB (t->san) and given back when it resumes; a dying
 *   thread passes none, so ASan frees its fake stack.
 *
 *   TSan: each thread is a fiber (t->san; main's is the OS thread's own,
 *   recorded at its first switch), created with the thread and destroyed
 *   after its exit.  Switches do not synchronise
 *   (__tsan_switch_to_fiber_no_sync): on one OS thread every switch would
 *   otherwise order everything before it before everything after it, and
 *   no race between two threads could ever be seen.  The happens-before
 *   edges are the ones the API promises, as __tsan_release/__tsan_acquire
 *   on the object: mutex unlock -> lock, condition signal -> wake-up,
 *   once's routine -> every return from lstk_once, thread creation -> its
 *   first instruction, its exit -> the join (the TCB's address).
 */
#define _GNU_SOURCE
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "stack/stack.h"
#include "thread/thread.h"

/* <sanitizer/common_interface_defs.h>, <sanitizer/tsan_interface.h>;
   weak, as in rt/stack/sanitizer.c. */
extern void __sanitizer_start_switch_fiber(void **fake_stack_save,
                                           const void *bottom, size_t size)
    __attribute__((weak));
extern void __sanitizer_finish_switch_fiber(void *fake_stack_save,
                                            const void **bottom_old,
                                            size_t *size_old)
    __attribute__((weak));
extern void *__tsan_get_current_fiber(void) __attribute__((weak));
extern void *__tsan_create_fiber(unsigned flags) __attribute__((weak));
extern void __tsan_destroy_fiber(void *fiber) __attribute__((weak));
extern void __tsan_switch_to_fiber(void *fiber, unsigned flags)
    __attribute__((weak));
extern void __tsan_acquire(void *addr) __attribute__((weak));
extern void __tsan_release(void *addr) __attribute__((weak));

/* __tsan_switch_to_fiber_no_sync */
#define LSTK__TSAN_NO_SYNC 1u

struct lstk__san_sw {
    struct lstk_thread *from, *to;
    int dying;
};

static void *san_switch_big(void *arg)
{
    struct lstk__san_sw *w = arg;
    struct lstk_thread *from = w->from, *to = w->to;

    if (lstk__san & LSTK__SAN_ASAN) {
        const void *bottom;
        size_t size;
        /* The resumed thread's guard, saved in its switch frame. */
        uintptr_t guard = ((const struct lstk__ctx_frame *)to->sp)->guard;

        lstk__san_bounds(guard, &bottom, &size);
        __sanitizer_start_switch_fiber(w->dying ? NULL : &from->san, bottom,
                                       size);
        __sanitizer_finish_switch_fiber(to->san, NULL, NULL);
        to->san = NULL;
        return NULL;
    }
    if (from->san == NULL) /* main: the OS thread's own */
        from->san = __tsan_get_current_fiber();
    if (w->dying)
        __tsan_release(from); /* -> its join */
    __tsan_switch_to_fiber(to->san, LSTK__TSAN_NO_SYNC);
    __tsan_acquire(to); /* <- its creation (a no-op after that) */
    if (w->dying) {
        __tsan_destroy_fiber(from->san);
        from->san = NULL;
    }
    return NULL;
}

void lstk__san_switch(struct lstk_thread *from, struct lstk_thread *to)
{
    struct lstk__san_sw w = { from, to, 0 };

    lstk__on_big_stack(san_switch_big, &w);
}

void lstk__san_exit(struct lstk_thread *dead, struct lstk_thread *next)
{
    struct lstk__san_sw w = { dead, next, 1 };

    lstk__on_big_stack(san_switch_big, &w);
}

void lstk__san_thread_new(struct lstk_thread *t)
{
    t->san = NULL;
    if (lstk__san & LSTK__SAN_TSAN) {
        t->san = __tsan_create_fiber(0);
        __tsan_release(t); /* -> its first instruction */
    }
}

static void *san_acquire_big(void *obj)
{
    __tsan_acquire(obj);
    return NULL;
}

static void *san_release_big(void *obj)
{
    __tsan_release(obj);
    return NULL;
}

void lstk__san_acquire(const void *obj)
{
    if (lstk__san & LSTK__SAN_TSAN)
        lstk__on_big_stack(san_acquire_big, (void *)obj);
}

void lstk__san_release(const void *obj)
{
    if (lstk__san & LSTK__SAN_TSAN)
        lstk__on_big_stack(san_release_big, (void *)obj);
}
