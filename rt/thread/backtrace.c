/*
 * backtrace.c: the backtrace of a suspended thread, through libunwind.
 *
 * A suspended thread's registers are in its switch frame (rt/thread/thread.h):
 * that is all libunwind needs to start.  We fill a ucontext_t (libunwind's
 * unw_context_t on x86-64) with rip, rsp and the callee-saved registers
 * from the frame and unwind it locally: every frame above is the thread's
 * own code, with CFI, and chunk boundaries are crossed by the CFI of
 * __morestack (the frame that called into a new chunk).  The walk ends at
 * lstk__thread_entry, whose return address column is undefined.
 *
 * libunwind's cursor is about 1 KiB and unw_step uses several KiB more, so
 * the walk runs on a big stack (lstk__on_big_stack).
 */
#define _GNU_SOURCE
#include "config.h"

#define UNW_LOCAL_ONLY
#include <errno.h>
#include <libunwind.h>
#include <string.h>
#include <ucontext.h>

#include "stack/stack.h"
#include "thread/thread.h"

struct bt_req {
    const struct lstk__ctx_frame *f;
    void **ips;
    size_t max;
    size_t n;
};

static void *bt_big(void *arg)
{
    struct bt_req *r = arg;
    const struct lstk__ctx_frame *f = r->f;
    unw_context_t uc;
    unw_cursor_t cur;
    size_t n = 0;

    memset(&uc, 0, sizeof uc);
    uc.uc_mcontext.gregs[REG_RIP] = (greg_t)f->rip;
    uc.uc_mcontext.gregs[REG_RSP] = (greg_t)((uintptr_t)f + LSTK__CTX_SIZE);
    uc.uc_mcontext.gregs[REG_RBP] = (greg_t)f->rbp;
    uc.uc_mcontext.gregs[REG_RBX] = (greg_t)f->rbx;
    uc.uc_mcontext.gregs[REG_R12] = (greg_t)f->r12;
    uc.uc_mcontext.gregs[REG_R13] = (greg_t)f->r13;
    uc.uc_mcontext.gregs[REG_R14] = (greg_t)f->r14;
    uc.uc_mcontext.gregs[REG_R15] = (greg_t)f->r15;
    if (unw_init_local(&cur, &uc) == 0) {
        do {
            unw_word_t ip;
            if (n >= r->max || unw_get_reg(&cur, UNW_REG_IP, &ip) != 0 || !ip)
                break;
            r->ips[n++] = (void *)(uintptr_t)ip;
        } while (unw_step(&cur) > 0);
    }
    r->n = n;
    return NULL;
}

LSTK_EXPORT int lstk_backtrace(lstk_t t, void **ips, size_t max, size_t *count)
{
    struct lstk__sched *s = lstk__sched_get();
    struct bt_req r;

    if (lstk__slow(s == NULL))
        return EPERM;
    if (!ips || !count)
        return EINVAL;
    if (!t || t->state == LSTK__T_FREE || t->state == LSTK__T_FINISHED)
        return ESRCH;
    if (t == s->current)
        return EINVAL;
    r.f = t->sp;
    r.ips = ips;
    r.max = max;
    r.n = 0;
    lstk__on_big_stack(bt_big, &r);
    *count = r.n;
    return 0;
}
