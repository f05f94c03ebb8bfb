/*
 * depth.c: memory per blocked thread at a given live depth (issue 10's
 * table), one program for every C system, chosen at compile time:
 * -DBT_LSTK (linkstack: compiled with the plugin, linked with
 * liblinkstack), -DBT_ST (State Threads), -DBT_PTH (GNU Pth), -DBT_NPTL.
 *
 *     depth KIND FRAME DEPTH N
 *
 * N threads each recurse through frames of one size (FRAME: "small",
 * about 120 bytes, or "large", about 1 KiB) until DEPTH bytes of frames are
 * live below their entry function, then block there, in the innermost
 * frame itself (no helper frame between it and the blocking call):
 *
 *   KIND     linkstack          State Threads   GNU Pth       NPTL
 *   yield    lstk_yield loop    st_cond_wait    pth_yield     pthread_cond_wait
 *   sockread lstk_read(socket)  st_read         pth_read      read
 *   read     read() (the libc name linkstack intercepts; the others have
 *            no such thing, or it is the same call as sockread: not run)
 *
 * Main waits until all N are blocked, then reads VmRSS (and, for
 * linkstack, lstk_stats: bytes of chunks held and threads alive) and
 * prints one line:
 *
 *   case=depth system=S kind=K frame=F want=DEPTH frame_bytes=B levels=L depth=D
 *   value=<stack bytes per thread, or NA> unit=B/thread rss_per=<B> n=N
 *
 * D (the live depth) is L x B, where B is one frame's size measured on
 * the main thread's contiguous stack (the distance between the locals of
 * two nested calls in this very binary: the plugin's build lays frames
 * out a little differently, so D differs by a few percent between
 * systems for the same DEPTH asked).
 *
 * Debian's State Threads and GNU Pth wait with select(): descriptors stop
 * at FD_SETSIZE (1024), so the run script gives them fewer threads in the
 * socket cases (2 descriptors per thread).
 * Then every thread is released, joined, and its result checked;
 * linkstack's counters are asserted (exit 1 with a message when wrong):
 * exactly N more threads alive while blocked, none after the joins.
 *
 * The peers' stacks: State Threads and GNU Pth need a size at creation:
 * BT_PEER_STACK (256 KiB, room for the deepest case; both map it lazily,
 * so RSS counts the pages touched); NPTL the same through
 * pthread_attr_setstacksize.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"

#ifndef BT_PEER_STACK
#define BT_PEER_STACK (256 * 1024)
#endif
#define BT_SMALL_PAD 80
#define BT_LARGE_PAD 960

enum kind { K_PROBE, K_YIELD, K_SOCKREAD, K_READ };

static enum kind kind;
static long nthreads, arrived;
static volatile int stop;
static int (*fds)[2]; /* per thread: [0] main's end, [1] the thread's */
static uintptr_t probe_at[3];

#if defined(BT_LSTK)
#include "linkstack.h"
#define SYS "linkstack"
typedef lstk_t bt_thread;
#elif defined(BT_ST)
#include <st.h>
#define SYS "st"
typedef st_thread_t bt_thread;
static st_cond_t gate_c, all_c;
static st_netfd_t *nfds;
#elif defined(BT_PTH)
#include <pth.h>
#define SYS "pth"
typedef pth_t bt_thread;
static pth_attr_t attr;
#elif defined(BT_NPTL)
#include <pthread.h>
#define SYS "nptl"
typedef pthread_t bt_thread;
static pthread_attr_t attr;
static pthread_mutex_t gate_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_c = PTHREAD_COND_INITIALIZER;
#else
#error "compile with -DBT_LSTK, -DBT_ST, -DBT_PTH or -DBT_NPTL"
#endif

/* Blocks the calling thread as KIND says; returns what it read (or 1). */
static inline __attribute__((always_inline)) int block(long i)
{
    char c = 0;

    switch (kind) {
    case K_YIELD:
#if defined(BT_LSTK)
        __atomic_add_fetch(&arrived, 1, __ATOMIC_RELAXED);
        while (!stop)
            lstk_yield();
#elif defined(BT_ST)
        if (++arrived == nthreads)
            st_cond_signal(all_c);
        while (!stop)
            st_cond_wait(gate_c);
#elif defined(BT_PTH)
        arrived++;
        while (!stop)
            pth_yield(NULL);
#else
        pthread_mutex_lock(&gate_m);
        arrived++;
        while (!stop)
            pthread_cond_wait(&gate_c, &gate_m);
        pthread_mutex_unlock(&gate_m);
#endif
        return 1;
    case K_SOCKREAD:
    case K_READ:
#if defined(BT_LSTK)
        __atomic_add_fetch(&arrived, 1, __ATOMIC_RELAXED);
        if (kind == K_READ)
            return read(fds[i][1], &c, 1) == 1 ? c : -1;
        return lstk_read(fds[i][1], &c, 1) == 1 ? c : -1;
#elif defined(BT_ST)
        if (++arrived == nthreads)
            st_cond_signal(all_c);
        return st_read(nfds[i], &c, 1, ST_UTIME_NO_TIMEOUT) == 1 ? c : -1;
#elif defined(BT_PTH)
        arrived++;
        return pth_read(fds[i][1], &c, 1) == 1 ? c : -1;
#else
        __atomic_add_fetch(&arrived, 1, __ATOMIC_RELAXED);
        return read(fds[i][1], &c, 1) == 1 ? c : -1;
#endif
    default:
        return 0;
    }
}

/* One frame of about 120 bytes (small) or 1 KiB (large) per level; the
   innermost blocks in this same frame. */
#define DIVE(name, pad_bytes)                                                 \
    BT_NOINLINE static long name(int level, long i)                           \
    {                                                                         \
        volatile char pad[pad_bytes];                                         \
        long r;                                                               \
        pad[0] = (char)level;                                                 \
        if (kind == K_PROBE && level <= 2)                                    \
            probe_at[level] = (uintptr_t)&pad[0];                             \
        if (level > 1)                                                        \
            r = name(level - 1, i);                                           \
        else                                                                  \
            r = block(i);                                                     \
        return r + (unsigned char)pad[0];                                     \
    }
DIVE(dive_small, BT_SMALL_PAD)
DIVE(dive_large, BT_LARGE_PAD)

static int large, levels;

/* Direct calls only: an indirect call would make linkstack's plugin
   charge the entry function the external reserve. */
static long dive(int level, long i)
{
    return large ? dive_large(level, i) : dive_small(level, i);
}

static void *body(void *arg)
{
    long i = (long)(intptr_t)arg;
    return (void *)(intptr_t)dive(levels, i);
}

/* Threads of the system blocked in the kernel (NPTL: state S). */
#if defined(BT_NPTL)
static long tasks_sleeping(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    long s = 0;
    char path[300], buf[256];

    if (!d)
        return -1;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/stat", e->d_name);
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        if (n <= 0)
            continue;
        buf[n] = 0;
        char *p = strrchr(buf, ')');
        if (p && p[1] == ' ' && p[2] == 'S')
            s++;
    }
    closedir(d);
    return s;
}
#endif

int main(int argc, char **argv)
{
    if (argc != 5)
        bt_die("usage: %s yield|sockread|read small|large DEPTH N", argv[0]);
    const char *ks = argv[1], *fs = argv[2];
    long want = strtol(argv[3], NULL, 10), n = strtol(argv[4], NULL, 10);

    large = strcmp(fs, "large") == 0;
    if (want <= 0 || n <= 0 || (!large && strcmp(fs, "small") != 0))
        bt_die("depth: bad arguments");
    kind = strcmp(ks, "yield") == 0      ? K_YIELD
           : strcmp(ks, "sockread") == 0 ? K_SOCKREAD
           : strcmp(ks, "read") == 0     ? K_READ
                                         : K_PROBE;
    if (kind == K_PROBE)
        bt_die("depth: unknown kind %s", ks);
#if !defined(BT_LSTK)
    if (kind == K_READ)
        bt_die("depth: %s has no intercepted read", SYS);
#endif
    /* One frame's size, on main's contiguous stack. */
    enum kind k = kind;
    kind = K_PROBE;
    dive(2, 0);
    kind = k;
    long frame = (long)(probe_at[2] - probe_at[1]);
    if (frame <= 0 || frame > 4096)
        bt_die("depth: frame size %ld measured: nonsense", frame);
    levels = (int)((want + frame / 2) / frame);
    if (levels < 1)
        levels = 1;
    nthreads = n;

    bt_thread *t = bt_xcalloc((size_t)n, sizeof *t);
    if (kind != K_YIELD) {
        struct rlimit rl;
        getrlimit(RLIMIT_NOFILE, &rl);
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        fds = bt_xcalloc((size_t)n, sizeof *fds);
        for (long i = 0; i < n; i++)
            if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds[i]) != 0)
                bt_die("depth: socketpair #%ld: %s", i, strerror(errno));
    }
#if defined(BT_LSTK)
    lstk_stats_t s0, s1, s2;
    lstk_yield(); /* the scheduler exists: in the baseline */
    lstk_stats(&s0);
#elif defined(BT_ST)
    if (st_init() != 0)
        bt_die("st: st_init: %s", strerror(errno));
    gate_c = st_cond_new();
    all_c = st_cond_new();
    if (fds) {
        nfds = bt_xcalloc((size_t)n, sizeof *nfds);
        for (long i = 0; i < n; i++)
            if (!(nfds[i] = st_netfd_open_socket(fds[i][1])))
                bt_die("st: netfd: %s", strerror(errno));
    }
#elif defined(BT_PTH)
    if (!pth_init())
        bt_die("pth: pth_init failed");
    attr = pth_attr_new();
    pth_attr_set(attr, PTH_ATTR_STACK_SIZE, (unsigned int)BT_PEER_STACK);
    pth_attr_set(attr, PTH_ATTR_JOINABLE, TRUE);
#else
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, BT_PEER_STACK);
#endif
    long rss0, hwm0, rss1, hwm1;
    bt_rss_kib(&rss0, &hwm0);

    for (long i = 0; i < n; i++) {
        void *arg = (void *)(intptr_t)i;
#if defined(BT_LSTK)
        int rc = lstk_create(&t[i], NULL, body, arg);
#elif defined(BT_ST)
        int rc = (t[i] = st_thread_create(body, arg, 1, BT_PEER_STACK)) ? 0 : errno;
#elif defined(BT_PTH)
        int rc = (t[i] = pth_spawn(attr, body, arg)) ? 0 : errno;
#else
        int rc = pthread_create(&t[i], &attr, body, arg);
#endif
        if (rc)
            bt_die("%s: create #%ld of %ld: %s", SYS, i, n, strerror(rc));
    }

    /* Wait until every thread is blocked at its depth.  The user-level
       systems run a thread until it blocks, so once all have arrived,
       all are blocked; NPTL's: polled in /proc (bounded). */
#if defined(BT_LSTK)
    while (__atomic_load_n(&arrived, __ATOMIC_RELAXED) < n)
        lstk_yield();
    lstk_yield(); /* the last arrived is in its blocking call too */
    lstk_stats(&s1);
#elif defined(BT_ST)
    while (arrived < n)
        st_cond_wait(all_c);
#elif defined(BT_PTH)
    while (arrived < n)
        pth_yield(NULL);
    pth_yield(NULL);
#else
    {
        uint64_t limit = bt_now_ns() + 60ull * 1000000000u;
        struct timespec ms = { 0, 1000000 };
        while (__atomic_load_n(&arrived, __ATOMIC_RELAXED) < n || tasks_sleeping() < n) {
            if (bt_now_ns() > limit)
                bt_die("nptl: threads not all blocked after 60 s (%ld arrived)", arrived);
            nanosleep(&ms, NULL);
        }
    }
#endif
    bt_rss_kib(&rss1, &hwm1);

    /* Release and join; every thread returns its levels' sum. */
    stop = 1;
#if defined(BT_ST)
    st_cond_broadcast(gate_c);
#elif defined(BT_NPTL)
    pthread_mutex_lock(&gate_m);
    pthread_cond_broadcast(&gate_c);
    pthread_mutex_unlock(&gate_m);
#endif
    if (fds)
        for (long i = 0; i < n; i++)
            if (write(fds[i][0], "\1", 1) != 1)
                bt_die("depth: write: %s", strerror(errno));
    long want_r = 1;
    for (int l = 1; l <= levels; l++)
        want_r += l & 0xff;
    for (long i = 0; i < n; i++) {
        void *r = NULL;
#if defined(BT_LSTK)
        int rc = lstk_join(t[i], &r);
#elif defined(BT_ST)
        int rc = st_thread_join(t[i], &r);
#elif defined(BT_PTH)
        int rc = pth_join(t[i], &r) ? 0 : errno;
#else
        int rc = pthread_join(t[i], &r);
#endif
        if (rc || (long)(intptr_t)r != want_r)
            bt_die("%s: join #%ld: rc %d, result %ld, expected %ld", SYS, i, rc,
                   (long)(intptr_t)r, want_r);
    }

    char value[32] = "NA";
#if defined(BT_LSTK)
    /* The counters must show exactly the work meant. */
    lstk_stats(&s2);
    if (s1.threads_live - s0.threads_live != (uint64_t)n)
        bt_die("linkstack: %llu threads alive while blocked, expected %ld",
               (unsigned long long)(s1.threads_live - s0.threads_live), n);
    if (s2.threads_live != s0.threads_live)
        bt_die("linkstack: %llu threads alive after the joins, expected %llu",
               (unsigned long long)s2.threads_live, (unsigned long long)s0.threads_live);
    if (s1.bytes_live <= s0.bytes_live)
        bt_die("linkstack: no chunk bytes held by %ld blocked threads", n);
    snprintf(value, sizeof value, "%.1f", (double)(s1.bytes_live - s0.bytes_live) / (double)n);
#endif
    printf("case=depth system=%s kind=%s frame=%s want=%ld frame_bytes=%ld levels=%d "
           "depth=%ld value=%s unit=B/thread rss_per=%.1f n=%ld\n",
           SYS, ks, fs, want, frame, levels, frame * levels, value,
           (double)(rss1 - rss0) * 1024.0 / (double)n, n);
    return 0;
}
