/*
 * io/io.h: the I/O layer's private header (issue 5): the epoll poller
 * and descriptor table (poller.c), the regular-file helpers (fileio.c), the
 * pass-through to libc (passthru.c), the lstk_* calls (io.c) and, on top,
 * the libc-name wrappers (intercept.c).  Includes only the layers below
 * (stack/stack.h, thread/thread.h and through them libc/libc.h).
 *
 * The model in one paragraph.  Every descriptor a linkstack thread touches
 * gets an entry in a process-wide table indexed by the descriptor number
 * (struct lstk__fd, 32 bytes, pages of 1024 entries mapped on demand).  The
 * entry says what the descriptor is (a socket, a pipe-like object, a
 * regular file) and carries two readiness hints, rd and wr, kept by the
 * poller from edge-triggered epoll events.  An operation first tries the
 * system call when its hint says "maybe ready" (never blocking: sockets are
 * O_NONBLOCK, pipes are polled first, files go through fileio.c); on
 * EAGAIN it clears the hint and blocks the thread in a wait on the entry's
 * list of waiters until an event, a timer or lstk_interrupt ends the wait;
 * then it tries again.  The descriptor is registered with epoll once, the
 * first time a thread has to wait on it, for its whole life (EPOLLIN |
 * EPOLLOUT | EPOLLRDHUP | EPOLLET), and the kernel drops the registration
 * when the descriptor is closed.
 *
 * Why the hints cannot lose a wake-up: a hint is cleared only by the thread
 * that saw EAGAIN (or a short read of a stream, which means the socket was
 * drained), before any epoll_wait can run (threads are cooperative, one OS
 * thread).  Any data that arrives later makes a new edge, which the next
 * epoll_wait reports.  A descriptor registered late reports its current
 * state at EPOLL_CTL_ADD.  So "hint clear and nothing queued in epoll"
 * implies "not ready".  A hint that is set wrongly costs one EAGAIN.
 *
 * Stack: everything here that runs on the caller's chunk stays within the
 * 512 bytes the plugin reserves for an lstk_* call (HACKING.md); anything
 * heavier (first-time set-up, malloc, pthread calls, epoll_wait with its
 * event array) runs on the system stack through lstk__on_big_stack.
 * System calls are made with the `syscall` instruction directly: no PLT
 * (no lazy binding on a chunk), no libc wrapper frames, and no recursion
 * into the runtime's own interposed read/write.
 */
#ifndef LSTK_IO_H
#define LSTK_IO_H

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "stack/stack.h"
#include "thread/graph.h"
#include "thread/thread.h"

/* --- descriptors ------------------------------------------------------------ */

/* What a descriptor is (struct lstk__fd.kind). */
enum {
    /* Never looked at (or forgotten since). */
    LSTK__FD_UNKNOWN = 0,
    /* A socket: O_NONBLOCK set by us (LSTK__FDF_ONB) or by the user. */
    LSTK__FD_SOCK,
    /* Pollable but not ours to make non-blocking (pipes, FIFOs, terminals,
       eventfd, signalfd, ...): wait for readiness, then call. */
    LSTK__FD_POLL,
    /* A regular file or a block device: fileio.c (never "blocks" in the
       poll sense, but the disk is slow). */
    LSTK__FD_FILE,
    /* Anything else epoll refuses (/dev/null, directories): call directly. */
    LSTK__FD_DIRECT,
};

/* Flags (struct lstk__fd.flags). */
/* Registered with the poller's epoll instance (generation: gen). */
#define LSTK__FDF_REG 0x01u
/* The user wants O_NONBLOCK semantics: EAGAIN is returned, never waited. */
#define LSTK__FDF_UNB 0x02u
/* The runtime set O_NONBLOCK on the open file behind the user's back:
   fcntl(F_GETFL) hides it, and calls made off linkstack threads emulate
   blocking. */
#define LSTK__FDF_ONB 0x04u
/* A byte stream (SOCK_STREAM, pipe): a short read means "drained". */
#define LSTK__FDF_STREAM 0x08u
/* The peer shut its side (EPOLLRDHUP, HUP, ERR seen): reads never wait
   again, so a short read must not clear the hint. */
#define LSTK__FDF_RDHUP 0x10u
/* Regular file whose filesystem refuses RWF_NOWAIT writes. */
#define LSTK__FDF_NOWAIT_W 0x20u
/* Regular file whose filesystem refuses RWF_NOWAIT reads. */
#define LSTK__FDF_NOWAIT_R 0x40u

struct lstk__waiter;

/* One descriptor's state.  Touched only by the scheduler's OS thread,
   except kind/flags, which other OS threads read (and a foreign close
   resets) with relaxed atomics, and `closed`, which a close on another OS
   thread or in a signal handler sets for the scheduler to act on
   (poller.c, "closes the scheduler cannot act on at once"). */
struct lstk__fd {
    /* Threads waiting on the descriptor (any direction), FIFO. */
    struct lstk__waiter *head;
    struct lstk__waiter *tail;
    /* LSTK__FD_*. */
    uint8_t kind;
    /* LSTK__FDF_*. */
    uint8_t flags;
    /* Readiness hints: 1 = an operation may succeed, try it. */
    uint8_t rd;
    uint8_t wr;
    /* The poller generation the registration belongs to (a forked child
       starts a new epoll instance, so old registrations do not count;
       0 is never a generation). */
    uint16_t gen;
    /* Closed where the scheduler could not wake the waiters (another OS
       thread, a signal handler): the poller's sweep does. */
    uint8_t closed;
    /* graph14: counted in lstk__graph_fds (an accepted socket), until the
       entry is forgotten (lstk__fd_count, lstk__fd_uncount). */
    uint8_t counted;
    /* Regular files: when cachestat last found a sendfile range cached
       (CLOCK_MONOTONIC ns); fileio.c trusts it for a short while. */
    uint64_t cached_at;
};
_Static_assert(sizeof(struct lstk__fd) == 32, "fd entry size");

/* Entries per page of the table, and pages: 16 Mi descriptors. */
#define LSTK__FD_PAGE_SHIFT 10
#define LSTK__FD_PAGE (1u << LSTK__FD_PAGE_SHIFT)
#define LSTK__FD_PAGES 16384u

extern struct lstk__fd *lstk__fdtab[LSTK__FD_PAGES] LSTK__HIDDEN;

/* The entry of FD if its page exists, else NULL.  Any OS thread. */
static inline struct lstk__fd *lstk__fd_peek(int fd)
{
    if (lstk__slow((unsigned)fd >= LSTK__FD_PAGE * LSTK__FD_PAGES))
        return NULL;
    struct lstk__fd *p =
        __atomic_load_n(&lstk__fdtab[(unsigned)fd >> LSTK__FD_PAGE_SHIFT],
                        __ATOMIC_ACQUIRE);
    return p ? &p[(unsigned)fd & (LSTK__FD_PAGE - 1)] : NULL;
}

/* The entry of FD, its page mapped if needed, and looked at (kind known)
   if it was not yet.  NULL with errno EBADF (FD negative, closed, or out of
   the table's range) or ENOMEM.  Scheduler's OS thread only. */
LSTK__HIDDEN struct lstk__fd *lstk__fd_slow(int fd);
static inline struct lstk__fd *lstk__fd_get(int fd)
{
    struct lstk__fd *e = lstk__fd_peek(fd);
    if (lstk__fast(e != NULL && e->kind != LSTK__FD_UNKNOWN))
        return e;
    return lstk__fd_slow(fd);
}

/* Sets up FD's entry for a descriptor the runtime just created (accept4):
   a socket of type STREAM (non-zero) or not, non-blocking in the kernel,
   USER_NONBLOCK as the user asked.  Scheduler's OS thread only. */
LSTK__HIDDEN struct lstk__fd *lstk__fd_new_sock(int fd, int stream,
                                                int user_nonblock);

/* Forgets FD (it is being closed or replaced): threads waiting on it wake
   with EBADF.  On another OS thread or in a signal handler only kind and
   flags are reset, and the poller is told (its doorbell) to wake the
   waiters on the scheduler's thread. */
LSTK__HIDDEN void lstk__fd_forget(int fd);
/* Forgets every descriptor known in [LO, HI] (close_range). */
LSTK__HIDDEN void lstk__fd_forget_range(unsigned lo, unsigned hi);

/* --- waits ------------------------------------------------------------------ */

/* Directions a waiter waits for. */
#define LSTK__EV_IN 1u
#define LSTK__EV_OUT 2u
/* (revents only) error or hang-up. */
#define LSTK__EV_ERR 4u
#define LSTK__EV_HUP 8u

/* How a wait ended (struct lstk__wait.state). */
enum {
    LSTK__W_WAITING = 0, /* still waiting; on resumption: its timer fired */
    LSTK__W_READY,       /* an event (or a finished job) */
    LSTK__W_INTR,        /* lstk_interrupt */
    LSTK__W_CLOSED,      /* the descriptor was closed */
};

/* A blocked thread's wait, on its stack. */
struct lstk__wait {
    struct lstk_thread *t;
    uint8_t state;
    /* lstk_interrupt may end it (file jobs may not: the helper writes into
       the waiter's frame). */
    uint8_t intr;
    /* An interrupt came while the wait could not take it (not
       interruptible, or already ended): pending for the next one. */
    uint8_t pend;
    uint8_t spare;
    uint32_t spare32;
};

/* A wait's place in one descriptor's list, on the waiting thread's stack
   (or the heap, for a large lstk_poll). */
struct lstk__waiter {
    struct lstk__waiter *next;
    struct lstk__waiter *prev;
    struct lstk__wait *w;
    int fd;
    /* LSTK__EV_IN/OUT wanted, and what the events said. */
    uint8_t events;
    uint8_t revents;
    /* 1 while in the descriptor's list. */
    uint8_t linked;
    /* 1: an I/O call that tries the descriptor when woken and waits again
       on EAGAIN (io.c's io_run).  An event wakes one such waiter per
       direction, not all of them, and that one passes the event on
       (lstk__fd_pass) unless its call found the descriptor drained: a
       byte arriving on a socket that a million threads read wakes one
       thread, not a million.  0: a wait that only looks (poll, connect,
       lstk_fd_wait), woken by every event. */
    uint8_t consumes;
};

/* "No deadline". */
#define LSTK__NEVER UINT64_MAX

/* The deadline TIMEOUT_NS from now: negative is LSTK__NEVER; 0 is now. */
static inline uint64_t lstk__deadline(int64_t timeout_ns)
{
    if (timeout_ns < 0)
        return LSTK__NEVER;
    uint64_t now = lstk__now_ns(), d = now + (uint64_t)timeout_ns;
    return d < now || d == LSTK__NEVER ? LSTK__NEVER - 1 : d;
}

/*
 * The thread's side of the pending-interrupt protocol: t->iowait holds the
 * wait the thread is blocked in (a pointer), or LSTK__IOW_PENDING(t) when an
 * interrupt came while it was not waiting, or NULL.  The pending marker
 * encodes the thread's id, so that a marker left in a recycled TCB by a
 * thread that ended never matches its successor.
 */
#define LSTK__IOW_PENDING(t) ((void *)(uintptr_t)(((t)->id << 1) | 1u))

/* Blocks the current thread of S in W until an event, DEADLINE
   (LSTK__NEVER: none) or, when INTR, lstk_interrupt.  Returns 0 (an
   event), ETIMEDOUT, EINTR, EBADF (descriptor closed) or ENOMEM (the timer
   heap could not grow). */
LSTK__HIDDEN int lstk__io_block(struct lstk__sched *s, struct lstk__wait *w,
                                uint64_t deadline, int intr);

/* Links N into E's waiter list. */
static inline void lstk__waiter_link(struct lstk__fd *e, struct lstk__waiter *n)
{
    n->next = NULL;
    n->prev = e->tail;
    if (e->tail)
        e->tail->next = n;
    else
        e->head = n;
    e->tail = n;
    n->linked = 1;
}

/* Unlinks N from its descriptor's list, if it is still in it. */
static inline void lstk__waiter_unlink(struct lstk__waiter *n)
{
    struct lstk__fd *e;

    if (!n->linked)
        return;
    e = lstk__fd_peek(n->fd);
    if (n->prev)
        n->prev->next = n->next;
    else
        e->head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        e->tail = n->prev;
    n->linked = 0;
}
/* The storage of a wait on one descriptor (in the waiting frame). */
struct lstk__fdwait {
    struct lstk__wait w;
    struct lstk__waiter n;
};

/* Registers E's descriptor FD with epoll on its first wait.  0; 1 when
   epoll refuses it (E becomes LSTK__FD_DIRECT: call directly); -errno. */
LSTK__HIDDEN int lstk__fd_first_wait(int fd, struct lstk__fd *e);

/* The generation of the poller's registrations (poller.c). */
extern uint16_t lstk__poller_gen LSTK__HIDDEN;

/*
 * Waits until FD (entry E) may be ready for EV (LSTK__EV_IN or OUT),
 * registering it with epoll on first use; FW is the wait's storage.
 * Returns as lstk__io_block; 0 also when the descriptor turns out not to
 * be pollable (then E's kind is LSTK__FD_DIRECT: call the system call
 * directly).  Inline: one frame fewer between an I/O call and the switch.
 */
static inline __attribute__((always_inline)) int
lstk__fd_wait_mem(struct lstk__sched *s, int fd, struct lstk__fd *e,
                  unsigned ev, uint64_t deadline, struct lstk__fdwait *fw,
                  int consumes)
{
    int rc;

    if (lstk__slow(!(e->flags & LSTK__FDF_REG) || e->gen != lstk__poller_gen)) {
        rc = lstk__fd_first_wait(fd, e);
        if (rc)
            return rc > 0 ? 0 : -rc;
    }
    fw->n.w = &fw->w;
    fw->n.fd = fd;
    fw->n.events = (uint8_t)ev;
    fw->n.revents = 0;
    fw->n.consumes = (uint8_t)consumes;
    lstk__waiter_link(e, &fw->n);
    rc = lstk__io_block(s, &fw->w, deadline, 1);
    lstk__waiter_unlink(&fw->n);
    return rc;
}

/* The same with storage of its own. */
LSTK__HIDDEN int lstk__fd_wait(struct lstk__sched *s, int fd,
                               struct lstk__fd *e, unsigned ev,
                               uint64_t deadline);

/* Registers FD with epoll if it is not yet.  0, EPERM (not pollable) or
   another errno. */
LSTK__HIDDEN int lstk__fd_register(int fd, struct lstk__fd *e);

/* Ends W (its thread blocked) with STATE and makes the thread runnable,
   unless the wait already ended.  Returns 1 when it did.  Scheduler's OS
   thread only. */
LSTK__HIDDEN int lstk__wait_wake(struct lstk__sched *s, struct lstk__wait *w,
                                 int state);
/* Wakes the first consuming waiter of E waiting for EV (LSTK__EV_IN or
   OUT) whose wait has not ended: the event a consumer took is passed on
   (see struct lstk__waiter). */
LSTK__HIDDEN void lstk__fd_pass(struct lstk__sched *s, struct lstk__fd *e,
                                unsigned ev);

/* issue 11: with N > 1 schedulers, moves the calling thread to scheduler
   0, whose OS thread alone touches the descriptor table and the epoll
   instance (poller.c); returns it, or NULL for a thread pinned elsewhere
   (its call then behaves as the libc call, on its own OS thread). */
LSTK__HIDDEN struct lstk__sched *lstk__io_home(struct lstk__sched *s);
/* lstk__io_sched's other cases: set-up, or lstk__io_home (poller.c). */
LSTK__HIDDEN struct lstk__sched *lstk__io_sched_slow(void);

/* The scheduler for an lstk_* I/O call: the calling OS thread's (set up if
   needed), or NULL on a foreign OS thread (the call then behaves as the
   libc call).  issue 11: with N > 1, always scheduler 0 (lstk__io_home). */
static inline struct lstk__sched *lstk__io_sched(void)
{
    struct lstk__sched *s = &lstk__sched_tls;
    if (lstk__fast(s->ready > 0 && s->index == 0))
        return s;
    return lstk__io_sched_slow();
}

/* Sleeps the current thread of S until DEADLINE; lstk_interrupt ends the
   sleep early (EINTR).  0, EINTR or ENOMEM. */
LSTK__HIDDEN int lstk__io_sleep_until(struct lstk__sched *s, uint64_t deadline);

/* --- regular files (fileio.c) ------------------------------------------------ */

/* A system call for a helper OS thread, and the wait of the thread that
   asked; in that thread's frame. */
struct lstk__job {
    struct lstk__job *next;
    /* The call NR(A[0..5]); NR becomes -1 when no helper could take it. */
    long nr;
    long a[6];
    /* Its raw result. */
    long ret;
    struct lstk__wait w;
    /* A one-entry vector the call may point at. */
    struct iovec v;
    /* Jobs submitted and not yet completed (scheduler's OS thread only):
       a forked child finds those that its helpers, gone, will never do. */
    struct lstk__job *oprev, *onext;
    /* Set by the helper once RET is final. */
    uint8_t fin;
};

/* Runs job J on a helper OS thread while the current thread of S waits
   (the others run).  Returns the call's raw result (-errno). */
LSTK__HIDDEN long lstk__job_run(struct lstk__sched *s, struct lstk__job *j);
/* The same for the call NR(A..F). */
LSTK__HIDDEN long lstk__file_offload(struct lstk__sched *s, long nr, long a,
                                     long b, long c, long d, long e, long f);
/* preadv2/pwritev2 (OFF -1: the file position) on a regular file without
   stalling the others: RWF_NOWAIT first, the helpers if the data is not in
   the page cache.  Raw result.  _rw1: one buffer. */
LSTK__HIDDEN long lstk__file_rw(struct lstk__sched *s, struct lstk__fd *e,
                                int fd, const struct iovec *iov, int iovcnt,
                                off_t off, int write);
LSTK__HIDDEN long lstk__file_rw1(struct lstk__sched *s, struct lstk__fd *e,
                                 int fd, const void *buf, size_t len,
                                 off_t off, int write);
/* Non-zero unless cachestat(2) says that part of [OFF, OFF + LEN) of
   regular file FD (entry E; OFF -1: from its position) is not in the page
   cache.  A file found cached is trusted for LSTK__CACHED_TRUST_NS without
   asking again (a syscall saved per sendfile of a hot file; a page evicted
   meanwhile costs one sendfile that waits for the disk). */
#define LSTK__CACHED_TRUST_NS (100u * 1000 * 1000)
LSTK__HIDDEN int lstk__file_cached(struct lstk__fd *e, int fd, off_t off,
                                   size_t len);

/* --- the poller (poller.c) ------------------------------------------------- */

/* epoll data value of the layer's internal descriptor, the helpers'
   eventfd (never a descriptor number). */
#define LSTK__EV_DATA_INTERNAL (1ull << 40)
/* The poller's doorbell (an eventfd): a descriptor was closed where the
   scheduler could not act (poller.c). */
#define LSTK__EV_DATA_DOORBELL ((1ull << 40) + 1)

/* Sets the poller up if it is not (epoll instance); 0 or errno. */
LSTK__HIDDEN int lstk__poller_init(void);
/* Registers the helpers' eventfd EFD, and the hooks by which the poller,
   below fileio.c, tells it about EFD's events (READY, on the scheduler's
   OS thread) and about a fork (FORK_CHILD, in the child).  0 or errno. */
LSTK__HIDDEN int lstk__poller_add_internal(int efd,
                                           void (*ready)(struct lstk__sched *),
                                           void (*fork_child)(void));
/* Non-zero when FD is one of the runtime's own descriptors (the epoll
   instance, the doorbell, the helpers' eventfd): the program's close,
   dup2, dup3, close_range and closefrom leave it alone, and say so once
   (lstk__io_refused: "linkstack: CALL(FD) refused ...").  Any OS thread. */
LSTK__HIDDEN int lstk__io_owns_fd(int fd);
/* Those descriptors that exist, ascending, into OUT; how many. */
LSTK__HIDDEN int lstk__io_own_fds(int out[3]);
LSTK__HIDDEN void lstk__io_refused(const char *call, int fd);
/* Counts a wait that is not on a descriptor (a file job) so that the
   scheduler polls while it lasts. */
LSTK__HIDDEN void lstk__poller_hold(struct lstk__sched *s);
LSTK__HIDDEN void lstk__poller_release(struct lstk__sched *s);

/* --- pass-through (passthru.c) ------------------------------------------------ */

/*
 * lstk__pt_X behaves as libc's X (it calls it through libc/), with one
 * difference that keeps "behaves as libc" true: on a socket that the
 * runtime switched to O_NONBLOCK behind the user's back, EAGAIN is not the
 * user's business, so the call waits in poll(2) (blocking its OS thread,
 * as libc's would) and tries again; a write goes on until everything is
 * written.  The _timeout forms (TIMEOUT_NS >= 0) wait in poll(2) first.
 * They run on main, on foreign OS threads, and on linkstack threads when
 * interception is off.
 */
LSTK__HIDDEN ssize_t lstk__pt_read(int fd, void *buf, size_t len,
                                   int64_t timeout_ns);
LSTK__HIDDEN ssize_t lstk__pt_pread(int fd, void *buf, size_t len, off_t off);
LSTK__HIDDEN ssize_t lstk__pt_readv(int fd, const struct iovec *iov, int n,
                                    int64_t timeout_ns);
LSTK__HIDDEN ssize_t lstk__pt_recvfrom(int fd, void *buf, size_t len, int flags,
                                       struct sockaddr *addr, socklen_t *alen,
                                       int64_t timeout_ns);
LSTK__HIDDEN ssize_t lstk__pt_recvmsg(int fd, struct msghdr *msg, int flags);
LSTK__HIDDEN ssize_t lstk__pt_write(int fd, const void *buf, size_t len,
                                    int64_t timeout_ns);
LSTK__HIDDEN ssize_t lstk__pt_pwrite(int fd, const void *buf, size_t len,
                                     off_t off);
LSTK__HIDDEN ssize_t lstk__pt_writev(int fd, const struct iovec *iov, int n,
                                     int64_t timeout_ns);
LSTK__HIDDEN ssize_t lstk__pt_sendto(int fd, const void *buf, size_t len,
                                     int flags, const struct sockaddr *addr,
                                     socklen_t alen, int64_t timeout_ns);
LSTK__HIDDEN ssize_t lstk__pt_sendmsg(int fd, const struct msghdr *msg,
                                      int flags);
LSTK__HIDDEN int lstk__pt_accept4(int fd, struct sockaddr *addr,
                                  socklen_t *alen, int flags,
                                  int64_t timeout_ns);
LSTK__HIDDEN int lstk__pt_connect(int fd, const struct sockaddr *addr,
                                  socklen_t alen, int64_t timeout_ns);
LSTK__HIDDEN int lstk__pt_poll(struct pollfd *fds, nfds_t n, int timeout_ms);
LSTK__HIDDEN ssize_t lstk__pt_sendfile(int out, int in, off_t *off,
                                       size_t count, int64_t timeout_ns);
LSTK__HIDDEN int lstk__pt_fd_wait(int fd, short events, int64_t timeout_ns);
LSTK__HIDDEN int lstk__pt_nanosleep(uint64_t ns, uint64_t *remain_ns);

/* The runtime made FD non-blocking behind the program's back: the
   program's view (and libc's behaviour) must be emulated.  Any OS thread. */
static inline int lstk__pt_emulated(int fd)
{
    struct lstk__fd *e = lstk__fd_peek(fd);
    if (e == NULL)
        return 0;
    return __atomic_load_n(&e->kind, __ATOMIC_ACQUIRE) == LSTK__FD_SOCK &&
           (__atomic_load_n(&e->flags, __ATOMIC_RELAXED) &
            (LSTK__FDF_ONB | LSTK__FDF_UNB)) == LSTK__FDF_ONB;
}

/* --- interception (intercept.c) ------------------------------------------- */

/* Non-zero while the libc names are intercepted (lstk_intercept); set at
   start-up from LSTK_INTERCEPT (poller.c, lstk__io_start). */
extern int lstk__intercept_on LSTK__HIDDEN;

/* Non-zero when a libc-name wrapper called here should behave as the
   lstk_* call: on a chunk (guard != 0) of a linkstack thread other than
   main, with interception on.  Main, foreign OS threads, signal handlers
   (guard 0) and lstk_stack_run on main get libc's behaviour. */
static inline __attribute__((always_inline)) int lstk__intercepting(void)
{
    if (lstk__fast(lstk__guard_get() == 0))
        return 0;
    struct lstk__sched *s = &lstk__sched_tls;
    if (!(s->ready > 0 && s->current != &s->main &&
          __atomic_load_n(&lstk__intercept_on, __ATOMIC_RELAXED)))
        return 0;
    /* graph14: the wrapper's caller is the blocking point (always_inline:
       the note names the wrapper's own frame and return address). */
    LSTK__GRAPH_NOTE(LSTK__NOTE_WRAPPER);
    return 1;
}

/* graph14: E is a descriptor the graph counts (an accepted socket). */
static inline void lstk__fd_count(struct lstk__fd *e)
{
    if (!e->counted) {
        e->counted = 1;
        __atomic_add_fetch(&lstk__graph_fds, 1, __ATOMIC_RELAXED);
    }
}

/* graph14: E is forgotten (closed, or its number reused). */
static inline void lstk__fd_uncount(struct lstk__fd *e)
{
    if (__atomic_exchange_n(&e->counted, (uint8_t)0, __ATOMIC_RELAXED))
        __atomic_sub_fetch(&lstk__graph_fds, 1, __ATOMIC_RELAXED);
}

#endif /* LSTK_IO_H */
