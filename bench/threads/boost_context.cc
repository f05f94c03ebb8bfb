/*
 * boost_context.cc: the Boost.Context peer (libboost-context-dev, 1.74).
 *
 *     boost_context yield|yield_raw|steady [N [REPS]]
 *
 * Boost.Context is a context-switch library, not a thread system: no
 * scheduler, no join, no blocking.  So it appears in two cases only, as
 * the floor of what a switch costs:
 *   yield    system=boost_raw: main and one context jump to each other
 *            with jump_fcontext (the assembly under every Boost.Context
 *            API), N times each (2N switches);
 *            system=boost_fiber: the same with boost::context::fiber's
 *            resume (the supported API: it adds a move of the fiber
 *            handle per switch).
 *            (case yield_raw: the first only, for instruction counts)
 *   steady   system=boost_fiber: create a fiber on a pooled stack of the
 *            smallest size Boost allows, resume it, let it finish (the
 *            stack goes back to the pool): the life-cycle floor of a
 *            fiber, with no scheduler and no thread object.
 */
#include <boost/context/detail/fcontext.hpp>
#include <boost/context/fiber.hpp>
#include <boost/context/pooled_fixedsize_stack.hpp>
#include <boost/context/stack_traits.hpp>
#include <cstdint>
#include <utility>

#include "common.h"

namespace ctx = boost::context;
namespace det = boost::context::detail;

#define STACK (64u << 10)

static void raw_body(det::transfer_t t)
{
    for (;;)
        t = det::jump_fcontext(t.fctx, nullptr);
}

BT_NOINLINE static void run_raw(long n, int reps)
{
    char *stack = static_cast<char *>(bt_xcalloc(1, STACK));
    det::fcontext_t other = det::make_fcontext(stack + STACK, STACK, raw_body);

    for (int k = -1; k < reps; k++) {
        struct bt_snap a, b;
        long m = k < 0 ? n / 10 + 1 : n;

        bt_snap(&a);
        for (long i = 0; i < m; i++)
            other = det::jump_fcontext(other, nullptr).fctx;
        bt_snap(&b);
        if (k >= 0)
            bt_result("yield", "boost_raw",
                      (double)(b.wall_ns - a.wall_ns) / (2.0 * (double)m),
                      "ns/switch", m, &a, &b, "via=jump_fcontext");
    }
}

BT_NOINLINE static void run_fiber_pingpong(long n, int reps)
{
    ctx::fiber f{[](ctx::fiber &&m) {
        for (;;)
            m = std::move(m).resume();
        return std::move(m);
    }};

    for (int k = -1; k < reps; k++) {
        struct bt_snap a, b;
        long m = k < 0 ? n / 10 + 1 : n;

        bt_snap(&a);
        for (long i = 0; i < m; i++)
            f = std::move(f).resume();
        bt_snap(&b);
        if (k >= 0)
            bt_result("yield", "boost_fiber",
                      (double)(b.wall_ns - a.wall_ns) / (2.0 * (double)m),
                      "ns/switch", m, &a, &b, "via=fiber::resume");
    }
}

BT_NOINLINE static void steady_loop(ctx::pooled_fixedsize_stack &pool, long n)
{
    for (long i = 0; i < n; i++) {
        long r = -1;
        ctx::fiber f{std::allocator_arg, pool, [i, &r](ctx::fiber &&m) {
                         r = i;
                         return std::move(m);
                     }};
        f = std::move(f).resume();
        if (f || r != i)
            bt_die("boost: fiber did not finish with its result");
    }
}

BT_NOINLINE static void run_steady(long n, int reps)
{
    std::size_t size = ctx::stack_traits::minimum_size();
    ctx::pooled_fixedsize_stack pool(size);
    char extra[64];

    snprintf(extra, sizeof extra, "stack_bytes=%zu", size);
    steady_loop(pool, n / 10 + 1);
    for (int k = 0; k < reps; k++) {
        struct bt_snap a, b;
        bt_snap(&a);
        steady_loop(pool, n);
        bt_snap(&b);
        bt_result("steady", "boost_fiber",
                  (double)(b.wall_ns - a.wall_ns) / (double)n, "ns/thread", n,
                  &a, &b, extra);
    }
}

int main(int argc, char **argv)
{
    long n = 1000000;
    int reps = 5;
    const char *cas = bt_args(argc, argv, &n, &reps);

    if (strcmp(cas, "yield") == 0) {
        run_raw(n, reps);
        run_fiber_pingpong(n, reps);
    } else if (strcmp(cas, "yield_raw") == 0) {
        run_raw(n, reps);
    } else if (strcmp(cas, "steady") == 0) {
        run_steady(n, reps);
    } else {
        bt_die("boost_context: only the yield, yield_raw and steady cases");
    }
    return 0;
}
