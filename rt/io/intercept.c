/*
 * io/intercept.c: the libc names (read, write, accept, poll, nanosleep,
 * ...) behave as the lstk_* calls when made on a linkstack thread, so that
 * unmodified blocking code blocks only its own thread.  The top of the I/O
 * layer: it calls the lstk_* calls (io.c), the pass-through (passthru.c)
 * and libc/; nothing in the runtime calls it.
 *
 * How: liblinkstack exports functions with libc's names.  The dynamic
 * linker binds every reference in the program and its libraries to the
 * first definition in load order, and liblinkstack comes before libc (the
 * program links it; libc comes last), so these take precedence, as
 * stack/signal.c's sigaction does.  Each wrapper asks one cheap question
 * (lstk__intercepting, io.h: the guard slot, then the scheduler's TLS) and
 * either calls the lstk_* function or passes the call to libc's own
 * function, which libc/libc.c finds with dlsym(RTLD_NEXT) at start-up.
 * A program linked with the static liblinkstack.a gets the same; a fully
 * static one passes the calls to the raw system calls.
 *
 * On main, on foreign OS threads and in signal handlers the wrappers behave
 * as libc's, with one wrinkle hidden from the program: a socket that a
 * linkstack thread used is O_NONBLOCK in the kernel, so the pass-through
 * turns EAGAIN into a wait in poll(2) (blocking that OS thread, as libc's
 * call would) unless the program itself asked for non-blocking mode; and
 * fcntl(F_GETFL)/F_SETFL and ioctl(FIONBIO) show and set the program's
 * view.  close, dup2, dup3 and close_range tell the runtime that a
 * descriptor number is being reused (threads waiting on it wake with
 * EBADF); socket, socketpair, pipe, pipe2, dup, accept, open, openat,
 * creat, eventfd, epoll_create, timerfd_create, signalfd, memfd_create and
 * inotify_init tell it that a number is new, so that what it knew of a
 * number closed behind its back (fclose, closedir, libc's internal
 * closes) is dropped before anyone waits on it (issue 13: a number reused
 * with its old kind made a read block the OS thread, or a wait never end
 * for want of a registration).
 *
 * syscall(2) tells it of the numbers it makes and closes too, and fclose,
 * closedir and freopen of the numbers libc closes inside them.  A number
 * closed and reused where nothing is seen (libc's internal dup2 in
 * daemon, a raw `syscall` instruction) leaves a stale entry: io.c's
 * io_sock_call keeps a stale socket entry from blocking the OS thread and
 * looks at the number again when it answers ENOTSOCK (doc/io.md).
 *
 * Not intercepted (they block the whole OS thread when called on a
 * linkstack thread): libc-internal calls (stdio on sockets, getaddrinfo),
 * select, epoll_wait, and blocking calls made through the raw syscall(2).  Off: LSTK_INTERCEPT=0 in the
 * environment (read at start-up, poller.c), or lstk_intercept(0).
 */
#define _GNU_SOURCE 1
#undef _FORTIFY_SOURCE /* read() & co. must be plain declarations here */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "io/io.h"

LSTK_EXPORT int lstk_intercept(int on)
{
    return __atomic_exchange_n(&lstk__intercept_on, on != 0, __ATOMIC_RELAXED);
}

/* --- the wrappers ------------------------------------------------------------ */

LSTK_EXPORT ssize_t read(int fd, void *buf, size_t len)
{
    if (lstk__intercepting())
        return lstk_read(fd, buf, len);
    return lstk__pt_read(fd, buf, len, LSTK_FOREVER);
}

LSTK_EXPORT ssize_t write(int fd, const void *buf, size_t len)
{
    if (lstk__intercepting())
        return lstk_write(fd, buf, len);
    return lstk__pt_write(fd, buf, len, LSTK_FOREVER);
}

LSTK_EXPORT ssize_t readv(int fd, const struct iovec *iov, int n)
{
    if (lstk__intercepting())
        return lstk_readv(fd, iov, n);
    return lstk__pt_readv(fd, iov, n, LSTK_FOREVER);
}

LSTK_EXPORT ssize_t writev(int fd, const struct iovec *iov, int n)
{
    if (lstk__intercepting())
        return lstk_writev(fd, iov, n);
    return lstk__pt_writev(fd, iov, n, LSTK_FOREVER);
}

LSTK_EXPORT ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
    if (lstk__intercepting())
        return lstk_pread(fd, buf, len, off);
    return LSTK__REAL(pread)(fd, buf, len, off);
}

LSTK_EXPORT ssize_t pread64(int fd, void *buf, size_t len, off64_t off)
{
    return pread(fd, buf, len, (off_t)off);
}

LSTK_EXPORT ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
    if (lstk__intercepting())
        return lstk_pwrite(fd, buf, len, off);
    return LSTK__REAL(pwrite)(fd, buf, len, off);
}

LSTK_EXPORT ssize_t pwrite64(int fd, const void *buf, size_t len, off64_t off)
{
    return pwrite(fd, buf, len, (off_t)off);
}

LSTK_EXPORT ssize_t recv(int fd, void *buf, size_t len, int flags)
{
    if (lstk__intercepting())
        return lstk_recv(fd, buf, len, flags);
    return lstk__pt_recvfrom(fd, buf, len, flags, NULL, NULL, LSTK_FOREVER);
}

LSTK_EXPORT ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    if (lstk__intercepting())
        return lstk_send(fd, buf, len, flags);
    return lstk__pt_sendto(fd, buf, len, flags, NULL, 0, LSTK_FOREVER);
}

LSTK_EXPORT ssize_t recvfrom(int fd, void *restrict buf, size_t len, int flags,
                             __SOCKADDR_ARG addr, socklen_t *restrict alen)
{
    if (lstk__intercepting())
        return lstk_recvfrom(fd, buf, len, flags, addr.__sockaddr__, alen);
    return lstk__pt_recvfrom(fd, buf, len, flags, addr.__sockaddr__, alen,
                             LSTK_FOREVER);
}

LSTK_EXPORT ssize_t sendto(int fd, const void *buf, size_t len, int flags,
                           __CONST_SOCKADDR_ARG addr, socklen_t alen)
{
    if (lstk__intercepting())
        return lstk_sendto(fd, buf, len, flags, addr.__sockaddr__, alen);
    return lstk__pt_sendto(fd, buf, len, flags, addr.__sockaddr__, alen,
                           LSTK_FOREVER);
}

LSTK_EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
    if (lstk__intercepting())
        return lstk_recvmsg(fd, msg, flags);
    return lstk__pt_recvmsg(fd, msg, flags);
}

LSTK_EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
    if (lstk__intercepting())
        return lstk_sendmsg(fd, msg, flags);
    return lstk__pt_sendmsg(fd, msg, flags);
}

LSTK_EXPORT int accept(int fd, __SOCKADDR_ARG addr, socklen_t *restrict alen)
{
    if (lstk__intercepting())
        return lstk_accept(fd, addr.__sockaddr__, alen);
    return lstk__pt_accept4(fd, addr.__sockaddr__, alen, 0, LSTK_FOREVER);
}

LSTK_EXPORT int accept4(int fd, __SOCKADDR_ARG addr, socklen_t *restrict alen,
                        int flags)
{
    if (lstk__intercepting())
        return lstk_accept4(fd, addr.__sockaddr__, alen, flags);
    return lstk__pt_accept4(fd, addr.__sockaddr__, alen, flags, LSTK_FOREVER);
}

LSTK_EXPORT int connect(int fd, __CONST_SOCKADDR_ARG addr, socklen_t alen)
{
    if (lstk__intercepting())
        return lstk_connect(fd, addr.__sockaddr__, alen);
    return lstk__pt_connect(fd, addr.__sockaddr__, alen, LSTK_FOREVER);
}

LSTK_EXPORT int poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
    if (lstk__intercepting())
        return lstk_poll(fds, n, timeout_ms);
    return LSTK__REAL(poll)(fds, n, timeout_ms);
}

LSTK_EXPORT ssize_t sendfile(int out, int in, off_t *off, size_t count)
{
    if (lstk__intercepting())
        return lstk_sendfile(out, in, off, count);
    return lstk__pt_sendfile(out, in, off, count, LSTK_FOREVER);
}

LSTK_EXPORT ssize_t sendfile64(int out, int in, off64_t *off, size_t count)
{
    return sendfile(out, in, (off_t *)off, count);
}

LSTK_EXPORT int nanosleep(const struct timespec *req, struct timespec *rem)
{
    uint64_t left = 0, ns;

    if (!lstk__intercepting())
        return LSTK__REAL(nanosleep)(req, rem);
    if (req == NULL) {
        errno = EFAULT;
        return -1;
    }
    if (req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= 1000000000L) {
        errno = EINVAL;
        return -1;
    }
    ns = (uint64_t)req->tv_sec > (UINT64_MAX - 999999999u) / 1000000000u
             ? UINT64_MAX
             : (uint64_t)req->tv_sec * 1000000000u + (uint64_t)req->tv_nsec;
    if (lstk_nanosleep(ns, &left) == 0)
        return 0;
    if (rem != NULL && errno == EINTR) {
        rem->tv_sec = (time_t)(left / 1000000000u);
        rem->tv_nsec = (long)(left % 1000000000u);
    }
    return -1;
}

LSTK_EXPORT int usleep(useconds_t us)
{
    if (!lstk__intercepting()) {
        struct timespec ts = { (time_t)(us / 1000000u),
                               (long)(us % 1000000u) * 1000 };
        return LSTK__REAL(nanosleep)(&ts, NULL);
    }
    return lstk_nanosleep((uint64_t)us * 1000u, NULL);
}

LSTK_EXPORT unsigned int sleep(unsigned int seconds)
{
    uint64_t left = 0;

    if (!lstk__intercepting()) {
        struct timespec ts = { (time_t)seconds, 0 }, rem = { 0, 0 };
        if (LSTK__REAL(nanosleep)(&ts, &rem) == 0)
            return 0;
        return (unsigned)rem.tv_sec + (rem.tv_nsec != 0);
    }
    if (lstk_nanosleep((uint64_t)seconds * 1000000000u, &left) == 0)
        return 0;
    return (unsigned)((left + 999999999u) / 1000000000u);
}

/* --- descriptor bookkeeping ------------------------------------------------------ */

/* The program must not close or replace the runtime's own descriptors
   (a daemon's "close every descriptor" loop would): refused, said once. */
#define REFUSE_OWN(call, fd)                                                  \
    do {                                                                      \
        if (lstk__slow(lstk__io_owns_fd(fd))) {                               \
            lstk__io_refused(call, fd);                                       \
            errno = EBADF;                                                    \
            return -1;                                                        \
        }                                                                     \
    } while (0)

LSTK_EXPORT int close(int fd)
{
    REFUSE_OWN("close", fd);
    lstk__fd_forget(fd);
    return LSTK__REAL(close)(fd);
}

LSTK_EXPORT int dup(int fd)
{
    int r = LSTK__REAL(dup)(fd);
    if (r >= 0)
        lstk__fd_forget(r);
    return r;
}

LSTK_EXPORT int dup2(int fd, int fd2)
{
    REFUSE_OWN("dup2", fd2);
    if (fd != fd2)
        lstk__fd_forget(fd2);
    return LSTK__REAL(dup2)(fd, fd2);
}

LSTK_EXPORT int dup3(int fd, int fd2, int flags)
{
    REFUSE_OWN("dup3", fd2);
    if (fd != fd2)
        lstk__fd_forget(fd2);
    return LSTK__REAL(dup3)(fd, fd2, flags);
}

LSTK_EXPORT int socket(int domain, int type, int protocol)
{
    int r = LSTK__REAL(socket)(domain, type, protocol);
    if (r >= 0)
        lstk__fd_forget(r);
    return r;
}

LSTK_EXPORT int pipe(int fds[2])
{
    int r = LSTK__REAL(pipe)(fds);
    if (r == 0) {
        lstk__fd_forget(fds[0]);
        lstk__fd_forget(fds[1]);
    }
    return r;
}

LSTK_EXPORT int pipe2(int fds[2], int flags)
{
    int r = LSTK__REAL(pipe2)(fds, flags);
    if (r == 0) {
        lstk__fd_forget(fds[0]);
        lstk__fd_forget(fds[1]);
    }
    return r;
}

/* --- new descriptor numbers ------------------------------------------------ */

/* R is a descriptor just made (or -1): whatever the table says of its
   number is stale. */
static inline int fresh(int r)
{
    if (r >= 0)
        lstk__fd_forget(r);
    return r;
}

LSTK_EXPORT int socketpair(int domain, int type, int protocol, int fds[2])
{
    int r = LSTK__REAL(socketpair)(domain, type, protocol, fds);
    if (r == 0) {
        fresh(fds[0]);
        fresh(fds[1]);
    }
    return r;
}

/* The mode argument is there only with O_CREAT or O_TMPFILE. */
#define OPEN_MODE(flags, mode)                                                    do {                                                                              if ((flags) & O_CREAT || ((flags) & O_TMPFILE) == O_TMPFILE) {                    va_list ap_;                                                                  va_start(ap_, flags);                                                         (mode) = va_arg(ap_, int);                                                    va_end(ap_);                                                              }                                                                         } while (0)

LSTK_EXPORT int open(const char *path, int flags, ...)
{
    int mode = 0;
    OPEN_MODE(flags, mode);
    return fresh(LSTK__REAL(open)(path, flags, mode));
}

LSTK_EXPORT int open64(const char *path, int flags, ...)
{
    int mode = 0;
    OPEN_MODE(flags, mode);
    return fresh(LSTK__REAL(open)(path, flags | O_LARGEFILE, mode));
}

LSTK_EXPORT int openat(int dfd, const char *path, int flags, ...)
{
    int mode = 0;
    OPEN_MODE(flags, mode);
    return fresh(LSTK__REAL(openat)(dfd, path, flags, mode));
}

LSTK_EXPORT int openat64(int dfd, const char *path, int flags, ...)
{
    int mode = 0;
    OPEN_MODE(flags, mode);
    return fresh(LSTK__REAL(openat)(dfd, path, flags | O_LARGEFILE, mode));
}

/* _FORTIFY_SOURCE turns open/openat without a mode into these. */
LSTK_EXPORT int __open_2(const char *path, int flags)
{
    return fresh(LSTK__REAL(open)(path, flags, 0));
}

LSTK_EXPORT int __open64_2(const char *path, int flags)
{
    return fresh(LSTK__REAL(open)(path, flags | O_LARGEFILE, 0));
}

LSTK_EXPORT int __openat_2(int dfd, const char *path, int flags)
{
    return fresh(LSTK__REAL(openat)(dfd, path, flags, 0));
}

LSTK_EXPORT int __openat64_2(int dfd, const char *path, int flags)
{
    return fresh(LSTK__REAL(openat)(dfd, path, flags | O_LARGEFILE, 0));
}

LSTK_EXPORT int creat(const char *path, mode_t mode)
{
    return fresh(LSTK__REAL(open)(path, O_CREAT | O_WRONLY | O_TRUNC, mode));
}

LSTK_EXPORT int creat64(const char *path, mode_t mode)
{
    return fresh(LSTK__REAL(open)(path, O_CREAT | O_WRONLY | O_TRUNC | O_LARGEFILE,
                                  mode));
}

LSTK_EXPORT int eventfd(unsigned int count, int flags)
{
    return fresh(LSTK__REAL(eventfd)(count, flags));
}

LSTK_EXPORT int epoll_create(int size)
{
    if (size <= 0) {
        errno = EINVAL;
        return -1;
    }
    return fresh(LSTK__REAL(epoll_create1)(0));
}

LSTK_EXPORT int epoll_create1(int flags)
{
    return fresh(LSTK__REAL(epoll_create1)(flags));
}

LSTK_EXPORT int timerfd_create(int clockid, int flags)
{
    return fresh(LSTK__REAL(timerfd_create)(clockid, flags));
}

LSTK_EXPORT int signalfd(int fd, const sigset_t *mask, int flags)
{
    int r = LSTK__REAL(signalfd)(fd, mask, flags);
    return fd == -1 ? fresh(r) : r; /* else the mask of an existing one */
}

LSTK_EXPORT int memfd_create(const char *name, unsigned int flags)
{
    return fresh(LSTK__REAL(memfd_create)(name, flags));
}

LSTK_EXPORT int inotify_init(void)
{
    return fresh(LSTK__REAL(inotify_init1)(0));
}

LSTK_EXPORT int inotify_init1(int flags)
{
    return fresh(LSTK__REAL(inotify_init1)(flags));
}

/* --- closing a range ------------------------------------------------------- */

/* close_range on [LO, HI] but the runtime's own descriptors: the range
   cut around each (at most three). */
static int close_range_but_own(unsigned lo, unsigned hi, int flags)
{
    int own[3], n = lstk__io_own_fds(own), rc = 0;

    for (int i = 0; i < n; i++) {
        unsigned o = (unsigned)own[i];
        if (o < lo || o > hi)
            continue;
        lstk__io_refused("close_range", own[i]);
        if (o > lo && LSTK__REAL(close_range)(lo, o - 1, flags) != 0)
            rc = -1;
        if (o == hi)
            return rc;
        lo = o + 1;
    }
    if (LSTK__REAL(close_range)(lo, hi, flags) != 0)
        rc = -1;
    return rc;
}

LSTK_EXPORT int close_range(unsigned int lo, unsigned int hi, int flags)
{
    /* CLOSE_RANGE_CLOEXEC only marks them; CLOSE_RANGE_UNSHARE closes in
       a private copy of the table, which for this process is a close. */
    if (lo > hi)
        return LSTK__REAL(close_range)(lo, hi, flags);
    if (!(flags & CLOSE_RANGE_CLOEXEC))
        lstk__fd_forget_range(lo, hi);
    return close_range_but_own(lo, hi, flags);
}

LSTK_EXPORT void closefrom(int lo)
{
    if (lo < 0)
        lo = 0;
    lstk__fd_forget_range((unsigned)lo, ~0u);
    if (close_range_but_own((unsigned)lo, ~0u, 0) != 0)
        for (int fd = lo; fd < 65536; fd++) /* before Linux 5.9 */
            if (!lstk__io_owns_fd(fd))
                LSTK__REAL(close)(fd);
}

/* --- closes inside libc ----------------------------------------------------- */

/* fclose, closedir and freopen close a descriptor with libc's internal
   close (freopen: its internal dup3 onto the stream's number), which the
   close wrapper never sees; the runtime forgets the number first, as close
   does.  (A number the runtime knew, closed unseen and made again unseen
   by fopen, opendir or popen, kept its old kind: a read could block the OS
   thread, and a wait on an old registration never end.) */
LSTK_EXPORT int fclose(FILE *f)
{
    if (f != NULL) {
        int fd = fileno(f);
        if (fd >= 0) {
            REFUSE_OWN("fclose", fd);
            lstk__fd_forget(fd);
        }
    }
    return LSTK__REAL(fclose)(f);
}

LSTK_EXPORT int closedir(DIR *d)
{
    int fd = dirfd(d);
    if (fd >= 0)
        lstk__fd_forget(fd);
    return LSTK__REAL(closedir)(d);
}

LSTK_EXPORT FILE *freopen(const char *path, const char *mode, FILE *f)
{
    int fd = f != NULL ? fileno(f) : -1;
    if (fd >= 0)
        lstk__fd_forget(fd);
    FILE *r = LSTK__REAL(freopen)(path, mode, f);
    if (r != NULL && fileno(r) >= 0)
        lstk__fd_forget(fileno(r)); /* made by libc's own open and dup3 */
    return r;
}

LSTK_EXPORT FILE *freopen64(const char *path, const char *mode, FILE *f)
{
    return freopen(path, mode, f);
}

/* --- syscall(2) ---------------------------------------------------------------- */

/*
 * The raw syscall(2) of libc, replaced so that descriptor numbers made or
 * closed through it are seen as through the named calls above: closes and
 * dup2/dup3 go through those wrappers (the runtime's own descriptors are
 * refused alike), and a call that makes descriptors forgets what the table
 * knew of their numbers.  Everything else is the plain system call, as
 * libc's syscall(2) makes it: blocking calls block the OS thread (not
 * intercepted, see the head of this file).  A raw `syscall` instruction in
 * the program's own assembly is out of reach: io.c's io_sock_call keeps a
 * stale socket entry from blocking the OS thread on it.
 */
LSTK_EXPORT long syscall(long nr, ...)
{
    va_list ap;
    long a[6], r;

    va_start(ap, nr);
    for (int i = 0; i < 6; i++)
        a[i] = va_arg(ap, long);
    va_end(ap);
    switch (nr) {
    case SYS_close:
        return close((int)a[0]);
    case SYS_close_range:
        return close_range((unsigned)a[0], (unsigned)a[1], (int)a[2]);
    case SYS_dup2:
        return dup2((int)a[0], (int)a[1]);
    case SYS_dup3:
        return dup3((int)a[0], (int)a[1], (int)a[2]);
    }
    r = lstk__sc_ret(lstk__sc6(nr, a[0], a[1], a[2], a[3], a[4], a[5]));
    if (r < 0)
        return r;
    switch (nr) {
    case SYS_socketpair:
        fresh(((int *)a[3])[0]);
        fresh(((int *)a[3])[1]);
        break;
    case SYS_pipe:
    case SYS_pipe2:
        fresh(((int *)a[0])[0]);
        fresh(((int *)a[0])[1]);
        break;
    case SYS_fcntl:
        if (a[1] == F_DUPFD || a[1] == F_DUPFD_CLOEXEC)
            fresh((int)r);
        break;
    case SYS_open:
    case SYS_openat:
#ifdef SYS_openat2
    case SYS_openat2:
#endif
    case SYS_creat:
    case SYS_dup:
    case SYS_socket:
    case SYS_accept:
    case SYS_accept4:
    case SYS_eventfd:
    case SYS_eventfd2:
    case SYS_epoll_create:
    case SYS_epoll_create1:
    case SYS_timerfd_create:
    case SYS_signalfd:
    case SYS_signalfd4:
    case SYS_memfd_create:
    case SYS_inotify_init:
    case SYS_inotify_init1:
#ifdef SYS_pidfd_open
    case SYS_pidfd_open:
#endif
#ifdef SYS_pidfd_getfd
    case SYS_pidfd_getfd:
#endif
        fresh((int)r);
        break;
    }
    return r;
}

/* Sets the program's view of O_NONBLOCK on FD (entry E). */
static void set_user_nonblock(struct lstk__fd *e, int on)
{
    uint8_t f = __atomic_load_n(&e->flags, __ATOMIC_RELAXED);
    if (__atomic_load_n(&e->kind, __ATOMIC_ACQUIRE) == LSTK__FD_SOCK)
        f = (uint8_t)((f & ~(LSTK__FDF_UNB | LSTK__FDF_ONB)) |
                      (on ? LSTK__FDF_UNB : LSTK__FDF_ONB));
    else
        f = (uint8_t)(on ? f | LSTK__FDF_UNB : f & ~LSTK__FDF_UNB);
    __atomic_store_n(&e->flags, f, __ATOMIC_RELAXED);
}

/* fcntl and fcntl64 (the same on x86-64): the program's view of
   O_NONBLOCK on descriptors the runtime keeps non-blocking. */
static int do_fcntl(int (*fn)(int, int, ...), int fd, int cmd, void *arg)
{
    struct lstk__fd *e;
    int r;

    switch (cmd) {
    case F_GETFL:
        r = fn(fd, cmd);
        if (r >= 0 && lstk__pt_emulated(fd))
            r &= ~O_NONBLOCK;
        return r;
    case F_SETFL:
        e = lstk__fd_peek(fd);
        if (e == NULL || e->kind == LSTK__FD_UNKNOWN)
            return fn(fd, cmd, arg);
        if (e->kind == LSTK__FD_SOCK)
            r = fn(fd, cmd, (int)(intptr_t)arg | O_NONBLOCK); /* ours */
        else
            r = fn(fd, cmd, arg);
        if (r == 0)
            set_user_nonblock(e, ((int)(intptr_t)arg & O_NONBLOCK) != 0);
        return r;
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        r = fn(fd, cmd, arg);
        if (r >= 0)
            lstk__fd_forget(r);
        return r;
    default:
        return fn(fd, cmd, arg);
    }
}

LSTK_EXPORT int fcntl(int fd, int cmd, ...)
{
    va_list ap;
    void *arg;

    va_start(ap, cmd);
    arg = va_arg(ap, void *);
    va_end(ap);
    return do_fcntl(LSTK__REAL(fcntl), fd, cmd, arg);
}

LSTK_EXPORT int fcntl64(int fd, int cmd, ...)
{
    va_list ap;
    void *arg;

    va_start(ap, cmd);
    arg = va_arg(ap, void *);
    va_end(ap);
    return do_fcntl(LSTK__REAL(fcntl64), fd, cmd, arg);
}

LSTK_EXPORT int ioctl(int fd, unsigned long req, ...)
{
    struct lstk__fd *e;
    va_list ap;
    void *arg;

    va_start(ap, req);
    arg = va_arg(ap, void *);
    va_end(ap);
    if (req == FIONBIO && arg != NULL && (e = lstk__fd_peek(fd)) != NULL &&
        e->kind != LSTK__FD_UNKNOWN) {
        int on = *(const int *)arg != 0;
        if (e->kind == LSTK__FD_SOCK) {
            set_user_nonblock(e, on); /* the kernel's stays on */
            return 0;
        }
        int r = LSTK__REAL(ioctl)(fd, req, arg);
        if (r == 0)
            set_user_nonblock(e, on);
        return r;
    }
    return LSTK__REAL(ioctl)(fd, req, arg);
}
