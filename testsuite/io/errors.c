/*
 * errors.c: timeouts expire (never early), interrupts give EINTR, and a
 * peer that resets or half-closes gives the errors POSIX gives.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/sendfile.h>

#include "common.h"

/* What one thread saw: a return value, errno, the deadline of the call
   (computed before it, from its timeout) and the clock when it returned.
   Only "not before the deadline" is ever asserted: a slow or paused
   machine makes a call return later, never earlier, so no assertion here
   depends on how fast the machine is. */
struct seen {
    long rc;
    int err;
    uint64_t deadline, end;
};

#define TIMED(s, timeout_ns, call)                                            \
    do {                                                                      \
        (s).deadline = test_now() + (timeout_ns);                             \
        errno = 0;                                                            \
        (s).rc = (long)(call);                                                \
        (s).err = errno;                                                      \
        (s).end = test_now();                                                 \
    } while (0)
#define NOT_EARLY(s) cr_assert(ge(u64, (s).end, (s).deadline), #s " returned before its deadline")

/* --- timeouts ------------------------------------------------------------------ */

static int tfd[2], tl = -1, tport;
static struct seen t_read, t_recv, t_poll, t_wait, t_connect,
    t_write, t_sleep;

static void *timeouts(void *arg)
{
    char buf[64];
    struct pollfd p = { .fd = tfd[1], .events = POLLIN };
    struct sockaddr_in sa = test_addr(tport);

    TIMED(t_read, 30 * MS, lstk_read_timeout(tfd[1], buf, sizeof buf, 30 * MS));
    TIMED(t_recv, 20 * MS, lstk_recv_timeout(tfd[1], buf, sizeof buf, 0, 20 * MS));
    TIMED(t_poll, 20 * MS, lstk_poll(&p, 1, 20));
    TIMED(t_wait, 20 * MS, lstk_fd_wait(tfd[1], POLLIN, 20 * MS));
    TIMED(t_sleep, 20 * MS, lstk_nanosleep(20 * MS, NULL));
    /* A write that cannot finish: nobody reads the other end. */
    {
        static char big[64 << 20];
        TIMED(t_write, 30 * MS, lstk_write_timeout(tfd[1], big, sizeof big, 30 * MS));
    }
    /* The listener's queue is full (backlog 0, one pending connection
       already): the SYN is dropped and the handshake never completes. */
    {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        TIMED(t_connect, 50 * MS, lstk_connect_timeout(s, (struct sockaddr *)&sa,
                                                       sizeof sa, 50 * MS));
        close(s);
    }
    return arg;
}

Test(errors, timeouts_expire_and_never_early, .timeout = 30)
{
    struct sockaddr_in sa;
    int filler[4];
    lstk_t t;

    cr_assert(eq(int, test_tcp_pair(tfd), 0));
    tl = test_listen(&tport, 0);
    cr_assert(ge(int, tl, 0));
    /* Fill the accept queue so that later SYNs are dropped. */
    sa = test_addr(tport);
    for (int i = 0; i < 4; i++) {
        filler[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(filler[i], (struct sockaddr *)&sa, sizeof sa);
    }
    /* The queue is full once one connection is in it (backlog 0: the
       kernel queues one): the listener turns readable.  Polled, 10 s. */
    {
        struct pollfd lp = { .fd = tl, .events = POLLIN };
        cr_assert(eq(int, poll(&lp, 1, 10000), 1), "a connection reached the accept queue");
    }
    cr_assert(eq(int, lstk_create(&t, NULL, timeouts, NULL), 0));
    cr_assert(eq(int, lstk_join(t, NULL), 0));

    cr_assert(eq(i64, t_read.rc, -1));
    cr_assert(eq(int, t_read.err, ETIMEDOUT));
    NOT_EARLY(t_read);
    cr_assert(eq(i64, t_recv.rc, -1));
    cr_assert(eq(int, t_recv.err, ETIMEDOUT));
    NOT_EARLY(t_recv);
    cr_assert(eq(i64, t_poll.rc, 0), "poll times out with 0");
    NOT_EARLY(t_poll);
    cr_assert(eq(i64, t_wait.rc, -1));
    cr_assert(eq(int, t_wait.err, ETIMEDOUT));
    NOT_EARLY(t_wait);
    cr_assert(eq(i64, t_sleep.rc, 0));
    NOT_EARLY(t_sleep);
    /* A partial write returns its count; none at all, ETIMEDOUT. */
    cr_assert(gt(i64, t_write.rc, 0));
    cr_assert(lt(i64, t_write.rc, 64 << 20));
    NOT_EARLY(t_write);
    cr_assert(eq(i64, t_connect.rc, -1));
    cr_assert(eq(int, t_connect.err, ETIMEDOUT));
    NOT_EARLY(t_connect);
    for (int i = 0; i < 4; i++)
        close(filler[i]);
}

static struct seen acc;

static void *accept_empty(void *arg)
{
    TIMED(acc, 20 * MS, lstk_accept_timeout(tl, NULL, NULL, 20 * MS));
    return arg;
}

Test(errors, accept_times_out_on_an_empty_queue)
{
    lstk_t t;

    tl = test_listen(&tport, 16);
    cr_assert(eq(int, lstk_create(&t, NULL, accept_empty, NULL), 0));
    cr_assert(eq(int, lstk_join(t, NULL), 0));
    cr_assert(eq(i64, acc.rc, -1));
    cr_assert(eq(int, acc.err, ETIMEDOUT));
    NOT_EARLY(acc);
}

/* A timer that fires while others keep the CPU busy: still fires. */
static volatile int spin_stop;

static void *spinner(void *arg)
{
    while (!spin_stop)
        lstk_yield();
    return arg;
}

static struct seen busy_read;

static void *read_while_busy(void *arg)
{
    char c;
    TIMED(busy_read, 20 * MS, lstk_read_timeout(tfd[1], &c, 1, 20 * MS));
    spin_stop = 1;
    return arg;
}

Test(errors, timeouts_fire_while_other_threads_keep_running)
{
    lstk_t a, b, c;

    cr_assert(eq(int, test_tcp_pair(tfd), 0));
    cr_assert(eq(int, lstk_create(&a, NULL, spinner, NULL), 0));
    cr_assert(eq(int, lstk_create(&b, NULL, spinner, NULL), 0));
    cr_assert(eq(int, lstk_create(&c, NULL, read_while_busy, NULL), 0));
    cr_assert(eq(int, lstk_join(c, NULL), 0));
    lstk_join(a, NULL);
    lstk_join(b, NULL);
    cr_assert(eq(int, busy_read.err, ETIMEDOUT));
    NOT_EARLY(busy_read);
}

/* Data arrives while others spin: the poll between their switches finds
   it (no starvation by runnable threads). */
static volatile int got_data;

static void *reader_one(void *arg)
{
    char c;
    got_data = lstk_read(tfd[1], &c, 1) == 1;
    spin_stop = 1;
    return arg;
}

Test(errors, io_is_not_starved_by_threads_that_never_block, .timeout = 10)
{
    lstk_t a, r;

    spin_stop = 0;
    cr_assert(eq(int, test_tcp_pair(tfd), 0));
    cr_assert(eq(int, lstk_create(&r, NULL, reader_one, NULL), 0));
    cr_assert(eq(int, lstk_create(&a, NULL, spinner, NULL), 0));
    lstk_yield();
    cr_assert(eq(int, write(tfd[0], "d", 1), 1));
    /* main keeps yielding too: the run queue never empties. */
    while (!spin_stop)
        lstk_yield();
    lstk_join(r, NULL);
    lstk_join(a, NULL);
    cr_assert(eq(int, got_data, 1));
}

/* --- interrupts ------------------------------------------------------------------- */

static struct seen i_read, i_sleep, i_pending, i_after;

static void *interrupted(void *arg)
{
    char c;
    TIMED(i_read, 0, lstk_read(tfd[1], &c, 1));
    /* An hour: only the interrupt can end it (if it does not, the test's
       timeout fails the test). */
    TIMED(i_sleep, 0, lstk_nanosleep(3600ull * 1000 * MS, NULL));
    /* Interrupted while running: the next wait returns EINTR at once. */
    lstk_yield();
    TIMED(i_pending, 0, lstk_read(tfd[1], &c, 1));
    TIMED(i_after, 10 * MS, lstk_read_timeout(tfd[1], &c, 1, 10 * MS));
    return arg;
}

Test(errors, interrupt_gives_eintr_now_or_at_the_next_wait, .timeout = 10)
{
    lstk_t t;

    cr_assert(eq(int, test_tcp_pair(tfd), 0));
    cr_assert(eq(int, lstk_create(&t, NULL, interrupted, NULL), 0));
    lstk_yield(); /* blocked in read */
    cr_assert(eq(int, lstk_interrupt(t), 0));
    lstk_yield(); /* it runs, then blocks in the sleep */
    lstk_yield();
    cr_assert(eq(int, lstk_interrupt(t), 0));
    lstk_yield(); /* it runs to the lstk_yield */
    cr_assert(eq(int, lstk_interrupt(t), 0)); /* not waiting: pending */
    cr_assert(eq(int, lstk_join(t, NULL), 0));
    cr_assert(eq(int, lstk_interrupt(t), ESRCH));

    cr_assert(eq(i64, i_read.rc, -1));
    cr_assert(eq(int, i_read.err, EINTR));
    cr_assert(eq(i64, i_sleep.rc, -1));
    cr_assert(eq(int, i_sleep.err, EINTR));
    cr_assert(eq(i64, i_pending.rc, -1));
    cr_assert(eq(int, i_pending.err, EINTR));
    /* Delivered once only. */
    cr_assert(eq(int, i_after.err, ETIMEDOUT));
}

/* Closing a descriptor wakes its waiters with EBADF. */
static struct seen c_read;

static void *read_closed(void *arg)
{
    char c;
    TIMED(c_read, 0, lstk_read(tfd[1], &c, 1));
    return arg;
}

Test(errors, close_wakes_waiters_with_ebadf)
{
    lstk_t t;

    cr_assert(eq(int, test_tcp_pair(tfd), 0));
    cr_assert(eq(int, lstk_create(&t, NULL, read_closed, NULL), 0));
    lstk_yield();
    cr_assert(eq(int, lstk_close(tfd[1]), 0));
    cr_assert(eq(int, lstk_join(t, NULL), 0));
    cr_assert(eq(i64, c_read.rc, -1));
    cr_assert(eq(int, c_read.err, EBADF));
}

/* --- the peer ------------------------------------------------------------------------- */

static int rfd[2];
static struct seen p_data, p_eof, p_eof2, p_write_ok, p_reset_read,
    p_pipe_write, p_refused;
static int reset_port;

static void *peer_calls(void *arg)
{
    char buf[16];
    struct sockaddr_in sa = test_addr(reset_port);
    int s;

    /* Half-close: data, then end of file (again and again), and the
       other direction still works. */
    TIMED(p_data, 0, lstk_read(tfd[1], buf, sizeof buf));
    TIMED(p_eof, 0, lstk_read(tfd[1], buf, sizeof buf));
    TIMED(p_eof2, 0, lstk_recv(tfd[1], buf, sizeof buf, 0));
    TIMED(p_write_ok, 0, lstk_write(tfd[1], "back", 4));
    /* Reset by the peer while waiting: ECONNRESET, then EPIPE. */
    TIMED(p_reset_read, 0, lstk_read(rfd[0], buf, sizeof buf));
    TIMED(p_pipe_write, 0, lstk_send(rfd[0], "x", 1, MSG_NOSIGNAL));
    /* Nobody listens: ECONNREFUSED. */
    s = socket(AF_INET, SOCK_STREAM, 0);
    TIMED(p_refused, 0, lstk_connect(s, (struct sockaddr *)&sa, sizeof sa));
    close(s);
    return arg;
}

Test(errors, half_close_and_reset_give_posix_errors, .timeout = 10)
{
    struct linger lg = { 1, 0 };
    char back[8];
    lstk_t t;
    int l;

    cr_assert(eq(int, test_tcp_pair(tfd), 0));
    cr_assert(eq(int, test_tcp_pair(rfd), 0));
    l = test_listen(&reset_port, 1);
    close(l); /* a port nobody listens on */
    cr_assert(eq(int, lstk_create(&t, NULL, peer_calls, NULL), 0));
    lstk_yield();
    cr_assert(eq(int, write(tfd[0], "hello", 5), 5));
    cr_assert(eq(int, shutdown(tfd[0], SHUT_WR), 0));
    while (p_write_ok.rc == 0)
        lstk_yield();
    cr_assert(eq(int, read(tfd[0], back, 4), 4)); /* main: libc's read */
    /* The thread now waits on rfd[0]: reset it from the other end. */
    lstk_yield();
    setsockopt(rfd[1], SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(rfd[1]);
    cr_assert(eq(int, lstk_join(t, NULL), 0));

    cr_assert(eq(i64, p_data.rc, 5));
    cr_assert(eq(i64, p_eof.rc, 0));
    cr_assert(eq(i64, p_eof2.rc, 0));
    cr_assert(eq(i64, p_write_ok.rc, 4));
    cr_assert(eq(i64, p_reset_read.rc, -1));
    cr_assert(eq(int, p_reset_read.err, ECONNRESET));
    cr_assert(eq(i64, p_pipe_write.rc, -1));
    cr_assert(eq(int, p_pipe_write.err, EPIPE));
    cr_assert(eq(i64, p_refused.rc, -1));
    cr_assert(eq(int, p_refused.err, ECONNREFUSED));
    close(tfd[0]);
    close(tfd[1]);
    close(rfd[0]);
}

/* --- regular files --------------------------------------------------------------------- */

static char fpath[64];
static int ffd;
static long f_rc[6];
static char f_buf[1 << 20];

static void *file_calls(void *arg)
{
    static char data[1 << 20];
    off_t off = 0;
    int s[2];

    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)(i * 7);
    f_rc[0] = lstk_pwrite(ffd, data, sizeof data, 0);
    fdatasync(ffd);
    /* Out of the page cache: the read goes to a helper thread. */
    posix_fadvise(ffd, 0, 0, POSIX_FADV_DONTNEED);
    f_rc[1] = lstk_pread(ffd, f_buf, sizeof f_buf, 0);
    f_rc[2] = memcmp(f_buf, data, sizeof data);
    lseek(ffd, 4096, SEEK_SET);
    f_rc[3] = read(ffd, f_buf, 10); /* intercepted, at the file position */
    f_rc[4] = memcmp(f_buf, data + 4096, 10);
    /* sendfile of uncached pages into a socket. */
    posix_fadvise(ffd, 0, 0, POSIX_FADV_DONTNEED);
    if (test_tcp_pair(s) == 0) {
        ssize_t n = lstk_sendfile(s[0], ffd, &off, 100000);
        size_t got = 0;
        while (n == 100000 && got < 100000) {
            ssize_t k = lstk_read(s[1], f_buf + got, 100000 - got);
            if (k <= 0)
                break;
            got += (size_t)k;
        }
        f_rc[5] = n == 100000 && got == 100000 && off == 100000 &&
                  memcmp(f_buf, data, 100000) == 0;
        close(s[0]);
        close(s[1]);
    }
    return arg;
}

Test(errors, regular_files_read_and_write_through_the_helpers, .timeout = 30)
{
    lstk_t t;

    snprintf(fpath, sizeof fpath, "/tmp/lstk-io-test.%d", (int)getpid());
    ffd = open(fpath, O_RDWR | O_CREAT | O_TRUNC, 0600);
    cr_assert(ge(int, ffd, 0));
    unlink(fpath);
    cr_assert(eq(int, lstk_create(&t, NULL, file_calls, NULL), 0));
    cr_assert(eq(int, lstk_join(t, NULL), 0));
    cr_assert(eq(i64, f_rc[0], 1 << 20));
    cr_assert(eq(i64, f_rc[1], 1 << 20));
    cr_assert(eq(i64, f_rc[2], 0));
    cr_assert(eq(i64, f_rc[3], 10));
    cr_assert(eq(i64, f_rc[4], 0));
    cr_assert(eq(i64, f_rc[5], 1));
    close(ffd);
}
