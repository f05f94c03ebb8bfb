/*
 * ucontext.c: the glibc ucontext peer (makecontext/swapcontext), yield
 * case only: ucontext is a context-switch primitive, not a thread system
 * (no scheduler, no join), so it has no memory or life-cycle figures.
 *
 *     ucontext yield [N [REPS]]
 *
 * Main and one context on a 64 KiB stack swap to each other N times each
 * (2N switches).  glibc's swapcontext saves and restores the signal mask,
 * one rt_sigprocmask system call per switch: that, not the register
 * moves, is its cost.
 */
#include <stdint.h>
#include <ucontext.h>

#include "common.h"

#define SYS "ucontext"
#define STACK (64u << 10)

static ucontext_t main_ctx, other_ctx;

static void other(void)
{
    for (;;)
        swapcontext(&other_ctx, &main_ctx);
}

BT_NOINLINE static void run_yield(long n, int reps)
{
    char *stack = bt_xcalloc(1, STACK);

    if (getcontext(&other_ctx) != 0)
        bt_die("ucontext: getcontext failed");
    other_ctx.uc_stack.ss_sp = stack;
    other_ctx.uc_stack.ss_size = STACK;
    other_ctx.uc_link = NULL;
    makecontext(&other_ctx, other, 0);
    for (int k = -1; k < reps; k++) {
        struct bt_snap a, b;
        long m = k < 0 ? n / 10 + 1 : n;

        bt_snap(&a);
        for (long i = 0; i < m; i++)
            swapcontext(&main_ctx, &other_ctx);
        bt_snap(&b);
        if (k >= 0)
            bt_result("yield", SYS,
                      (double)(b.wall_ns - a.wall_ns) / (2.0 * (double)m),
                      "ns/switch", m, &a, &b, "via=swapcontext");
    }
}

int main(int argc, char **argv)
{
    long n = 1000000;
    int reps = 5;
    const char *cas = bt_args(argc, argv, &n, &reps);

    if (strcmp(cas, "yield") != 0)
        bt_die("ucontext: only the yield case (not a thread system)");
    run_yield(n, reps);
    return 0;
}
