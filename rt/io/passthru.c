/*
 * io/passthru.c: the lstk_* calls' behaviour where they do not block a
 * linkstack thread (main, foreign OS threads, signal handlers,
 * interception off): lstk__pt_X behaves as libc's X, which it calls
 * through libc/ (never through liblinkstack's wrapper of the same name).
 *
 * The one difference keeps "behaves as libc" true: on a socket that the
 * runtime switched to O_NONBLOCK behind the user's back, EAGAIN is not the
 * user's business, so the call waits in poll(2) (blocking its OS thread,
 * as libc's would) and tries again; a write goes on until everything is
 * written.  The _timeout forms (TIMEOUT_NS >= 0) wait in poll(2) first.
 *
 * Used by io.c (the lstk_* calls) and by intercept.c (the wrappers, on
 * top); calls only the poller's descriptor table and libc/.
 */
#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#include "io/io.h"

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
        r = LSTK__REAL(poll)(&p, 1, ms);
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
        ssize_t r = LSTK__REAL(read)(fd, buf, len);
        if (r >= 0 || errno != EAGAIN || !lstk__pt_emulated(fd))
            return r;
        if (pt_wait(fd, POLLIN, dl) < 0)
            return -1;
    }
}

ssize_t lstk__pt_pread(int fd, void *buf, size_t len, off_t off)
{
    return LSTK__REAL(pread)(fd, buf, len, off);
}

ssize_t lstk__pt_readv(int fd, const struct iovec *iov, int n,
                       int64_t timeout_ns)
{
    uint64_t dl = pt_deadline(timeout_ns);

    if (timeout_ns >= 0 && pt_wait(fd, POLLIN, dl) < 0)
        return -1;
    for (;;) {
        ssize_t r = LSTK__REAL(readv)(fd, iov, n);
        if (r >= 0 || errno != EAGAIN || !lstk__pt_emulated(fd))
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
        ssize_t r = LSTK__REAL(recvfrom)(fd, buf, len, flags, addr, alen);
        if (r >= 0 || errno != EAGAIN || (flags & MSG_DONTWAIT) ||
            !lstk__pt_emulated(fd))
            return r;
        if (pt_wait(fd, POLLIN, dl) < 0)
            return -1;
    }
}

ssize_t lstk__pt_recvmsg(int fd, struct msghdr *msg, int flags)
{
    for (;;) {
        ssize_t r = LSTK__REAL(recvmsg)(fd, msg, flags);
        if (r >= 0 || errno != EAGAIN || (flags & MSG_DONTWAIT) ||
            !lstk__pt_emulated(fd))
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
        ssize_t r = to ? LSTK__REAL(sendto)(fd, buf + done, len - done, flags, addr, alen)
                       : LSTK__REAL(write)(fd, buf + done, len - done);
        if (r < 0 && (errno != EAGAIN || (flags & MSG_DONTWAIT) || !lstk__pt_emulated(fd)))
            return done ? (ssize_t)done : -1;
        if (r >= 0) {
            done += (size_t)r;
            if (done >= len || (flags & MSG_DONTWAIT) || !lstk__pt_emulated(fd))
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
    return LSTK__REAL(pwrite)(fd, buf, len, off);
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
            r = LSTK__REAL(sendmsg)(fd, &m, flags);
        } else {
            r = LSTK__REAL(writev)(fd, v, k);
        }
        if (r < 0 && (errno != EAGAIN || (flags & MSG_DONTWAIT) || !lstk__pt_emulated(fd)))
            return done ? (ssize_t)done : -1;
        if (r >= 0) {
            done += (size_t)r;
            if ((flags & MSG_DONTWAIT) || !lstk__pt_emulated(fd))
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
        return LSTK__REAL(sendmsg)(fd, msg, flags);
    return pt_writev_all(fd, NULL, 0, msg, flags, LSTK_FOREVER);
}

int lstk__pt_accept4(int fd, struct sockaddr *addr, socklen_t *alen, int flags,
                     int64_t timeout_ns)
{
    uint64_t dl = pt_deadline(timeout_ns);

    if (timeout_ns >= 0 && pt_wait(fd, POLLIN, dl) < 0)
        return -1;
    for (;;) {
        int r = LSTK__REAL(accept4)(fd, addr, alen, flags);
        if (r >= 0) {
            lstk__fd_forget(r); /* a new descriptor: nothing is known */
            return r;
        }
        if (errno != EAGAIN || !lstk__pt_emulated(fd))
            return r;
        if (pt_wait(fd, POLLIN, dl) < 0)
            return -1;
    }
}

int lstk__pt_connect(int fd, const struct sockaddr *addr, socklen_t alen,
                     int64_t timeout_ns)
{
    uint64_t dl = pt_deadline(timeout_ns);
    int r = LSTK__REAL(connect)(fd, addr, alen), started = 0;

    /* Emulated blocking connect: as io.c's, with poll(2). */
    while (r < 0 && lstk__pt_emulated(fd) &&
           (errno == EINPROGRESS || errno == EALREADY || errno == EAGAIN)) {
        started |= errno != EAGAIN;
        if (pt_wait(fd, POLLOUT, dl) < 0)
            return -1;
        r = LSTK__REAL(connect)(fd, addr, alen);
        if (r < 0 && errno == EISCONN && started)
            return 0;
    }
    return r;
}

int lstk__pt_poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
    return LSTK__REAL(poll)(fds, n, timeout_ms);
}

ssize_t lstk__pt_sendfile(int out, int in, off_t *off, size_t count,
                          int64_t timeout_ns)
{
    uint64_t dl = pt_deadline(timeout_ns);
    size_t done = 0;

    if (timeout_ns >= 0 && pt_wait(out, POLLOUT, dl) < 0)
        return -1;
    for (;;) {
        ssize_t r = LSTK__REAL(sendfile)(out, in, off, count - done);
        if (r < 0 && (errno != EAGAIN || !lstk__pt_emulated(out)))
            return done ? (ssize_t)done : -1;
        if (r >= 0) {
            done += (size_t)r;
            if (r == 0 || done >= count || !lstk__pt_emulated(out))
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
    int r = LSTK__REAL(nanosleep)(&req, &rem);
    if (remain_ns)
        *remain_ns = r == 0 ? 0
                            : (uint64_t)rem.tv_sec * 1000000000u +
                                  (uint64_t)rem.tv_nsec;
    return r;
}
