/*
 * abi.c: calls that cross a chunk boundary keep the psABI intact.
 *
 * Each case runs at every depth of a sweep through the first chunks (one
 * more ~48-byte frame each time), so that the call under test lands on a
 * chunk boundary at every offset: arguments in registers and on the
 * stack, structs by value, varargs, alloca/VLA, a nested function's static
 * chain, callbacks from libc.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <alloca.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

struct sweep {
    long max;
    long failures;
};

/*
 * DEFINE_SWEEP(name, probe) defines name_sweep(), which runs PROBE(depth)
 * at every depth 0..max-1 on a 1 KiB stack.  The descent calls PROBE
 * directly (an indirect call would make the plugin enlarge every frame of
 * the descent for code it cannot see, and the frames would no longer step
 * through the chunk a few bytes at a time).
 */
#define DEFINE_SWEEP(name, probe)                                          \
    static long name##_down(long n, long depth)                            \
    {                                                                      \
        volatile char pad[24];                                             \
        pad[0] = 0;                                                        \
        test_touch(pad);                                                   \
        if (n == 0)                                                        \
            return probe(depth);                                           \
        return name##_down(n - 1, depth) + pad[0] - 1;                     \
    }                                                                      \
    static void *name##_entry(void *arg)                                   \
    {                                                                      \
        struct sweep *s = arg;                                             \
        for (long d = 0; d < s->max; d++)                                  \
            if (name##_down(d, d) != 0)                                    \
                s->failures++;                                             \
        return NULL;                                                       \
    }                                                                      \
    static void name##_sweep(long max)                                     \
    {                                                                      \
        struct sweep s = { max, 0 };                                       \
        lstk_stats_t before = test_stats();                                \
        cr_assert(eq(int, lstk_stack_run(1024, name##_entry, &s, NULL), 0)); \
        lstk_stats_t after = test_stats();                                 \
        cr_assert(eq(long, s.failures, 0));                                \
        cr_assert(ge(u64, after.grow_events - before.grow_events, 3),      \
                  "calls crossed chunk boundaries");                       \
        cr_assert(eq(u64, after.chunks_live, before.chunks_live));         \
    }

/* 10 integer arguments: 6 in registers, 4 on the stack (copied by
   __morestack to the new chunk). */
__attribute__((noinline)) static long ten(long a, long b, long c, long d, long e,
                                          long f, long g, long h, long i, long j)
{
    volatile char pad[8];
    test_touch(pad);
    return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f + 7 * g + 8 * h + 9 * i + 10 * j;
}

static long probe_many_args(long depth)
{
    long x = depth;
    return ten(x, x + 1, x + 2, x + 3, x + 4, x + 5, x + 6, x + 7, x + 8, x + 9) -
           (55 * x + 330);
}

DEFINE_SWEEP(s_many_args, probe_many_args)

Test(abi, seven_plus_integer_arguments_across_boundary)
{
    s_many_args_sweep(300);
}

struct big {
    long v[9];
    double d;
};

__attribute__((noinline)) static double by_value(struct big a, int k, struct big b)
{
    double s = 0;
    for (int i = 0; i < 9; i++)
        s += (double)(a.v[i] * b.v[i]);
    return s + a.d + b.d + k;
}

static long probe_struct(long depth)
{
    struct big a, b;
    for (int i = 0; i < 9; i++) {
        a.v[i] = depth + i;
        b.v[i] = i + 1;
    }
    a.d = 0.5;
    b.d = 0.25;
    double expect = 0.75 + 3;
    for (int i = 0; i < 9; i++)
        expect += (double)((depth + i) * (i + 1));
    return by_value(a, 3, b) != expect;
}

DEFINE_SWEEP(s_struct, probe_struct)

Test(abi, structs_by_value_across_boundary)
{
    s_struct_sweep(300);
}

/* A printf-like function with 20 arguments: the varargs pointer survives
   the move to a new chunk. */
__attribute__((noinline)) static int fmt20(char *out, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vsnprintf(out, n, fmt, ap);
    va_end(ap);
    return rc;
}

__attribute__((noinline)) static long sum_va(int count, ...)
{
    va_list ap;
    long s = 0;
    va_start(ap, count);
    for (int i = 0; i < count; i++)
        s += va_arg(ap, long) * (i + 1);
    va_end(ap);
    return s;
}

static long probe_varargs(long depth)
{
    char buf[160];
    char want[160];
    long d = depth;
    fmt20(buf, sizeof buf, "%ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %g %s",
          d, d + 1, d + 2, d + 3, d + 4, d + 5, d + 6, d + 7, d + 8, d + 9, d + 10, d + 11,
          d + 12, d + 13, d + 14, d + 15, d + 16, 2.5, "end");
    snprintf(want, sizeof want, "%ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %g %s",
             d, d + 1, d + 2, d + 3, d + 4, d + 5, d + 6, d + 7, d + 8, d + 9, d + 10, d + 11,
             d + 12, d + 13, d + 14, d + 15, d + 16, 2.5, "end");
    long s = sum_va(19, d, d, d, d, d, d, d, d, d, d, d, d, d, d, d, d, d, d, d);
    return strcmp(buf, want) != 0 || s != d * 190;
}

DEFINE_SWEEP(s_varargs, probe_varargs)

Test(abi, varargs_twenty_arguments_across_boundary)
{
    s_varargs_sweep(200);
}

/* alloca and a VLA of 100 KiB: they do not fit a small chunk, so the
   runtime hands out heap memory (__morestack_allocate_stack_space). */
__attribute__((noinline)) static long vla_user(long n)
{
    char vla[n];
    memset(vla, (int)(n & 0x7f), (size_t)n);
    long s = 0;
    for (long i = 0; i < n; i += 4096)
        s += vla[i];
    return s;
}

__attribute__((noinline)) static long alloca_user(long n)
{
    unsigned char *a = alloca((size_t)n);
    unsigned char *b = alloca((size_t)n);
    memset(a, 1, (size_t)n);
    memset(b, 2, (size_t)n);
    long s = 0;
    for (long i = 0; i < n; i += 1024)
        s += a[i] + b[i];
    return s;
}

static long probe_vla(long depth)
{
    const long n = 100 * 1024;
    long pages = (n + 4095) / 4096;
    return vla_user(n) != pages * (n & 0x7f) ||
           alloca_user(n) != (n / 1024) * 3;
}

DEFINE_SWEEP(s_vla, probe_vla)

Test(abi, alloca_and_vla_100k_across_boundary)
{
    s_vla_sweep(120);
}

/* A nested function reaches its parent's locals through the static chain
   (r10), which __morestack must carry across (GCC copies it into rax). */
static long probe_nested(long depth)
{
    long base = depth * 3;
    __attribute__((noinline)) long add(long x)
    {
        volatile char pad[16];
        test_touch(pad);
        return base + x;
    }
    return add(5) != depth * 3 + 5;
}

DEFINE_SWEEP(s_nested, probe_nested)

Test(abi, nested_function_static_chain_across_boundary)
{
    s_nested_sweep(300);
}

/* qsort (libc, not instrumented) calls back into instrumented code. */
static int cmp_long(const void *a, const void *b)
{
    volatile char pad[32];
    test_touch(pad);
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static long probe_qsort(long depth)
{
    long v[64];
    for (int i = 0; i < 64; i++)
        v[i] = (i * 37 + depth) % 64;
    qsort(v, 64, sizeof v[0], cmp_long);
    for (int i = 1; i < 64; i++)
        if (v[i - 1] > v[i])
            return 1;
    return 0;
}

DEFINE_SWEEP(s_qsort, probe_qsort)

Test(abi, qsort_callback_into_instrumented_code_across_boundary)
{
    s_qsort_sweep(200);
}
