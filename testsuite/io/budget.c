/*
 * budget.c: every lstk_* I/O call, and every libc name the runtime
 * intercepts, uses at most its budget in rt/io/io-budgets.txt of the calling
 * thread's stack (the plugin reserves that much at each call), and every
 * line of that table is proven here, on the paths that go deepest: waiting and switching, a descriptor's first use, the
 * poller's wake-ups, timeouts, helper-thread file jobs.
 *
 * Method as testsuite/threads/budget.c: a thread with a large first chunk
 * paints the 4 KiB below its stack pointer, makes one call, and finds the
 * lowest byte the call changed.  While it is suspended, the others run on
 * their own stacks, and epoll_wait and the helpers' work run on the
 * system stack or other OS threads, so only the call writes there.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/uio.h>

#include "common.h"

#include "../stack_budget.h"

static int a[2], b[2], lfd, lport, ffd;
static volatile int stop;

/* Writes a byte to FD after a few yields: the measured call waits. */
static void *poke(void *arg)
{
    int fd = (int)(intptr_t)arg;
    for (int i = 0; i < 3; i++)
        lstk_yield();
    (void)!lstk_write(fd, "p", 1);
    return NULL;
}

/* Writes two bytes to FD after a few yields. */
static void *poke2(void *arg)
{
    int fd = (int)(intptr_t)arg;
    for (int i = 0; i < 3; i++)
        lstk_yield();
    (void)!lstk_write(fd, "pp", 2);
    return NULL;
}

/* Reads one byte from FD, with a timer armed: a second consumer of the
   socket the measured call waits on, so that the measured call, woken
   first, passes the event on to it (poller.c's lstk__fd_pass, cancelling
   this wait's timer: the deepest wake). */
static void *second_reader(void *arg)
{
    char c;
    return (void *)(intptr_t)lstk_read_timeout((int)(intptr_t)arg, &c, 1,
                                                10000 * MS);
}

static intptr_t join_value(lstk_t t)
{
    void *v = NULL;
    lstk_join(t, &v);
    return (intptr_t)v;
}

static void poke_later(int fd)
{
    lstk_t t;
    lstk_attr_t at;
    lstk_attr_init(&at);
    lstk_attr_setdetachstate(&at, LSTK_CREATE_DETACHED);
    lstk_create(&t, &at, poke, (void *)(intptr_t)fd);
}

/* Connects to the listener after a few yields. */
static void *dial(void *arg)
{
    struct sockaddr_in sa = test_addr(lport);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    (void)arg;
    for (int i = 0; i < 3; i++)
        lstk_yield();
    lstk_connect(s, (struct sockaddr *)&sa, sizeof sa);
    return (void *)(intptr_t)s;
}

/* Reads everything from FD until told to stop. */
static void *drain(void *arg)
{
    static char sink[65536];
    int fd = (int)(intptr_t)arg;
    while (!stop && lstk_read_timeout(fd, sink, sizeof sink, 5 * MS) != 0)
        ;
    return NULL;
}

static void *measure(void *arg)
{
    static char big[4 << 20];
    char buf[256];
    struct iovec v[12];
    struct msghdr m;
    struct pollfd p[4];
    struct sockaddr_in sa = test_addr(lport);
    struct timespec ts = { 0, 100000 };
    off_t off;
    off64_t off64;
    int pp[2];
    lstk_t t, d;
    int s, on = 1;

    for (int i = 0; i < 12; i++) {
        v[i].iov_base = big + i * 1000;
        v[i].iov_len = 1000;
    }
    /* Reads that wait for a byte, with another reader behind: the measured
       read, woken first, passes the event on. */
    for (int k = 0; k < 2; k++) {
        lstk_create(&t, NULL, second_reader, (void *)(intptr_t)a[1]);
        lstk_create(&d, NULL, poke2, (void *)(intptr_t)a[0]);
        if (k == 0)
            MEASURE("lstk_read", lstk_read(a[1], buf, 1));
        else
            MEASURE("read", read(a[1], buf, 1));
        cr_assert(eq(i64, join_value(t), 1), "the event was passed on");
        lstk_join(d, NULL);
    }
    /* Reads that wait for a byte. */
    poke_later(a[0]);
    MEASURE("lstk_read", lstk_read(a[1], buf, sizeof buf));
    poke_later(a[0]);
    MEASURE("lstk_read_timeout", lstk_read_timeout(a[1], buf, sizeof buf, 1000 * MS));
    MEASURE("lstk_read_timeout", lstk_read_timeout(a[1], buf, sizeof buf, 1 * MS));
    poke_later(a[0]);
    MEASURE("lstk_recv", lstk_recv(a[1], buf, sizeof buf, 0));
    poke_later(a[0]);
    MEASURE("lstk_recv_timeout", lstk_recv_timeout(a[1], buf, sizeof buf, 0, 1000 * MS));
    MEASURE("lstk_recv_timeout", lstk_recv_timeout(a[1], buf, sizeof buf, 0, 1 * MS));
    poke_later(a[0]);
    MEASURE("lstk_recvfrom", lstk_recvfrom(a[1], buf, sizeof buf, 0, NULL, NULL));
    poke_later(a[0]);
    MEASURE("lstk_recvfrom_timeout",
            lstk_recvfrom_timeout(a[1], buf, sizeof buf, 0, NULL, NULL, 1000 * MS));
    MEASURE("lstk_recvfrom_timeout",
            lstk_recvfrom_timeout(a[1], buf, sizeof buf, 0, NULL, NULL, 1 * MS));
    poke_later(a[0]);
    v[0].iov_base = buf;
    v[0].iov_len = sizeof buf;
    MEASURE("lstk_readv", lstk_readv(a[1], v, 1));
    poke_later(a[0]);
    MEASURE("lstk_readv_timeout", lstk_readv_timeout(a[1], v, 1, 1000 * MS));
    MEASURE("lstk_readv_timeout", lstk_readv_timeout(a[1], v, 1, 1 * MS));
    poke_later(a[0]);
    MEASURE("readv", readv(a[1], v, 1));
    poke_later(a[0]);
    MEASURE("recvfrom", recvfrom(a[1], buf, sizeof buf, 0, NULL, NULL));
    poke_later(a[0]);
    memset(&m, 0, sizeof m);
    m.msg_iov = v;
    m.msg_iovlen = 1;
    MEASURE("recvmsg", recvmsg(a[1], &m, 0));
    v[0].iov_base = big;
    v[0].iov_len = 1000;
    poke_later(a[0]);
    memset(&m, 0, sizeof m);
    m.msg_iov = v;
    m.msg_iovlen = 1;
    MEASURE("lstk_recvmsg", lstk_recvmsg(a[1], &m, 0));
    poke_later(a[0]);
    MEASURE("read", read(a[1], buf, sizeof buf));
    poke_later(a[0]);
    MEASURE("recv", recv(a[1], buf, sizeof buf, 0));
    poke_later(a[0]);
    MEASURE("lstk_fd_wait", lstk_fd_wait(a[1], POLLIN, -1));
    MEASURE("read", read(a[1], buf, sizeof buf));
    poke_later(a[0]);
    p[0] = (struct pollfd){ .fd = a[1], .events = POLLIN };
    MEASURE("lstk_poll", lstk_poll(p, 1, -1));
    MEASURE("read", read(a[1], buf, sizeof buf));
    poke_later(a[0]);
    for (int i = 0; i < 4; i++)
        p[i] = (struct pollfd){ .fd = i < 2 ? a[1] : b[1], .events = POLLIN };
    MEASURE("poll", poll(p, 4, -1)); /* more than fit in the frame */
    MEASURE("read", read(a[1], buf, sizeof buf));

    /* Writes that fill the socket and wait for the reader. */
    lstk_create(&d, NULL, drain, (void *)(intptr_t)b[1]);
    MEASURE("lstk_write", lstk_write(b[0], big, sizeof big));
    MEASURE("lstk_write_timeout", lstk_write_timeout(b[0], big, sizeof big, 10000 * MS));
    MEASURE("write", write(b[0], big, sizeof big));
    MEASURE("lstk_send", lstk_send(b[0], big, sizeof big, 0));
    MEASURE("lstk_send_timeout", lstk_send_timeout(b[0], big, sizeof big, 0, 10000 * MS));
    MEASURE("send", send(b[0], big, sizeof big, 0));
    MEASURE("lstk_sendto", lstk_sendto(b[0], big, sizeof big, 0, NULL, 0));
    MEASURE("lstk_sendto_timeout",
            lstk_sendto_timeout(b[0], big, sizeof big, 0, NULL, 0, 10000 * MS));
    MEASURE("sendto", sendto(b[0], big, sizeof big, 0, NULL, 0));
    for (int k = 0; k < 200; k++) /* many partial vector writes */
        MEASURE("lstk_writev", lstk_writev(b[0], v, 12));
    for (int k = 0; k < 20; k++)
        MEASURE("lstk_writev_timeout", lstk_writev_timeout(b[0], v, 12, 10000 * MS));
    MEASURE("writev", writev(b[0], v, 12));
    m.msg_iovlen = 12;
    MEASURE("lstk_sendmsg", lstk_sendmsg(b[0], &m, 0));
    MEASURE("sendmsg", sendmsg(b[0], &m, 0));
    off = 0;
    MEASURE("lstk_sendfile", lstk_sendfile(b[0], ffd, &off, 1 << 20));
    off = 0;
    MEASURE("lstk_sendfile_timeout", lstk_sendfile_timeout(b[0], ffd, &off, 1 << 20, 10000 * MS));
    posix_fadvise(ffd, 0, 0, POSIX_FADV_DONTNEED);
    off = 0;
    MEASURE("sendfile", sendfile(b[0], ffd, &off, 1 << 20));
    off64 = 0;
    posix_fadvise(ffd, 0, 0, POSIX_FADV_DONTNEED);
    MEASURE("sendfile64", sendfile64(b[0], ffd, &off64, 1 << 20));

    /* Regular files: cached and not. */
    MEASURE("lstk_pwrite", lstk_pwrite(ffd, big, 65536, 0));
    MEASURE("pwrite", pwrite(ffd, big, 65536, 0));
    fdatasync(ffd);
    posix_fadvise(ffd, 0, 0, POSIX_FADV_DONTNEED);
    MEASURE("lstk_pread", lstk_pread(ffd, big, 65536, 0));
    posix_fadvise(ffd, 0, 0, POSIX_FADV_DONTNEED);
    MEASURE("pread", pread(ffd, big, 65536, 0));
    MEASURE("lstk_pread", lstk_pread(ffd, big, 65536, 0));
    MEASURE("pwrite64", pwrite64(ffd, big, 65536, 0));
    fdatasync(ffd);
    posix_fadvise(ffd, 0, 0, POSIX_FADV_DONTNEED);
    MEASURE("pread64", pread64(ffd, big, 65536, 0));

    /* accept and connect, waiting; new descriptors looked at. */
    lstk_create(&t, NULL, dial, NULL);
    MEASURE("lstk_accept4", s = lstk_accept4(lfd, NULL, NULL, SOCK_CLOEXEC));
    close(s);
    lstk_join(t, (void **)&s);
    close(s);
    lstk_create(&t, NULL, dial, NULL);
    MEASURE("lstk_accept", s = lstk_accept(lfd, NULL, NULL));
    close(s);
    lstk_join(t, (void **)&s);
    close(s);
    lstk_create(&t, NULL, dial, NULL);
    MEASURE("lstk_accept_timeout", s = lstk_accept_timeout(lfd, NULL, NULL, 10000 * MS));
    close(s);
    lstk_join(t, (void **)&s);
    close(s);
    lstk_create(&t, NULL, dial, NULL);
    MEASURE("lstk_accept4_timeout",
            s = lstk_accept4_timeout(lfd, NULL, NULL, SOCK_CLOEXEC, 10000 * MS));
    close(s);
    lstk_join(t, (void **)&s);
    close(s);
    MEASURE("lstk_accept_timeout", lstk_accept_timeout(lfd, NULL, NULL, 1 * MS)); /* expires */
    lstk_create(&t, NULL, dial, NULL);
    MEASURE("accept", s = accept(lfd, NULL, NULL));
    MEASURE("lstk_close", lstk_close(s));
    lstk_join(t, (void **)&s);
    MEASURE("close", close(s));
    lstk_create(&t, NULL, dial, NULL);
    MEASURE("accept4", s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC));
    close(s);
    lstk_join(t, (void **)&s);
    MEASURE("dup2", close(dup2(s, 200)));
    MEASURE("dup3", close(dup3(s, 201, O_CLOEXEC)));
    MEASURE("fcntl64", fcntl64(s, F_GETFL));
    close(s);
    MEASURE("pipe", pipe(pp));
    close(pp[0]);
    close(pp[1]);
    MEASURE("pipe2", pipe2(pp, O_CLOEXEC));
    close(pp[0]);
    close(pp[1]);
    MEASURE("socket", s = socket(AF_INET, SOCK_STREAM, 0));
    MEASURE("lstk_connect", lstk_connect(s, (struct sockaddr *)&sa, sizeof sa));
    close(s);
    close(lstk_accept(lfd, NULL, NULL));
    s = socket(AF_INET, SOCK_STREAM, 0);
    MEASURE("lstk_connect_timeout",
            lstk_connect_timeout(s, (struct sockaddr *)&sa, sizeof sa, 10000 * MS));
    close(s);
    close(lstk_accept(lfd, NULL, NULL));
    s = socket(AF_INET, SOCK_STREAM, 0);
    MEASURE("connect", connect(s, (struct sockaddr *)&sa, sizeof sa));
    MEASURE("fcntl", fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK));
    MEASURE("ioctl", ioctl(s, FIONBIO, &on));
    MEASURE("dup", close(dup(s)));
    close(s);
    close(lstk_accept(lfd, NULL, NULL));

    /* Sleeps, interrupts. */
    MEASURE("lstk_nanosleep", lstk_nanosleep(100000, NULL));
    MEASURE("nanosleep", nanosleep(&ts, NULL));
    MEASURE("usleep", usleep(100));
    MEASURE("sleep", sleep(0));
    MEASURE("lstk_interrupt", lstk_interrupt(lstk_self()));
    MEASURE("lstk_nanosleep", lstk_nanosleep(100000, NULL)); /* EINTR */
    MEASURE("lstk_intercept", lstk_intercept(1));

    stop = 1;
    lstk_join(d, NULL);
    return arg;
}

Test(budget, every_io_call_fits_in_its_budget, .timeout = 60)
{
    char path[64];
    lstk_attr_t at;
    lstk_t t;

    cr_assert(eq(int, test_tcp_pair(a), 0));
    cr_assert(eq(int, test_tcp_pair(b), 0));
    lfd = test_listen(&lport, 16);
    cr_assert(ge(int, lfd, 0));
    snprintf(path, sizeof path, "/tmp/lstk-io-budget.%d", (int)getpid());
    ffd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    cr_assert(ge(int, ffd, 0));
    unlink(path);
    {
        static char z[1 << 20];
        cr_assert(eq(i64, write(ffd, z, sizeof z), (ssize_t)sizeof z));
    }
    lstk_attr_init(&at);
    lstk_attr_setstacksize(&at, 64 << 10); /* room to paint below */
    cr_assert(eq(int, lstk_create(&t, &at, measure, NULL), 0));
    cr_assert(eq(int, lstk_join(t, NULL), 0));

    char msg[256];
    /* Every I/O call the header exports (its "I/O and time" block). */
    char missing[1024];
    int nmiss = budget_unmeasured("I/O and time", NULL, NULL, missing, sizeof missing);
    cr_assert(eq(int, nmiss, 0), "not measured: %s", missing);
    cr_expect(eq(int, budget_table_check(LSTK_BUDGET_TABLE, msg, sizeof msg), 0),
              "%s", msg);
}
