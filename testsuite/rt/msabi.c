/*
 * msabi.c: an ms_abi caller keeps rsi, rdi and xmm6-15 across a call to an
 * ms_abi callee whose check fails (issue 9, D1).  __morestack runs between
 * the callee's body and its caller; it may change only the registers that
 * both ABIs treat as scratch.
 *
 * The caller is inline assembly (its live values are in exactly those
 * registers, whatever the compiler would choose) in a checked function;
 * the callees are compiled with the plugin.  Each case runs at every depth of a sweep through the
 * first chunks of a 1 KiB stack, so the call lands on a chunk boundary at
 * every offset, through both the fast and the slow halves of the growth
 * path (a callee that itself grows makes its chunk cache a successor, so
 * its return takes the slow release).
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdint.h>

#include "common.h"

typedef long __attribute__((ms_abi)) msfn(long, long);

#define PAT(n) (0x0101010101010101ull * (n))
#define LOAD_XMM(n)                                                        \
    "movabsq $" #n " * 0x0101010101010101 + 0x3030303030303030, %%r11\n"  \
    "movq %%r11, %%xmm" #n "\n"                                            \
    "pshufd $0x44, %%xmm" #n ", %%xmm" #n "\n"

/*
 * Loads rsi, rdi and xmm6-15 (both halves) with known patterns, calls
 * FN(20, 22) the Microsoft way (rcx, rdx, 32 bytes of shadow space), then
 * stores what those registers hold into OUT[0..21]; returns FN's rax.
 * The frame is over 256 bytes, so this function always has a check and its
 * body runs above the guard: the 40 bytes the call takes below rsp, the
 * callee's check and __morestack's pushes fit in the reserve.  It is no
 * leaf (test_touch), so nothing of it lives in the red zone.  (No CFI for
 * the 32 bytes: nothing unwinds through this call.)
 */
__attribute__((noinline)) static long msabi_probe(msfn *fn, uint64_t out[22])
{
    volatile char pad[300];
    long r = (long)fn;
    pad[0] = 0;
    test_touch(pad);
    __asm__ volatile(
        "movabsq $0x5151515151515151, %%rsi\n"
        "movabsq $0xd1d1d1d1d1d1d1d1, %%rdi\n"
        LOAD_XMM(6) LOAD_XMM(7) LOAD_XMM(8) LOAD_XMM(9) LOAD_XMM(10)
        LOAD_XMM(11) LOAD_XMM(12) LOAD_XMM(13) LOAD_XMM(14) LOAD_XMM(15)
        "movl $20, %%ecx\n"
        "movl $22, %%edx\n"
        "subq $32, %%rsp\n"
        "call *%%rax\n"
        "addq $32, %%rsp\n"
        "movq %%rsi, 0(%%rbx)\n"
        "movq %%rdi, 8(%%rbx)\n"
        "movdqu %%xmm6, 16(%%rbx)\n"
        "movdqu %%xmm7, 32(%%rbx)\n"
        "movdqu %%xmm8, 48(%%rbx)\n"
        "movdqu %%xmm9, 64(%%rbx)\n"
        "movdqu %%xmm10, 80(%%rbx)\n"
        "movdqu %%xmm11, 96(%%rbx)\n"
        "movdqu %%xmm12, 112(%%rbx)\n"
        "movdqu %%xmm13, 128(%%rbx)\n"
        "movdqu %%xmm14, 144(%%rbx)\n"
        "movdqu %%xmm15, 160(%%rbx)\n"
        : "+a"(r)
        : "b"(out)
        : "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "xmm0",
          "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
          "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15",
          "memory", "cc");
    return r + pad[0] - 1;
}

/* A frame over 256 bytes: it always has a check. */
__attribute__((ms_abi, noinline)) static long ms_small(long a, long b)
{
    volatile char pad[300];
    pad[0] = (char)a;
    test_touch(pad);
    return a + b + pad[0] - (char)a - 1;
}

/* Grows once more inside: a 4 KiB frame does not fit the callee's chunk. */
__attribute__((noinline)) static long sysv_deep(long x)
{
    volatile char pad[4096];
    pad[0] = (char)x;
    test_touch(pad);
    return pad[0] - 1 - (char)x;
}

__attribute__((ms_abi, noinline)) static long ms_growing(long a, long b)
{
    volatile char pad[300];
    pad[0] = 0;
    test_touch(pad);
    return a + b + sysv_deep(a) + pad[0] - 1;
}

static msfn *volatile which;
static long bad_calls;

static long probe(long depth)
{
    uint64_t out[22];
    (void)depth;
    long r = msabi_probe(which, out);
    int ok = r == 42 && out[0] == PAT(0x51) && out[1] == PAT(0xd1);
    for (int n = 6; n <= 15; n++)
        ok &= out[2 + 2 * (n - 6)] == PAT(0x30 + n) &&
              out[3 + 2 * (n - 6)] == PAT(0x30 + n);
    if (!ok)
        bad_calls++;
    return 0;
}

static long down(long n)
{
    volatile char pad[24];
    pad[0] = 0;
    test_touch(pad);
    if (n == 0)
        return probe(n);
    return down(n - 1) + pad[0] - 1;
}

static void *sweep(void *arg)
{
    (void)arg;
    for (long d = 0; d < 120; d++)
        down(d);
    return NULL;
}

static void run(msfn *fn)
{
    which = fn;
    bad_calls = 0;
    lstk_stats_t before = test_stats();
    cr_assert(eq(int, lstk_stack_run(1024, sweep, NULL, NULL), 0));
    lstk_stats_t after = test_stats();
    cr_assert(eq(long, bad_calls, 0),
              "rsi, rdi and xmm6-15 survive an ms_abi call that grew");
    cr_assert(ge(u64, after.grow_events - before.grow_events, 3),
              "the calls crossed chunk boundaries");
}

Test(msabi, callee_saved_survive_fast_paths)
{
    run(ms_small);
}

Test(msabi, callee_saved_survive_slow_paths)
{
    run(ms_growing);
}
