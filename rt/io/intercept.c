/*
 * intercept.c: the libc names (read, write, accept, poll, nanosleep, ...)
 * behave as the lstk_* calls when made on a linkstack thread, so that
 * unmodified blocking code blocks only its own thread.
 *
 * How: liblinkstack exports functions with libc's names.  The dynamic
 * linker binds every reference in the program and its libraries to the
 * first definition in load order, and liblinkstack comes before libc (the
 * program links it; libc comes last), so these take precedence, as
 * rt/signal.c's sigaction does.  Each wrapper asks one cheap question
 * (lstk__intercepting, io.h: the guard slot, then the scheduler's TLS) and
 * either calls the lstk_* function or passes the call to libc's own
 * function, found with dlsym(RTLD_NEXT) when the library is loaded (a
 * constructor: dlsym needs kilobytes of stack, which a chunk does not
 * have).  A program linked with the static liblinkstack.a gets the same;
 * a fully static one passes the calls to the raw system calls.
 *
 * On main, on foreign OS threads and in signal handlers the wrappers behave
 * as libc's, with one wrinkle hidden from the program: a socket that a
 * linkstack thread used is O_NONBLOCK in the kernel, so the pass-through
 * turns EAGAIN into a wait in poll(2) (blocking that OS thread, as libc's
 * call would) unless the program itself asked for non-blocking mode; and
 * fcntl(F_GETFL)/F_SETFL and ioctl(FIONBIO) show and set the program's
 * view.  close, dup2 and dup3 tell the runtime that a descriptor number is
 * being reused (threads waiting on it wake with EBADF); socket, pipe,
 * pipe2, dup and accept tell it that a number is new, so that what it knew
 * of a number closed behind its back (fclose, close_range) is dropped.
 *
 * Not intercepted (they block the whole OS thread when called on a
 * linkstack thread): libc-internal calls (stdio on sockets, getaddrinfo),
 * select, epoll_wait, and the raw syscall(2).  Off: LSTK_INTERCEPT=0 in the
 * environment, or lstk_intercept(0).
 */
#define _GNU_SOURCE 1
#undef _FORTIFY_SOURCE /* read() & co. must be plain declarations here */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "io/intercept.h"
#include "io/io.h"

int lstk__intercept_on = 1;

/*
 * libc's functions behind the wrappers.  Until the constructor has found
 * them (and in a static program, where dlsym(RTLD_NEXT) finds nothing) the
 * raw system calls stand in: the same kernel calls, without libc's
 * cancellation points.  So a wrapper always has something to call, even
 * from another library's constructor or from lstk__fatal.
 */
#define RAW1(name, ret, t1, nr)                                              \
    static ret raw_##name(t1 a)                                              \
    {                                                                        \
        return (ret)lstk__sc_ret(lstk__sc(nr, (long)a, 0, 0));               \
    }
#define RAW2(name, ret, t1, t2, nr)                                          \
    static ret raw_##name(t1 a, t2 b)                                        \
    {                                                                        \
        return (ret)lstk__sc_ret(lstk__sc(nr, (long)a, (long)b, 0));         \
    }
#define RAW3(name, ret, t1, t2, t3, nr)                                      \
    static ret raw_##name(t1 a, t2 b, t3 c)                                  \
    {                                                                        \
        return (ret)lstk__sc_ret(lstk__sc(nr, (long)a, (long)b, (long)c));   \
    }
#define RAW4(name, ret, t1, t2, t3, t4, nr)                                  \
    static ret raw_##name(t1 a, t2 b, t3 c, t4 d)                            \
    {                                                                        \
        return (ret)lstk__sc_ret(                                            \
            lstk__sc6(nr, (long)a, (long)b, (long)c, (long)d, 0, 0));        \
    }
#define RAW6(name, ret, t1, t2, t3, t4, t5, t6, nr)                          \
    static ret raw_##name(t1 a, t2 b, t3 c, t4 d, t5 e, t6 f)                \
    {                                                                        \
        return (ret)lstk__sc_ret(lstk__sc6(nr, (long)a, (long)b, (long)c,    \
                                           (long)d, (long)e, (long)f));      \
    }

RAW3(read, ssize_t, int, void *, size_t, SYS_read)
RAW3(write, ssize_t, int, const void *, size_t, SYS_write)
RAW3(readv, ssize_t, int, const struct iovec *, int, SYS_readv)
RAW3(writev, ssize_t, int, const struct iovec *, int, SYS_writev)
RAW4(pread, ssize_t, int, void *, size_t, off_t, SYS_pread64)
RAW4(pwrite, ssize_t, int, const void *, size_t, off_t, SYS_pwrite64)
RAW6(recvfrom, ssize_t, int, void *, size_t, int, struct sockaddr *,
     socklen_t *, SYS_recvfrom)
RAW6(sendto, ssize_t, int, const void *, size_t, int, const struct sockaddr *,
     socklen_t, SYS_sendto)
RAW3(recvmsg, ssize_t, int, struct msghdr *, int, SYS_recvmsg)
RAW3(sendmsg, ssize_t, int, const struct msghdr *, int, SYS_sendmsg)
RAW4(accept4, int, int, struct sockaddr *, socklen_t *, int, SYS_accept4)
RAW3(connect, int, int, const struct sockaddr *, socklen_t, SYS_connect)
RAW3(poll, int, struct pollfd *, nfds_t, int, SYS_poll)
RAW4(sendfile, ssize_t, int, int, off_t *, size_t, SYS_sendfile)
RAW2(nanosleep, int, const struct timespec *, struct timespec *, SYS_nanosleep)
RAW1(close, int, int, SYS_close)
RAW1(dup, int, int, SYS_dup)
RAW2(dup2, int, int, int, SYS_dup2)
RAW3(dup3, int, int, int, int, SYS_dup3)
RAW3(socket, int, int, int, int, SYS_socket)
RAW2(pipe2, int, int *, int, SYS_pipe2)

static int raw_pipe(int fds[2])
{
    return raw_pipe2(fds, 0);
}

static int raw_fcntl(int fd, int cmd, ...)
{
    va_list ap;
    va_start(ap, cmd);
    long arg = va_arg(ap, long);
    va_end(ap);
    return (int)lstk__sc_ret(lstk__sc(SYS_fcntl, fd, cmd, arg));
}

static int raw_ioctl(int fd, unsigned long req, ...)
{
    va_list ap;
    va_start(ap, req);
    long arg = va_arg(ap, long);
    va_end(ap);
    return (int)lstk__sc_ret(lstk__sc(SYS_ioctl, fd, (long)req, arg));
}

static struct {
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
} real = {
    raw_read, raw_write, raw_readv, raw_writev, raw_pread, raw_pwrite,
    raw_recvfrom, raw_sendto, raw_recvmsg, raw_sendmsg, raw_accept4,
    raw_connect, raw_poll, raw_sendfile, raw_nanosleep, raw_close,
    raw_fcntl, raw_fcntl, raw_ioctl, raw_dup, raw_dup2, raw_dup3,
    raw_socket, raw_pipe, raw_pipe2,
};

#define RESOLVE(f)                                                           \
    do {                                                                     \
        void *p_ = dlsym(RTLD_NEXT, #f);                                     \
        if (p_ != NULL)                                                      \
            __atomic_store_n((void **)&real.f, p_, __ATOMIC_RELAXED);        \
    } while (0)

#define REAL(f) (real.f)

/* Finds libc's functions; on main's stack, before main (dlsym needs
   kilobytes of stack). */
__attribute__((constructor)) static void intercept_ctor(void)
{
    const char *env = getenv("LSTK_INTERCEPT");

    if (env != NULL && strcmp(env, "0") == 0)
        lstk__intercept_on = 0;
    RESOLVE(read);
    RESOLVE(write);
    RESOLVE(readv);
    RESOLVE(writev);
    RESOLVE(pread);
    RESOLVE(pwrite);
    RESOLVE(recvfrom);
    RESOLVE(sendto);
    RESOLVE(recvmsg);
    RESOLVE(sendmsg);
    RESOLVE(accept4);
    RESOLVE(connect);
    RESOLVE(poll);
    RESOLVE(sendfile);
    RESOLVE(nanosleep);
    RESOLVE(close);
    RESOLVE(fcntl);
    RESOLVE(fcntl64);
    RESOLVE(ioctl);
    RESOLVE(dup);
    RESOLVE(dup2);
    RESOLVE(dup3);
    RESOLVE(socket);
    RESOLVE(pipe);
    RESOLVE(pipe2);
}

LSTK_EXPORT int lstk_intercept(int on)
{
    return __atomic_exchange_n(&lstk__intercept_on, on != 0, __ATOMIC_RELAXED);
}

/* --- pass-through --------------------------------------------------------- */

/* The runtime made FD non-blocking behind the program's back. */
static int pt_emulate(int fd)
{
    struct lstk__fd *e = lstk__fd_peek(fd);
    if (e == NULL)
        return 0;
    return __atomic_load_n(&e->kind, __ATOMIC_ACQUIRE) == LSTK__FD_SOCK &&
           (__atomic_load_n(&e->flags, __ATOMIC_RELAXED) &
            (LSTK__FDF_ONB | LSTK__FDF_UNB)) == LSTK__FDF_ONB;
}

static uint64_t pt_deadline(int64_t timeout_ns)
{
    return timeout_ns < 0 ? LSTK__NEVER : lstk__deadline(timeout_ns);
}

/* Waits in poll(2) until FD is ready for EV or DEADLINE passes.  0, or -1
   with errno (ETIMEDOUT, EINTR, ...). */
static int pt_wait(int fd, short ev, uint64_t deadline)
{
    for (;;) {
        struct pollfd p = { .fd = fd, .events = ev, .revents = 0 };
        int ms = -1, r;
        if (deadline != LSTK__NEVER) {
            uint64_t now = lstk__now_ns(), rel;
            if (now >= deadline) {
                errno = ETIMEDOUT;
                return -1;
            }
            rel = (deadline - now + 999999) / 1000000;
            ms = rel > INT_MAX ? INT_MAX : (int)rel;
        }
        r = REAL(poll)(&p, 1, ms);
        if (r > 0)
            return 0;
        if (r < 0)
            return -1;
    }
}

ssize_t lstk__pt_read(int fd, void *buf, size_t len, int64_t timeout_ns)
{
    uint64_t dl = pt_deadline(timeout_ns);

    if (timeout_ns >= 0 && pt_wait(fd, POLLIN, dl) < 0)
        return -1;
    for (;;) {
        ssize_t r = REAL(read)(fd, buf, len);
        if (r >= 0 || errno != EAGAIN || !pt_emulate(fd))
            return r;
        if (pt_wait(fd, POLLIN, dl) < 0)
            return -1;
    }
}

ssize_t lstk__pt_pread(int fd, void *buf, size_t len, off_t off)
{
    return REAL(pread)(fd, buf, len, off);
}

ssize_t lstk__pt_readv(int fd, const struct iovec *iov, int n,
                       int64_t timeout_ns)
{
    uint64_t dl = pt_deadline(timeout_ns);

    if (timeout_ns >= 0 && pt_wait(fd, POLLIN, dl) < 0)
        return -1;
    for (;;) {
        ssize_t r = REAL(readv)(fd, iov, n);
        if (r >= 0 || errno != EAGAIN || !pt_emulate(fd))
            return r;
        if (pt_wait(fd, POLLIN, dl) < 0)
            return -1;
    }
}

ssize_t lstk__pt_recvfrom(int fd, void *buf, size_t len, int flags,
                          struct sockaddr *addr, socklen_t *alen,
                          int64_t timeout_ns)
{
    uint64_t dl = pt_deadline(timeout_ns);

    if (timeout_ns >= 0 && !(flags & MSG_DONTWAIT) && pt_wait(fd, POLLIN, dl) < 0)
        return -1;
    for (;;) {
        ssize_t r = REAL(recvfrom)(fd, buf, len, flags, addr, alen);
        if (r >= 0 || errno != EAGAIN || (flags & MSG_DONTWAIT) ||
            !pt_emulate(fd))
            return r;
        if (pt_wait(fd, POLLIN, dl) < 0)
            return -1;
    }
}

ssize_t lstk__pt_recvmsg(int fd, struct msghdr *msg, int flags)
{
    for (;;) {
        ssize_t r = REAL(recvmsg)(fd, msg, flags);
        if (r >= 0 || errno != EAGAIN || (flags & MSG_DONTWAIT) ||
            !pt_emulate(fd))
            return r;
        if (pt_wait(fd, POLLIN, LSTK__NEVER) < 0)
            return -1;
    }
}

/* Writes BUF[0..LEN) with write or sendto (ADDR/ALEN/FLAGS for sendto
   when TO is set), going on after partial writes on an emulated socket. */
static ssize_t pt_write_all(int fd, const char *buf, size_t len, int to,
                            int flags, const struct sockaddr *addr,
                            socklen_t alen, int64_t timeout_ns)
{
    uint64_t dl = pt_deadline(timeout_ns);
    size_t done = 0;

    if (timeout_ns >= 0 && !(flags & MSG_DONTWAIT) && pt_wait(fd, POLLOUT, dl) < 0)
        return -1;
    for (;;) {
        ssize_t r = to ? REAL(sendto)(fd, buf + done, len - done, flags, addr, alen)
                       : REAL(write)(fd, buf + done, len - done);
        if (r < 0 && (errno != EAGAIN || (flags & MSG_DONTWAIT) || !pt_emulate(fd)))
            return done ? (ssize_t)done : -1;
        if (r >= 0) {
            done += (size_t)r;
            if (done >= len || (flags & MSG_DONTWAIT) || !pt_emulate(fd))
                return (ssize_t)done;
        }
        if (pt_wait(fd, POLLOUT, dl) < 0)
            return done ? (ssize_t)done : -1;
    }
}

ssize_t lstk__pt_write(int fd, const void *buf, size_t len, int64_t timeout_ns)
{
    return pt_write_all(fd, buf, len, 0, 0, NULL, 0, timeout_ns);
}

ssize_t lstk__pt_pwrite(int fd, const void *buf, size_t len, off_t off)
{
    return REAL(pwrite)(fd, buf, len, off);
}

ssize_t lstk__pt_sendto(int fd, const void *buf, size_t len, int flags,
                        const struct sockaddr *addr, socklen_t alen,
                        int64_t timeout_ns)
{
    return pt_write_all(fd, buf, len, 1, flags, addr, alen, timeout_ns);
}

/* The part of IOV[0..N) after DONE bytes, as at most 8 entries in WIN;
   returns their number (0: nothing left). */
static int pt_iov_rest(const struct iovec *iov, int n, size_t done,
                       struct iovec win[8])
{
    int i, k;
    for (i = 0; i < n && done >= iov[i].iov_len; i++)
        done -= iov[i].iov_len;
    for (k = 0; k < 8 && i + k < n; k++)
        win[k] = iov[i + k];
    if (k) {
        win[0].iov_base = (char *)win[0].iov_base + done;
        win[0].iov_len -= done;
    }
    return k;
}

/* writev or sendmsg (MSG), going on after partial writes on an emulated
   socket. */
static ssize_t pt_writev_all(int fd, const struct iovec *iov, int n,
                             const struct msghdr *msg, int flags,
                             int64_t timeout_ns)
{
    uint64_t dl = pt_deadline(timeout_ns);
    struct iovec win[8];
    struct msghdr m;
    const struct iovec *v = iov;
    size_t done = 0;
    int k = n;

    if (msg) {
        m = *msg;
        v = iov = msg->msg_iov;
        k = n = (int)msg->msg_iovlen;
    }
    if (timeout_ns >= 0 && pt_wait(fd, POLLOUT, dl) < 0)
        return -1;
    for (;;) {
        ssize_t r;
        if (msg) {
            m.msg_iov = (struct iovec *)v;
            m.msg_iovlen = (size_t)k;
            r = REAL(sendmsg)(fd, &m, flags);
        } else {
            r = REAL(writev)(fd, v, k);
        }
        if (r < 0 && (errno != EAGAIN || (flags & MSG_DONTWAIT) || !pt_emulate(fd)))
            return done ? (ssize_t)done : -1;
        if (r >= 0) {
            done += (size_t)r;
            if ((flags & MSG_DONTWAIT) || !pt_emulate(fd))
                return (ssize_t)done;
            k = pt_iov_rest(iov, n, done, win);
            if (k == 0)
                return (ssize_t)done;
            v = win;
            if (msg) { /* ancillary data went with the first part */
                m.msg_control = NULL;
                m.msg_controllen = 0;
            }
        }
        if (pt_wait(fd, POLLOUT, dl) < 0)
            return done ? (ssize_t)done : -1;
    }
}

ssize_t lstk__pt_writev(int fd, const struct iovec *iov, int n,
                        int64_t timeout_ns)
{
    return pt_writev_all(fd, iov, n, NULL, 0, timeout_ns);
}

ssize_t lstk__pt_sendmsg(int fd, const struct msghdr *msg, int flags)
{
    if (msg == NULL)
        return REAL(sendmsg)(fd, msg, flags);
    return pt_writev_all(fd, NULL, 0, msg, flags, LSTK_FOREVER);
}

int lstk__pt_accept4(int fd, struct sockaddr *addr, socklen_t *alen, int flags,
                     int64_t timeout_ns)
{
    uint64_t dl = pt_deadline(timeout_ns);

    if (timeout_ns >= 0 && pt_wait(fd, POLLIN, dl) < 0)
        return -1;
    for (;;) {
        int r = REAL(accept4)(fd, addr, alen, flags);
        if (r >= 0) {
            lstk__fd_forget(r); /* a new descriptor: nothing is known */
            return r;
        }
        if (errno != EAGAIN || !pt_emulate(fd))
            return r;
        if (pt_wait(fd, POLLIN, dl) < 0)
            return -1;
    }
}

int lstk__pt_connect(int fd, const struct sockaddr *addr, socklen_t alen,
                     int64_t timeout_ns)
{
    uint64_t dl = pt_deadline(timeout_ns);
    int r = REAL(connect)(fd, addr, alen), started = 0;

    /* Emulated blocking connect: as io.c's, with poll(2). */
    while (r < 0 && pt_emulate(fd) &&
           (errno == EINPROGRESS || errno == EALREADY || errno == EAGAIN)) {
        started |= errno != EAGAIN;
        if (pt_wait(fd, POLLOUT, dl) < 0)
            return -1;
        r = REAL(connect)(fd, addr, alen);
        if (r < 0 && errno == EISCONN && started)
            return 0;
    }
    return r;
}

int lstk__pt_poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
    return REAL(poll)(fds, n, timeout_ms);
}

ssize_t lstk__pt_sendfile(int out, int in, off_t *off, size_t count,
                          int64_t timeout_ns)
{
    uint64_t dl = pt_deadline(timeout_ns);
    size_t done = 0;

    if (timeout_ns >= 0 && pt_wait(out, POLLOUT, dl) < 0)
        return -1;
    for (;;) {
        ssize_t r = REAL(sendfile)(out, in, off, count - done);
        if (r < 0 && (errno != EAGAIN || !pt_emulate(out)))
            return done ? (ssize_t)done : -1;
        if (r >= 0) {
            done += (size_t)r;
            if (r == 0 || done >= count || !pt_emulate(out))
                return (ssize_t)done;
        }
        if (pt_wait(out, POLLOUT, dl) < 0)
            return done ? (ssize_t)done : -1;
    }
}

int lstk__pt_fd_wait(int fd, short events, int64_t timeout_ns)
{
    return pt_wait(fd, events, pt_deadline(timeout_ns));
}

int lstk__pt_nanosleep(uint64_t ns, uint64_t *remain_ns)
{
    struct timespec req = { (time_t)(ns / 1000000000u),
                            (long)(ns % 1000000000u) }, rem = { 0, 0 };
    int r = REAL(nanosleep)(&req, &rem);
    if (remain_ns)
        *remain_ns = r == 0 ? 0
                            : (uint64_t)rem.tv_sec * 1000000000u +
                                  (uint64_t)rem.tv_nsec;
    return r;
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
    return REAL(pread)(fd, buf, len, off);
}

LSTK_EXPORT ssize_t pread64(int fd, void *buf, size_t len, off64_t off)
{
    return pread(fd, buf, len, (off_t)off);
}

LSTK_EXPORT ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
    if (lstk__intercepting())
        return lstk_pwrite(fd, buf, len, off);
    return REAL(pwrite)(fd, buf, len, off);
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
    return REAL(poll)(fds, n, timeout_ms);
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
        return REAL(nanosleep)(req, rem);
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
        return REAL(nanosleep)(&ts, NULL);
    }
    return lstk_nanosleep((uint64_t)us * 1000u, NULL);
}

LSTK_EXPORT unsigned int sleep(unsigned int seconds)
{
    uint64_t left = 0;

    if (!lstk__intercepting()) {
        struct timespec ts = { (time_t)seconds, 0 }, rem = { 0, 0 };
        if (REAL(nanosleep)(&ts, &rem) == 0)
            return 0;
        return (unsigned)rem.tv_sec + (rem.tv_nsec != 0);
    }
    if (lstk_nanosleep((uint64_t)seconds * 1000000000u, &left) == 0)
        return 0;
    return (unsigned)((left + 999999999u) / 1000000000u);
}

/* --- descriptor bookkeeping ------------------------------------------------------ */

LSTK_EXPORT int close(int fd)
{
    lstk__fd_forget(fd);
    return REAL(close)(fd);
}

LSTK_EXPORT int dup(int fd)
{
    int r = REAL(dup)(fd);
    if (r >= 0)
        lstk__fd_forget(r);
    return r;
}

LSTK_EXPORT int dup2(int fd, int fd2)
{
    if (fd != fd2)
        lstk__fd_forget(fd2);
    return REAL(dup2)(fd, fd2);
}

LSTK_EXPORT int dup3(int fd, int fd2, int flags)
{
    if (fd != fd2)
        lstk__fd_forget(fd2);
    return REAL(dup3)(fd, fd2, flags);
}

LSTK_EXPORT int socket(int domain, int type, int protocol)
{
    int r = REAL(socket)(domain, type, protocol);
    if (r >= 0)
        lstk__fd_forget(r);
    return r;
}

LSTK_EXPORT int pipe(int fds[2])
{
    int r = REAL(pipe)(fds);
    if (r == 0) {
        lstk__fd_forget(fds[0]);
        lstk__fd_forget(fds[1]);
    }
    return r;
}

LSTK_EXPORT int pipe2(int fds[2], int flags)
{
    int r = REAL(pipe2)(fds, flags);
    if (r == 0) {
        lstk__fd_forget(fds[0]);
        lstk__fd_forget(fds[1]);
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
        if (r >= 0 && pt_emulate(fd))
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
    return do_fcntl(REAL(fcntl), fd, cmd, arg);
}

LSTK_EXPORT int fcntl64(int fd, int cmd, ...)
{
    va_list ap;
    void *arg;

    va_start(ap, cmd);
    arg = va_arg(ap, void *);
    va_end(ap);
    return do_fcntl(REAL(fcntl64), fd, cmd, arg);
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
        int r = REAL(ioctl)(fd, req, arg);
        if (r == 0)
            set_user_nonblock(e, on);
        return r;
    }
    return REAL(ioctl)(fd, req, arg);
}
