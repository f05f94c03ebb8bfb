/*
 * calib.c: the unit costs of this machine, measured in the same run as the
 * benchmarks, so that bench/run can say which costs dominate a case
 * (ARCHITECTURE.md's cost table, re-measured here):
 *   call       a plain call + return of a noinline function (ns)
 *   syscall    getppid() through syscall(2) (ns)
 *   sigmask    one pthread_sigmask(SIG_SETMASK) (ns), libgcc's __morestack
 *              makes four of them per boundary-crossing call
 *   fault      first touch of a fresh 4 KiB page of an anonymous mapping (ns)
 *   fault_thp  the same per 4 KiB after madvise(MADV_HUGEPAGE)
 *   mmap       an mmap + munmap pair of 64 KiB, untouched (ns)
 * Best of 5 for each.  Built plain (no checks).
 */
#include "common.h"

#include <signal.h>
#include <sys/mman.h>

BENCH_NOINLINE uint64_t leaf(uint64_t x)
{
    return x + 1;
}

static double call_ns(void)
{
    const uint64_t n = 20000000;
    uint64_t t0 = bench_now_ns(), acc = 0;
    for (uint64_t i = 0; i < n; i++)
        acc += leaf(i);
    bench_keep(acc);
    return (double)(bench_now_ns() - t0) / (double)n;
}

static double syscall_ns(void)
{
    const int n = 100000;
    uint64_t t0 = bench_now_ns();
    for (int i = 0; i < n; i++)
        syscall(SYS_getppid);
    return (double)(bench_now_ns() - t0) / n;
}

static double sigmask_ns(void)
{
    const int n = 100000;
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, NULL, &old);
    uint64_t t0 = bench_now_ns();
    for (int i = 0; i < n / 2; i++) {
        pthread_sigmask(SIG_SETMASK, &all, NULL);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    return (double)(bench_now_ns() - t0) / n;
}

static double fault_ns(int thp)
{
    const size_t len = 64u << 20, page = 4096;
    /* 2 MiB alignment so that huge pages can be used throughout. */
    char *raw = mmap(NULL, len + (2u << 20), PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        bench_die("calib", "mmap failed");
    char *p = (char *)(((uintptr_t)raw + (2u << 20) - 1) & ~(uintptr_t)((2u << 20) - 1));
    if (thp)
        madvise(p, len, MADV_HUGEPAGE);
    else
        madvise(p, len, MADV_NOHUGEPAGE);
    uint64_t t0 = bench_now_ns();
    for (size_t off = 0; off < len; off += page)
        ((volatile char *)p)[off] = 1;
    uint64_t t = bench_now_ns() - t0;
    munmap(raw, len + (2u << 20));
    return (double)t / (double)(len / page);
}

static double mmap_ns(void)
{
    const int n = 20000;
    uint64_t t0 = bench_now_ns();
    for (int i = 0; i < n; i++) {
        void *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            bench_die("calib", "mmap failed");
        munmap(p, 65536);
    }
    return (double)(bench_now_ns() - t0) / n;
}

static double best5(double (*f)(void))
{
    double b = f();
    for (int i = 1; i < 5; i++) {
        double v = f();
        if (v < b)
            b = v;
    }
    return b;
}

static double fault_plain(void) { return fault_ns(0); }
static double fault_thp(void) { return fault_ns(1); }

int main(void)
{
    struct {
        const char *name;
        double (*f)(void);
    } c[] = {
        {"call", call_ns},       {"syscall", syscall_ns},
        {"sigmask", sigmask_ns}, {"fault", fault_plain},
        {"fault_thp", fault_thp}, {"mmap", mmap_ns},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        printf("RESULT prog=calib case=%s variant=%s ns=%.2f\n", c[i].name,
               BENCH_VARIANT, best5(c[i].f));
    return 0;
}
