/*
 * knot: a thread-per-connection HTTP/1.1 static file server on linkstack
 * threads, after the paper's Knot ("Capriccio: Scalable Threads for
 * Internet Services", SOSP 2003).
 *
 *     knot --root DIR --port N [--addr A] [options]
 *
 * Every connection gets its own thread, written as straight-line blocking
 * code: wait for a request, read it, look the file up, write the response,
 * repeat.  The threads start on 1 KiB stacks; the request buffer is on the
 * heap, 1 KiB grown in steps up to 8 KiB only for long headers and freed
 * when the connection goes idle, so an idle keep-alive connection costs
 * about 1.2 KiB (its thread's control block, its first chunk, its
 * descriptor's entry and timer) and one with a half-sent request little
 * more.
 *
 * Hostile clients (issue 13).  Every phase has a total deadline, not one
 * restarted by each byte: the request header (--header-timeout from its
 * first byte), a body being skipped (--body-timeout), the lingering close
 * after an error (2 s, 256 KiB).  Responses time out on lack of progress
 * (--send-timeout without a byte taken), not on total time.  Bodies of
 * every method are read and dropped, or the connection is closed, so a
 * body is never parsed as a request.  Connections are capped below the
 * descriptor limit (--max-connections, by default what RLIMIT_NOFILE
 * leaves after the cache's descriptors and a reserve); at the cap, for a
 * client waiting in the kernel's backlog, the acceptor ends the connection
 * that has waited longest for nothing, idle or in a trickling header
 * (make_room), so trickling attackers cannot hold the slots legitimate
 * clients need.  The cache holds at most a quarter of the descriptors and
 * gives them back on EMFILE.
 *
 * What it does: GET and HEAD of regular files under the root (index.html
 * for directories), keep-alive and pipelining, Content-Type by extension,
 * Content-Length, Last-Modified; a pinning cache of small files (cache.h),
 * sendfile for large ones; 301 to DIR/ for a directory; Expect:
 * 100-continue; 400, 404, 405, 413, 414, 417, 431, 501 (and 403, 408, 503,
 * 505) for bad or oversized requests; no file outside the root (paths are
 * normalised, then opened with RESOLVE_BENEATH); idle and header timeouts;
 * on SIGUSR1 it prints a line of memory counters (print_stats);
 * on SIGINT or SIGTERM it stops accepting, closes idle connections, lets
 * the requests in flight finish, and prints a summary line.
 *
 * Options:
 *   --root DIR             document root (required)
 *   --port N               TCP port (required; 0: any, printed)
 *   --addr A               address to listen on (default 0.0.0.0)
 *   --idle-timeout S       keep-alive idle limit in seconds (60)
 *   --header-timeout S     time to send a request's header, in all (10)
 *   --body-timeout S       time to send a request's body, in all (10)
 *   --send-timeout S       time a response may make no progress (30)
 *   --max-connections N    connections at once (derived from RLIMIT_NOFILE)
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
    int64_t idle_ns, header_ns, body_ns, send_ns, shutdown_s;
    size_t cache_size, cache_file_max, max_conns;
} cfg = {
    .addr = "0.0.0.0",
    .port = -1,
    .idle_ns = 60 * NS_PER_S,
    .header_ns = 10 * NS_PER_S,
    .body_ns = 10 * NS_PER_S,
    .send_ns = 30 * NS_PER_S,
    .shutdown_s = 30,
    .cache_size = 64u << 20,
    .cache_file_max = 64u << 10,
};

static struct cache cache;
static int listen_fd = -1;
static volatile int stopping;
static lstk_t acceptor_thread, ticker_thread;

/* Per descriptor: the connection's thread and what it waits for
   (CONN_IDLE: a request, so that shutdown may interrupt it; CONN_HEADER:
   the rest of a request's header).  Sized by the descriptor limit; pages
   are touched only for descriptors in use. */
enum { CONN_BUSY = 0, CONN_IDLE, CONN_HEADER };
static lstk_t *conn_thread;
static unsigned char *conn_idle;
static size_t conn_max;

/* The connections in CONN_IDLE or CONN_HEADER, oldest first (a list
   through wait_prev/wait_next by descriptor, -1 ends it): a connection
   joins at the tail when it starts waiting for a request or for the rest
   of a header (once per header, however many reads it takes), so the
   head is the one that has held its slot longest for nothing: the one
   make_room ends, in O(1). */
static int *wait_prev, *wait_next;
static int wait_head = -1, wait_tail = -1;

static void waiting_leave(int fd);

static void waiting_enter(int fd, int state)
{
    waiting_leave(fd); /* at the tail, once */
    conn_idle[fd] = (unsigned char)state;
    wait_prev[fd] = wait_tail;
    wait_next[fd] = -1;
    if (wait_tail >= 0)
        wait_next[wait_tail] = fd;
    else
        wait_head = fd;
    wait_tail = fd;
}

static void waiting_leave(int fd)
{
    if (conn_idle[fd] == CONN_BUSY)
        return;
    conn_idle[fd] = CONN_BUSY;
    if (wait_prev[fd] >= 0)
        wait_next[wait_prev[fd]] = wait_next[fd];
    else
        wait_head = wait_next[fd];
    if (wait_next[fd] >= 0)
        wait_prev[wait_next[fd]] = wait_prev[fd];
    else
        wait_tail = wait_prev[fd];
}

/* The Date line of responses, rewritten once a second by the ticker. */
static char date_line[48];
static size_t date_len;
static time_t now_s;

static struct {
    uint64_t requests, connections, live, peak, errors, bytes;
    /* Request buffers now: how many, and their bytes (SIGUSR1's line). */
    uint64_t bufs, buf_bytes;
} st;
static lstk_mutex_t drain_m = LSTK_MUTEX_INITIALIZER;
static lstk_cond_t drained = LSTK_COND_INITIALIZER;
/* Signalled when a connection ends (the acceptor waits at the cap). */
static lstk_cond_t slot_free = LSTK_COND_INITIALIZER;

/* Descriptors kept for the process itself (stdio, listener, signalfd,
   epoll, eventfds, the root) and for files opened while loading. */
#define FD_RESERVE 64

/* CLOCK_MONOTONIC in nanoseconds: deadlines. */
static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* What is left until DEADLINE (0 when past: a _timeout call then does
   not wait).  clock_gettime's stack use is not proven (it calls into the
   vDSO): only code already on the guarded path calls this (conn_step
   computes the header wait's time for conn_main). */
static int64_t left_ns(int64_t deadline)
{
    int64_t l = deadline - mono_ns();
    return l > 0 ? l : 0;
}

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

/*
 * Writes V[0..N) (modified), with a timeout on lack of progress: each
 * call may take --send-timeout, and a call that wrote something (the
 * timeout variants return the partial count) starts the next one.  A
 * client that reads steadily, however slowly, gets the whole response;
 * one that stops reading loses the connection.  0, or -1.
 */
static int write_all(int fd, struct iovec *v, int n)
{
    while (n > 0) {
        ssize_t w = lstk_writev_timeout(fd, v, n, cfg.send_ns);
        if (w <= 0)
            return -1;
        while (n > 0 && (size_t)w >= v->iov_len) {
            w -= (ssize_t)v->iov_len;
            v++;
            n--;
        }
        if (n > 0) {
            v->iov_base = (char *)v->iov_base + w;
            v->iov_len -= (size_t)w;
        }
    }
    return 0;
}

static int write_buf(int fd, const void *p, size_t len)
{
    struct iovec v = { (void *)p, len };
    return write_all(fd, &v, 1);
}

/* Writes error STATUS; returns 0, or -1 if the connection broke. */
static __attribute__((noinline)) int send_error(int fd, int status, int keep,
                                                int head)
{
    char out[640];
    size_t n = http_error(out, sizeof out, status, date_line, keep, head);

    st.errors++;
    return write_buf(fd, out, n);
}

/* 301 to TARGET's path with a slash added (the query kept): a directory
   asked for without one.  0, or -1. */
static __attribute__((noinline)) int send_redirect(int fd, const char *target,
                                                   size_t len, int keep, int head)
{
    static const char body[] = "<html><head><title>301 Moved Permanently</title>"
                               "</head><body><h1>301 Moved Permanently</h1>"
                               "</body></html>\n";
    const char *p = target, *end = target + len, *q;
    char *out;
    int rc;

    /* absolute-form: the Location is the path (the host is the client's). */
    if (len > 8 && (strncasecmp(p, "http://", 7) == 0 ||
                    strncasecmp(p, "https://", 8) == 0)) {
        p += p[4] == ':' ? 7 : 8;
        while (p < end && *p != '/')
            p++;
    }
    q = memchr(p, '?', (size_t)(end - p));
    if (q == NULL)
        q = end;
    out = malloc(len + 512);
    if (out == NULL)
        return -1;
    /* The target holds no control characters or spaces (http_parse). */
    int n = sprintf(out, "HTTP/1.1 301 Moved Permanently\r\nServer: knot\r\n%s"
                         "Location: %.*s/%.*s\r\nContent-Type: text/html; "
                         "charset=utf-8\r\nContent-Length: %zu\r\n%s%s",
                    date_line, (int)(q - p), p, (int)(end - q), q, sizeof body - 1,
                    keep ? conn_keep : conn_close, head ? "" : body);
    rc = write_buf(fd, out, (size_t)n);
    free(out);
    return rc;
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
        if (write_all(fd, v, n) != 0)
            return -1;
        st.bytes += total;
        return 0;
    }
    /* A large file: the header (with the same timeout as everything else:
       a client that never reads must not hold the thread), then sendfile,
       which also times out only on lack of progress.  (Holding the header
       back with MSG_MORE, to leave with the body's first segment, cost
       about 40% more CPU per 100-KiB response on loopback: measured,
       dropped.) */
    off_t off = 0;
    if (write_all(fd, v, 3) != 0)
        return -1;
    while ((size_t)off < e->size)
        if (lstk_sendfile_timeout(fd, e->fd, &off, e->size - (size_t)off,
                                  cfg.send_ns) <= 0)
            return -1;
    st.bytes += hlen + e->size;
    return 0;
}

/* Closing after an error while the client may still be sending: stop
   writing, read what comes for a moment, then close, so that the kernel
   does not answer unread data with a reset that would destroy the error
   response before the client reads it.  Bounded in time (2 s in all, not
   per read: a trickling client cannot keep the socket) and in bytes. */
static __attribute__((noinline)) void linger_close(int fd)
{
    char sink[512];
    int64_t left = 256 << 10, deadline = mono_ns() + 2 * NS_PER_S;

    shutdown(fd, SHUT_WR);
    while (left > 0) {
        ssize_t n = lstk_recv_timeout(fd, sink, sizeof sink, 0, left_ns(deadline));
        if (n <= 0)
            break;
        left -= n;
    }
}

/* Reads and drops LEN body bytes by DEADLINE; 0, or -1. */
static __attribute__((noinline)) int skip_body(int fd, size_t len, int64_t deadline)
{
    char sink[512];

    while (len > 0) {
        ssize_t n = lstk_recv_timeout(fd, sink, len < sizeof sink ? len : sizeof sink,
                                      0, left_ns(deadline));
        if (n <= 0)
            return -1;
        len -= (size_t)n;
    }
    return 0;
}

/* A request for a path without a trailing slash (a directory found there
   gets a redirect). */
static int redirect_wanted(const struct http_req *r)
{
    const char *q = memchr(r->target, '?', r->target_len);
    size_t n = q ? (size_t)(q - r->target) : r->target_len;
    return n > 0 && r->target[n - 1] != '/';
}

/* Answers one parsed request; returns 1 to keep the connection, 0 to
   close it.  MUST_CLOSE: the connection cannot be kept (an unread body). */
static int respond(int fd, struct http_req *r, int status, int must_close)
{
    char path[HTTP_MAX_PATH];
    struct cache_entry *e;
    int head = r->method == HTTP_HEAD;
    int keep = r->keep_alive && !stopping && !must_close;

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
    if (status == 404 && redirect_wanted(r) && cache_is_dir(&cache, path)) {
        if (send_redirect(fd, r->target, r->target_len, keep, head) != 0)
            return 0;
        if (!keep)
            linger_close(fd);
        return keep;
    }
    /* 403, 404 and 405 leave the connection usable; the others close. */
    if (status != 403 && status != 404 && status != 405)
        keep = 0;
    if (send_error(fd, status, keep, head) != 0)
        return 0;
    if (!keep)
        linger_close(fd);
    return keep;
}

/* A request buffer: on the heap, not on the thread's stack, so that a
   connection waiting in the middle of a header holds 1 KiB, not the chunk
   an 8-KiB frame needs; grown in steps for long headers. */
struct rbuf {
    char *p;
    size_t cap, have;
};

#define RBUF_FIRST 1024

/* Room for more bytes in B: 0, or -1 (no memory; or full: the caller's
   http_header_end has answered 431 before that). */
static __attribute__((noinline)) int rbuf_room(struct rbuf *b)
{
    size_t cap = b->cap ? b->cap * 2 : RBUF_FIRST;
    char *p;

    if (b->have + 1 < b->cap)
        return 0;
    if (cap > HTTP_MAX_HEADER + 1)
        cap = HTTP_MAX_HEADER + 1;
    if (cap <= b->cap)
        return -1;
    p = realloc(b->p, cap);
    if (p == NULL)
        return -1;
    st.bufs += b->cap == 0;
    st.buf_bytes += cap - b->cap;
    b->p = p;
    b->cap = cap;
    return 0;
}

/* Gives B's memory back (nothing buffered, or the connection ends). */
static __attribute__((noinline)) void rbuf_free(struct rbuf *b)
{
    if (b->cap == 0)
        return;
    st.bufs--;
    st.buf_bytes -= b->cap;
    free(b->p);
    b->p = NULL;
    b->cap = b->have = 0;
}

/* Drops B's leading empty lines (RFC 9112 2.2: a server ignores at least
   one before a request line). */
static size_t rbuf_skip_empty_lines(struct rbuf *b)
{
    size_t i = 0;

    for (;;) {
        if (i < b->have && b->p[i] == '\n')
            i++;
        else if (i + 1 < b->have && b->p[i] == '\r' && b->p[i + 1] == '\n')
            i += 2;
        else
            break;
    }
    if (i > 0) {
        memmove(b->p, b->p + i, b->have - i);
        b->have -= i;
    }
    return i;
}

/*
 * A connection between two waits: what conn_main keeps on its small frame
 * (the header read so far is on the heap, the buffer freed when nothing is
 * buffered).  DEADLINE is the header's, from its first byte.
 */
struct conn {
    int fd;
    struct rbuf b;
    size_t scanned;
    int64_t deadline;
    /* What is left of DEADLINE when conn_step returned STEP_HEADER. */
    int64_t header_left;
};

/* What conn_step leaves to conn_main: wait for a request (nothing
   buffered), wait for the rest of a header (by c->deadline), or close. */
enum { STEP_IDLE, STEP_HEADER, STEP_CLOSE };

/*
 * Answers the complete request whose header is B->p[0..HLEN) and drops
 * it (and its body) from B.  Returns 1 to keep the connection, 0 to close.
 */
static int serve_one(int fd, struct rbuf *b, size_t hlen)
{
    struct http_req r;
    size_t used = hlen;
    int must_close = 0;
    int status = http_parse(b->p, hlen, &r);

    /* A body (any method whose framing is known): read and dropped, from
       the buffer first, never parsed as a request.  Asked for with Expect:
       100-continue, it is invited only if the request will be served; else
       the final answer goes first and the connection closes. */
    if ((status == 0 || status == 405) && r.body_len > 0) {
        size_t inbuf = b->have - hlen < r.body_len ? b->have - hlen : r.body_len;
        used += inbuf;
        if (inbuf < r.body_len) {
            if (r.expect_continue && status != 0) {
                must_close = 1;
            } else {
                static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
                if (r.expect_continue && r.minor >= 1 &&
                    write_buf(fd, cont, sizeof cont - 1) != 0)
                    return 0;
                if (skip_body(fd, r.body_len - inbuf, mono_ns() + cfg.body_ns) != 0)
                    return 0;
            }
        }
    }
    if (!respond(fd, &r, status, must_close))
        return 0;
    /* Pipelined requests: keep what follows. */
    memmove(b->p, b->p + used, b->have - used);
    b->have -= used;
    return 1;
}

/*
 * One step of a connection, never waiting for the client (it may wait
 * for a slow reader while answering): reads what has arrived (MSG_DONTWAIT),
 * answers every complete request, and says what to wait for next.  The
 * waits themselves happen in conn_main, on the thread's first chunk:
 * this function calls code whose stack use is not proven (malloc, free,
 * and printf-family calls below it), so the plugin makes it run on a
 * guarded chunk (doc/plugin.md, "The guarded path"), which it leaves on
 * return.  A client trickling a header therefore costs its heap buffer
 * and an idle connection's memory, not a guarded chunk.
 */
static __attribute__((noinline)) int conn_step(struct conn *c)
{
    struct rbuf *b = &c->b;
    int fd = c->fd, status;
    size_t hlen;

    for (;;) {
        if (rbuf_skip_empty_lines(b) != 0)
            c->scanned = 0;
        if (b->have > 0 &&
            (hlen = http_header_end(b->p, b->have, c->scanned, &status)) != 0) {
            waiting_leave(fd); /* answering: not idle, not a victim */
            if (!serve_one(fd, b, hlen))
                return STEP_CLOSE;
            /* The next pipelined request has its own deadline. */
            c->scanned = 0;
            c->deadline = mono_ns() + cfg.header_ns;
            continue;
        }
        if (b->have > 0 && status) {
            st.requests++;
            if (send_error(fd, status, 0, 0) == 0)
                linger_close(fd);
            return STEP_CLOSE;
        }
        c->scanned = b->have;
        if (rbuf_room(b) != 0)
            return STEP_CLOSE;
        ssize_t n = lstk_recv(fd, b->p + b->have, b->cap - 1 - b->have, MSG_DONTWAIT);
        if (n > 0) {
            if (b->have == 0)
                c->deadline = mono_ns() + cfg.header_ns; /* a header begins */
            b->have += (size_t)n;
            continue;
        }
        if (n == 0 || errno != EAGAIN)
            return STEP_CLOSE;
        if (b->have > 0) {
            c->header_left = left_ns(c->deadline);
            return STEP_HEADER;
        }
        /* Idle: no buffer kept while the client thinks. */
        rbuf_free(b);
        c->scanned = 0;
        return STEP_IDLE;
    }
}

/* A header not complete by its deadline: 408, then close. */
static __attribute__((noinline)) void header_timed_out(int fd)
{
    st.requests++;
    send_error(fd, 408, 0, 0);
}

/* Not inlined: close and free are unproven calls (conn_step's comment).
   B: the connection's request buffer. */
static __attribute__((noinline)) void conn_end(int fd, struct rbuf *b)
{
    rbuf_free(b);
    waiting_leave(fd);
    conn_thread[fd] = NULL;
    close(fd);
    lstk_mutex_lock(&drain_m);
    if (--st.live == 0)
        lstk_cond_broadcast(&drained);
    lstk_cond_signal(&slot_free);
    lstk_mutex_unlock(&drain_m);
}

/*
 * A connection's thread: tiny on purpose, it runs in the first chunk and
 * every wait of the request header is here (doc/threads.md: block
 * shallow): for a request (--idle-timeout, shutdown may interrupt it) or
 * for the rest of a header (its deadline).  Both are in the waiting list
 * that make_room takes its victims from; a header joins it once, at its
 * first wait, however many reads it takes.
 */
static void *conn_main(void *arg)
{
    struct conn c = { (int)(intptr_t)arg, { NULL, 0, 0 }, 0, 0, 0 };
    int step = STEP_IDLE;

    while (!stopping || step == STEP_HEADER) {
        int r;
        if (step == STEP_IDLE) {
            waiting_enter(c.fd, CONN_IDLE);
            r = lstk_fd_wait(c.fd, POLLIN, cfg.idle_ns);
        } else {
            if (conn_idle[c.fd] != CONN_HEADER)
                waiting_enter(c.fd, CONN_HEADER);
            r = lstk_fd_wait(c.fd, POLLIN, c.header_left);
        }
        if (r != 0) {
            if (step == STEP_HEADER && errno == ETIMEDOUT)
                header_timed_out(c.fd);
            break;
        }
        if (step == STEP_IDLE) {
            waiting_leave(c.fd);
            if (stopping)
                break;
        }
        /* A header being read stays where it is in the waiting list until
           it is complete (conn_step leaves it then). */
        step = conn_step(&c);
        if (step == STEP_CLOSE)
            break;
    }
    conn_end(c.fd, &c.b);
    return NULL;
}

/* --- accepting, time, signals ------------------------------------------------------ */

/*
 * At the connection cap: ends the connection that has held its slot the
 * longest for nothing, so that a new client gets one at once rather than
 * when some deadline expires: the head of the waiting list, an idle
 * keep-alive connection (its client can reconnect: nginx does the same
 * with "reusable" connections) or a request whose header has trickled
 * longest (a slowloris attacker's).  Busy clients (wrk's connections are
 * idle for microseconds) are never the oldest; requests being answered
 * are not in the list.  Returns 1 if a connection was told to end.
 */
static int make_room(void)
{
    int victim = wait_head;

    if (victim < 0)
        return 0;
    waiting_leave(victim); /* not chosen twice */
    lstk_interrupt(conn_thread[victim]);
    return 1;
}

static void *acceptor_main(void *arg)
{
    lstk_attr_t a;

    (void)arg;
    lstk_attr_init(&a);
    lstk_attr_setdetachstate(&a, LSTK_CREATE_DETACHED);
    while (!stopping) {
        lstk_t t;
        /* At the cap: when a client waits in the kernel's backlog (which
           keeps them in order), make room for it, then wait for the slot;
           when nothing can be ended yet (every connection is answering a
           request, or its thread has not run yet), look again shortly. */
        if (st.live >= cfg.max_conns) {
            if (lstk_fd_wait(listen_fd, POLLIN, NS_PER_S) != 0 ||
                st.live < cfg.max_conns || stopping)
                continue;
            if (!make_room()) {
                lstk_nanosleep(NS_PER_S / 100, NULL);
                continue;
            }
            lstk_mutex_lock(&drain_m);
            if (st.live >= cfg.max_conns && !stopping) {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_sec += 1;
                lstk_cond_timedwait(&slot_free, &drain_m, &ts);
            }
            lstk_mutex_unlock(&drain_m);
            continue;
        }
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

/* SIGUSR1: one line on stdout with what the connections hold now: the
   runtime's stack counters (lstk_stats) and the request buffers.  Tests
   and benchmarks read it to see a connection's memory without RSS's page
   granularity. */
static void print_stats(void)
{
    lstk_stats_t s;

    lstk_stats(&s);
    printf("knot: stats connections %llu threads %llu stack_chunks %llu "
           "stack_bytes %llu request_buffers %llu request_buffer_bytes %llu\n",
           (unsigned long long)st.live, (unsigned long long)s.threads_live,
           (unsigned long long)s.chunks_live, (unsigned long long)s.bytes_live,
           (unsigned long long)st.bufs, (unsigned long long)st.buf_bytes);
    fflush(stdout);
}

/* SIGINT/SIGTERM: stop accepting, close the idle connections (their
   threads are interrupted out of their wait), let the others finish.  A
   second signal ends the process at once.  SIGUSR1: print_stats. */
static void *signal_main(void *arg)
{
    int sfd = (int)(intptr_t)arg;
    struct signalfd_siginfo si;

    for (;;) {
        if (lstk_read(sfd, &si, sizeof si) != sizeof si)
            return NULL;
        if (si.ssi_signo != SIGUSR1)
            break;
        print_stats();
    }
    stopping = 1;
    lstk_interrupt(acceptor_thread);
    lstk_interrupt(ticker_thread);
    for (size_t fd = 0; fd < conn_max; fd++)
        if (conn_thread[fd] != NULL && conn_idle[fd] == CONN_IDLE)
            lstk_interrupt(conn_thread[fd]);
    while (lstk_read(sfd, &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGUSR1) {
            print_stats();
            continue;
        }
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
            "            [--header-timeout S] [--body-timeout S] [--send-timeout S]\n"
            "            [--max-connections N] [--cache-size BYTES]\n"
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
        else if (strcmp(o, "--body-timeout") == 0)
            cfg.body_ns = num_arg(o, v, 1, 3600) * NS_PER_S;
        else if (strcmp(o, "--send-timeout") == 0)
            cfg.send_ns = num_arg(o, v, 1, 3600) * NS_PER_S;
        else if (strcmp(o, "--max-connections") == 0)
            cfg.max_conns = (size_t)num_arg(o, v, 1, 1ll << 30);
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
    sigaddset(&sigs, SIGUSR1);
    sigprocmask(SIG_BLOCK, &sigs, NULL);
    sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
    signal(SIGPIPE, SIG_IGN);

    conn_max = raise_nofile();
    conn_thread = calloc(conn_max, sizeof *conn_thread);
    conn_idle = calloc(conn_max, 1);
    wait_prev = calloc(conn_max, sizeof *wait_prev);
    wait_next = calloc(conn_max, sizeof *wait_next);
    if (conn_thread == NULL || conn_idle == NULL || wait_prev == NULL ||
        wait_next == NULL || sfd < 0) {
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
    /* Descriptors: a reserve for the process, a quarter of the rest for
       the cache's large files, the others for connections. */
    if (conn_max <= 2 * FD_RESERVE) {
        fprintf(stderr, "knot: RLIMIT_NOFILE %zu is too low (at least %d)\n",
                conn_max, 2 * FD_RESERVE + 1);
        return 1;
    }
    cache.max_fds = (conn_max - FD_RESERVE) / 4;
    if (cfg.max_conns == 0 || cfg.max_conns > conn_max - FD_RESERVE - cache.max_fds)
        cfg.max_conns = conn_max - FD_RESERVE - cache.max_fds;
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
