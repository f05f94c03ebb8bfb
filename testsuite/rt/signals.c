/*
 * signals.c: signals delivered continuously while a stack grows and shrinks.
 *
 * The handler, itself instrumented, checks that it runs with the guard at
 * 0 on the alternate stack, and uses a 4 KiB frame that would not fit any
 * chunk it might have interrupted.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>

#include "common.h"

static volatile long handled, bad;

__attribute__((noinline)) static long big_frame_work(int sig)
{
    volatile char buf[4096];
    memset((char *)buf, sig, sizeof buf);
    return buf[100] + buf[4000];
}

static void on_alarm(int sig)
{
    stack_t ss;
    sigaltstack(NULL, &ss);
    if (test_guard() != 0 || !(ss.ss_flags & SS_ONSTACK))
        bad++;
    if (big_frame_work(sig) != 2 * sig)
        bad++;
    handled++;
}

static long churn(long n)
{
    volatile char pad[56];
    pad[0] = 1;
    test_touch(pad);
    return n == 0 ? 0 : churn(n - 1) + pad[0] - 1;
}

static void *churn_entry(void *arg)
{
    long wrong = 0, rounds = 0;
    (void)arg;
    /* Until 300 signals have hit the grow/shrink loop. */
    while (handled < 300 && rounds < 50000000) {
        long depth = 1000 + rounds % 3000;
        if (churn(depth) != depth)
            wrong++;
        rounds++;
    }
    return (void *)wrong;
}

static void *churn_warm(void *arg)
{
    return arg;
}

Test(signals, timer_signals_during_growth_are_safe, .timeout = 60)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    cr_assert(eq(int, sigaction(SIGALRM, &sa, NULL), 0));
    /* Let the runtime set this OS thread up (sigaltstack included) before
       the first tick: a signal that lands earlier, on main's own stack,
       would be harmless but would fail the SS_ONSTACK check. */
    cr_assert(eq(int, lstk_stack_run(0, churn_warm, NULL, NULL), 0));
    struct itimerval it = { { 0, 100 }, { 0, 100 } };
    cr_assert(eq(int, setitimer(ITIMER_REAL, &it, NULL), 0));

    void *wrong = (void *)1;
    int rc = lstk_stack_run(1024, churn_entry, NULL, &wrong);

    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    cr_assert(eq(int, rc, 0));
    cr_assert(eq(long, (long)wrong, 0L));
    cr_assert(ge(long, handled, 300L));
    cr_assert(eq(long, bad, 0L));
}

/* sigaction reports the program's own handler back, not the runtime's
   trampoline; signal() goes through the same path. */
static void h1(int sig) { (void)sig; }
static void h2(int sig, siginfo_t *si, void *uc) { (void)sig; (void)si; (void)uc; }

Test(signals, sigaction_reports_the_programs_handler)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = h2;
    sa.sa_flags = SA_SIGINFO;
    cr_assert(eq(int, sigaction(SIGUSR1, &sa, NULL), 0));
    cr_assert(eq(int, sigaction(SIGUSR1, NULL, &old), 0));
    cr_assert(eq(ptr, (void *)old.sa_sigaction, (void *)h2));
    cr_assert(eq(int, old.sa_flags & SA_ONSTACK, 0));
    cr_assert(eq(ptr, (void *)signal(SIGUSR1, h1), (void *)h2));
    cr_assert(eq(ptr, (void *)signal(SIGUSR1, SIG_DFL), (void *)h1));
}

/* A handler raised from a linked stack, synchronously. */
static void *raise_entry(void *arg)
{
    (void)arg;
    long before = handled;
    raise(SIGALRM);
    return (void *)(handled - before);
}

Test(signals, raise_on_a_linked_stack_runs_handler_on_alt_stack)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    cr_assert(eq(int, sigaction(SIGALRM, &sa, NULL), 0));
    void *n = NULL;
    cr_assert(eq(int, lstk_stack_run(0, raise_entry, NULL, &n), 0));
    cr_assert(eq(long, (long)n, 1L));
    cr_assert(eq(long, bad, 0L));
}
