/*
 * fdshare.c: descriptors the runtime does not see coming or going
 * (issue 13): closed in a signal handler on the scheduler's thread, closed
 * by a plain pthread while a linkstack thread waits, waited on across
 * fork(), and numbers closed behind the runtime's back (fclose) then
 * reused by socketpair() or open() with another kind.
 *
 * Each case once failed as a hang or a crash; here every wait has a bound
 * (a _timeout call, or a watchdog pthread that unblocks it), so a
 * regression fails an assertion instead.  Threads record what they saw;
 * assertions run on main after joining (testsuite/threads/common.h).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "common.h"

/* Polls FLAG until set (a state, not a sleep), for 5 s at most. */
static int wait_flag(volatile int *flag)
{
    for (int i = 0; i < 5000 && !*flag; i++)
        usleep(1000);
    return *flag;
}

TestSuite(fdshare, .timeout = 60);

/* --- 5. close() in a signal handler on the scheduler's thread --------------------- */

/* Each round: W threads wait on W sockets (with timeouts: the timer heap
   moves too), B threads keep the scheduler switching, and a pthread sends
   W signals to the scheduler's OS thread, each handler closing the next
   descriptor, so that handlers land at arbitrary points of the scheduler's
   work: in its sleep, in a switch, in the run queue or timer heap. */
enum { SIG_W = 32, SIG_ROUNDS = 25 };
static int sig_fds[SIG_W];
static volatile int sig_next, sig_started, sig_stop;
static pthread_t sched_os_thread;

static void close_handler(int sig)
{
    (void)sig;
    int i = sig_next;
    if (i < SIG_W) {
        sig_next = i + 1;
        close(sig_fds[i]); /* a descriptor a linkstack thread waits on */
    }
}

static long sig_rc[SIG_W];
static int sig_err[SIG_W];

static void *sig_waiter(void *arg)
{
    long i = (long)arg;
    char c;

    __atomic_fetch_add(&sig_started, 1, __ATOMIC_RELAXED);
    errno = 0;
    sig_rc[i] = lstk_read_timeout(sig_fds[i], &c, 1, (5000 + i) * MS);
    sig_err[i] = errno;
    return NULL;
}

static void *sig_busy(void *arg)
{
    /* Never sleeping: the scheduler's OS thread stays in user mode, in
       switches and run-queue operations, where a signal lands mid-update
       (a thread that sleeps takes signals at system-call boundaries). */
    (void)arg;
    while (!sig_stop)
        lstk_yield();
    return NULL;
}

static void *sig_killer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 5000 && sig_started < SIG_W / 2; i++)
        usleep(100);
    for (int i = 0; i < 100000 && sig_next < SIG_W; i++) {
        pthread_kill(sched_os_thread, SIGUSR1);
        usleep(50);
    }
    return NULL;
}

Test(fdshare, close_in_a_signal_handler_wakes_the_waiter_with_ebadf)
{
    struct sigaction sa;
    lstk_t busy[16];

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = close_handler;
    sigemptyset(&sa.sa_mask);
    cr_assert(eq(int, sigaction(SIGUSR1, &sa, NULL), 0));
    sched_os_thread = pthread_self();
    for (long i = 0; i < 16; i++)
        cr_assert(eq(int, lstk_create(&busy[i], NULL, sig_busy, (void *)i), 0));
    for (int round = 0; round < SIG_ROUNDS; round++) {
        static int peers[SIG_W];
        lstk_t w[SIG_W];
        pthread_t k;

        for (long i = 0; i < SIG_W; i++) {
            int sv[2];
            cr_assert(eq(int, socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0));
            sig_fds[i] = sv[0];
            peers[i] = sv[1];
        }
        sig_next = 0;
        sig_started = 0;
        for (long i = 0; i < SIG_W; i++)
            cr_assert(eq(int, lstk_create(&w[i], NULL, sig_waiter, (void *)i), 0));
        cr_assert(eq(int, pthread_create(&k, NULL, sig_killer, NULL), 0));
        for (int i = 0; i < SIG_W; i++)
            lstk_join(w[i], NULL);
        pthread_join(k, NULL);
        for (int i = 0; i < SIG_W; i++) {
            close(peers[i]);
            cr_assert(eq(i64, sig_rc[i], -1), "round %d, waiter %d", round, i);
            cr_assert(eq(int, sig_err[i], EBADF), "round %d, waiter %d: %s", round, i,
                      strerror(sig_err[i]));
        }
    }
    sig_stop = 1;
    for (int i = 0; i < 16; i++)
        lstk_join(busy[i], NULL);
    signal(SIGUSR1, SIG_DFL);
}

/* --- 10. close() by a plain pthread while a linkstack thread waits -------------- */

static volatile int fc_waiting;
static int fc_fd;
static long fc_rc;
static int fc_err;

static void *fc_waiter(void *arg)
{
    char c;
    (void)arg;
    fc_waiting = 1;
    errno = 0;
    fc_rc = lstk_read_timeout(fc_fd, &c, 1, 10000 * MS);
    fc_err = errno;
    return NULL;
}

static void *fc_closer(void *arg)
{
    (void)arg;
    if (wait_flag(&fc_waiting)) {
        usleep(20000); /* let it block: the close must find it waiting */
        close(fc_fd);
    }
    return NULL;
}

Test(fdshare, close_by_a_plain_pthread_wakes_the_waiter_with_ebadf)
{
    int sv[2];
    lstk_t w;
    pthread_t k;

    cr_assert(eq(int, test_tcp_pair(sv), 0));
    fc_fd = sv[0];
    cr_assert(eq(int, lstk_create(&w, NULL, fc_waiter, NULL), 0));
    cr_assert(eq(int, pthread_create(&k, NULL, fc_closer, NULL), 0));
    lstk_join(w, NULL);
    pthread_join(k, NULL);
    close(sv[1]);
    cr_assert(eq(i64, fc_rc, -1));
    cr_assert(eq(int, fc_err, EBADF), "%s (ETIMEDOUT: the waiter slept on)",
                 strerror(fc_err));
}

/* --- 8. fork(): the child's waiting threads wake --------------------------------- */

static volatile int fk_waiting;
static int fk_fd;
static long fk_rc;
static char fk_byte;

static void *fk_waiter(void *arg)
{
    (void)arg;
    fk_waiting = 1;
    fk_rc = lstk_read_timeout(fk_fd, &fk_byte, 1, 10000 * MS);
    return NULL;
}

static void *fk_nudge(void *arg)
{
    (void)arg;
    while (!fk_waiting)
        lstk_yield();
    return NULL;
}

Test(fdshare, waiting_threads_of_a_forked_child_wake)
{
    int sv[2], status;
    lstk_t w, n;

    cr_assert(eq(int, test_tcp_pair(sv), 0));
    fk_fd = sv[0];
    cr_assert(eq(int, lstk_create(&w, NULL, fk_waiter, NULL), 0));
    cr_assert(eq(int, lstk_create(&n, NULL, fk_nudge, NULL), 0));
    lstk_join(n, NULL); /* the waiter has run up to its wait */
    lstk_yield();
    pid_t pid = fork();
    cr_assert(ge(int, pid, 0));
    if (pid == 0) {
        /* The child: its copy of the waiter must see this byte. */
        if (write(sv[1], "c", 1) != 1)
            _exit(2);
        lstk_join(w, NULL);
        _exit(fk_rc == 1 && fk_byte == 'c' ? 0 : 1);
    }
    cr_assert(eq(int, waitpid(pid, &status, 0), pid));
    cr_assert(eq(int, WIFEXITED(status), 1));
    cr_assert(eq(int, WEXITSTATUS(status), 0), "the child's waiter did not wake");
    /* The parent's waiter: the child's byte (the socket is shared), or
       one of its own. */
    cr_assert(eq(i64, write(sv[1], "p", 1), 1));
    lstk_join(w, NULL);
    cr_assert(eq(i64, fk_rc, 1));
    close(sv[0]);
    close(sv[1]);
}

/* --- fork() and file jobs: the child's work, the parent's not done twice ------- */

/* Writers append 1-MiB records to a file (each append a file job: the
   filesystems here refuse RWF_NOWAIT writes, fileio.c), and main forks
   while their jobs are with the helpers.  The child's copies of the
   writers must end their calls (the helpers did not fork) and stop; the
   child's own file jobs must work; and no job of the parent's may be made
   a second time by the child: every record is in the file once. */
enum { FJ_W = 4, FJ_N = 6, FJ_REC = 1 << 20 };
static int fj_fd;
static pid_t fj_parent;
static long fj_rc[FJ_W][FJ_N];
static int fj_err[FJ_W][FJ_N];

static void fj_record(char *buf, char who, int t, int i)
{
    memset(buf, '.', FJ_REC);
    snprintf(buf, 32, "%c %d %d\n", who, t, i);
}

static void *fj_writer(void *arg)
{
    int t = (int)(intptr_t)arg;
    char *buf = malloc(FJ_REC);

    for (int i = 0; i < FJ_N && buf != NULL; i++) {
        if (getpid() != fj_parent)
            break; /* a copy in the child: its parent's work is not its own */
        fj_record(buf, 'p', t, i);
        errno = 0;
        fj_rc[t][i] = lstk_write(fj_fd, buf, FJ_REC);
        fj_err[t][i] = errno;
    }
    free(buf);
    return NULL;
}

static long fj_child_rc[4];
static char fj_back[32];

static void *fj_child_work(void *arg)
{
    char *buf = malloc(FJ_REC);
    (void)arg;
    for (int i = 0; i < 4 && buf != NULL; i++) {
        fj_record(buf, 'c', 0, i);
        fj_child_rc[i] = lstk_write(fj_fd, buf, FJ_REC);
    }
    free(buf);
    return NULL;
}

Test(fdshare, file_jobs_across_fork)
{
    char path[128];
    lstk_t w[FJ_W], c;
    int status;

    snprintf(path, sizeof path, "/tmp/lstk-fdshare-jobs.%d", (int)getpid());
    fj_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
    cr_assert(ge(int, fj_fd, 0));
    fj_parent = getpid();
    for (int t = 0; t < FJ_W; t++)
        cr_assert(eq(int, lstk_create(&w[t], NULL, fj_writer, (void *)(intptr_t)t), 0));
    lstk_yield(); /* every writer has handed its first append to a helper */
    pid_t pid = fork();
    cr_assert(ge(int, pid, 0));
    if (pid == 0) {
        int bad = 0;
        for (int t = 0; t < FJ_W; t++)
            lstk_join(w[t], NULL);
        /* The copies' calls ended: with their result if a helper had
           finished before the fork, else EINTR. */
        for (int t = 0; t < FJ_W; t++)
            for (int i = 0; i < FJ_N; i++)
                if (fj_rc[t][i] != 0 && fj_rc[t][i] != FJ_REC &&
                    !(fj_rc[t][i] == -1 && fj_err[t][i] == EINTR))
                    bad = 1;
        if (lstk_create(&c, NULL, fj_child_work, NULL) != 0)
            _exit(3);
        lstk_join(c, NULL);
        for (int i = 0; i < 4; i++)
            if (fj_child_rc[i] != FJ_REC)
                bad = 2;
        _exit(bad);
    }
    cr_assert(eq(int, waitpid(pid, &status, 0), pid));
    for (int t = 0; t < FJ_W; t++)
        lstk_join(w[t], NULL);
    cr_assert(eq(int, WIFEXITED(status), 1), "the child did not end normally");
    cr_assert(eq(int, WEXITSTATUS(status), 0),
              "in the child: %s", WEXITSTATUS(status) == 1 ? "a writer's call ended oddly"
                                                            : "its own file jobs failed");
    /* Every append of the parent's went through, once. */
    for (int t = 0; t < FJ_W; t++)
        for (int i = 0; i < FJ_N; i++)
            cr_assert(eq(i64, fj_rc[t][i], FJ_REC), "writer %d, record %d: %ld (errno %d)",
                      t, i, fj_rc[t][i], fj_err[t][i]);
    close(fj_fd);

    /* The file: FJ_W * FJ_N parent records and 4 child ones, each once. */
    int seen_p[FJ_W][FJ_N] = { { 0 } }, seen_c[4] = { 0 }, n = 0;
    int fd = open(path, O_RDONLY);
    unlink(path);
    cr_assert(ge(int, fd, 0));
    for (off_t off = 0;; off += FJ_REC, n++) {
        char who;
        int t, i;
        ssize_t r = pread(fd, fj_back, sizeof fj_back - 1, off);
        if (r <= 0)
            break;
        fj_back[r] = '\0';
        cr_assert(eq(int, sscanf(fj_back, "%c %d %d", &who, &t, &i), 3), "record %d", n);
        if (who == 'p') {
            cr_assert(lt(int, t, FJ_W));
            cr_assert(lt(int, i, FJ_N));
            cr_assert(eq(int, seen_p[t][i]++, 0), "the parent's record %d/%d twice: "
                                                  "the child made its job again", t, i);
        } else {
            cr_assert(eq(chr, who, 'c'));
            cr_assert(eq(int, seen_c[i]++, 0));
        }
    }
    close(fd);
    cr_assert(eq(int, n, FJ_W * FJ_N + 4), "%d records", n);
}

/* --- 9. a number reused with another kind ------------------------------------------ */

static int ru_fd, ru_peer;
static long ru_rc;
static char ru_byte;
static volatile int ru_done;

static void *ru_reader(void *arg)
{
    (void)arg;
    ru_rc = lstk_read_timeout(ru_fd, &ru_byte, 1, 10000 * MS);
    ru_done = 1;
    return NULL;
}

/* Runs while the reader waits: if the read blocked the OS thread, this
   never runs and the watchdog's byte arrives first. */
static void *ru_writer(void *arg)
{
    (void)arg;
    lstk_nanosleep(50 * MS, NULL);
    (void)!lstk_write(ru_peer, "a", 1);
    return NULL;
}

static void *ru_watchdog(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3000 && !ru_done; i++)
        usleep(1000);
    if (!ru_done)
        (void)!write(ru_peer, "w", 1);
    return NULL;
}

/* Fills every free number below OLD (dup2 of a spare descriptor: the
   runtime forgets those numbers only), so that the next descriptor made,
   by whatever path, gets OLD. */
static void fill_below(int old, int spare)
{
    for (int n = 0; n < old; n++)
        if (fcntl(n, F_GETFD) < 0 && errno == EBADF)
            cr_assert(eq(int, dup2(spare, n), n));
}

/* A socket the runtime has used (made non-blocking, registered, its
   readiness hint spent by a wait), closed by fclose: libc's own close. */
static int used_then_fclosed(void)
{
    int sv[2], spare = open("/dev/null", O_RDONLY);
    char c;

    cr_assert(eq(int, test_tcp_pair(sv), 0));
    /* A wait on it, so that it is registered and O_NONBLOCK. */
    cr_assert(eq(i64, lstk_read_timeout(sv[0], &c, 1, 1 * MS), -1));
    FILE *f = fdopen(sv[0], "r+");
    cr_assert(not(eq(ptr, f, NULL)));
    fclose(f);
    close(sv[1]);
    fill_below(sv[0], spare);
    return sv[0];
}

/* close(2) made where no wrapper can see it: a `syscall` instruction. */
static long unseen_close(int fd)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "0"((long)SYS_close), "D"((long)fd)
                     : "rcx", "r11", "memory");
    return r;
}

/* A socket the runtime has used, with data still to read (its hint says
   "try": the next read is made at once), closed unseen. */
static int used_then_closed_unseen(void)
{
    int sv[2], spare = open("/dev/null", O_RDONLY);
    char c;

    cr_assert(eq(int, test_tcp_pair(sv), 0));
    cr_assert(eq(i64, write(sv[1], "xy", 2), 2));
    for (int i = 0; i < 1000 && lstk_read_timeout(sv[0], &c, 1, 5 * MS) != 1; i++)
        ;
    cr_assert(eq(chr, c, 'x'));
    cr_assert(eq(i64, unseen_close(sv[0]), 0));
    close(sv[1]);
    fill_below(sv[0], spare);
    return sv[0];
}

static void reader_vs_writer(void)
{
    lstk_t r, w;
    pthread_t wd;

    ru_done = 0;
    ru_byte = 0;
    cr_assert(eq(int, pthread_create(&wd, NULL, ru_watchdog, NULL), 0));
    cr_assert(eq(int, lstk_create(&r, NULL, ru_reader, NULL), 0));
    cr_assert(eq(int, lstk_create(&w, NULL, ru_writer, NULL), 0));
    lstk_join(r, NULL);
    lstk_join(w, NULL);
    pthread_join(wd, NULL);
}

Test(fdshare, a_number_reused_by_socketpair_gets_its_new_kind)
{
    int old = used_then_fclosed(), sv[2];

    cr_assert(eq(int, socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0)); /* blocking */
    cr_assert(eq(int, sv[0], old), "the number is reused");
    ru_fd = sv[0];
    ru_peer = sv[1];
    reader_vs_writer();
    cr_assert(eq(i64, ru_rc, 1));
    cr_assert(eq(chr, ru_byte, 'a'), "the read blocked every thread (got the watchdog's)");
    close(sv[0]);
    close(sv[1]);
}

Test(fdshare, a_number_reused_by_open_gets_its_new_kind)
{
    char path[128];
    int old = used_then_fclosed();

    snprintf(path, sizeof path, "/tmp/lstk-fdshare.%d", (int)getpid());
    cr_assert(eq(int, mkfifo(path, 0600), 0));
    int fd = open(path, O_RDWR); /* a blocking FIFO at the old number */
    cr_assert(eq(int, fd, old), "the number is reused");
    ru_fd = fd;
    ru_peer = open(path, O_WRONLY);
    unlink(path);
    reader_vs_writer();
    cr_assert(eq(i64, ru_rc, 1));
    cr_assert(eq(chr, ru_byte, 'a'), "the read blocked every thread (got the watchdog's)");
    close(fd);
    close(ru_peer);
}

/* Numbers reused where no wrapper sees the new descriptor made: libc's
   own open in fopen, its own dup3 in freopen, a raw syscall(2).  The old
   entry says "a socket, O_NONBLOCK in the kernel"; the new descriptor is a
   blocking FIFO (or socket), so a read made as the entry says would block
   the OS thread (the watchdog's byte then comes first). */
static void fifo_path(char *path, size_t n, const char *what)
{
    snprintf(path, n, "/tmp/lstk-fdshare-%s.%d", what, (int)getpid());
    unlink(path);
    cr_assert(eq(int, mkfifo(path, 0600), 0));
}

Test(fdshare, a_number_reused_by_fopen_gets_its_new_kind)
{
    char path[128];
    int old = used_then_fclosed();

    fifo_path(path, sizeof path, "fopen");
    FILE *f = fopen(path, "r+"); /* libc's internal open: O_RDWR, blocking */
    cr_assert(not(eq(ptr, f, NULL)));
    cr_assert(eq(int, fileno(f), old), "the number is reused");
    ru_fd = old;
    ru_peer = open(path, O_WRONLY);
    unlink(path);
    reader_vs_writer();
    cr_assert(eq(i64, ru_rc, 1));
    cr_assert(eq(chr, ru_byte, 'a'), "the read blocked every thread (got the watchdog's)");
    fclose(f);
    close(ru_peer);
}

Test(fdshare, a_number_replaced_by_freopen_gets_its_new_kind)
{
    char path[128];
    int sv[2];
    char c;

    /* A socket the runtime has used, under a FILE. */
    cr_assert(eq(int, test_tcp_pair(sv), 0));
    cr_assert(eq(i64, lstk_read_timeout(sv[0], &c, 1, 1 * MS), -1));
    FILE *f = fdopen(sv[0], "r+");
    cr_assert(not(eq(ptr, f, NULL)));
    fifo_path(path, sizeof path, "freopen");
    /* libc opens the FIFO, then dup3s it onto the socket's number: the
       runtime sees neither. */
    cr_assert(not(eq(ptr, freopen(path, "r+", f), NULL)));
    cr_assert(eq(int, fileno(f), sv[0]), "freopen kept the number");
    ru_fd = sv[0];
    ru_peer = open(path, O_WRONLY);
    unlink(path);
    reader_vs_writer();
    cr_assert(eq(i64, ru_rc, 1));
    cr_assert(eq(chr, ru_byte, 'a'), "the read blocked every thread (got the watchdog's)");
    fclose(f);
    close(ru_peer);
    close(sv[1]);
}

Test(fdshare, a_number_reused_by_raw_syscalls_gets_its_new_kind)
{
    char path[128];
    int sv[2], old = used_then_fclosed();

    /* A blocking FIFO through syscall(2). */
    fifo_path(path, sizeof path, "raw");
    int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDWR);
    cr_assert(eq(int, fd, old), "the number is reused");
    ru_fd = fd;
    ru_peer = open(path, O_WRONLY);
    unlink(path);
    reader_vs_writer();
    cr_assert(eq(i64, ru_rc, 1));
    cr_assert(eq(chr, ru_byte, 'a'), "a FIFO: the read blocked every thread");
    close(ru_peer);
    syscall(SYS_close, fd); /* seen: the next number's entry starts fresh */

    /* A blocking socket pair through syscall(2), at a number last used
       as a (non-blocking, registered) socket: the entry must not keep the
       old registration (a wait would never end) nor its blocking mode. */
    old = used_then_fclosed();
    cr_assert(eq(i64, syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, sv), 0));
    cr_assert(eq(int, sv[0], old), "the number is reused");
    ru_fd = sv[0];
    ru_peer = sv[1];
    reader_vs_writer();
    cr_assert(eq(i64, ru_rc, 1));
    cr_assert(eq(chr, ru_byte, 'a'), "a socket: the read blocked every thread or never woke");
    close(sv[0]);
    close(sv[1]);
}

Test(fdshare, a_socket_number_closed_and_reused_unseen_is_looked_at_again)
{
    char path[128];
    int old = used_then_closed_unseen();

    /* Nothing saw the close nor sees this open: the entry still says "a
       non-blocking socket".  The read must neither block the OS thread on
       the blocking FIFO nor fail: ENOTSOCK tells the runtime. */
    fifo_path(path, sizeof path, "unseen");
    FILE *f = fopen(path, "r+");
    cr_assert(not(eq(ptr, f, NULL)));
    cr_assert(eq(int, fileno(f), old), "the number is reused");
    ru_fd = old;
    ru_peer = open(path, O_WRONLY);
    unlink(path);
    reader_vs_writer();
    cr_assert(eq(i64, ru_rc, 1));
    cr_assert(eq(chr, ru_byte, 'a'), "the read blocked every thread (got the watchdog's)");
    fclose(f);
    close(ru_peer);
}

Test(fdshare, a_number_reused_by_opendir_reads_as_a_directory)
{
    int old = used_then_fclosed();
    char c;

    DIR *d = opendir("/"); /* libc's internal open */
    cr_assert(not(eq(ptr, d, NULL)));
    cr_assert(eq(int, dirfd(d), old), "the number is reused");
    errno = 0;
    cr_assert(eq(i64, lstk_read_timeout(old, &c, 1, 5000 * MS), -1));
    cr_assert(eq(int, errno, EISDIR));
    closedir(d);
}

/* --- the runtime's own descriptors are not the program's to close --------------- */

static int own_fd;
static long own_rc;

static void *own_waiter(void *arg)
{
    char c;
    (void)arg;
    own_rc = lstk_read_timeout(own_fd, &c, 1, 5000 * MS);
    return NULL;
}

static void *own_closer(void *arg)
{
    int *sv = arg, lo = sv[0] < sv[1] ? sv[0] : sv[1], hi = sv[0] ^ sv[1] ^ lo;

    /* Everything from 3 up but the pair: the epoll instance, the doorbell
       and the helpers' eventfd among them (a daemon's closefrom). */
    (void)!close_range(3, (unsigned)lo - 1, 0);
    if (hi > lo + 1)
        (void)!close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
    (void)!close_range((unsigned)hi + 1, ~0u, 0);
    for (int fd = 3; fd < 64; fd++)
        if (fd != lo && fd != hi)
            (void)!close(fd);
    (void)!lstk_write(sv[1], "x", 1);
    return NULL;
}

Test(fdshare, the_runtimes_own_descriptors_survive_close_range)
{
    int status;
    pid_t pid = fork(); /* the child closes everything: not Criterion's */

    cr_assert(ge(int, pid, 0));
    if (pid == 0) {
        int sv[2];
        lstk_t w, c;
        char buf[64];
        /* A file job first, so that the helpers' eventfd exists too. */
        int tmp = open("/proc/self/stat", O_RDONLY);
        if (tmp < 0 || lstk_read(tmp, buf, sizeof buf) <= 0)
            _exit(3);
        close(tmp);
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
            _exit(2);
        own_fd = sv[0];
        own_rc = -2;
        lstk_create(&w, NULL, own_waiter, NULL);
        lstk_yield(); /* it waits: the poller exists */
        lstk_create(&c, NULL, own_closer, sv);
        lstk_join(c, NULL);
        lstk_join(w, NULL);
        _exit(own_rc == 1 ? 0 : 1);
    }
    cr_assert(eq(int, waitpid(pid, &status, 0), pid));
    cr_assert(eq(int, WIFEXITED(status), 1));
    cr_assert(eq(int, WEXITSTATUS(status), 0), "the waiter never woke: the runtime's "
                                               "descriptors were closed");
}
