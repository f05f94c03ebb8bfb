/*
 * signal.c: signal handlers never run on a chunk.
 *
 * The kernel pushes a signal frame (1-3.5 KiB with AVX-512 state) below the
 * interrupted rsp, which on a 1 KiB chunk would run over the chunk.  So
 * every OS thread that runs linked stacks gets a sigaltstack, and the
 * runtime's sigaction() (which takes precedence over libc's) adds
 * SA_ONSTACK to every handler and installs it behind a trampoline that sets
 * the guard to 0 while the handler runs and puts it back afterwards:
 *   - a signal at any instruction of the growth path or of a switch finds
 *     rsp on the alternate stack, never below a chunk's rsp;
 *   - the handler's own checks pass (guard 0), so it never grows, links or
 *     frees chunks, whatever state the interrupted code left the guard in;
 *   - the interrupted code resumes with exactly the guard it had.
 * A handler that leaves by siglongjmp goes through the runtime's longjmp,
 * which sets the guard for the target (longjmp.c).
 *
 * signal() is redirected too, since glibc's does not call sigaction()
 * through the PLT.  Handlers installed some other way (a raw rt_sigaction
 * syscall) get none of this; see README.
 */
#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>

#include "stack/stack.h"

/* glibc's implementation, which sigaction() is a weak alias of. */
extern int __sigaction(int, const struct sigaction *, struct sigaction *);

/* The handler the program asked for, per signal. */
struct lstk__sighandler {
    void (*fn)(int, siginfo_t *, void *);
    int flags; /* as the program gave them */
};

static struct lstk__sighandler lstk__handlers[_NSIG];
__thread uintptr_t lstk__sig_guard __attribute__((tls_model("initial-exec")));
static pthread_mutex_t lstk__sig_lock = PTHREAD_MUTEX_INITIALIZER;

__thread unsigned lstk__sig_depth __attribute__((tls_model("initial-exec")));

static void lstk__sig_trampoline(int sig, siginfo_t *info, void *uc)
{
    uintptr_t guard = lstk__guard_get();
    struct lstk__sighandler h;

    h.fn = __atomic_load_n(&lstk__handlers[sig].fn, __ATOMIC_ACQUIRE);
    h.flags = lstk__handlers[sig].flags;
    uintptr_t outer = lstk__sig_guard;
    if (guard != 0)
        lstk__sig_guard = guard;
    lstk__guard_set(0);
    lstk__sig_depth++;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (h.flags & SA_SIGINFO)
        h.fn(sig, info, uc);
    else
        ((void (*)(int))(void (*)(void))h.fn)(sig);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    lstk__sig_depth--;
    lstk__guard_set(guard);
    lstk__sig_guard = outer;
}

/* The count says a handler runs; it may be stale (a handler left by
   siglongjmp).  Every handler runs on the alternate stack (SA_ONSTACK is
   forced above): off it, no handler runs, and the count is reset.  Rare:
   only when the count is raised. */
int lstk__in_signal_handler_slow(void)
{
    stack_t ss;
    /* The raw call: this may run on a chunk (no PLT, no lazy binding). */
    if (lstk__sc(SYS_sigaltstack, 0, (long)&ss, 0) == 0 &&
        !(ss.ss_flags & SS_ONSTACK)) {
        lstk__sig_depth = 0;
        return 0;
    }
    return 1;
}

void lstk__signal_init(void)
{
    lstk__fault_init(); /* [issue 9] guarded-chunk overflows */
}

int lstk__signal_thread_init(void)
{
    stack_t old;
    if (sigaltstack(NULL, &old) == 0 && !(old.ss_flags & SS_DISABLE))
        return 0; /* the program gave this thread one; use it */
    size_t size;
    void *base = lstk__alt_stack_map(&size);
    if (base == NULL)
        return ENOMEM;
    stack_t ss = { .ss_sp = base, .ss_size = size, .ss_flags = 0 };
    return sigaltstack(&ss, NULL) == 0 ? 0 : errno;
}

LSTK_EXPORT int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    struct sigaction mine;
    struct lstk__sighandler prev;
    int rc;

    if (sig <= 0 || sig >= _NSIG)
        return __sigaction(sig, act, old);
    if (sig == SIGSEGV || sig == SIGBUS) /* [issue 9] fault.c chains them */
        return lstk__fault_sigaction(sig, act, old);
    pthread_mutex_lock(&lstk__sig_lock);
    prev = lstk__handlers[sig];
    if (act != NULL && act->sa_handler != SIG_DFL &&
        act->sa_handler != SIG_IGN) {
        mine = *act;
        mine.sa_sigaction = lstk__sig_trampoline;
        mine.sa_flags |= SA_SIGINFO | SA_ONSTACK;
        /* Publish the handler before the kernel can call the trampoline. */
        lstk__handlers[sig].flags = act->sa_flags;
        __atomic_store_n(&lstk__handlers[sig].fn, act->sa_sigaction,
                         __ATOMIC_RELEASE);
        rc = __sigaction(sig, &mine, old);
    } else {
        rc = __sigaction(sig, act, old);
    }
    /* Report the program's own handler, not the trampoline. */
    if (rc == 0 && old != NULL && old->sa_sigaction == lstk__sig_trampoline) {
        old->sa_sigaction = prev.fn;
        old->sa_flags = prev.flags;
    }
    pthread_mutex_unlock(&lstk__sig_lock);
    return rc;
}

LSTK_EXPORT sighandler_t signal(int sig, sighandler_t handler)
{
    struct sigaction act, old;

    memset(&act, 0, sizeof act);
    act.sa_handler = handler;
    act.sa_flags = SA_RESTART; /* glibc's signal() has BSD semantics */
    sigemptyset(&act.sa_mask);
    sigaddset(&act.sa_mask, sig);
    if (sigaction(sig, &act, &old) < 0)
        return SIG_ERR;
    return old.sa_handler;
}
