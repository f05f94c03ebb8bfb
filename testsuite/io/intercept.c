/*
 * intercept.c: the libc names behave as the lstk_* calls on linkstack
 * threads, and as libc's on main and on foreign pthreads.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "common.h"

/* --- sleeps let the others run ----------------------------------------------- */

static volatile long ticks;
static volatile int stop_ticking;

static void *ticker(void *arg)
{
    while (!stop_ticking) {
        ticks++;
        lstk_yield();
    }
    return arg;
}

static long ticks_during_sleep[3];

static void *sleeper(void *arg)
{
    long t0;
    struct timespec ts = { 0, 20 * MS };

    t0 = ticks;
    usleep(20000);
    ticks_during_sleep[0] = ticks - t0;
    t0 = ticks;
    nanosleep(&ts, NULL);
    ticks_during_sleep[1] = ticks - t0;
    t0 = ticks;
    sleep(0);
    poll(NULL, 0, 20);
    ticks_during_sleep[2] = ticks - t0;
    stop_ticking = 1;
    return arg;
}

Test(intercept, sleeps_on_a_thread_let_the_others_run)
{
    lstk_t a, b;

    cr_assert(eq(int, lstk_create(&a, NULL, ticker, NULL), 0));
    cr_assert(eq(int, lstk_create(&b, NULL, sleeper, NULL), 0));
    cr_assert(eq(int, lstk_join(b, NULL), 0));
    cr_assert(eq(int, lstk_join(a, NULL), 0));
    cr_assert(gt(i64, ticks_during_sleep[0], 0), "usleep");
    cr_assert(gt(i64, ticks_during_sleep[1], 0), "nanosleep");
    cr_assert(gt(i64, ticks_during_sleep[2], 0), "poll with no descriptors");
}

/* With interception off, the same sleep blocks the OS thread: the ticker
   cannot run meanwhile. */
static long ticks_blocked;

static void *sleeper_libc(void *arg)
{
    long t0 = ticks;
    usleep(20000);
    ticks_blocked = ticks - t0;
    stop_ticking = 1;
    return arg;
}

Test(intercept, can_be_turned_off)
{
    lstk_t a, b;

    cr_assert(eq(int, lstk_intercept(0), 1));
    cr_assert(eq(int, lstk_create(&a, NULL, ticker, NULL), 0));
    cr_assert(eq(int, lstk_create(&b, NULL, sleeper_libc, NULL), 0));
    cr_assert(eq(int, lstk_join(b, NULL), 0));
    cr_assert(eq(int, lstk_join(a, NULL), 0));
    cr_assert(eq(int, lstk_intercept(1), 0));
    cr_assert(eq(i64, ticks_blocked, 0));
}

/* --- main and foreign pthreads get libc's behaviour ------------------------- */

static int pair[2];
static ssize_t thread_read_rc;

/* A linkstack thread reads the socket first: the runtime makes it
   O_NONBLOCK in the kernel. */
static void *use_socket(void *arg)
{
    char c;
    thread_read_rc = read(pair[1], &c, 1);
    return arg;
}

static pid_t main_tid;
static int main_seen_blocked;

/* Whether the OS thread TID is blocked in a system call waiting for FD:
   read(FD), or poll/ppoll on a pollfd for FD (the wrapper's wait when the
   kernel's descriptor is non-blocking), per /proc/self/task/TID/syscall. */
static int blocked_on(pid_t tid, int fd)
{
    char path[64], buf[512];
    long nr;
    unsigned long a0;

    snprintf(path, sizeof path, "/proc/self/task/%d/syscall", (int)tid);
    int f = open(path, O_RDONLY);
    if (f < 0)
        return 0;
    ssize_t n = read(f, buf, sizeof buf - 1); /* a foreign pthread: libc's */
    close(f);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    if (sscanf(buf, "%ld %lx", &nr, &a0) != 2)
        return 0; /* "running" */
    if (nr == SYS_read)
        return (int)a0 == fd;
    if (nr == SYS_poll || nr == SYS_ppoll) /* main is stuck there: its pollfd is valid */
        return ((struct pollfd *)a0)->fd == fd;
    return 0;
}

/* A foreign pthread: writes once main is seen blocked in its read (polled
   every millisecond, up to 10 s), so that main's read is shown to block. */
static void *write_later(void *arg)
{
    (void)arg;
    for (int i = 0; i < 10000 && !main_seen_blocked; i++) {
        main_seen_blocked = blocked_on(main_tid, pair[1]);
        if (!main_seen_blocked)
            usleep(1000);
    }
    (void)!write(pair[0], "y", 1);
    return NULL;
}

Test(intercept, main_and_foreign_threads_block_as_with_libc)
{
    pthread_t w;
    lstk_t t;
    char c = 0;
    int fl;

    cr_assert(eq(int, test_tcp_pair(pair), 0));
    cr_assert(eq(int, lstk_create(&t, NULL, use_socket, NULL), 0));
    cr_assert(eq(int, lstk_yield(), 0)); /* it blocks in read */
    cr_assert(eq(int, write(pair[0], "x", 1), 1));
    cr_assert(eq(int, lstk_join(t, NULL), 0));
    cr_assert(eq(i64, thread_read_rc, 1));

    /* The program never asked for O_NONBLOCK: it does not see it... */
    fl = fcntl(pair[1], F_GETFL);
    cr_assert(eq(int, fl & O_NONBLOCK, 0));
    /* ...and main's read blocks until a foreign pthread writes, instead of
       failing with EAGAIN. */
    main_tid = gettid();
    cr_assert(eq(int, pthread_create(&w, NULL, write_later, NULL), 0));
    cr_assert(eq(i64, read(pair[1], &c, 1), 1));
    cr_assert(eq(chr, c, 'y'));
    pthread_join(w, NULL);
    cr_assert(eq(int, main_seen_blocked, 1), "main's read blocked in the kernel until the write");

    /* Setting O_NONBLOCK is seen, and then EAGAIN is the program's. */
    cr_assert(eq(int, fcntl(pair[1], F_SETFL, fl | O_NONBLOCK), 0));
    cr_assert(eq(int, fcntl(pair[1], F_GETFL) & O_NONBLOCK, O_NONBLOCK));
    cr_assert(eq(i64, read(pair[1], &c, 1), -1));
    cr_assert(eq(int, errno, EAGAIN));
    close(pair[0]);
    close(pair[1]);
}

/* --- the program's non-blocking mode is honoured on threads ---------------- */

static int nb_fds[2];
static ssize_t nb_rc[4];
static int nb_err[4];

static void *nonblocking_reads(void *arg)
{
    char c;
    int on = 1;

    nb_rc[0] = recv(nb_fds[1], &c, 1, MSG_DONTWAIT);
    nb_err[0] = errno;
    fcntl(nb_fds[1], F_SETFL, fcntl(nb_fds[1], F_GETFL) | O_NONBLOCK);
    nb_rc[1] = read(nb_fds[1], &c, 1);
    nb_err[1] = errno;
    fcntl(nb_fds[1], F_SETFL, fcntl(nb_fds[1], F_GETFL) & ~O_NONBLOCK);
    ioctl(nb_fds[1], FIONBIO, &on);
    nb_rc[2] = read(nb_fds[1], &c, 1);
    nb_err[2] = errno;
    on = 0;
    ioctl(nb_fds[1], FIONBIO, &on);
    /* Blocking again: waits for the byte main writes. */
    nb_rc[3] = read(nb_fds[1], &c, 1);
    return arg;
}

Test(intercept, the_programs_non_blocking_mode_is_honoured)
{
    lstk_t t;

    cr_assert(eq(int, test_tcp_pair(nb_fds), 0));
    cr_assert(eq(int, lstk_create(&t, NULL, nonblocking_reads, NULL), 0));
    lstk_yield();
    cr_assert(eq(int, write(nb_fds[0], "z", 1), 1));
    cr_assert(eq(int, lstk_join(t, NULL), 0));
    for (int i = 0; i < 3; i++) {
        cr_assert(eq(i64, nb_rc[i], -1), "call %d", i);
        cr_assert(eq(int, nb_err[i], EAGAIN), "call %d", i);
    }
    cr_assert(eq(i64, nb_rc[3], 1));
}

/* --- pipes stay as the program made them ------------------------------------ */

static int pipe_fds[2];
static ssize_t pipe_got;
static char pipe_buf[100000];

static void *pipe_reader(void *arg)
{
    size_t got = 0;
    while (got < sizeof pipe_buf) {
        ssize_t n = read(pipe_fds[0], pipe_buf + got, sizeof pipe_buf - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    pipe_got = (ssize_t)got;
    return arg;
}

static ssize_t pipe_wrote;

static void *pipe_writer(void *arg)
{
    static char data[100000];
    memset(data, 'p', sizeof data);
    pipe_wrote = write(pipe_fds[1], data, sizeof data); /* > the pipe's 64 KiB */
    close(pipe_fds[1]);
    return arg;
}

Test(intercept, pipes_block_only_their_thread_and_keep_their_mode)
{
    lstk_t r, w;

    cr_assert(eq(int, pipe(pipe_fds), 0));
    cr_assert(eq(int, lstk_create(&w, NULL, pipe_writer, NULL), 0));
    cr_assert(eq(int, lstk_create(&r, NULL, pipe_reader, NULL), 0));
    cr_assert(eq(int, lstk_join(w, NULL), 0));
    cr_assert(eq(int, lstk_join(r, NULL), 0));
    cr_assert(eq(i64, pipe_wrote, (ssize_t)sizeof pipe_buf));
    cr_assert(eq(i64, pipe_got, (ssize_t)sizeof pipe_buf));
    /* Never switched to O_NONBLOCK (asked of the kernel, not of the
       runtime's fcntl): another process may share it. */
    cr_assert(eq(long, syscall(SYS_fcntl, pipe_fds[0], F_GETFL) & O_NONBLOCK, 0));
    close(pipe_fds[0]);
}
