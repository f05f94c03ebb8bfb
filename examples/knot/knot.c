/*
 * knot: a thread-per-connection HTTP/1.1 static file server on linkstack
 * threads, after the paper's Knot ("Capriccio: Scalable Threads for
 * Internet Services", SOSP 2003).
 *
 *     knot --root DIR --port N [--addr A] [options]
 *
 * Every connection gets its own thread, written as straight-line blocking
 * code: wait for a request, read it, look the file up, write the response,
 * repeat.  The threads start on 1 KiB stacks; the request handler's 8 KiB
 * buffer lives on its frame, on a chunk linked for the duration of the
 * request and given back when the thread goes idle again, so an idle
 * keep-alive connection costs about 1.2 KiB (its thread's control block,
 * its first chunk, its descriptor's entry and timer).
 *
 * What it does: GET and HEAD of regular files under the root (index.html
 * for directories), keep-alive and pipelining, Content-Type by extension,
 * Content-Length, Last-Modified; a pinning cache of small files (cache.h),
 * sendfile for large ones; 400, 404, 405, 413, 414, 431 (and 403, 408, 505)
 * for bad or oversized requests; no file outside the root (paths are
 * normalised, then opened with RESOLVE_BENEATH); idle and header timeouts;
 * on SIGINT or SIGTERM it stops accepting, closes idle connections, lets
 * the requests in flight finish, and prints a summary line.
 *
 * Options:
 *   --root DIR             document root (required)
 *   --port N               TCP port (required; 0: any, printed)
 *   --addr A               address to listen on (default 0.0.0.0)
 *   --idle-timeout S       keep-alive idle limit in seconds (60)
 *   --header-timeout S     time to send a request's header (10)
 *   --cache-size BYTES     cached file bodies at most (64 MiB)
 *   --cache-file-max BYTES files up to this size are cached whole (64 KiB)
 *   --shutdown-timeout S   how long requests in flight may take at exit (30)
 *   --quiet                no start-up line
 */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "http.h"
#include "linkstack.h"

#define NS_PER_S 1000000000ll

/* --- configuration and state -------------------------------------------------- */

static struct {
    const char *root, *addr;
    int port, quiet;
    int64_t idle_ns, header_ns, shutdown_s;
    size_t cache_size, cache_file_max;
} cfg = {
    .addr = "0.0.0.0",
    .port = -1,
    .idle_ns = 60 * NS_PER_S,
    .header_ns = 10 * NS_PER_S,
    .shutdown_s = 30,
    .cache_size = 64u << 20,
    .cache_file_max = 64u << 10,
};

static struct cache cache;
static int listen_fd = -1;
static volatile int stopping;
static lstk_t acceptor_thread, ticker_thread;

/* Per descriptor: the connection's thread and whether it is idle (waiting
   for a request, so that shutdown may interrupt it).  Sized by the
   descriptor limit; pages are touched only for descriptors in use. */
static lstk_t *conn_thread;
static unsigned char *conn_idle;
static size_t conn_max;

/* The Date line of responses, rewritten once a second by the ticker. */
static char date_line[48];
static size_t date_len;
static time_t now_s;

static struct {
    uint64_t requests, connections, live, peak, errors, bytes;
} st;
static lstk_mutex_t drain_m = LSTK_MUTEX_INITIALIZER;
static lstk_cond_t drained = LSTK_COND_INITIALIZER;

/* --- the cache's environment: linkstack mutex, condition, file reads ------------ */

static lstk_mutex_t cache_m = LSTK_MUTEX_INITIALIZER;
static lstk_cond_t cache_c = LSTK_COND_INITIALIZER;

static void c_lock(void *a) { (void)a; lstk_mutex_lock(&cache_m); }
static void c_unlock(void *a) { (void)a; lstk_mutex_unlock(&cache_m); }
static void c_wait(void *a) { (void)a; lstk_cond_wait(&cache_c, &cache_m); }
static void c_broadcast(void *a) { (void)a; lstk_cond_broadcast(&cache_c); }
static time_t c_now(void) { return now_s; }

static const struct cache_ops cache_ops = {
    .pread = lstk_pread,
    .lock = c_lock,
    .unlock = c_unlock,
    .wait = c_wait,
    .broadcast = c_broadcast,
    .now = c_now,
};

/* --- responses ---------------------------------------------------------------------- */

static const char conn_keep[] = "Connection: keep-alive\r\n\r\n";
static const char conn_close[] = "Connection: close\r\n\r\n";

/* Writes error STATUS; returns 0, or -1 if the connection broke. */
static __attribute__((noinline)) int send_error(int fd, int status, int keep,
                                                int head)
{
    char out[640];
    size_t n = http_error(out, sizeof out, status, date_line, keep, head);

    st.errors++;
    return lstk_write_timeout(fd, out, n, cfg.idle_ns) == (ssize_t)n ? 0 : -1;
}

/* Writes E's response; returns 0, or -1 if the connection broke. */
static int send_entry(int fd, struct cache_entry *e, int head, int keep)
{
    struct iovec v[4] = {
        { e->hdr, e->hdr_len },
        { date_line, date_len },
        { (void *)(keep ? conn_keep : conn_close),
          keep ? sizeof conn_keep - 1 : sizeof conn_close - 1 },
        { e->body, e->size },
    };
    size_t hlen = v[0].iov_len + v[1].iov_len + v[2].iov_len;

    if (head || e->body != NULL) {
        int n = head ? 3 : 4;
        size_t total = hlen + (head ? 0 : e->size);
        if (lstk_writev_timeout(fd, v, n, cfg.idle_ns) != (ssize_t)total)
            return -1;
        st.bytes += total;
        return 0;
    }
    /* A large file: the header, then sendfile.  (Holding the header back
       with MSG_MORE, to leave with the body's first segment, cost about 40%
       more CPU per 100-KiB response on loopback: measured, dropped.) */
    struct msghdr m = { .msg_iov = v, .msg_iovlen = 3 };
    off_t off = 0;
    if (lstk_sendmsg(fd, &m, 0) != (ssize_t)hlen)
        return -1;
    if (lstk_sendfile_timeout(fd, e->fd, &off, e->size, cfg.idle_ns) !=
        (ssize_t)e->size)
        return -1;
    st.bytes += hlen + e->size;
    return 0;
}

/* Closing after an error while the client may still be sending: stop
   writing, read what comes for a moment, then close, so that the kernel
   does not answer unread data with a reset that would destroy the error
   response before the client reads it. */
static __attribute__((noinline)) void linger_close(int fd)
{
    char sink[512];
    int64_t left = 256 << 10;

    shutdown(fd, SHUT_WR);
    while (left > 0) {
        ssize_t n = lstk_recv_timeout(fd, sink, sizeof sink, 0, NS_PER_S / 2);
        if (n <= 0)
            break;
        left -= n;
    }
}

/* Reads and drops LEN body bytes; 0, or -1. */
static __attribute__((noinline)) int skip_body(int fd, size_t len)
{
    char sink[512];

    while (len > 0) {
        ssize_t n = lstk_recv_timeout(fd, sink, len < sizeof sink ? len : sizeof sink,
                                      0, cfg.header_ns);
        if (n <= 0)
            return -1;
        len -= (size_t)n;
    }
    return 0;
}

/* Answers one parsed request; returns 1 to keep the connection, 0 to
   close it. */
static int respond(int fd, struct http_req *r, int status)
{
    char path[HTTP_MAX_PATH];
    struct cache_entry *e;
    int head = r->method == HTTP_HEAD;
    int keep = r->keep_alive && !stopping;

    if (status == 0)
        status = http_path(r->target, r->target_len, path, sizeof path);
    if (status == 0)
        status = cache_get(&cache, path, &e);
    if (status == 0) {
        int rc = send_entry(fd, e, head, keep);
        cache_put(&cache, e);
        st.requests++;
        return rc == 0 && keep;
    }
    st.requests++;
    /* 403, 404 and 405 leave the connection usable; the others close. */
    if (status != 403 && status != 404 && status != 405)
        keep = 0;
    if (send_error(fd, status, keep, head) != 0)
        return 0;
    if (!keep)
        linger_close(fd);
    return keep;
}

/*
 * Serves requests on FD while there are bytes to read.  Returns 1 when
 * the connection is idle again (nothing buffered), 0 to close it.  The
 * request buffer lives in this frame: the chunk that holds it is linked on
 * entry and given back to the pool when the thread next waits idle.
 */
static int conn_serve(int fd)
{
    char buf[HTTP_MAX_HEADER + 1];
    size_t have = 0, scanned = 0;

    for (;;) {
        struct http_req r;
        size_t hlen, used;
        int status;

        while ((hlen = http_header_end(buf, have, scanned, &status)) == 0) {
            ssize_t n;
            if (status) {
                st.requests++;
                if (send_error(fd, status, 0, 0) == 0)
                    linger_close(fd);
                return 0;
            }
            scanned = have;
            if (have == 0)
                n = lstk_recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
            else
                n = lstk_recv_timeout(fd, buf + have, sizeof buf - 1 - have, 0,
                                      cfg.header_ns);
            if (n > 0) {
                have += (size_t)n;
                continue;
            }
            if (have == 0)
                return n < 0 && errno == EAGAIN ? 1 : 0;
            if (n < 0 && errno == ETIMEDOUT) {
                st.requests++;
                send_error(fd, 408, 0, 0);
            }
            return 0;
        }
        status = http_parse(buf, hlen, &r);
        used = hlen;
        if (status == 0 && r.body_len > 0) {
            /* A body on GET or HEAD: drop it, from the buffer first. */
            size_t inbuf = have - hlen < r.body_len ? have - hlen : r.body_len;
            used += inbuf;
            if (inbuf < r.body_len && skip_body(fd, r.body_len - inbuf) != 0)
                return 0;
        }
        if (!respond(fd, &r, status))
            return 0;
        /* Pipelined requests: keep what follows. */
        memmove(buf, buf + used, have - used);
        have -= used;
        scanned = 0;
        if (have == 0)
            return 1;
    }
}

static void conn_end(int fd)
{
    conn_thread[fd] = NULL;
    close(fd);
    lstk_mutex_lock(&drain_m);
    if (--st.live == 0)
        lstk_cond_broadcast(&drained);
    lstk_mutex_unlock(&drain_m);
}

/* A connection's thread: tiny on purpose (it runs in the first chunk). */
static void *conn_main(void *arg)
{
    int fd = (int)(intptr_t)arg;

    while (!stopping) {
        conn_idle[fd] = 1;
        int r = lstk_fd_wait(fd, POLLIN, cfg.idle_ns);
        conn_idle[fd] = 0;
        if (r != 0 || stopping || conn_serve(fd) == 0)
            break;
    }
    conn_end(fd);
    return NULL;
}

/* --- accepting, time, signals ------------------------------------------------------ */

static void *acceptor_main(void *arg)
{
    lstk_attr_t a;

    (void)arg;
    lstk_attr_init(&a);
    lstk_attr_setdetachstate(&a, LSTK_CREATE_DETACHED);
    while (!stopping) {
        lstk_t t;
        int fd = lstk_accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == EBADF || stopping)
                break;
            if (errno == EMFILE || errno == ENFILE || errno == ENOMEM)
                lstk_nanosleep(NS_PER_S / 100, NULL); /* let some close */
            continue;
        }
        if ((size_t)fd >= conn_max || stopping) {
            close(fd);
            continue;
        }
        st.connections++;
        if (++st.live > st.peak)
            st.peak = st.live;
        conn_idle[fd] = 0;
        if (lstk_create(&t, &a, conn_main, (void *)(intptr_t)fd) != 0) {
            st.live--;
            close(fd);
            continue;
        }
        conn_thread[fd] = t;
    }
    return NULL;
}

static void *ticker_main(void *arg)
{
    (void)arg;
    while (!stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        now_s = ts.tv_sec;
        date_len = http_date_line(date_line, ts.tv_sec);
        lstk_nanosleep((uint64_t)(NS_PER_S - ts.tv_nsec), NULL);
    }
    return NULL;
}

/* SIGINT/SIGTERM: stop accepting, close the idle connections (their
   threads are interrupted out of their wait), let the others finish.  A
   second signal ends the process at once. */
static void *signal_main(void *arg)
{
    int sfd = (int)(intptr_t)arg;
    struct signalfd_siginfo si;

    if (lstk_read(sfd, &si, sizeof si) != sizeof si)
        return NULL;
    stopping = 1;
    lstk_interrupt(acceptor_thread);
    lstk_interrupt(ticker_thread);
    for (size_t fd = 0; fd < conn_max; fd++)
        if (conn_thread[fd] != NULL && conn_idle[fd])
            lstk_interrupt(conn_thread[fd]);
    if (lstk_read(sfd, &si, sizeof si) == sizeof si) {
        fprintf(stderr, "knot: second signal, exiting now\n");
        _exit(1);
    }
    return NULL;
}

/* --- start-up -------------------------------------------------------------------------- */

static void usage(const char *why)
{
    if (why)
        fprintf(stderr, "knot: %s\n", why);
    fprintf(stderr,
            "usage: knot --root DIR --port N [--addr A] [--idle-timeout S]\n"
            "            [--header-timeout S] [--cache-size BYTES]\n"
            "            [--cache-file-max BYTES] [--shutdown-timeout S] [--quiet]\n");
    exit(2);
}

static long long num_arg(const char *opt, const char *v, long long lo, long long hi)
{
    char *end;
    long long x;

    errno = 0;
    x = strtoll(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi) {
        fprintf(stderr, "knot: %s: bad value '%s'\n", opt, v);
        exit(2);
    }
    return x;
}

static void parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(o, "--quiet") == 0) {
            cfg.quiet = 1;
            continue;
        }
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0)
            usage(NULL);
        if (v == NULL)
            usage("missing value");
        i++;
        if (strcmp(o, "--root") == 0)
            cfg.root = v;
        else if (strcmp(o, "--port") == 0)
            cfg.port = (int)num_arg(o, v, 0, 65535);
        else if (strcmp(o, "--addr") == 0)
            cfg.addr = v;
        else if (strcmp(o, "--idle-timeout") == 0)
            cfg.idle_ns = num_arg(o, v, 1, 86400) * NS_PER_S;
        else if (strcmp(o, "--header-timeout") == 0)
            cfg.header_ns = num_arg(o, v, 1, 3600) * NS_PER_S;
        else if (strcmp(o, "--cache-size") == 0)
            cfg.cache_size = (size_t)num_arg(o, v, 0, 1ll << 40);
        else if (strcmp(o, "--cache-file-max") == 0)
            cfg.cache_file_max = (size_t)num_arg(o, v, 0, 1ll << 30);
        else if (strcmp(o, "--shutdown-timeout") == 0)
            cfg.shutdown_s = num_arg(o, v, 0, 86400);
        else
            usage("unknown option");
    }
    if (cfg.root == NULL || cfg.port < 0)
        usage("--root and --port are required");
}

/* As many descriptors as allowed: the soft limit to the hard one, and
   the hard one up to the kernel's maximum when privileged. */
static size_t raise_nofile(void)
{
    struct rlimit rl;
    FILE *f = fopen("/proc/sys/fs/nr_open", "r");
    unsigned long nr_open = 1u << 20;

    if (f) {
        if (fscanf(f, "%lu", &nr_open) != 1)
            nr_open = 1u << 20;
        fclose(f);
    }
    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_max < nr_open) {
        struct rlimit want = { nr_open, nr_open };
        if (setrlimit(RLIMIT_NOFILE, &want) == 0)
            return nr_open;
    }
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
    return rl.rlim_cur;
}

static int open_listener(void)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fd, one = 1, family;

    memset(&ss, 0, sizeof ss);
    if (inet_pton(AF_INET, cfg.addr, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        family = a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)cfg.port);
        len = sizeof *a;
    } else if (inet_pton(AF_INET6, cfg.addr,
                         &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        family = a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)cfg.port);
        len = sizeof *a;
    } else {
        fprintf(stderr, "knot: --addr %s: not an IPv4 or IPv6 address\n", cfg.addr);
        exit(2);
    }
    fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        perror("knot: socket");
        exit(1);
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, len) != 0) {
        fprintf(stderr, "knot: bind %s:%d: %s\n", cfg.addr, cfg.port, strerror(errno));
        exit(1);
    }
    /* The kernel caps the backlog at net.core.somaxconn. */
    if (listen(fd, 65535) != 0) {
        perror("knot: listen");
        exit(1);
    }
    len = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &len);
    cfg.port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                       : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return fd;
}

int main(int argc, char **argv)
{
    char realroot[PATH_MAX];
    struct timespec t0, t1, ts;
    sigset_t sigs;
    lstk_t sig_thread;
    int rootfd, sfd;

    parse_args(argc, argv);
    if (realpath(cfg.root, realroot) == NULL) {
        fprintf(stderr, "knot: --root %s: %s\n", cfg.root, strerror(errno));
        return 1;
    }
    rootfd = open(realroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) {
        fprintf(stderr, "knot: --root %s: %s\n", realroot, strerror(errno));
        return 1;
    }
    /* Signals go to a signalfd that a thread reads; SIGPIPE is ignored
       (a client that leaves gets EPIPE on its write). */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigprocmask(SIG_BLOCK, &sigs, NULL);
    sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
    signal(SIGPIPE, SIG_IGN);

    conn_max = raise_nofile();
    conn_thread = calloc(conn_max, sizeof *conn_thread);
    conn_idle = calloc(conn_max, 1);
    if (conn_thread == NULL || conn_idle == NULL || sfd < 0) {
        fprintf(stderr, "knot: out of memory\n");
        return 1;
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    now_s = ts.tv_sec;
    date_len = http_date_line(date_line, ts.tv_sec);
    if (cache_init(&cache, rootfd, realroot, cfg.cache_size, cfg.cache_file_max,
                   65536, "knot", &cache_ops) != 0) {
        fprintf(stderr, "knot: out of memory\n");
        return 1;
    }
    listen_fd = open_listener();
    if (!cfg.quiet) {
        printf("knot: serving %s on %s port %d (pid %d)\n", realroot, cfg.addr,
               cfg.port, (int)getpid());
        fflush(stdout);
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);

    if (lstk_create(&acceptor_thread, NULL, acceptor_main, NULL) != 0 ||
        lstk_create(&ticker_thread, NULL, ticker_main, NULL) != 0 ||
        lstk_create(&sig_thread, NULL, signal_main, (void *)(intptr_t)sfd) != 0) {
        fprintf(stderr, "knot: cannot create threads\n");
        return 1;
    }
    lstk_detach(sig_thread);
    lstk_join(acceptor_thread, NULL);
    close(listen_fd); /* new connections are refused from here on */

    /* Requests in flight finish (idle connections were closed), for
       --shutdown-timeout seconds at most. */
    clock_gettime(CLOCK_REALTIME, &ts);
    time_t deadline = ts.tv_sec + (time_t)cfg.shutdown_s;
    lstk_mutex_lock(&drain_m);
    while (st.live > 0 && ts.tv_sec < deadline) {
        ts.tv_sec += 1;
        lstk_cond_timedwait(&drained, &drain_m, &ts);
        clock_gettime(CLOCK_REALTIME, &ts);
    }
    lstk_mutex_unlock(&drain_m);
    lstk_join(ticker_thread, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);

    printf("knot: %llu requests on %llu connections (peak %llu at once), "
           "%llu error responses, %llu bytes sent, cache %llu hits %llu "
           "misses, %llu left unfinished, %.1f s\n",
           (unsigned long long)st.requests, (unsigned long long)st.connections,
           (unsigned long long)st.peak, (unsigned long long)st.errors,
           (unsigned long long)st.bytes, (unsigned long long)cache.st.hits,
           (unsigned long long)cache.st.misses, (unsigned long long)st.live,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9);
    fflush(stdout);
    _exit(0); /* threads still in flight past the deadline are abandoned */
}
