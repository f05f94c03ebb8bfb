/*
 * poller.c: the descriptor table, the epoll poller and the waits of I/O.
 *
 * Mechanism (see io.h for the model).  The scheduler calls its idle hook
 * when no thread is runnable (sched.c); while at least one thread waits for
 * I/O the hook is poller_idle, which sleeps in epoll_pwait2 until the next
 * event or the earliest timer, whichever comes first, and makes the threads
 * the events concern runnable.  While threads wait but others are runnable,
 * the scheduler also calls the hook with deadline 0 every LSTK__IO_POLL-th
 * decision (a poll that does not sleep), so that threads that never block
 * cannot starve the network.  When no thread waits for I/O the hook is NULL
 * and the scheduler pays nothing for it.
 *
 * A wait (struct lstk__wait) lives on the waiting thread's stack, with one
 * waiter (struct lstk__waiter) per descriptor it waits on, linked into that
 * descriptor's list.  A wait ends exactly once, by whichever comes first:
 *   - an event on one of its descriptors (poller_dispatch),
 *   - its timer (the scheduler's heap: lstk__timers_expire makes the thread
 *     runnable and leaves the wait's state at WAITING, which is how the
 *     thread knows on resumption),
 *   - lstk_interrupt (EINTR), or the descriptor being closed (EBADF).
 * lstk__wait_wake checks that the wait is still WAITING *and* the thread
 * still BLOCKED (a fired timer has made it runnable already) and disarms
 * the timer, so no thread is ever queued twice.  The thread unlinks its own
 * waiters when it resumes.
 *
 * An event wakes every waiter that only looks (poll, lstk_fd_wait,
 * connect) but one consuming waiter per direction (an I/O call that will
 * try the descriptor and wait again on EAGAIN): that one, after its call,
 * passes the event on to the next consumer unless the call drained the
 * descriptor (io.c's io_run, lstk__fd_pass).  With every consumer woken,
 * N threads reading one socket cost N switches per byte: a million of
 * them hung (testsuite/io/herd.c).
 *
 * Memory per idle connection: the descriptor's 32-byte entry, and nothing
 * else here (the wait is on the thread's stack).  A thread that blocks also
 * gives back the chunk its current chunk keeps cached (stack/stack.h): after
 * a deep request handler has returned, an idle thread holds only the chunks
 * it really uses.
 *
 * issue 11: with N > 1 schedulers this poller stays scheduler 0's, the one
 * OS thread that touches the descriptor table and the epoll set: a thread
 * on another scheduler moves to scheduler 0 when it starts an I/O call
 * (lstk__io_home) and is pinned there while it waits (TF_IOPIN), so that
 * its wake-up, its timer and the waiter lists stay on that OS thread.
 * Scheduler 0 parks in epoll_pwait2 when it has nothing to run; other
 * schedulers wake it through the doorbell (lstk__sched_kick_hook).
 *
 * Rejected: level-triggered epoll (every wait would need an EPOLL_CTL_MOD
 * or every poll would return the idle-but-readable descriptors again);
 * EPOLLONESHOT (a re-arm syscall per wait); registering on every wait and
 * removing afterwards (two syscalls per wait); one epoll_wait per scheduling
 * decision (a syscall per switch).
 */
#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "io/io.h"

struct lstk__fd *lstk__fdtab[LSTK__FD_PAGES];

/* Events fetched per epoll_pwait2 (on the system stack: 12 bytes each). */
#define LSTK__POLL_EVENTS 512

/* The poller.  One today (the one scheduler); one per scheduler later. */
static struct {
    /* The epoll instance, or -1 before the first registration. */
    int epfd;
    /* Threads blocked in an I/O wait or a file job; the scheduler's idle
       hook is set while this is non-zero. */
    uint64_t nwait;
    /* epoll_pwait2 is missing (kernel before 5.11): use epoll_wait. */
    int no_pwait2;
    /* Hooks of the layer's internal descriptor (fileio.c's eventfd), set
       by lstk__poller_add_internal: what its event means, and what a
       forked child must forget. */
    void (*internal_ready)(struct lstk__sched *s);
    void (*internal_fork_child)(void);
    /* The doorbell: an eventfd in the epoll set, written when a
       descriptor is closed where the scheduler cannot act (another OS
       thread, a signal handler); -1 before the poller is set up.  Read by
       any OS thread (atomics). */
    int doorbell;
    /* A forked child has not yet re-registered its waiters (set in the
       child's fork handler, acted on by the idle hook). */
    int forked;
    /* The internal descriptor (fileio.c's eventfd), -1 before it exists. */
    int internal_fd;
} lstk__poller = { .epfd = -1, .doorbell = -1, .internal_fd = -1 };

/* Interception on or off: LSTK_INTERCEPT, read at start-up below. */
int lstk__intercept_on = 1;

/* Bumped in a forked child: registrations of older generations are the
   parent's.  Never 0 (an entry's "not registered").  16 bits: a chain of
   65,535 nested forks brings a generation back, and an entry the
   65,535th descendant inherited untouched from the first would be taken
   as registered (its waits would time out or hang): not a case worth a
   wider entry. */
uint16_t lstk__poller_gen = 1;

static pthread_mutex_t lstk__fdtab_lock = PTHREAD_MUTEX_INITIALIZER;

/* --- the descriptor table ---------------------------------------------------- */

/* Maps page I of the table (zeroed); big stack. */
static void *fd_page_alloc(void *arg)
{
    unsigned i = (unsigned)(uintptr_t)arg;
    struct lstk__fd *p;

    pthread_mutex_lock(&lstk__fdtab_lock);
    p = lstk__fdtab[i];
    if (p == NULL) {
        p = mmap(NULL, LSTK__FD_PAGE * sizeof *p, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            p = NULL;
        else
            __atomic_store_n(&lstk__fdtab[i], p, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&lstk__fdtab_lock);
    return p;
}

struct probe_req {
    int fd;
    struct lstk__fd *e;
    int rc;
};

/*
 * Looks at a descriptor seen for the first time (big stack: struct stat
 * and a few syscalls, once per descriptor's life):
 *   socket      O_NONBLOCK set unless the user had it (FDF_ONB records that
 *               we did); stream if SOCK_STREAM.
 *   regular file, block device: FILE (fileio.c).
 *   directory:  DIRECT (reads fail with EISDIR anyway).
 *   others (pipes, FIFOs, terminals, eventfd, ...): POLL, the open file
 *               left as the user made it, since it is often shared with
 *               other processes (a shell's terminal, make's pipes).
 */
static void *fd_probe(void *arg)
{
    struct probe_req *r = arg;
    struct lstk__fd *e = r->e;
    struct stat st;
    long fl, rc;
    uint8_t kind, flags = 0;

    rc = lstk__sc(SYS_fstat, r->fd, (long)&st, 0);
    if (rc < 0) {
        r->rc = (int)-rc;
        return NULL;
    }
    if (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode)) {
        kind = LSTK__FD_FILE;
    } else if (S_ISDIR(st.st_mode)) {
        kind = LSTK__FD_DIRECT;
    } else {
        fl = lstk__sc(SYS_fcntl, r->fd, F_GETFL, 0);
        if (fl < 0) {
            r->rc = (int)-fl;
            return NULL;
        }
        if (fl & O_NONBLOCK)
            flags |= LSTK__FDF_UNB;
        if (S_ISSOCK(st.st_mode)) {
            int type = 0;
            socklen_t len = sizeof type;
            kind = LSTK__FD_SOCK;
            if (!(fl & O_NONBLOCK)) {
                rc = lstk__sc(SYS_fcntl, r->fd, F_SETFL, fl | O_NONBLOCK);
                if (rc < 0) {
                    r->rc = (int)-rc;
                    return NULL;
                }
                flags |= LSTK__FDF_ONB;
            }
            if (lstk__sc6(SYS_getsockopt, r->fd, SOL_SOCKET, SO_TYPE,
                          (long)&type, (long)&len, 0) == 0 &&
                type == SOCK_STREAM)
                flags |= LSTK__FDF_STREAM;
        } else {
            kind = LSTK__FD_POLL;
            if (S_ISFIFO(st.st_mode) && !(fl & O_DIRECT))
                flags |= LSTK__FDF_STREAM;
        }
    }
    e->rd = e->wr = 1;
    e->gen = 0;
    e->cached_at = 0;
    /* A close made elsewhere before this look is history (its waiters, if
       any, were woken by the sweep or are woken by the next). */
    if (e->head == NULL)
        __atomic_store_n(&e->closed, (uint8_t)0, __ATOMIC_RELAXED);
    __atomic_store_n(&e->flags, flags, __ATOMIC_RELAXED);
    __atomic_store_n(&e->kind, kind, __ATOMIC_RELEASE);
    r->rc = 0;
    return NULL;
}

struct lstk__fd *lstk__fd_slow(int fd)
{
    struct lstk__fd *e;
    struct probe_req r;

    if (fd < 0 || (unsigned)fd >= LSTK__FD_PAGE * LSTK__FD_PAGES) {
        errno = EBADF;
        return NULL;
    }
    e = lstk__fd_peek(fd);
    if (e == NULL) {
        struct lstk__fd *p = lstk__on_big_stack(
            fd_page_alloc, (void *)(uintptr_t)((unsigned)fd >> LSTK__FD_PAGE_SHIFT));
        if (p == NULL) {
            errno = ENOMEM;
            return NULL;
        }
        e = &p[(unsigned)fd & (LSTK__FD_PAGE - 1)];
    }
    if (e->kind != LSTK__FD_UNKNOWN)
        return e;
    r.fd = fd;
    r.e = e;
    r.rc = 0;
    lstk__on_big_stack(fd_probe, &r);
    if (r.rc) {
        errno = r.rc;
        return NULL;
    }
    return e;
}

static void fd_forget_here(struct lstk__sched *s, struct lstk__fd *e);

struct lstk__fd *lstk__fd_new_sock(int fd, int stream, int user_nonblock)
{
    struct lstk__fd *e = lstk__fd_peek(fd);

    if (e == NULL) {
        /* Maps the page and probes (rare), which finds O_NONBLOCK set:
           ours, unless the user asked for it too. */
        e = lstk__fd_slow(fd);
        if (e != NULL)
            e->flags = (uint8_t)((e->flags & ~(LSTK__FDF_ONB | LSTK__FDF_UNB)) |
                                 (user_nonblock ? LSTK__FDF_UNB : LSTK__FDF_ONB));
        return e;
    }
    /* Threads still waiting on the number's previous descriptor (closed
       on another OS thread, not yet swept) wake with EBADF, as the sweep
       would have woken them. */
    if (e->head != NULL)
        fd_forget_here(&lstk__sched_tls, e);
    e->rd = e->wr = 1;
    e->gen = 0;
    __atomic_store_n(&e->closed, (uint8_t)0, __ATOMIC_RELAXED);
    e->flags = (uint8_t)((stream ? LSTK__FDF_STREAM : 0) |
                         (user_nonblock ? LSTK__FDF_UNB : LSTK__FDF_ONB));
    __atomic_store_n(&e->kind, (uint8_t)LSTK__FD_SOCK, __ATOMIC_RELEASE);
    return e;
}

/*
 * Closes the scheduler cannot act on at once: on another OS thread (a
 * plain pthread closing a descriptor a linkstack thread waits on) or in a
 * signal handler on the scheduler's own thread (which may have interrupted
 * the scheduler in the middle of its run queue or timer heap).  Only what
 * is safe there: the entry's kind and flags are reset, its `closed` mark
 * set, and the doorbell rung (an eventfd write: async-signal-safe).  The
 * scheduler's thread then sweeps the table (poller_sweep_closed) and wakes
 * the waiters with EBADF, as a close on its own thread would.  Without
 * this the waiters slept forever: the kernel drops a closed descriptor's
 * epoll registration, so no event would ever come.
 */
static void fd_forget_deferred(struct lstk__fd *e)
{
    lstk__fd_uncount(e); /* graph14 */
    __atomic_store_n(&e->kind, (uint8_t)LSTK__FD_UNKNOWN, __ATOMIC_RELEASE);
    __atomic_store_n(&e->flags, (uint8_t)0, __ATOMIC_RELAXED);
    __atomic_store_n(&e->closed, (uint8_t)1, __ATOMIC_RELEASE);
    int bell = __atomic_load_n(&lstk__poller.doorbell, __ATOMIC_ACQUIRE);
    if (bell >= 0) {
        uint64_t one = 1;
        lstk__sc(SYS_write, bell, (long)&one, sizeof one);
    }
}

/* Wakes E's waiters with EBADF and resets it (scheduler's OS thread). */
static void fd_forget_here(struct lstk__sched *s, struct lstk__fd *e)
{
    while (e->head != NULL) {
        struct lstk__waiter *n = e->head;
        lstk__waiter_unlink(n);
        n->revents |= LSTK__EV_ERR;
        lstk__wait_wake(s, n->w, LSTK__W_CLOSED);
    }
    lstk__fd_uncount(e); /* graph14 */
    e->kind = LSTK__FD_UNKNOWN;
    e->flags = 0;
    e->rd = e->wr = 0;
    e->gen = 0;
    e->closed = 0;
}

void lstk__fd_forget(int fd)
{
    struct lstk__fd *e = lstk__fd_peek(fd);
    struct lstk__sched *s = &lstk__sched_tls;

    if (e == NULL || (__atomic_load_n(&e->kind, __ATOMIC_ACQUIRE) == LSTK__FD_UNKNOWN &&
                      __atomic_load_n(&e->head, __ATOMIC_RELAXED) == NULL))
        return;
    /* issue 11: a worker scheduler's OS thread is as foreign here. */
    if (s->ready <= 0 || s->index != 0 || lstk__in_signal_handler()) {
        fd_forget_deferred(e);
        return;
    }
    fd_forget_here(s, e);
}

void lstk__fd_forget_range(unsigned lo, unsigned hi)
{
    unsigned end = LSTK__FD_PAGE * LSTK__FD_PAGES - 1;

    if (hi > end)
        hi = end;
    for (unsigned fd = lo; fd <= hi && fd >= lo; fd++) {
        /* Whole pages never mapped hold nothing to forget. */
        if ((fd & (LSTK__FD_PAGE - 1)) == 0 && lstk__fd_peek((int)fd) == NULL) {
            fd += LSTK__FD_PAGE - 1;
            continue;
        }
        lstk__fd_forget((int)fd);
    }
}


/* --- the runtime's own descriptors --------------------------------------------- */

int lstk__io_owns_fd(int fd)
{
    return fd >= 0 && (fd == __atomic_load_n(&lstk__poller.epfd, __ATOMIC_ACQUIRE) ||
                       fd == __atomic_load_n(&lstk__poller.doorbell, __ATOMIC_ACQUIRE) ||
                       fd == __atomic_load_n(&lstk__poller.internal_fd, __ATOMIC_ACQUIRE));
}

int lstk__io_own_fds(int out[3])
{
    int v[3] = { __atomic_load_n(&lstk__poller.epfd, __ATOMIC_ACQUIRE),
                 __atomic_load_n(&lstk__poller.doorbell, __ATOMIC_ACQUIRE),
                 __atomic_load_n(&lstk__poller.internal_fd, __ATOMIC_ACQUIRE) };
    int n = 0;

    for (int i = 0; i < 3; i++) {
        if (v[i] < 0)
            continue;
        int k = n++;
        while (k > 0 && out[k - 1] > v[i]) { /* ascending */
            out[k] = out[k - 1];
            k--;
        }
        out[k] = v[i];
    }
    return n;
}

/* Appends decimal V at P; returns the end. */
static char *put_num(char *p, unsigned v)
{
    char d[12];
    int n = 0;
    do
        d[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (n > 0)
        *p++ = d[--n];
    return p;
}

void lstk__io_refused(const char *call, int fd)
{
    static int said;
    char msg[256], *p = msg;
    static const char a[] = "linkstack: ", b[] = "(", c[] =
        ") refused: descriptor ", d[] =
        " is the runtime's own (its epoll instance or an eventfd); without "
        "it waiting threads would never wake (doc/io.md)\n";

    if (__atomic_exchange_n(&said, 1, __ATOMIC_RELAXED))
        return; /* once: a loop closing every descriptor would repeat it */
    memcpy(p, a, sizeof a - 1), p += sizeof a - 1;
    for (const char *q = call; *q && p < msg + 40; q++)
        *p++ = *q;
    memcpy(p, b, sizeof b - 1), p += sizeof b - 1;
    p = put_num(p, (unsigned)fd);
    memcpy(p, c, sizeof c - 1), p += sizeof c - 1;
    p = put_num(p, (unsigned)fd);
    memcpy(p, d, sizeof d - 1), p += sizeof d - 1;
    lstk__sc(SYS_write, 2, (long)msg, p - msg);
}

/* --- waiters ------------------------------------------------------------------ */

int lstk__wait_wake(struct lstk__sched *s, struct lstk__wait *w, int state)
{
    struct lstk_thread *t = w->t;

    if (w->state != LSTK__W_WAITING || t->state != LSTK__T_BLOCKED)
        return 0; /* ended already (a timer made it runnable, or an event) */
    w->state = (uint8_t)state;
    lstk__timer_cancel(s, t);
    lstk__sched_ready(s, t);
    return 1;
}

/* Wakes E's first consumer for EV whose wait is still on; 1 if one was.
   Waiters unlink themselves when they run, so the ones skipped here (woken
   and not yet run) are few: the walk is short. */
static int poller_wake_consumer(struct lstk__sched *s, struct lstk__fd *e,
                                uint8_t ev)
{
    for (struct lstk__waiter *n = e->head; n != NULL; n = n->next) {
        if (n->consumes && (n->events & ev)) {
            n->revents |= ev;
            if (lstk__wait_wake(s, n->w, LSTK__W_READY))
                return 1;
        }
    }
    return 0;
}

void lstk__fd_pass(struct lstk__sched *s, struct lstk__fd *e, unsigned ev)
{
    poller_wake_consumer(s, e, (uint8_t)ev);
}

/* --- the epoll side ----------------------------------------------------------- */

/* issue 11: wakes scheduler 0 from epoll_pwait2 (smp.c: another
   scheduler queued work for it).  The doorbell's sweep finds nothing
   closed: one walk over the mapped table pages. */
static void poller_kick(void)
{
    int bell = __atomic_load_n(&lstk__poller.doorbell, __ATOMIC_ACQUIRE);
    if (bell >= 0) {
        uint64_t one = 1;
        lstk__sc(SYS_write, bell, (long)&one, sizeof one);
    }
}

struct lstk__sched *lstk__io_sched_slow(void)
{
    struct lstk__sched *s = &lstk__sched_tls;

    if (s->ready > 0)
        return lstk__io_home(s); /* issue 11: a worker scheduler */
    return lstk__sched_init_slow();
}

/* issue 11: see the head. */
struct lstk__sched *lstk__io_home(struct lstk__sched *s)
{
    struct lstk_thread *self = s->current;
    struct lstk__sched *s0 = lstk__scheds[0];

    if (self->flags & (LSTK__TF_PINNED | LSTK__TF_MAIN | LSTK__TF_IDLE))
        return NULL;
    self->flags |= LSTK__TF_IOPIN; /* goes to scheduler 0's inbox */
    self->sched = s0;
    self->state = LSTK__T_BLOCKED;
    lstk__sched_ready(s, self);
    lstk__sched_block(s);
    self->flags &= (uint16_t)~LSTK__TF_IOPIN;
    return self->sched;
}

static void *poller_init_big(void *arg)
{
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET,
                              .data.u64 = LSTK__EV_DATA_DOORBELL };

    (void)arg;
    if (lstk__poller.epfd >= 0)
        return NULL;
    long fd = lstk__sc(SYS_epoll_create1, EPOLL_CLOEXEC, 0, 0);
    if (fd < 0)
        return (void *)(intptr_t)-fd;
    long bell = lstk__sc(SYS_eventfd2, 0, EFD_CLOEXEC | EFD_NONBLOCK, 0);
    long r = bell < 0 ? bell
                      : lstk__sc6(SYS_epoll_ctl, fd, EPOLL_CTL_ADD, bell,
                                  (long)&ev, 0, 0);
    if (r < 0) {
        if (bell >= 0)
            lstk__sc(SYS_close, bell, 0, 0);
        lstk__sc(SYS_close, fd, 0, 0);
        return (void *)(intptr_t)-r;
    }
    __atomic_store_n(&lstk__poller.doorbell, (int)bell, __ATOMIC_RELEASE);
    lstk__poller.epfd = (int)fd;
    lstk__sched_kick_hook = poller_kick; /* issue 11 */
    return NULL;
}

int lstk__poller_init(void)
{
    if (lstk__fast(lstk__poller.epfd >= 0))
        return 0;
    return (int)(intptr_t)lstk__on_big_stack(poller_init_big, NULL);
}

int lstk__poller_add_internal(int efd, void (*ready)(struct lstk__sched *),
                              void (*fork_child)(void))
{
    struct epoll_event ev = { .events = EPOLLIN | EPOLLET,
                              .data.u64 = LSTK__EV_DATA_INTERNAL };
    int rc = lstk__poller_init();

    if (rc)
        return rc;
    lstk__poller.internal_ready = ready;
    lstk__poller.internal_fork_child = fork_child;
    long r = lstk__sc6(SYS_epoll_ctl, lstk__poller.epfd, EPOLL_CTL_ADD, efd,
                       (long)&ev, 0, 0);
    if (r == 0)
        __atomic_store_n(&lstk__poller.internal_fd, efd, __ATOMIC_RELEASE);
    return r < 0 ? (int)-r : 0;
}

int lstk__fd_register(int fd, struct lstk__fd *e)
{
    struct epoll_event ev;
    long r;
    int rc;

    if ((e->flags & LSTK__FDF_REG) && e->gen == lstk__poller_gen)
        return 0;
    rc = lstk__poller_init();
    if (rc)
        return rc;
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = (uint64_t)(unsigned)fd;
    r = lstk__sc6(SYS_epoll_ctl, lstk__poller.epfd, EPOLL_CTL_ADD, fd,
                  (long)&ev, 0, 0);
    if (r == -EEXIST)
        r = 0; /* still registered from before a forget: the same file */
    if (r < 0)
        return (int)-r;
    e->flags |= LSTK__FDF_REG;
    e->gen = lstk__poller_gen;
    return 0;
}

/* The doorbell rang: wakes the waiters of every entry closed where the
   scheduler could not act (fd_forget_deferred).  A walk over the mapped
   pages of the table: O(descriptors), but only when a descriptor was
   closed on another OS thread or in a signal handler, never on the I/O
   paths. */
static void poller_sweep_closed(struct lstk__sched *s)
{
    uint64_t count;

    lstk__sc(SYS_read, lstk__poller.doorbell, (long)&count, sizeof count);
    for (unsigned i = 0; i < LSTK__FD_PAGES; i++) {
        struct lstk__fd *p = __atomic_load_n(&lstk__fdtab[i], __ATOMIC_ACQUIRE);
        if (p == NULL)
            continue;
        for (unsigned k = 0; k < LSTK__FD_PAGE; k++)
            if (__atomic_load_n(&p[k].closed, __ATOMIC_ACQUIRE))
                fd_forget_here(s, &p[k]);
    }
}

/* One event: the hints, then every waiter it concerns. */
static void poller_dispatch(struct lstk__sched *s, uint32_t events,
                            uint64_t data)
{
    struct lstk__fd *e;
    struct lstk__waiter *n, *next;
    uint8_t m = 0;

    if (lstk__slow(data == LSTK__EV_DATA_INTERNAL)) {
        lstk__poller.internal_ready(s);
        return;
    }
    if (lstk__slow(data == LSTK__EV_DATA_DOORBELL)) {
        poller_sweep_closed(s);
        return;
    }
    e = lstk__fd_peek((int)data);
    if (e == NULL || e->kind == LSTK__FD_UNKNOWN)
        return; /* forgotten since: a stale event */
    if (events & (EPOLLIN | EPOLLPRI | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        e->rd = 1;
        m |= LSTK__EV_IN;
    }
    if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) {
        e->wr = 1;
        m |= LSTK__EV_OUT;
    }
    if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        e->flags |= LSTK__FDF_RDHUP;
    /* Waits that only look all wake; of the consuming ones, the first
       per direction (struct lstk__waiter). */
    for (n = e->head; n != NULL; n = next) {
        next = n->next;
        if ((n->events & m) && !n->consumes) {
            n->revents |= (uint8_t)(n->events & m);
            lstk__wait_wake(s, n->w, LSTK__W_READY);
        }
    }
    if (m & LSTK__EV_IN)
        poller_wake_consumer(s, e, LSTK__EV_IN);
    if (m & LSTK__EV_OUT)
        poller_wake_consumer(s, e, LSTK__EV_OUT);
}

/* Waits for events until DEADLINE (0: do not sleep; LSTK__NEVER: no
   limit) and dispatches them.  Big stack. */
static int poller_wait(struct lstk__sched *s, uint64_t deadline)
{
    struct epoll_event ev[LSTK__POLL_EVENTS];
    struct timespec ts, *tsp = NULL;
    long n;

    if (deadline != LSTK__NEVER) {
        uint64_t now = deadline ? lstk__now_ns() : 0, rel;
        rel = deadline > now ? deadline - now : 0;
        ts.tv_sec = (time_t)(rel / 1000000000u);
        ts.tv_nsec = (long)(rel % 1000000000u);
        tsp = &ts;
    }
    if (lstk__fast(!lstk__poller.no_pwait2)) {
        n = lstk__sc6(SYS_epoll_pwait2, lstk__poller.epfd, (long)ev,
                      LSTK__POLL_EVENTS, (long)tsp, 0, 0);
        if (lstk__slow(n == -ENOSYS)) {
            lstk__poller.no_pwait2 = 1;
            return 1;
        }
    } else {
        /* Milliseconds, rounded up: a timer never fires early. */
        long ms = -1;
        if (tsp)
            ms = (long)ts.tv_sec * 1000 + (ts.tv_nsec + 999999) / 1000000;
        n = lstk__sc6(SYS_epoll_wait, lstk__poller.epfd, (long)ev,
                      LSTK__POLL_EVENTS, ms, 0, 0);
    }
    for (long i = 0; i < n; i++)
        poller_dispatch(s, ev[i].events, ev[i].data.u64);
    return 1; /* EINTR (a signal handler ran) too: the caller looks again */
}

/*
 * The first idle hook in a forked child (on the scheduler's thread, big
 * stack).  The child inherited the threads waiting on descriptors but not
 * the parent's epoll instance (the child must not touch it): without this
 * they never woke.  A new instance, then every descriptor someone waits on
 * registered in it (EPOLL_CTL_ADD reports a descriptor that is ready
 * already, so nothing that arrived meanwhile is missed; one that cannot be
 * registered, closed since, wakes its waiters with EBADF).  Jobs that the
 * parent's helper threads held end with EINTR (fileio.c's fork hook
 * queued them as done): the helpers are not in the child.  O(descriptors),
 * once per fork.
 */
static void poller_after_fork(struct lstk__sched *s)
{
    lstk__poller.forked = 0;
    if (poller_init_big(NULL) != NULL)
        lstk__fatal("cannot set up the I/O poller in a forked child (%s)",
                    "epoll_create1 or eventfd failed");
    if (lstk__poller.internal_ready != NULL)
        lstk__poller.internal_ready(s);
    for (unsigned i = 0; i < LSTK__FD_PAGES; i++) {
        struct lstk__fd *p = __atomic_load_n(&lstk__fdtab[i], __ATOMIC_ACQUIRE);
        if (p == NULL)
            continue;
        for (unsigned k = 0; k < LSTK__FD_PAGE; k++) {
            struct lstk__fd *e = &p[k];
            if (e->head == NULL)
                continue;
            if (e->closed || lstk__fd_register((int)(i * LSTK__FD_PAGE + k), e) != 0)
                fd_forget_here(s, e);
        }
    }
}

/* The scheduler's idle hook while threads wait for I/O (thread/thread.h). */
static int poller_idle(struct lstk__sched *s, uint64_t deadline)
{
    if (lstk__slow(lstk__poller.forked)) {
        poller_after_fork(s);
        /* The jobs the helpers held were ended there (fileio.c): their
           threads are runnable now, with no event to come for them, so
           the scheduler must look before any sleep in epoll_wait (issue
           13: a forked child's file jobs never returned). */
        return 1;
    }
    if (lstk__poller.nwait == 0 || lstk__poller.epfd < 0)
        return 0;
    return poller_wait(s, deadline);
}

void lstk__poller_hold(struct lstk__sched *s)
{
    if (lstk__poller.nwait++ == 0)
        s->idle = poller_idle;
}

void lstk__poller_release(struct lstk__sched *s)
{
    if (--lstk__poller.nwait == 0)
        s->idle = NULL;
}

/* --- blocking ------------------------------------------------------------------ */

/* Gives back the chunks the current chunk keeps cached; big stack. */
static void *drop_cached(void *arg)
{
    struct lstk__chunk *c = arg;
    lstk__chunk_free_chain(c->next);
    c->next = NULL;
    return NULL;
}

/* The part of a block that runs before it: a pending interrupt, the
   timer, the cached chunks.  Returns 0 to go on blocking, or why not.
   Out of line, so that lstk__io_block's own frame, which stays on the
   stack while the thread is switched out, is small. */
static __attribute__((noinline)) int io_block_prep(struct lstk__sched *s,
                                                   struct lstk__wait *w,
                                                   uint64_t deadline, int intr)
{
    struct lstk_thread *t = s->current;
    int pend = t->iowait == LSTK__IOW_PENDING(t);
    uintptr_t guard;
    int rc;

    if (pend && intr) {
        t->iowait = NULL;
        return EINTR;
    }
    if (deadline != LSTK__NEVER) {
        if (deadline <= lstk__now_ns())
            return ETIMEDOUT;
        rc = lstk__timer_add(s, t, deadline);
        if (rc)
            return rc;
    }
    /* An idle thread keeps only the chunks it uses (see the head). */
    guard = lstk__guard_get();
    if (guard != 0 && lstk__guard_chunk(guard)->next != NULL)
        lstk__on_big_stack(drop_cached, lstk__guard_chunk(guard));
    w->t = t;
    w->state = LSTK__W_WAITING;
    w->intr = (uint8_t)intr;
    w->pend = (uint8_t)pend;
    t->iowait = w;
    lstk__poller_hold(s);
    t->flags |= LSTK__TF_IOPIN; /* issue 11: woken on this scheduler only */
    t->state = LSTK__T_BLOCKED;
    t->waitq = NULL;
    t->wait_rc = 0;
    return 0;
}

int lstk__io_block(struct lstk__sched *s, struct lstk__wait *w,
                   uint64_t deadline, int intr)
{
    int rc = io_block_prep(s, w, deadline, intr);

    if (rc)
        return rc;
    lstk__sched_block(s);
    w->t->flags &= (uint16_t)~LSTK__TF_IOPIN;
    lstk__poller_release(s);
    w->t->iowait = w->pend ? LSTK__IOW_PENDING(w->t) : NULL;
    switch (w->state) {
    case LSTK__W_READY:
        return 0;
    case LSTK__W_INTR:
        return EINTR;
    case LSTK__W_CLOSED:
        return EBADF;
    default:
        return ETIMEDOUT;
    }
}

int lstk__fd_first_wait(int fd, struct lstk__fd *e)
{
    int rc = lstk__fd_register(fd, e);
    if (rc == EPERM) {
        e->kind = LSTK__FD_DIRECT; /* epoll refuses it: never waits */
        return 1;
    }
    return -rc;
}

int lstk__fd_wait(struct lstk__sched *s, int fd, struct lstk__fd *e,
                  unsigned ev, uint64_t deadline)
{
    struct lstk__fdwait fw;
    return lstk__fd_wait_mem(s, fd, e, ev, deadline, &fw, 0);
}

int lstk__io_sleep_until(struct lstk__sched *s, uint64_t deadline)
{
    struct lstk__wait w;
    int rc = lstk__io_block(s, &w, deadline, 1);
    return rc == ETIMEDOUT ? 0 : rc;
}

/* --- interrupts ------------------------------------------------------------ */

LSTK_EXPORT int lstk_interrupt(lstk_t t)
{
    struct lstk__sched *s = lstk__io_sched();
    struct lstk__wait *w;

    if (lstk__slow(s == NULL))
        return EPERM;
    if (t == NULL || t->state == LSTK__T_FREE || t->state == LSTK__T_FINISHED)
        return ESRCH;
    w = t->iowait;
    if (w != NULL && !((uintptr_t)w & 1u)) {
        /* In a wait, or just out of one and not yet running. */
        if (w->intr && w->state == LSTK__W_WAITING) {
            if (t->state == LSTK__T_BLOCKED)
                lstk__wait_wake(s, w, LSTK__W_INTR);
            else
                w->state = LSTK__W_INTR; /* its timer fired: EINTR wins */
        } else {
            w->pend = 1; /* delivered at its next interruptible wait */
        }
        return 0;
    }
    /* Not waiting (or a marker an earlier thread left in the TCB): the
       next interruptible wait returns EINTR at once. */
    t->iowait = LSTK__IOW_PENDING(t);
    return 0;
}

/* --- fork ------------------------------------------------------------------- */

/* A child shares the parent's epoll instance: it must not touch it.  The
   child gets a fresh one on first use; old registrations are of another
   generation, so each descriptor is registered again. */
static void poller_atfork_child(void)
{
    if (lstk__poller.epfd >= 0)
        lstk__sc(SYS_close, lstk__poller.epfd, 0, 0);
    lstk__poller.epfd = -1;
    if (lstk__poller.doorbell >= 0)
        lstk__sc(SYS_close, lstk__poller.doorbell, 0, 0);
    lstk__poller.doorbell = -1;
    lstk__poller.internal_fd = -1; /* fileio.c's hook closes it */
    lstk__poller.forked = lstk__poller.nwait > 0;
    if (++lstk__poller_gen == 0)
        lstk__poller_gen = 1;
    if (lstk__poller.internal_fork_child != NULL)
        lstk__poller.internal_fork_child();
}

/* --- start-up ----------------------------------------------------------------- */

/* The I/O layer's start (libc/libc.h: the sequence): the interception
   switch, and the fork handler, before main so that it runs before any
   the program registers later. */
__attribute__((constructor(LSTK__START_IO))) static void lstk__io_start(void)
{
    const char *env = getenv("LSTK_INTERCEPT");

    if (env != NULL && strcmp(env, "0") == 0)
        lstk__intercept_on = 0;
    pthread_atfork(NULL, NULL, poller_atfork_child);
}
