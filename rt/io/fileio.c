/*
 * fileio.c: regular-file I/O that does not stall the other threads.
 *
 * epoll says nothing useful about regular files (always "ready"), yet a
 * read that misses the page cache waits for the disk, and with it every
 * thread of the OS thread.  The choice here:
 *
 *   1. Try without waiting: preadv2/pwritev2 with RWF_NOWAIT.  Data in the
 *      page cache (the common case for a web server's files) is read in
 *      one system call, inline, exactly as cheap as a plain read.
 *   2. Otherwise hand the call to one of a few helper OS threads
 *      (LSTK_IO_THREADS, default 4, started on first use): the calling
 *      thread waits like any I/O wait, the helper makes the blocking call,
 *      pushes the job on a lock-free completion list and, when the list was
 *      empty, writes the helpers' eventfd, which the poller watches
 *      (edge-triggered: one event per write, so the counter is never read).
 *   3. sendfile from a file: cachestat(2) (Linux 6.5) tells whether the
 *      range is cached; if not, the sendfile itself runs on a helper (the
 *      socket is non-blocking: the helper never waits for the peer).
 *      Without cachestat (older kernels), sendfile runs inline.
 *
 * Why helper threads rather than io_uring: io_uring is often disabled
 * (containers' seccomp profiles, kernel.io_uring_disabled, older kernels);
 * for buffered files it gains nothing over (1) + (2): a cached read is
 * one syscall either way, and an uncached one goes to a kernel worker
 * (io-wq), which is a helper thread too; it has no sendfile (splice needs
 * a pipe per transfer); and its rings would be one more thing per
 * scheduler to set up and tear down at fork.  Helper threads cost a
 * futex wake and an eventfd write per miss, which is small next to a disk
 * access.
 *
 * A file job cannot be interrupted (lstk_interrupt): the helper writes
 * into the waiting thread's frame until the job is done.
 */
#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mman.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "io/io.h"

#ifndef RWF_NOWAIT
#define RWF_NOWAIT 0x00000008
#endif
#ifndef SYS_cachestat
#define SYS_cachestat 451
#endif

/* Default and maximum number of helper threads. */
#define LSTK__HELPERS_DEFAULT 4
#define LSTK__HELPERS_MAX 64
/* Helper stacks: they run system calls only. */
#define LSTK__HELPER_STACK (64u << 10)

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    /* Jobs not yet taken, FIFO. */
    struct lstk__job *head, *tail;
    /* Finished jobs, LIFO, pushed by the helpers with a CAS, taken all at
       once by the poller (an exchange: no ABA). */
    struct lstk__job *done;
    /* Jobs submitted and not completed, through oprev/onext (scheduler's
       OS thread only): what a forked child must end itself. */
    struct lstk__job *outstanding;
    /* The eventfd the helpers signal, -1 before the first job. */
    int efd;
    int nthreads;
    /* cachestat is missing (kernel before 6.5): sendfile runs inline. */
    int no_cachestat;
} lstk__files = {
    .lock = PTHREAD_MUTEX_INITIALIZER,
    .cond = PTHREAD_COND_INITIALIZER,
    .efd = -1,
};

static void lstk__file_complete(struct lstk__sched *s);
static void lstk__file_atfork_child(void);

static void *helper_main(void *arg)
{
    (void)arg;
    for (;;) {
        struct lstk__job *j, *old;

        pthread_mutex_lock(&lstk__files.lock);
        while ((j = lstk__files.head) == NULL)
            pthread_cond_wait(&lstk__files.cond, &lstk__files.lock);
        lstk__files.head = j->next;
        if (lstk__files.head == NULL)
            lstk__files.tail = NULL;
        pthread_mutex_unlock(&lstk__files.lock);

        j->ret = lstk__sc6(j->nr, j->a[0], j->a[1], j->a[2], j->a[3], j->a[4],
                           j->a[5]);
        __atomic_store_n(&j->fin, 1, __ATOMIC_RELEASE);
        old = __atomic_load_n(&lstk__files.done, __ATOMIC_RELAXED);
        do
            j->next = old;
        while (!__atomic_compare_exchange_n(&lstk__files.done, &old, j, 1,
                                            __ATOMIC_RELEASE, __ATOMIC_RELAXED));
        if (old == NULL) {
            /* The list was empty: the poller may not know yet. */
            uint64_t one = 1;
            lstk__sc(SYS_write, lstk__files.efd, (long)&one, sizeof one);
        }
    }
    return NULL;
}

/* Starts the helpers and their eventfd; big stack. */
static int helpers_start(void)
{
    const char *env = getenv("LSTK_IO_THREADS");
    int n = env ? atoi(env) : LSTK__HELPERS_DEFAULT, rc;
    sigset_t all, old;
    pthread_attr_t a;

    if (n < 1)
        n = 1;
    if (n > LSTK__HELPERS_MAX)
        n = LSTK__HELPERS_MAX;
    long efd = lstk__sc(SYS_eventfd2, 0, EFD_CLOEXEC | EFD_NONBLOCK, 0);
    if (efd < 0)
        return (int)-efd;
    rc = lstk__poller_add_internal((int)efd, lstk__file_complete,
                                   lstk__file_atfork_child);
    if (rc) {
        lstk__sc(SYS_close, efd, 0, 0);
        return rc;
    }
    lstk__files.efd = (int)efd;
    /* Helpers take no signals: they stay with the program's threads. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, LSTK__HELPER_STACK);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < n; i++) {
        pthread_t t;
        if (pthread_create(&t, &a, helper_main, NULL) == 0)
            lstk__files.nthreads++;
    }
    pthread_attr_destroy(&a);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return lstk__files.nthreads ? 0 : EAGAIN;
}

/* Queues job J for the helpers (starting them the first time); big
   stack.  J->nr becomes -1 when no helper can run it. */
static void *submit_big(void *arg)
{
    struct lstk__job *j = arg;

    if (lstk__files.nthreads == 0 && helpers_start() != 0) {
        j->nr = -1;
        return NULL;
    }
    j->next = NULL;
    j->fin = 0;
    j->oprev = NULL;
    j->onext = lstk__files.outstanding;
    if (j->onext)
        j->onext->oprev = j;
    lstk__files.outstanding = j;
    pthread_mutex_lock(&lstk__files.lock);
    if (lstk__files.tail)
        lstk__files.tail->next = j;
    else
        lstk__files.head = j;
    lstk__files.tail = j;
    pthread_cond_signal(&lstk__files.cond);
    pthread_mutex_unlock(&lstk__files.lock);
    return NULL;
}

long lstk__job_run(struct lstk__sched *s, struct lstk__job *j)
{
    long nr = j->nr;

    lstk__on_big_stack(submit_big, j);
    if (j->nr < 0) /* no helper could start: do it here */
        return lstk__sc6(nr, j->a[0], j->a[1], j->a[2], j->a[3], j->a[4], j->a[5]);
    /* Not interruptible, no deadline: the job writes into this frame. */
    lstk__io_block(s, &j->w, LSTK__NEVER, 0);
    return j->ret;
}

long lstk__file_offload(struct lstk__sched *s, long nr, long a, long b, long c,
                        long d, long e, long f)
{
    struct lstk__job j = { .nr = nr, .a = { a, b, c, d, e, f } };
    return lstk__job_run(s, &j);
}

/* The poller's hook: the helpers' eventfd fired. */
static void lstk__file_complete(struct lstk__sched *s)
{
    struct lstk__job *j = __atomic_exchange_n(&lstk__files.done, NULL,
                                              __ATOMIC_ACQUIRE);
    while (j != NULL) {
        struct lstk__job *next = j->next;
        if (j->oprev)
            j->oprev->onext = j->onext;
        else
            lstk__files.outstanding = j->onext;
        if (j->onext)
            j->onext->oprev = j->oprev;
        lstk__wait_wake(s, &j->w, LSTK__W_READY);
        j = next;
    }
}

/*
 * preadv2/pwritev2 of J's vector (J->a: fd, iov, iovcnt, off) on the file
 * of entry E: without waiting if the filesystem allows, else on a helper.
 * A read that RWF_NOWAIT cut short where the cache ends is finished on a
 * helper when it is a single buffer (the vector is then J->v): a file read
 * returns everything unless the file ends.  The job lives in the caller's
 * frame, so that the frames below a switch stay few.
 */
static inline __attribute__((always_inline)) long
file_job(struct lstk__sched *s, struct lstk__fd *e, struct lstk__job *j,
         int write)
{
    uint8_t bad = write ? LSTK__FDF_NOWAIT_W : LSTK__FDF_NOWAIT_R;
    long r = 0, done = 0;

    j->nr = write ? SYS_pwritev2 : SYS_preadv2;
    if (!(e->flags & bad)) {
        r = lstk__sc6(j->nr, j->a[0], j->a[1], j->a[2], j->a[3], 0, RWF_NOWAIT);
        if (r >= 0) {
            if (write || j->a[1] != (long)&j->v || r == 0 ||
                (size_t)r >= j->v.iov_len)
                return r;
            /* Cut short: the rest, still without waiting first. */
            done = r;
            j->v.iov_base = (char *)j->v.iov_base + r;
            j->v.iov_len -= (size_t)r;
            if (j->a[3] >= 0)
                j->a[3] += r;
            r = lstk__sc6(j->nr, j->a[0], j->a[1], 1, j->a[3], 0, RWF_NOWAIT);
            if (r >= 0)
                return done + r;
        }
        if (r == -EOPNOTSUPP || r == -EINVAL)
            e->flags |= bad; /* this filesystem ignores RWF_NOWAIT */
        else if (r != -EAGAIN)
            return done ? done : r;
    }
    j->a[4] = j->a[5] = 0;
    r = lstk__job_run(s, j);
    return r >= 0 ? done + r : done ? done : r;
}

long lstk__file_rw1(struct lstk__sched *s, struct lstk__fd *e, int fd,
                    const void *buf, size_t len, off_t off, int write)
{
    struct lstk__job j = { .v = { (void *)buf, len } };

    j.a[0] = fd;
    j.a[1] = (long)&j.v;
    j.a[2] = 1;
    j.a[3] = off;
    return file_job(s, e, &j, write);
}

long lstk__file_rw(struct lstk__sched *s, struct lstk__fd *e, int fd,
                   const struct iovec *iov, int iovcnt, off_t off, int write)
{
    struct lstk__job j = { .a = { fd, (long)iov, iovcnt, off } };
    return file_job(s, e, &j, write);
}

/* The cachestat(2) range and answer (linux/mman.h has them from 6.5). */
struct lstk__cs_range {
    uint64_t off;
    uint64_t len;
};
struct lstk__cs {
    uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted, nr_recently_evicted;
};

int lstk__file_cached(struct lstk__fd *e, int fd, off_t off, size_t len)
{
    struct lstk__cs_range range;
    struct lstk__cs cs;
    uint64_t now;
    long r;

    if (lstk__files.no_cachestat || len == 0)
        return 1;
    now = lstk__now_ns();
    if (now - e->cached_at < LSTK__CACHED_TRUST_NS)
        return 1;
    if (off < 0) {
        off = (off_t)lstk__sc(SYS_lseek, fd, 0, SEEK_CUR);
        if (off < 0)
            return 1;
    }
    range.off = (uint64_t)off;
    range.len = len;
    r = lstk__sc6(SYS_cachestat, fd, (long)&range, (long)&cs, 0, 0, 0);
    if (r == -ENOSYS || r == -EPERM) {
        lstk__files.no_cachestat = 1; /* old kernel, or seccomp */
        return 1;
    }
    if (r < 0)
        return 1;
    /* Pages past the end of the file count as missing: the caller asks
       for what is there (a miss only costs a trip to a helper). */
    if (cs.nr_cache < ((uint64_t)off + len + 4095) / 4096 - (uint64_t)off / 4096)
        return 0;
    e->cached_at = now;
    return 1;
}

/* The poller's hook in a forked child. */
static void lstk__file_atfork_child(void)
{
    /* The helpers did not survive the fork; their lock may look held. */
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    pthread_cond_t c = PTHREAD_COND_INITIALIZER;
    memcpy(&lstk__files.lock, &m, sizeof m);
    memcpy(&lstk__files.cond, &c, sizeof c);
    lstk__files.head = lstk__files.tail = NULL;
    /* Every job submitted and not completed is done in the child: with
       its result if a helper had finished it before the fork, else with
       EINTR (no helper will; a signal would have interrupted a blocking
       call the same way).  The poller's first idle hook in the child
       completes them (poller.c, poller_after_fork). */
    lstk__files.done = NULL;
    for (struct lstk__job *j = lstk__files.outstanding; j != NULL; j = j->onext) {
        if (!__atomic_load_n(&j->fin, __ATOMIC_ACQUIRE))
            j->ret = -EINTR;
        j->next = lstk__files.done;
        lstk__files.done = j;
    }
    if (lstk__files.efd >= 0)
        lstk__sc(SYS_close, lstk__files.efd, 0, 0);
    lstk__files.efd = -1;
    lstk__files.nthreads = 0;
}
