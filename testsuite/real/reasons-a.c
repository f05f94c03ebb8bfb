/*
 * reasons-a.c: one function per reason the plugin keeps a check for, each
 * called a known number of times, for reasons.sh: callgrind counts the
 * calls, bench/analysis/callshare.py --reasons joins them with the
 * plugin's report, and each function must come out under its reason.
 * noipa: no inlining, cloning or interprocedural shortcuts, so every call
 * written here is a call that runs.
 */
#include <alloca.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define KEEP __attribute__((noipa))

int other_unit(int x);			/* reasons-b.c: other-unit */
KEEP int later(int x);			/* reasons-c.c, at -O0: not-compiled */

KEEP int leaf(int x) { return x * 3 + 1; }	/* unchecked */

/* recursion: calls itself */
KEEP int self_rec(int n) { return n < 2 ? n : self_rec(n - 1) + self_rec(n - 2); }

/* recursion: a cycle of two, compiled callees first, so the member
   compiled first sees the other one not compiled yet */
KEEP int pong(int n);
KEEP int ping(int n) { return n <= 0 ? 0 : pong(n - 1) + 1; }
KEEP int pong(int n) { return n <= 0 ? 0 : ping(n - 1) + 2; }

/* indirect */
int (*volatile through)(int) = leaf;
KEEP int call_indirect(int x) { return through(x) + 1; }

/* external: unproven libc code (stdio), the guarded request */
KEEP int call_external(int x)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%d", x);
    return buf[0];
}

/* other-unit */
KEEP int call_other(int x) { return other_unit(x) + 1; }

/* depth: a frame larger than the reserve, every callee known */
KEEP int deep_frame(int x)
{
    volatile char big[1000];
    big[(x * 7) % 1000] = (char)x;
    big[x % 1000] = (char)(x + 1);
    return leaf(big[(x * 7) % 1000]);
}

/* varargs */
KEEP int va_sum(int n, ...)
{
    va_list ap;
    int s = 0;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        s += va_arg(ap, int);
    va_end(ap);
    return s;
}

/* alloca */
KEEP int use_alloca(int n)
{
    char *p = alloca(n);
    memset(p, n, n);
    return p[n - 1];
}

int main(void)
{
    int s = 0;
    for (int i = 0; i < 1000; i++)
        s += leaf(i);
    s += self_rec(12);
    for (int i = 0; i < 50; i++)
        s += ping(4);
    for (int i = 0; i < 60; i++)
        s += call_indirect(i);
    for (int i = 0; i < 70; i++)
        s += call_external(i);
    for (int i = 0; i < 80; i++)
        s += call_other(i);
    for (int i = 0; i < 90; i++)
        s += deep_frame(i);
    for (int i = 0; i < 110; i++)
        s += va_sum(2, i, i);
    for (int i = 1; i < 121; i++)
        s += use_alloca(i);
    for (int i = 0; i < 130; i++)
        s += later(i);
    printf("%d\n", s);
    return 0;
}
