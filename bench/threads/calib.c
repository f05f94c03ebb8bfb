/*
 * calib.c: this machine's unit costs, measured in the same run as the
 * thread benchmarks so that the table can say which costs dominate.
 *
 *     calib [MIB]
 *
 * Prints (see common.h for the line format):
 *   case=calib_fault      first touch of a fresh 4 KiB page (THP off for
 *                         the region): ns per page
 *   case=calib_fault_thp  the same with MADV_HUGEPAGE: ns per 4 KiB (a
 *                         2 MiB fault zeroes 512 pages at once; when the
 *                         kernel must compact memory first, it costs more)
 *   case=calib_syscall    getppid(): ns per system call
 */
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common.h"

#define HUGE (2u << 20)

static void touch(const char *cas, size_t mib, int advice)
{
    size_t size = mib << 20;
    struct bt_snap a, b;
    char *raw, *p;

    raw = mmap(NULL, size + HUGE, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (raw == MAP_FAILED)
        bt_die("calib: mmap: %s", strerror(errno));
    p = (char *)(((uintptr_t)raw + HUGE - 1) & ~(uintptr_t)(HUGE - 1));
    madvise(p, size, advice);
    bt_snap(&a);
    for (size_t i = 0; i < size; i += 4096)
        ((volatile char *)p)[i] = 1;
    bt_snap(&b);
    bt_result(cas, "machine", (double)(b.wall_ns - a.wall_ns) / (double)(size / 4096),
              "ns/4KiB", (long)(size / 4096), &a, &b, "");
    munmap(raw, size + HUGE);
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 128;
    struct bt_snap a, b;
    long n = 200000;

    touch("calib_fault", mib, MADV_NOHUGEPAGE);
    touch("calib_fault_thp", mib, MADV_HUGEPAGE);
    bt_snap(&a);
    for (long i = 0; i < n; i++)
        syscall(SYS_getppid);
    bt_snap(&b);
    bt_result("calib_syscall", "machine", (double)(b.wall_ns - a.wall_ns) / (double)n,
              "ns/call", n, &a, &b, "");
    return 0;
}
