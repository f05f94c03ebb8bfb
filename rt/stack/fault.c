/*
 * fault.c: an overflow of a guarded chunk becomes a message; every other
 * SIGSEGV and SIGBUS goes where the program said.
 *
 * Code that nobody proved runs on a guarded chunk (guarded.c): below its
 * frames lie a read-only header page and an inaccessible gap, so going too
 * deep faults.  The runtime keeps its own handler for SIGSEGV and SIGBUS
 * installed (SA_ONSTACK: the faulting thread's stack is what overflowed;
 * every thread that runs linked stacks has a sigaltstack).  The handler
 * asks one question: is the fault address in the inaccessible region of
 * the chunk the interrupted code runs on (the guard in %fs:0x70 names it)?
 * If so it prints
 *
 *   linkstack: stack overflow in FUNCTION (OBJECT) on a guarded chunk ...
 *
 * naming the function that faulted (dladdr of the faulting instruction),
 * the chunk's sizes and the depth of the fault, with the OS thread and the
 * linkstack thread (fatal.c), then aborts.  Otherwise it passes the fault
 * on: to the handler the program installed with sigaction()/signal(),
 * which this file records instead of installing (run with the guard at 0,
 * as signal.c does for every handler), or to the default action.  What
 * sigaction() reports as the old action is always the program's own.
 *
 * A handler installed before the runtime started (or behind its back, by a
 * raw rt_sigaction) is found at start-up and chained in the same way.
 */
#define _GNU_SOURCE 1
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>

#include "stack/stack.h"

extern int __sigaction(int, const struct sigaction *, struct sigaction *);

/* The program's actions for SIGSEGV and SIGBUS. */
static struct sigaction lstk__fault_user[2];
/* [issue 12] A spin lock and an atomic once, not pthread's: ThreadSanitizer
   installs its SIGSEGV handler through sigaction() (ours) while it starts,
   when its own pthread_mutex_lock and pthread_once interceptors cannot run
   yet.  Held only around a few stores, on a rare path. */
static char lstk__fault_lock;
static int lstk__fault_once; /* 0: not installed, 1: installing, 2: done */

static void lstk__fault_lock_take(char *l)
{
    while (__atomic_test_and_set(l, __ATOMIC_ACQUIRE))
        __builtin_ia32_pause();
}

static void lstk__fault_lock_give(char *l)
{
    __atomic_clear(l, __ATOMIC_RELEASE);
}

static inline int lstk__fault_slot(int sig)
{
    return sig == SIGBUS;
}

static const char *lstk__basename(const char *path)
{
    const char *b = path;
    for (const char *p = path; *p; p++)
        if (*p == '/')
            b = p + 1;
    return b;
}

static noreturn void lstk__overflow(const struct lstk__chunk *c,
                                    uintptr_t addr, uintptr_t rip,
                                    uintptr_t rsp)
{
    Dl_info info;
    const char *fn = NULL, *obj = "?";
    if (dladdr((void *)rip, &info) != 0) {
        fn = info.dli_sname;
        if (info.dli_fname != NULL && *info.dli_fname)
            obj = lstk__basename(info.dli_fname);
    }
    uintptr_t guard = lstk__chunk_guard(c);
    lstk__fatal("stack overflow in %s (%s, at %p) on a guarded chunk: a call "
                "whose stack use no budget bounds went %zu bytes below the "
                "chunk's guard (the chunk offers %zu bytes above it; chunk "
                "%p of %zu bytes, stack %p, fault at %p, rsp %p)",
                fn ? fn : "an unnamed function", obj, (void *)rip,
                (size_t)(guard - addr),
                (size_t)((uintptr_t)c + c->size - guard), (void *)c, c->size,
                c->stack, (void *)addr, (void *)rsp);
}

/* Passes SIG on to what the program asked for. */
static void lstk__fault_chain(int sig, siginfo_t *si, void *uc)
{
    struct sigaction a = lstk__fault_user[lstk__fault_slot(sig)];

    if (a.sa_handler == SIG_IGN && si->si_code <= 0)
        return; /* a signal sent by kill(), ignored */
    if (a.sa_handler == SIG_DFL || a.sa_handler == SIG_IGN) {
        /* The default action: it runs once this handler returns (a fault
           faults again; a sent signal is pending, blocked until then). */
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        __sigaction(sig, &dfl, NULL);
        raise(sig);
        return;
    }
    if (a.sa_flags & SA_RESETHAND) {
        lstk__fault_lock_take(&lstk__fault_lock);
        lstk__fault_user[lstk__fault_slot(sig)].sa_handler = SIG_DFL;
        lstk__fault_lock_give(&lstk__fault_lock);
    }
    /* The program's mask for its handler (sigreturn restores ours). */
    pthread_sigmask(SIG_BLOCK, &a.sa_mask, NULL);
    uintptr_t guard = lstk__guard_get();
    uintptr_t outer = lstk__sig_guard;
    if (guard != 0)
        lstk__sig_guard = guard;
    lstk__guard_set(0);
    if (a.sa_flags & SA_SIGINFO)
        a.sa_sigaction(sig, si, uc);
    else
        a.sa_handler(sig);
    lstk__guard_set(guard);
    lstk__sig_guard = outer;
}

static void lstk__fault_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    uintptr_t guard = lstk__guard_get();

    if (guard != 0 && si->si_code > 0) {
        const struct lstk__chunk *c = lstk__guard_chunk(guard);
        uintptr_t addr = (uintptr_t)si->si_addr;
        if (lstk__guarded_holds(c, addr))
            lstk__overflow(c, addr, (uintptr_t)uc->uc_mcontext.gregs[REG_RIP],
                           (uintptr_t)uc->uc_mcontext.gregs[REG_RSP]);
    }
    lstk__fault_chain(sig, si, ucv);
}

static void lstk__fault_install(void)
{
    static const int sigs[2] = { SIGSEGV, SIGBUS };
    for (int i = 0; i < 2; i++) {
        struct sigaction mine, cur;
        memset(&mine, 0, sizeof mine);
        mine.sa_sigaction = lstk__fault_handler;
        mine.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
        sigemptyset(&mine.sa_mask);
        lstk__fault_lock_take(&lstk__fault_lock);
        if (__sigaction(sigs[i], &mine, &cur) == 0 &&
            cur.sa_sigaction != lstk__fault_handler)
            lstk__fault_user[i] = cur;
        lstk__fault_lock_give(&lstk__fault_lock);
    }
}

void lstk__fault_init(void)
{
    int state = 0;

    if (__atomic_load_n(&lstk__fault_once, __ATOMIC_ACQUIRE) == 2)
        return;
    if (__atomic_compare_exchange_n(&lstk__fault_once, &state, 1, 0,
                                    __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)) {
        lstk__fault_install();
        __atomic_store_n(&lstk__fault_once, 2, __ATOMIC_RELEASE);
        return;
    }
    while (__atomic_load_n(&lstk__fault_once, __ATOMIC_ACQUIRE) != 2)
        __builtin_ia32_pause();
}

int lstk__fault_sigaction(int sig, const struct sigaction *act,
                          struct sigaction *old)
{
    lstk__fault_init();
    lstk__fault_lock_take(&lstk__fault_lock);
    struct sigaction prev = lstk__fault_user[lstk__fault_slot(sig)];
    if (act != NULL)
        lstk__fault_user[lstk__fault_slot(sig)] = *act;
    lstk__fault_lock_give(&lstk__fault_lock);
    if (old != NULL)
        *old = prev;
    return 0;
}
