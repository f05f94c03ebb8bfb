/*
 * libc/libc.h: the bottom of the runtime, which every layer may use: the
 * real C library functions behind the names that liblinkstack defines
 * itself, raw system calls, the start-up order, and the few macros every
 * file uses.  It includes no other private header.
 *
 * The layers, each using only the ones below it (HACKING.md):
 *
 *     io/      lstk_* I/O, libc-name wrappers on top     (LSTK__START_IO)
 *     thread/  user-level threads and their scheduler    (LSTK__START_THREAD)
 *     stack/   linked stacks: chunks, growth, signals    (LSTK__START_STACK)
 *     libc/    libc's own functions, raw system calls    (LSTK__START_LIBC)
 *
 * Start-up is one sequence, bottom layer first: each layer has one start
 * function, a constructor whose priority is its layer's number below, so
 * that the C library runs them in this order, before every constructor of
 * default priority.  They are constructors of their own layer rather than
 * calls from one top-level function because a program linked with the
 * static liblinkstack.a gets only the objects it uses: a layer's start-up
 * comes with the layer, and a layer it does not use is not started.
 * Set-up that waits for first use (an OS thread's pool and system stack,
 * the scheduler, the epoll instance, the file helpers) is made by the
 * layer that needs it, which calls only downwards.  Where a lower layer
 * must tell a higher one something, the higher one registers a hook
 * (lstk__self_hook, the scheduler's idle hook, the poller's internal
 * event).
 */
#ifndef LSTK_LIBC_H
#define LSTK_LIBC_H

/* Constructor priorities: the start-up sequence (101..: 0-100 are the C
   library's own). */
#define LSTK__START_LIBC 101   /* libc/libc.c: lstk__libc_start */
#define LSTK__START_STACK 102  /* stack/debug.c: lstk__stack_start */
#define LSTK__START_THREAD 103 /* thread/sched.c: lstk__thread_start */
#define LSTK__START_IO 104     /* io/poller.c: lstk__io_start */

#ifndef __ASSEMBLER__

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

#define LSTK__HIDDEN __attribute__((visibility("hidden")))
#define lstk__fast(x) __builtin_expect(!!(x), 1)
#define lstk__slow(x) __builtin_expect(!!(x), 0)

/* --- raw system calls ---------------------------------------------------- */

/* Each returns the kernel's result: >= 0, or -errno. */
static inline long lstk__sc(long nr, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "0"(nr), "D"(a), "S"(b), "d"(c)
                     : "rcx", "r11", "memory");
    return r;
}

static inline long lstk__sc6(long nr, long a, long b, long c, long d, long e,
                             long f)
{
    long r;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "0"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8),
                       "r"(r9)
                     : "rcx", "r11", "memory");
    return r;
}

/* Turns a raw result into the libc convention: -1 and errno. */
static inline long lstk__sc_ret(long r)
{
    if (lstk__slow(r < 0 && r > -4096)) {
        errno = (int)-r;
        return -1;
    }
    return r;
}

/* --- libc's own functions ------------------------------------------------ */

/*
 * The C library's functions behind the libc names that io/intercept.c
 * defines, found with dlsym(RTLD_NEXT) by lstk__libc_start (on main's
 * stack, before main: dlsym needs kilobytes of stack, which a chunk does
 * not have).  Until then, and in a static program, where dlsym finds
 * nothing, raw system calls stand in: the same kernel calls without libc's
 * cancellation points, so there is always something to call, even from
 * another library's constructor or from lstk__fatal.
 */
struct lstk__libc {
    ssize_t (*read)(int, void *, size_t);
    ssize_t (*write)(int, const void *, size_t);
    ssize_t (*readv)(int, const struct iovec *, int);
    ssize_t (*writev)(int, const struct iovec *, int);
    ssize_t (*pread)(int, void *, size_t, off_t);
    ssize_t (*pwrite)(int, const void *, size_t, off_t);
    ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *,
                        socklen_t *);
    ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *,
                      socklen_t);
    ssize_t (*recvmsg)(int, struct msghdr *, int);
    ssize_t (*sendmsg)(int, const struct msghdr *, int);
    int (*accept4)(int, struct sockaddr *, socklen_t *, int);
    int (*connect)(int, const struct sockaddr *, socklen_t);
    int (*poll)(struct pollfd *, nfds_t, int);
    ssize_t (*sendfile)(int, int, off_t *, size_t);
    int (*nanosleep)(const struct timespec *, struct timespec *);
    int (*close)(int);
    int (*fcntl)(int, int, ...);
    int (*fcntl64)(int, int, ...);
    int (*ioctl)(int, unsigned long, ...);
    int (*dup)(int);
    int (*dup2)(int, int);
    int (*dup3)(int, int, int);
    int (*socket)(int, int, int);
    int (*pipe)(int[2]);
    int (*pipe2)(int[2], int);
    /* Calls that return a new descriptor number or close a range: the
       runtime drops what it knew of the numbers (issue 13). */
    int (*socketpair)(int, int, int, int[2]);
    int (*open)(const char *, int, ...);
    int (*openat)(int, const char *, int, ...);
    int (*eventfd)(unsigned int, int);
    int (*epoll_create1)(int);
    int (*timerfd_create)(int, int);
    int (*signalfd)(int, const sigset_t *, int);
    int (*memfd_create)(const char *, unsigned int);
    int (*inotify_init1)(int);
    int (*close_range)(unsigned int, unsigned int, int);
    /* Calls that close a descriptor inside libc, where the close wrapper
       does not see it (issue 13).  In a program linked with a static libc,
       which dlsym cannot search, libc's own internal names stand in when
       the program has them, else a call ends with a `linkstack:` message
       (libc.c). */
    int (*fclose)(FILE *);
    int (*closedir)(DIR *);
    FILE *(*freopen)(const char *, const char *, FILE *);
    /* [issue 12] Not a name the runtime defines: ASan and TSan do, and
       their interceptor needs more stack than the budget of the lstk_*
       calls that read the clock on a chunk.  Until resolved (and in a
       static program), the name as linked. */
    int (*clock_gettime)(clockid_t, struct timespec *);
};

extern struct lstk__libc lstk__libc LSTK__HIDDEN;

/* libc's F, never liblinkstack's wrapper of the same name. */
#define LSTK__REAL(f) (lstk__libc.f)

#endif /* !__ASSEMBLER__ */
#endif /* LSTK_LIBC_H */
