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

/* What one thread saw: a return value, errno, and how long it took. */
struct seen {
    long rc;
    int err;
    uint64_t ns;
};

#define TIMED(s, call)                                                        \
    do {                                                                      \
        uint64_t t0_ = test_now();                                            \
        errno = 0;                                                            \
        (s).rc = (long)(call);                                                \
        (s).err = errno;                                                      \
        (s).ns = test_now() - t0_;                                            \
    } while (0)

/* --- timeouts ------------------------------------------------------------------ */

static int tfd[2], tl = -1, tport;
static struct seen t_read, t_recv, t_poll, t_wait, t_connect,
    t_write, t_sleep;

static void *timeouts(void *arg)
{
    char buf[64];
    struct pollfd p = { .fd = tfd[1], .events = POLLIN };
    struct sockaddr_in sa = test_addr(tport);

    TIMED(t_read, lstk_read_timeout(tfd[1], buf, sizeof buf, 30 * MS));
    TIMED(t_recv, lstk_recv_timeout(tfd[1], buf, sizeof buf, 0, 20 * MS));
    TIMED(t_poll, lstk_poll(&p, 1, 20));
    TIMED(t_wait, lstk_fd_wait(tfd[1], POLLIN, 20 * MS));
    TIMED(t_sleep, lstk_nanosleep(20 * MS, NULL));
    /* A write that cannot finish: nobody reads the other end. */
    {
        static char big[64 << 20];
        TIMED(t_write, lstk_write_timeout(tfd[1], big, sizeof big, 30 * MS));
    }
    /* The listener's queue is full (backlog 0, one pending connection
       already): the SYN is dropped and the handshake never completes. */
    {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        TIMED(t_connect, lstk_connect_timeout(s, (struct sockaddr *)&sa,
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
    usleep(100000); /* main: a real sleep while the handshakes settle */
    cr_assert(eq(int, lstk_create(&t, NULL, timeouts, NULL), 0));
    cr_assert(eq(int, lstk_join(t, NULL), 0));

    cr_assert(eq(i64, t_read.rc, -1));
    cr_assert(eq(int, t_read.err, ETIMEDOUT));
    cr_assert(ge(u64, t_read.ns, 30 * MS));
    cr_assert(eq(i64, t_recv.rc, -1));
    cr_assert(eq(int, t_recv.err, ETIMEDOUT));
    cr_assert(ge(u64, t_recv.ns, 20 * MS));
    cr_assert(eq(i64, t_poll.rc, 0), "poll times out with 0");
    cr_assert(ge(u64, t_poll.ns, 20 * MS));
    cr_assert(eq(i64, t_wait.rc, -1));
    cr_assert(eq(int, t_wait.err, ETIMEDOUT));
    cr_assert(ge(u64, t_wait.ns, 20 * MS));
    cr_assert(eq(i64, t_sleep.rc, 0));
    cr_assert(ge(u64, t_sleep.ns, 20 * MS));
    /* A partial write returns its count; none at all, ETIMEDOUT. */
    cr_assert(gt(i64, t_write.rc, 0));
    cr_assert(lt(i64, t_write.rc, 64 << 20));
    cr_assert(ge(u64, t_write.ns, 30 * MS));
    cr_assert(eq(i64, t_connect.rc, -1));
    cr_assert(eq(int, t_connect.err, ETIMEDOUT));
    cr_assert(ge(u64, t_connect.ns, 50 * MS));
    for (int i = 0; i < 4; i++)
        close(filler[i]);
}

static struct seen acc;

static void *accept_empty(void *arg)
{
    TIMED(acc, lstk_accept_timeout(tl, NULL, NULL, 20 * MS));
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
    cr_assert(ge(u64, acc.ns, 20 * MS));
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
    TIMED(busy_read, lstk_read_timeout(tfd[1], &c, 1, 20 * MS));
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
    cr_assert(ge(u64, busy_read.ns, 20 * MS));
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
    TIMED(i_read, lstk_read(tfd[1], &c, 1));
    TIMED(i_sleep, lstk_nanosleep(10ull * 1000 * MS, NULL));
    /* Interrupted while running: the next wait returns EINTR at once. */
    lstk_yield();
    TIMED(i_pending, lstk_read(tfd[1], &c, 1));
    TIMED(i_after, lstk_read_timeout(tfd[1], &c, 1, 10 * MS));
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
    cr_assert(lt(u64, i_sleep.ns, 5000 * MS), "the sleep ended early");
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
    TIMED(c_read, lstk_read(tfd[1], &c, 1));
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
    TIMED(p_data, lstk_read(tfd[1], buf, sizeof buf));
    TIMED(p_eof, lstk_read(tfd[1], buf, sizeof buf));
    TIMED(p_eof2, lstk_recv(tfd[1], buf, sizeof buf, 0));
    TIMED(p_write_ok, lstk_write(tfd[1], "back", 4));
    /* Reset by the peer while waiting: ECONNRESET, then EPIPE. */
    TIMED(p_reset_read, lstk_read(rfd[0], buf, sizeof buf));
    TIMED(p_pipe_write, lstk_send(rfd[0], "x", 1, MSG_NOSIGNAL));
    /* Nobody listens: ECONNREFUSED. */
    s = socket(AF_INET, SOCK_STREAM, 0);
    TIMED(p_refused, lstk_connect(s, (struct sockaddr *)&sa, sizeof sa));
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
