/*
 * io.c: the lstk_* I/O calls (include/linkstack.h, "I/O and time").
 *
 * Every call has the same shape (io.h has the model):
 *   1. the scheduler: NULL on a foreign OS thread, whose call then behaves
 *      as the libc call (passthru.c);
 *   2. the descriptor's entry, looked at the first time (poller.c);
 *   3. by kind: a socket is tried directly (it is O_NONBLOCK in the
 *      kernel); a pipe-like descriptor is polled (ppoll, zero timeout) and
 *      then called, since its blocking mode belongs to whoever shares it; a
 *      regular file goes to fileio.c; anything epoll refuses is called;
 *   4. on EAGAIN the readiness hint is cleared and the thread waits on the
 *      descriptor (lstk__fd_wait), then tries again.  The deadline of a
 *      _timeout variant is computed at its first wait: a call that does not
 *      wait never reads the clock.
 *
 * Which results clear a readiness hint.  EAGAIN always: the kernel then
 * owes an edge (for TCP, it has set SOCK_NOSPACE or will wake readers on
 * the next arrival).  A short read of a stream socket also does (every
 * arrival of data wakes epoll, so the next data makes an edge).  A short
 * *write* does not: on loopback the peer's ACKs are processed inside the
 * sending syscall, so the space can be free again, with no edge to come,
 * before write returns short; the write is simply tried again.
 *
 * Blocking-write semantics: write, send, sendto, writev, sendmsg and
 * sendfile on a descriptor the user did not make non-blocking return only
 * when everything is written (or on an error, timeout or interrupt after
 * part of it: then the partial count), as write(2) does on a blocking
 * socket.  Reads return what is there.
 *
 * Stack: each entry point and everything it calls on the caller's chunk
 * stays within the 512-byte budget of an lstk_* call; testsuite/io/budget
 * measures them.  Keep frames small here: no big locals, no libc calls
 * (raw syscalls), and anything heavy through lstk__on_big_stack.
 */
#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "io/io.h"

/* The deadline field of an io_req holds, until the call first has to
   wait, the relative timeout with this bit set (LSTK__NEVER when there is
   none): a call that does not wait never reads the clock. */
#define IO_RELATIVE (1ull << 63)

/*
 * One system call on a descriptor and everything io_run needs to retry it:
 * built in the public function's frame, with the wait's storage, so that
 * the frames between the caller and the switch are few and small (the
 * 512-byte rule: testsuite/io/budget measures them).
 */
struct io_req {
    /* The call: NR(fd, B, C, D, E, F). */
    long nr;
    long b, c, d, e, f;
    /* When to give up (LSTK__NEVER: never), or IO_RELATIVE | timeout. */
    uint64_t deadline;
    /* Bytes asked for by a read (0: unknown): a short read of a stream
       socket means it is drained. */
    size_t len;
    int fd;
    /* LSTK__EV_IN or LSTK__EV_OUT. */
    uint8_t ev;
    /* The caller asked not to wait (MSG_DONTWAIT). */
    uint8_t nonblock;
    /* A read or write made as recvfrom/sendto with MSG_DONTWAIT on a
       socket (io_sock_call): made plain again if the number turns out
       not to be a socket any more (io_stale). */
    uint8_t plain;
    uint8_t spare;
    struct lstk__fdwait fw;
};

/* TIMEOUT_NS as an io_req deadline, not yet read against the clock. */
#define IO_DEADLINE(timeout_ns)                                               \
    ((timeout_ns) < 0 || (timeout_ns) == INT64_MAX                            \
         ? LSTK__NEVER                                                        \
         : IO_RELATIVE | (uint64_t)(timeout_ns))

/* The absolute deadline of Q, computed at its first wait. */
static inline uint64_t io_deadline(uint64_t *d)
{
    if (*d != LSTK__NEVER && (*d & IO_RELATIVE))
        *d = lstk__deadline((int64_t)(*d & ~IO_RELATIVE));
    return *d;
}

#define IO_REQ(nr_, fd_, ev_, to_, b_, c_, d_, e_, f_)                        \
    { .nr = (nr_), .b = (long)(b_), .c = (long)(c_), .d = (long)(d_),          \
      .e = (long)(e_), .f = (long)(f_), .deadline = IO_DEADLINE(to_),          \
      .fd = (fd_), .ev = (ev_) }

/*
 * Descriptor numbers reused behind the runtime's back.  A socket's entry
 * says "O_NONBLOCK in the kernel"; if the program closes the number where
 * the runtime does not see it (fclose, closedir, a raw syscall(2), libc's
 * own dup2 in freopen or daemon) and the number comes back through a path
 * it does not see either (fopen, opendir, popen, a raw syscall), the
 * entry is stale.  So every call on a socket's entry carries MSG_DONTWAIT
 * (read and write become recvfrom and sendto): whatever the number now
 * is, the call cannot block the OS thread, and a non-socket answers
 * ENOTSOCK, which io_stale turns into a fresh look at the number and the
 * call made again as what it now is.  Costs nothing: the same system
 * call count, the same kernel path for a socket.  Applied once, when a
 * call is set up (a re-looked number is no socket: nothing to undo).
 * readv and writev stay as they are (a vector would need a msghdr in the
 * frame): on a stale entry they can still block the OS thread.
 */
static inline __attribute__((always_inline)) void io_sock_call(struct io_req *q,
                                                               const struct lstk__fd *e)
{
    if (e->kind != LSTK__FD_SOCK)
        return;
    if (q->nr == SYS_read || q->nr == SYS_write) {
        q->nr = q->nr == SYS_read ? SYS_recvfrom : SYS_sendto;
        q->d = MSG_DONTWAIT;
        q->e = q->f = 0;
        q->plain = 1;
    } else if (q->nr == SYS_recvfrom || q->nr == SYS_sendto) {
        q->d |= MSG_DONTWAIT;
    } else if (q->nr == SYS_recvmsg || q->nr == SYS_sendmsg) {
        q->c |= MSG_DONTWAIT;
    }
}

/* A socket's entry got ENOTSOCK for Q: the number was reused behind the
   runtime's back (see io_sock_call).  Forgets it (threads waiting on the
   old descriptor wake with EBADF), looks at it again, and turns Q back
   into the plain read or write it was.  0: try Q again; -1: ENOTSOCK is
   the answer (the program's own socket call on what is not a socket). */
static __attribute__((noinline)) int io_stale(struct io_req *q)
{
    lstk__fd_forget(q->fd);
    if (lstk__fd_slow(q->fd) == NULL || !q->plain)
        return -1;
    q->nr = q->ev == LSTK__EV_IN ? SYS_read : SYS_write;
    q->d = q->e = q->f = 0;
    q->plain = 0;
    return 0;
}

/* poll(fd, ev, 0) through ppoll with a zero timeout: > 0 ready. */
static __attribute__((noinline)) long poll_now(int fd, unsigned ev)
{
    struct pollfd p = { .fd = fd, .events = 0, .revents = 0 };
    struct timespec zero = { 0, 0 };

    if (ev & LSTK__EV_IN)
        p.events |= POLLIN;
    if (ev & LSTK__EV_OUT)
        p.events |= POLLOUT;
    long r = lstk__sc6(SYS_ppoll, (long)&p, 1, (long)&zero, 0, 8, 0);
    if (r > 0 && (p.revents & POLLNVAL))
        return -EBADF;
    return r;
}

/*
 * The call Q on its descriptor (entry E), waiting while it would block:
 * tries when the hint says "maybe" (a non-blocking call always tries: the
 * program may know readiness from elsewhere, from poll), waits for an edge
 * after EAGAIN, tries again.  Returns the raw result (-errno).
 */
static inline __attribute__((always_inline)) long
io_run(struct lstk__sched *s, struct lstk__fd *e, struct io_req *q)
{
    uint8_t *hint = q->ev == LSTK__EV_IN ? &e->rd : &e->wr;
    int nonblock = q->nonblock | (e->flags & LSTK__FDF_UNB);
    long r;
    int rc;

    for (;;) {
        if (*hint || nonblock || e->kind == LSTK__FD_DIRECT) {
            if (e->kind == LSTK__FD_POLL && !nonblock) {
                /* Blocking pipe or terminal: call only when it is ready. */
                r = poll_now(q->fd, q->ev);
                if (r < 0)
                    return r;
                r = r > 0 ? lstk__sc6(q->nr, q->fd, q->b, q->c, q->d, q->e, q->f)
                          : -EAGAIN;
            } else {
                r = lstk__sc6(q->nr, q->fd, q->b, q->c, q->d, q->e, q->f);
                if (lstk__slow(r == -ENOTSOCK) && e->kind == LSTK__FD_SOCK) {
                    if (io_stale(q) == 0)
                        continue; /* as what the number is now */
                    return r;
                }
            }
            if (r != -EAGAIN || e->kind == LSTK__FD_DIRECT) {
                if (r >= 0 && (size_t)r < q->len && e->kind == LSTK__FD_SOCK &&
                    (e->flags & (LSTK__FDF_STREAM | LSTK__FDF_RDHUP)) ==
                        LSTK__FDF_STREAM)
                    e->rd = 0; /* drained: the next read waits for an edge */
                /* Others wait to consume and it may not be drained: the
                   event goes on to the next of them (poller.c). */
                if (lstk__slow(e->head != NULL) && *hint)
                    lstk__fd_pass(s, e, q->ev);
                return r;
            }
            *hint = 0;
            if (nonblock)
                return r;
        }
        rc = lstk__fd_wait_mem(s, q->fd, e, q->ev, io_deadline(&q->deadline),
                               &q->fw, 1);
        if (rc)
            return -rc;
    }
}

/* io_run, out of line: for the callers that loop around it. */
static __attribute__((noinline)) long io_run_call(struct lstk__sched *s,
                                                  struct lstk__fd *e,
                                                  struct io_req *q)
{
    return io_run(s, e, q);
}

/* The descriptor's entry for an lstk_* call, or NULL (errno set). */
#define FD_ENTRY(e, fd)                                                       \
    do {                                                                      \
        (e) = lstk__fd_get(fd);                                               \
        if (lstk__slow((e) == NULL))                                          \
            return -1;                                                        \
    } while (0)

/* --- read, recv, recvfrom, recvmsg, readv, pread --------------------------- */

static ssize_t do_read(int fd, void *buf, size_t len, int64_t timeout_ns)
{
    struct lstk__sched *s = lstk__io_sched();
    struct lstk__fd *e;

    if (lstk__slow(s == NULL))
        return lstk__pt_read(fd, buf, len, timeout_ns);
    FD_ENTRY(e, fd);
    if (e->kind == LSTK__FD_FILE)
        return lstk__sc_ret(lstk__file_rw1(s, e, fd, buf, len, -1, 0));
    struct io_req q = IO_REQ(SYS_read, fd, LSTK__EV_IN, timeout_ns, buf, len, 0, 0, 0);
    q.len = len;
    io_sock_call(&q, e);
    return lstk__sc_ret(io_run(s, e, &q));
}

LSTK_EXPORT ssize_t lstk_read(int fd, void *buf, size_t len)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_read(fd, buf, len, LSTK_FOREVER);
}

LSTK_EXPORT ssize_t lstk_read_timeout(int fd, void *buf, size_t len,
                                      int64_t timeout_ns)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_read(fd, buf, len, timeout_ns);
}

LSTK_EXPORT ssize_t lstk_pread(int fd, void *buf, size_t len, off_t off)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    struct lstk__sched *s = lstk__io_sched();
    struct lstk__fd *e;

    if (lstk__slow(s == NULL) || off < 0)
        return lstk__pt_pread(fd, buf, len, off);
    FD_ENTRY(e, fd);
    if (e->kind != LSTK__FD_FILE)
        return lstk__sc_ret(lstk__sc6(SYS_pread64, fd, (long)buf, (long)len,
                                      off, 0, 0)); /* ESPIPE & co. */
    return lstk__sc_ret(lstk__file_rw1(s, e, fd, buf, len, off, 0));
}

static ssize_t do_recvfrom(int fd, void *buf, size_t len, int flags,
                           struct sockaddr *addr, socklen_t *alen,
                           int64_t timeout_ns)
{
    struct lstk__sched *s = lstk__io_sched();
    struct lstk__fd *e;

    if (lstk__slow(s == NULL))
        return lstk__pt_recvfrom(fd, buf, len, flags, addr, alen, timeout_ns);
    FD_ENTRY(e, fd);
    struct io_req q = IO_REQ(SYS_recvfrom, fd, LSTK__EV_IN, timeout_ns, buf, len,
                             flags & ~MSG_DONTWAIT, addr, alen);
    q.nonblock = (flags & MSG_DONTWAIT) != 0;
    q.len = (flags & (MSG_PEEK | MSG_TRUNC)) ? 0 : len;
    io_sock_call(&q, e);
    return lstk__sc_ret(io_run(s, e, &q));
}

LSTK_EXPORT ssize_t lstk_recv(int fd, void *buf, size_t len, int flags)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_recvfrom(fd, buf, len, flags, NULL, NULL, LSTK_FOREVER);
}

LSTK_EXPORT ssize_t lstk_recv_timeout(int fd, void *buf, size_t len, int flags,
                                      int64_t timeout_ns)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_recvfrom(fd, buf, len, flags, NULL, NULL, timeout_ns);
}

LSTK_EXPORT ssize_t lstk_recvfrom(int fd, void *buf, size_t len, int flags,
                                  struct sockaddr *addr, socklen_t *addrlen)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_recvfrom(fd, buf, len, flags, addr, addrlen, LSTK_FOREVER);
}

LSTK_EXPORT ssize_t lstk_recvfrom_timeout(int fd, void *buf, size_t len,
                                          int flags, struct sockaddr *addr,
                                          socklen_t *addrlen,
                                          int64_t timeout_ns)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_recvfrom(fd, buf, len, flags, addr, addrlen, timeout_ns);
}

LSTK_EXPORT ssize_t lstk_recvmsg(int fd, struct msghdr *msg, int flags)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    struct lstk__sched *s = lstk__io_sched();
    struct lstk__fd *e;

    if (lstk__slow(s == NULL))
        return lstk__pt_recvmsg(fd, msg, flags);
    FD_ENTRY(e, fd);
    struct io_req q = IO_REQ(SYS_recvmsg, fd, LSTK__EV_IN, LSTK_FOREVER, msg,
                             flags & ~MSG_DONTWAIT, 0, 0, 0);
    q.nonblock = (flags & MSG_DONTWAIT) != 0;
    io_sock_call(&q, e);
    return lstk__sc_ret(io_run(s, e, &q));
}

static ssize_t do_readv(int fd, const struct iovec *iov, int iovcnt,
                        int64_t timeout_ns)
{
    struct lstk__sched *s = lstk__io_sched();
    struct lstk__fd *e;

    if (lstk__slow(s == NULL))
        return lstk__pt_readv(fd, iov, iovcnt, timeout_ns);
    FD_ENTRY(e, fd);
    if (e->kind == LSTK__FD_FILE)
        return lstk__sc_ret(lstk__file_rw(s, e, fd, iov, iovcnt, -1, 0));
    struct io_req q = IO_REQ(SYS_readv, fd, LSTK__EV_IN, timeout_ns, iov, iovcnt,
                             0, 0, 0);
    if (iovcnt == 1)
        q.len = iov[0].iov_len;
    return lstk__sc_ret(io_run(s, e, &q));
}

LSTK_EXPORT ssize_t lstk_readv(int fd, const struct iovec *iov, int iovcnt)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_readv(fd, iov, iovcnt, LSTK_FOREVER);
}

LSTK_EXPORT ssize_t lstk_readv_timeout(int fd, const struct iovec *iov,
                                       int iovcnt, int64_t timeout_ns)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_readv(fd, iov, iovcnt, timeout_ns);
}

/* --- write, send, sendto, sendmsg, writev, pwrite ---------------------------- */

/*
 * Writes BUF[0..LEN) with Q (write or sendto: the buffer and the length
 * are its B and C) until all is written, unless the user asked for
 * non-blocking semantics.  Raw result: the count, or -errno when nothing
 * was written.
 */
static inline __attribute__((always_inline)) long
io_write_all(struct lstk__sched *s, struct lstk__fd *e, struct io_req *q)
{
    const char *buf = (const char *)q->b;
    size_t len = (size_t)q->c, done = 0;
    int nonblock = q->nonblock | (e->flags & LSTK__FDF_UNB);

    for (;;) {
        size_t n = len - done;
        /* A blocking pipe takes at most PIPE_BUF at once without blocking
           once poll said "writable"; larger writes are not atomic anyway. */
        if (e->kind == LSTK__FD_POLL && !nonblock && n > PIPE_BUF)
            n = PIPE_BUF;
        q->b = (long)(buf + done);
        q->c = (long)n;
        long r = io_run(s, e, q);
        if (r < 0)
            return done ? (long)done : r;
        done += (size_t)r;
        if (done >= len || nonblock || e->kind == LSTK__FD_DIRECT)
            return (long)done;
        /* A short write: try again at once.  It does not clear the hint:
           only EAGAIN promises an edge (see the head of this file). */
    }
}

static ssize_t do_write(int fd, const void *buf, size_t len, int64_t timeout_ns)
{
    struct lstk__sched *s = lstk__io_sched();
    struct lstk__fd *e;

    if (lstk__slow(s == NULL))
        return lstk__pt_write(fd, buf, len, timeout_ns);
    FD_ENTRY(e, fd);
    if (e->kind == LSTK__FD_FILE)
        return lstk__sc_ret(lstk__file_rw1(s, e, fd, buf, len, -1, 1));
    struct io_req q = IO_REQ(SYS_write, fd, LSTK__EV_OUT, timeout_ns, buf, len,
                             0, 0, 0);
    io_sock_call(&q, e);
    return lstk__sc_ret(io_write_all(s, e, &q));
}

LSTK_EXPORT ssize_t lstk_write(int fd, const void *buf, size_t len)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_write(fd, buf, len, LSTK_FOREVER);
}

LSTK_EXPORT ssize_t lstk_write_timeout(int fd, const void *buf, size_t len,
                                       int64_t timeout_ns)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_write(fd, buf, len, timeout_ns);
}

LSTK_EXPORT ssize_t lstk_pwrite(int fd, const void *buf, size_t len, off_t off)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    struct lstk__sched *s = lstk__io_sched();
    struct lstk__fd *e;

    if (lstk__slow(s == NULL) || off < 0)
        return lstk__pt_pwrite(fd, buf, len, off);
    FD_ENTRY(e, fd);
    if (e->kind != LSTK__FD_FILE)
        return lstk__sc_ret(lstk__sc6(SYS_pwrite64, fd, (long)buf, (long)len,
                                      off, 0, 0));
    return lstk__sc_ret(lstk__file_rw1(s, e, fd, buf, len, off, 1));
}

static ssize_t do_sendto(int fd, const void *buf, size_t len, int flags,
                         const struct sockaddr *addr, socklen_t alen,
                         int64_t timeout_ns)
{
    struct lstk__sched *s = lstk__io_sched();
    struct lstk__fd *e;

    if (lstk__slow(s == NULL))
        return lstk__pt_sendto(fd, buf, len, flags, addr, alen, timeout_ns);
    FD_ENTRY(e, fd);
    struct io_req q = IO_REQ(SYS_sendto, fd, LSTK__EV_OUT, timeout_ns, buf, len,
                             flags & ~MSG_DONTWAIT, addr, alen);
    q.nonblock = (flags & MSG_DONTWAIT) != 0;
    io_sock_call(&q, e);
    return lstk__sc_ret(io_write_all(s, e, &q));
}

LSTK_EXPORT ssize_t lstk_send(int fd, const void *buf, size_t len, int flags)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_sendto(fd, buf, len, flags, NULL, 0, LSTK_FOREVER);
}

LSTK_EXPORT ssize_t lstk_send_timeout(int fd, const void *buf, size_t len,
                                      int flags, int64_t timeout_ns)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_sendto(fd, buf, len, flags, NULL, 0, timeout_ns);
}

LSTK_EXPORT ssize_t lstk_sendto(int fd, const void *buf, size_t len, int flags,
                                const struct sockaddr *addr, socklen_t addrlen)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_sendto(fd, buf, len, flags, addr, addrlen, LSTK_FOREVER);
}

LSTK_EXPORT ssize_t lstk_sendto_timeout(int fd, const void *buf, size_t len,
                                        int flags, const struct sockaddr *addr,
                                        socklen_t addrlen, int64_t timeout_ns)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_sendto(fd, buf, len, flags, addr, addrlen, timeout_ns);
}

/*
 * writev/sendmsg until everything is written.  The first call is the
 * program's own (MSG: sendmsg with its address and ancillary data; else
 * writev of IOV).  After a short write, the rest goes without copying the
 * vector: the unfinished entry's tail with a plain send, then the
 * remaining entries straight from the program's array.
 */
static __attribute__((noinline)) long io_writev_all(struct lstk__sched *s,
                                                    struct lstk__fd *e, int fd,
                                                    const struct iovec *iov,
                                                    int iovcnt,
                                                    const struct msghdr *msg,
                                                    int flags,
                                                    int64_t timeout_ns)
{
    struct io_req q = IO_REQ(msg ? SYS_sendmsg : SYS_writev, fd, LSTK__EV_OUT,
                             timeout_ns, msg ? (const void *)msg : (const void *)iov,
                             msg ? (long)(flags & ~MSG_DONTWAIT) : (long)iovcnt,
                             0, 0, 0);
    int nonblock = (flags & MSG_DONTWAIT) || (e->flags & LSTK__FDF_UNB);
    size_t done = 0, skip;
    int i;

    if (msg) {
        iov = msg->msg_iov;
        iovcnt = (int)msg->msg_iovlen;
    }
    if (iovcnt < 0)
        return -EINVAL;
    q.nonblock = (uint8_t)nonblock;
    io_sock_call(&q, e);
    for (;;) {
        long r = io_run(s, e, &q);
        if (r < 0)
            return done ? (long)done : r;
        done += (size_t)r;
        if (nonblock || e->kind == LSTK__FD_DIRECT)
            return (long)done;
        /* Where the rest starts: entry I, SKIP bytes into it. */
        skip = done;
        for (i = 0; i < iovcnt && skip >= iov[i].iov_len; i++)
            skip -= iov[i].iov_len;
        if (i == iovcnt)
            return (long)done;
        if (skip) {
            q.nr = SYS_sendto;
            q.b = (long)((const char *)iov[i].iov_base + skip);
            q.c = (long)(iov[i].iov_len - skip);
            q.d = flags & ~MSG_DONTWAIT;
            q.e = q.f = 0;
            if (e->kind != LSTK__FD_SOCK)
                q.nr = SYS_write;
            io_sock_call(&q, e);
        } else {
            q.nr = SYS_writev;
            q.b = (long)(iov + i);
            q.c = (long)(iovcnt - i > 1024 ? 1024 : iovcnt - i);
        }
    }
}

static ssize_t do_writev(int fd, const struct iovec *iov, int iovcnt,
                         int64_t timeout_ns)
{
    struct lstk__sched *s = lstk__io_sched();
    struct lstk__fd *e;

    if (lstk__slow(s == NULL))
        return lstk__pt_writev(fd, iov, iovcnt, timeout_ns);
    FD_ENTRY(e, fd);
    if (e->kind == LSTK__FD_FILE)
        return lstk__sc_ret(lstk__file_rw(s, e, fd, iov, iovcnt, -1, 1));
    return lstk__sc_ret(io_writev_all(s, e, fd, iov, iovcnt, NULL, 0, timeout_ns));
}

LSTK_EXPORT ssize_t lstk_writev(int fd, const struct iovec *iov, int iovcnt)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_writev(fd, iov, iovcnt, LSTK_FOREVER);
}

LSTK_EXPORT ssize_t lstk_writev_timeout(int fd, const struct iovec *iov,
                                        int iovcnt, int64_t timeout_ns)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_writev(fd, iov, iovcnt, timeout_ns);
}

LSTK_EXPORT ssize_t lstk_sendmsg(int fd, const struct msghdr *msg, int flags)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    struct lstk__sched *s = lstk__io_sched();
    struct lstk__fd *e;

    if (lstk__slow(s == NULL))
        return lstk__pt_sendmsg(fd, msg, flags);
    if (msg == NULL) {
        errno = EFAULT;
        return -1;
    }
    FD_ENTRY(e, fd);
    return lstk__sc_ret(io_writev_all(s, e, fd, NULL, 0, msg, flags, LSTK_FOREVER));
}

/* --- accept, connect ---------------------------------------------------------- */

static __attribute__((noinline)) int accepted(int fd, struct lstk__fd *le,
                                              int user_nonblock)
{
    struct lstk__fd *e = lstk__fd_new_sock(fd, (le->flags & LSTK__FDF_STREAM) != 0,
                                           user_nonblock);
    if (e == NULL) {
        int err = errno;
        lstk__sc(SYS_close, fd, 0, 0);
        errno = err;
        return -1;
    }
    lstk__fd_count(e); /* graph14: descriptors along the graph's edges */
    return fd;
}

static int do_accept4(int fd, struct sockaddr *addr, socklen_t *alen, int flags,
                      int64_t timeout_ns)
{
    struct lstk__sched *s = lstk__io_sched();
    struct lstk__fd *e;
    long r;

    if (lstk__slow(s == NULL))
        return lstk__pt_accept4(fd, addr, alen, flags, timeout_ns);
    FD_ENTRY(e, fd);
    /* The new socket is non-blocking in the kernel from the start. */
    struct io_req q = IO_REQ(SYS_accept4, fd, LSTK__EV_IN, timeout_ns, addr, alen,
                             flags | SOCK_NONBLOCK, 0, 0);
    r = io_run(s, e, &q);
    if (r < 0)
        return (int)lstk__sc_ret(r);
    return accepted((int)r, e, (flags & SOCK_NONBLOCK) != 0);
}

LSTK_EXPORT int lstk_accept(int fd, struct sockaddr *addr, socklen_t *addrlen)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_accept4(fd, addr, addrlen, 0, LSTK_FOREVER);
}

LSTK_EXPORT int lstk_accept_timeout(int fd, struct sockaddr *addr,
                                    socklen_t *addrlen, int64_t timeout_ns)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_accept4(fd, addr, addrlen, 0, timeout_ns);
}

LSTK_EXPORT int lstk_accept4(int fd, struct sockaddr *addr, socklen_t *addrlen,
                             int flags)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_accept4(fd, addr, addrlen, flags, LSTK_FOREVER);
}

LSTK_EXPORT int lstk_accept4_timeout(int fd, struct sockaddr *addr,
                                     socklen_t *addrlen, int flags,
                                     int64_t timeout_ns)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_accept4(fd, addr, addrlen, flags, timeout_ns);
}

/*
 * connect: started non-blocking; while it is in progress, the thread waits
 * for writability and asks connect again, which answers 0 (done: Linux
 * reports the completion once), EISCONN (done), EALREADY (still going) or
 * the attempt's error (ECONNREFUSED, ETIMEDOUT, ...).  Asking connect is
 * more robust than reading SO_ERROR, which says 0 both when connected and
 * when still in progress.
 */
static int do_connect(int fd, const struct sockaddr *addr, socklen_t alen,
                      int64_t timeout_ns)
{
    struct lstk__sched *s = lstk__io_sched();
    struct lstk__fd *e;
    uint64_t deadline = IO_DEADLINE(timeout_ns);
    long r;
    int rc, started = 0;

    if (lstk__slow(s == NULL))
        return lstk__pt_connect(fd, addr, alen, timeout_ns);
    FD_ENTRY(e, fd);
    if (e->kind != LSTK__FD_SOCK)
        return (int)lstk__sc_ret(lstk__sc(SYS_connect, fd, (long)addr, alen));
    for (;;) {
        r = lstk__sc(SYS_connect, fd, (long)addr, alen);
        if (r == 0 || (started && r == -EISCONN))
            return 0;
        if (r == -EINPROGRESS || r == -EALREADY || r == -EAGAIN) {
            if (e->flags & LSTK__FDF_UNB)
                return (int)lstk__sc_ret(r);
            started |= r != -EAGAIN;
            e->wr = 0;
            rc = lstk__fd_wait(s, fd, e, LSTK__EV_OUT, io_deadline(&deadline));
            if (rc) {
                errno = rc;
                return -1;
            }
            continue;
        }
        return (int)lstk__sc_ret(r);
    }
}

LSTK_EXPORT int lstk_connect(int fd, const struct sockaddr *addr,
                             socklen_t addrlen)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_connect(fd, addr, addrlen, LSTK_FOREVER);
}

LSTK_EXPORT int lstk_connect_timeout(int fd, const struct sockaddr *addr,
                                     socklen_t addrlen, int64_t timeout_ns)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_connect(fd, addr, addrlen, timeout_ns);
}

/* --- poll ------------------------------------------------------------------------ */

/* Waiters kept in lstk_poll's frame; more are allocated on a big stack. */
#define POLL_ON_STACK 2

struct poll_alloc {
    size_t n;
    struct lstk__waiter *v;
};

static void *poll_alloc_big(void *arg)
{
    struct poll_alloc *a = arg;
    a->v = calloc(a->n, sizeof *a->v);
    return NULL;
}

static void *poll_free_big(void *arg)
{
    free(arg);
    return NULL;
}

static unsigned poll_ev(short events)
{
    unsigned ev = 0;
    if (events & (POLLIN | POLLPRI | POLLRDNORM | POLLRDBAND | POLLRDHUP))
        ev |= LSTK__EV_IN;
    if (events & (POLLOUT | POLLWRNORM | POLLWRBAND))
        ev |= LSTK__EV_OUT;
    /* Errors and hang-ups are reported whatever was asked. */
    return ev ? ev : LSTK__EV_IN | LSTK__EV_OUT;
}

/*
 * poll: the kernel's answer first (ppoll, zero timeout); if nothing is
 * ready, one waiter per descriptor, one wait, and the kernel's answer
 * again after every wake-up (an event is only a hint).
 */
LSTK_EXPORT int lstk_poll(struct pollfd *fds, nfds_t nfds, int timeout_ms)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    struct lstk__sched *s = lstk__io_sched();
    struct lstk__waiter small[POLL_ON_STACK], *ws = small;
    struct lstk__wait w;
    struct timespec zero = { 0, 0 };
    uint64_t deadline;
    long r;
    int rc;

    if (lstk__slow(s == NULL))
        return lstk__pt_poll(fds, nfds, timeout_ms);
    r = lstk__sc6(SYS_ppoll, (long)fds, (long)nfds, (long)&zero, 0, 8, 0);
    if (r != 0 || timeout_ms == 0)
        return (int)lstk__sc_ret(r);
    deadline = timeout_ms < 0 ? LSTK__NEVER
                              : lstk__deadline((int64_t)timeout_ms * 1000000);
    if (nfds > POLL_ON_STACK) {
        struct poll_alloc a = { nfds, NULL };
        lstk__on_big_stack(poll_alloc_big, &a);
        if (a.v == NULL) {
            errno = ENOMEM;
            return -1;
        }
        ws = a.v;
    }
    for (;;) {
        nfds_t i;
        for (i = 0; i < nfds; i++) {
            struct lstk__fd *e;
            ws[i].linked = 0;
            if (fds[i].fd < 0 || (e = lstk__fd_get(fds[i].fd)) == NULL)
                continue;
            if (e->kind == LSTK__FD_FILE || e->kind == LSTK__FD_DIRECT ||
                lstk__fd_register(fds[i].fd, e) != 0)
                continue; /* poll itself reports these */
            ws[i].w = &w;
            ws[i].fd = fds[i].fd;
            ws[i].events = (uint8_t)poll_ev(fds[i].events);
            ws[i].revents = 0;
            lstk__waiter_link(e, &ws[i]);
        }
        rc = lstk__io_block(s, &w, deadline, 1);
        for (i = 0; i < nfds; i++)
            lstk__waiter_unlink(&ws[i]);
        r = lstk__sc6(SYS_ppoll, (long)fds, (long)nfds, (long)&zero, 0, 8, 0);
        if (r != 0 || rc != 0)
            break;
    }
    if (ws != small)
        lstk__on_big_stack(poll_free_big, ws);
    if (r == 0 && rc != 0 && rc != ETIMEDOUT)
        r = -rc; /* EINTR, ENOMEM */
    return (int)lstk__sc_ret(r);
}

/* --- sendfile ---------------------------------------------------------------- */

/* A sendfile from uncached pages: on a helper, which reads the disk (the
   socket is non-blocking: it never waits for the peer); then, if the
   socket was full, wait for it here.  Raw result. */
static __attribute__((noinline)) long sendfile_offload(struct lstk__sched *s,
                                                       struct lstk__fd *e,
                                                       struct io_req *q)
{
    for (;;) {
        long r = lstk__file_offload(s, SYS_sendfile, q->fd, q->b, q->c, q->d,
                                    0, 0);
        if (r != -EAGAIN || q->nonblock || (e->flags & LSTK__FDF_UNB))
            return r;
        e->wr = 0;
        int rc = lstk__fd_wait_mem(s, q->fd, e, LSTK__EV_OUT,
                                   io_deadline(&q->deadline), &q->fw, 0);
        if (rc)
            return -rc;
    }
}

static ssize_t do_sendfile(int out, int in, off_t *off, size_t count,
                           int64_t timeout_ns)
{
    struct lstk__sched *s = lstk__io_sched();
    struct lstk__fd *e, *ie;
    size_t done = 0;
    int nonblock;

    if (lstk__slow(s == NULL))
        return lstk__pt_sendfile(out, in, off, count, timeout_ns);
    FD_ENTRY(ie, in);
    FD_ENTRY(e, out);
    nonblock = e->flags & LSTK__FDF_UNB;
    struct io_req q = IO_REQ(SYS_sendfile, out, LSTK__EV_OUT, timeout_ns, in, off,
                             0, 0, 0);
    for (;;) {
        size_t n = count - done;
        long r;
        if (e->kind == LSTK__FD_POLL && !nonblock && n > PIPE_BUF)
            n = PIPE_BUF;
        q.d = (long)n;
        if (ie->kind == LSTK__FD_FILE && e->kind == LSTK__FD_SOCK &&
            !lstk__file_cached(ie, in, off ? *off : -1, n))
            r = sendfile_offload(s, e, &q);
        else if (e->kind == LSTK__FD_FILE)
            r = lstk__sc6(SYS_sendfile, out, in, (long)off, (long)n, 0, 0);
        else
            r = io_run_call(s, e, &q);
        if (r < 0)
            return done ? (ssize_t)done : lstk__sc_ret(r);
        done += (size_t)r;
        if (r == 0 || done >= count || nonblock || e->kind != LSTK__FD_SOCK)
            return (ssize_t)done;
    }
}

LSTK_EXPORT ssize_t lstk_sendfile(int out_fd, int in_fd, off_t *offset,
                                  size_t count)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_sendfile(out_fd, in_fd, offset, count, LSTK_FOREVER);
}

LSTK_EXPORT ssize_t lstk_sendfile_timeout(int out_fd, int in_fd, off_t *offset,
                                          size_t count, int64_t timeout_ns)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    return do_sendfile(out_fd, in_fd, offset, count, timeout_ns);
}

/* --- waiting, closing, sleeping ------------------------------------------------ */

LSTK_EXPORT int lstk_fd_wait(int fd, short events, int64_t timeout_ns)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    struct lstk__sched *s = lstk__io_sched();
    struct lstk__fd *e;
    unsigned ev = 0;
    int rc;

    if (lstk__slow(s == NULL))
        return lstk__pt_fd_wait(fd, events, timeout_ns);
    e = lstk__fd_get(fd);
    if (lstk__slow(e == NULL))
        return -1;
    if (events & POLLIN)
        ev |= LSTK__EV_IN;
    if (events & POLLOUT)
        ev |= LSTK__EV_OUT;
    if (ev == 0) {
        errno = EINVAL;
        return -1;
    }
    if (e->kind == LSTK__FD_FILE || e->kind == LSTK__FD_DIRECT ||
        ((ev & LSTK__EV_IN) && e->rd) || ((ev & LSTK__EV_OUT) && e->wr))
        return 0;
    rc = lstk__fd_wait(s, fd, e, ev, lstk__deadline(timeout_ns));
    if (rc) {
        errno = rc;
        return -1;
    }
    return 0;
}

LSTK_EXPORT int lstk_close(int fd)
{
    lstk__fd_forget(fd);
    return (int)lstk__sc_ret(lstk__sc(SYS_close, fd, 0, 0));
}

LSTK_EXPORT int lstk_nanosleep(uint64_t ns, uint64_t *remain_ns)
{
    LSTK__GRAPH_SITE(); /* graph14: the blocking point */
    struct lstk__sched *s = lstk__io_sched();
    uint64_t deadline;
    int rc;

    if (lstk__slow(s == NULL))
        return lstk__pt_nanosleep(ns, remain_ns);
    deadline = lstk__deadline(ns > INT64_MAX ? INT64_MAX : (int64_t)ns);
    rc = lstk__io_sleep_until(s, deadline);
    if (rc == 0) {
        if (remain_ns)
            *remain_ns = 0;
        return 0;
    }
    if (remain_ns) {
        uint64_t now = lstk__now_ns();
        *remain_ns = deadline > now ? deadline - now : 0;
    }
    errno = rc;
    return -1;
}
