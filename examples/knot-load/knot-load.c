/*
 * knot-load: an HTTP/1.1 load generator on linkstack threads, one thread
 * per keep-alive connection, up to 100,000 connections and more.
 *
 *     knot-load --port N [--host A] [--path P] [--connections N]
 *               [--duration S] [--sources K] [--hold] [--pid PID]
 *
 * Phase 1 opens every connection (at most --connect-burst connects in
 * flight, so that the server's accept queue does not overflow); on
 * loopback the connections are spread over K source addresses 127.0.0.2,
 * 127.0.0.3, ... (IP_BIND_ADDRESS_NO_PORT: the port is picked per
 * destination at connect time; by default one address per 4,000
 * connections), so that the 28,000-odd ephemeral ports of an address do
 * not run out, and the kernel's search for a free port, which slows down
 * as an address's ports fill, stays short.  RLIMIT_NOFILE is raised as
 * far as allowed; if it cannot cover every connection, fewer are opened
 * and a line says so.  Phase 2 sends requests back to back on every
 * connection for --duration seconds (closed loop, like wrk) and counts the
 * responses completed in that window: requests/s, latency percentiles (a
 * log-linear histogram, 1/16 relative precision), errors.
 *
 * With --pid, every connection makes one request in phase 1 and goes
 * idle (so the server has accepted it and its thread has been through a
 * request), and the server's resident memory (/proc/PID/status) is read
 * before phase 1 and after it: the growth divided by the connections is
 * printed.  --hold replaces phase 2 by one more request per connection
 * ("all served again"); errors are counted.
 *
 * The program stops by itself: every wait has a deadline, and an alarm
 * ends it if something still hangs well after the last one.
 *
 * A waiting connection thread holds only its first 1 KiB chunk and a
 * 64-byte state: it waits for readability in a shallow frame, and only the
 * function that reads and parses (its 16 KiB buffer on its frame) runs on
 * a linked chunk, briefly.
 */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "linkstack.h"

#define NS_PER_S 1000000000ll

static struct {
    const char *host, *path;
    int port, sources, hold, burst;
    long connections;
    double duration, timeout;
    long pid;
} cfg = {
    .host = "127.0.0.1",
    .path = "/",
    .port = -1,
    .connections = 100,
    .duration = 10,
    .timeout = 30,
    .burst = 512,
};

static struct sockaddr_in target;
static char request[512];
static size_t request_len;
static int loopback;

/* --- counters and the latency histogram ------------------------------------------------ */

/* Log-linear: 64 powers of two, 16 steps each. */
#define SUB 16
static uint64_t hist[64 * SUB];

static struct {
    uint64_t connected, connect_errors, io_errors, http_errors, timeouts;
    uint64_t requests, bytes;
} st;

/* Row 0 holds 0..15 ns exactly; row r >= 1 holds [16 << (r-1), 32 << (r-1))
   in 16 steps. */
static void hist_add(uint64_t ns)
{
    size_t i;
    if (ns < SUB) {
        i = ns;
    } else {
        int e = 63 - __builtin_clzll(ns) - 4; /* ns >> e is in [16, 32) */
        i = (size_t)(e + 1) * SUB + ((ns >> e) - SUB);
    }
    hist[i]++;
}

/* The upper bound of the bucket holding the sample at fraction Q. */
static double hist_quantile(double q, uint64_t total)
{
    uint64_t want = (uint64_t)(q * (double)total), seen = 0;
    if (want >= total)
        want = total - 1;
    for (size_t i = 0; i < sizeof hist / sizeof hist[0]; i++) {
        seen += hist[i];
        if (seen > want) {
            size_t r = i / SUB, sub = i % SUB;
            return r == 0 ? (double)sub : (double)((SUB + sub + 1) << (r - 1));
        }
    }
    return 0;
}

/* --- phases ------------------------------------------------------------------------- */

static lstk_mutex_t m = LSTK_MUTEX_INITIALIZER;
/* A connect slot freed (signalled: one waiter takes it); a phase ended or
   the last thread finished (broadcast). */
static lstk_cond_t slot_cv = LSTK_COND_INITIALIZER;
static lstk_cond_t cv = LSTK_COND_INITIALIZER;
/* Connects in flight (bounded by cfg.burst). */
static long connecting;
/* Parties of the barriers (the threads and main), those that arrived,
   the phase everyone is in, and the threads still running. */
static long parties, arrived, running;
static int phase;
static int measuring;
static uint64_t deadline_ns, phase2_end_ns;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static int64_t left_ns(uint64_t until)
{
    uint64_t n = now_ns();
    return n >= until ? 0 : (int64_t)(until - n);
}

/* --- one connection ------------------------------------------------------------------ */

/* A streaming response parser: a few bytes of state, no buffer. */
struct resp {
    /* 0 status line, 1 headers, 2 body, 3 done. */
    uint8_t state;
    /* Position in the current line; whether it may still be the
       Content-Length header, and its value so far. */
    uint16_t col;
    uint8_t is_cl, have_cl;
    int status;
    uint64_t cl, left;
};

struct client {
    int fd;
    long idx;
    struct resp r;
    uint64_t t0;
};

/* Feeds N bytes: returns 1 when the response is complete, 0 when more is
   needed, -1 when it is malformed. */
static int resp_feed(struct resp *r, const char *p, size_t n)
{
    static const char cl[] = "content-length:";
    size_t i = 0;

    while (i < n) {
        if (r->state == 2) {
            uint64_t k = n - i < r->left ? n - i : r->left;
            r->left -= k;
            i += k;
            if (r->left == 0)
                r->state = 3;
            continue;
        }
        if (r->state == 3)
            return -1; /* bytes after the response: none were asked for */
        int c = (unsigned char)p[i++];
        if (c == '\r')
            continue;
        if (c == '\n') {
            if (r->state == 0) {
                if (r->status < 100)
                    return -1;
                r->state = 1;
            } else if (r->col == 0) {
                /* The blank line. */
                if (!r->have_cl)
                    return -1;
                r->left = r->cl;
                r->state = r->cl ? 2 : 3;
            }
            r->col = 0;
            r->is_cl = 1;
            continue;
        }
        if (r->state == 0) {
            /* "HTTP/1.1 200 ...": the three digits after the first space. */
            if (r->col >= 9 && r->col < 12 && c >= '0' && c <= '9')
                r->status = r->status * 10 + (c - '0');
        } else if (r->is_cl) {
            if (r->col < sizeof cl - 1) {
                int lc = c >= 'A' && c <= 'Z' ? c + 32 : c;
                if (lc != cl[r->col])
                    r->is_cl = 0;
                else if (r->col == sizeof cl - 2) {
                    r->have_cl = 1;
                    r->cl = 0;
                }
            } else if (c >= '0' && c <= '9') {
                r->cl = r->cl * 10 + (uint64_t)(c - '0');
            }
        }
        if (r->col < UINT16_MAX)
            r->col++;
    }
    return r->state == 3;
}

/* Reads what is there and feeds it: 1 complete, 0 more to come, -1 error.
   The only function with a big frame. */
static __attribute__((noinline)) int client_read(struct client *c)
{
    char buf[16384];

    for (;;) {
        ssize_t n = lstk_recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0 && errno == EAGAIN)
            return 0;
        if (n <= 0)
            return -1;
        st.bytes += (uint64_t)n;
        int r = resp_feed(&c->r, buf, (size_t)n);
        if (r != 0)
            return r;
    }
}

/* One request and its response: 0, or -1 (counted). */
static int client_request(struct client *c)
{
    uint64_t t0 = now_ns();

    memset(&c->r, 0, sizeof c->r);
    c->r.is_cl = 1;
    if (lstk_send_timeout(c->fd, request, request_len, MSG_NOSIGNAL,
                          left_ns(deadline_ns)) != (ssize_t)request_len) {
        st.io_errors++;
        return -1;
    }
    for (;;) {
        int r = client_read(c);
        if (r > 0)
            break;
        if (r < 0) {
            st.io_errors++;
            return -1;
        }
        if (lstk_fd_wait(c->fd, POLLIN, left_ns(deadline_ns)) != 0) {
            st.timeouts++;
            return -1;
        }
    }
    if (c->r.status != 200) {
        st.http_errors++;
        return -1;
    }
    if (measuring) {
        st.requests++;
        hist_add(now_ns() - t0);
    }
    return 0;
}

static __attribute__((noinline)) int client_connect(struct client *c)
{
    int one = 1, rc;

    lstk_mutex_lock(&m);
    while (connecting >= cfg.burst)
        lstk_cond_wait(&slot_cv, &m);
    connecting++;
    lstk_mutex_unlock(&m);

    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    rc = c->fd < 0 ? -1 : 0;
    if (rc == 0 && loopback && cfg.sources > 0) {
        struct sockaddr_in src = { .sin_family = AF_INET };
        src.sin_addr.s_addr = htonl(0x7f000002u + (uint32_t)(c->idx % cfg.sources));
        setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        rc = bind(c->fd, (struct sockaddr *)&src, sizeof src);
    }
    if (rc == 0)
        rc = lstk_connect_timeout(c->fd, (struct sockaddr *)&target, sizeof target,
                                  left_ns(deadline_ns));
    if (rc == 0)
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    lstk_mutex_lock(&m);
    connecting--;
    lstk_cond_signal(&slot_cv);
    if (rc == 0)
        st.connected++;
    else
        st.connect_errors++;
    lstk_mutex_unlock(&m);
    return rc;
}

/* Waits until every thread reached phase P's barrier. */
static void barrier(int p)
{
    lstk_mutex_lock(&m);
    if (++arrived == parties) {
        arrived = 0;
        phase = p + 1;
        lstk_cond_broadcast(&cv);
    } else {
        while (phase <= p)
            lstk_cond_wait(&cv, &m);
    }
    lstk_mutex_unlock(&m);
}

static void *client_main(void *arg)
{
    struct client *c = arg;
    int ok = client_connect(c) == 0;

    if (ok && (cfg.hold || cfg.pid > 0))
        ok = client_request(c) == 0; /* the server's thread has served */
    barrier(0); /* main measures here (hold) or starts the clock */
    barrier(1);
    if (cfg.hold) {
        if (ok)
            client_request(c);
    } else {
        while (ok && now_ns() < phase2_end_ns)
            ok = client_request(c) == 0;
    }
    if (c->fd >= 0)
        close(c->fd);
    free(c);
    lstk_mutex_lock(&m);
    if (--running == 0)
        lstk_cond_broadcast(&cv);
    lstk_mutex_unlock(&m);
    return NULL;
}

/* --- main ------------------------------------------------------------------------------ */

static long rss_kib(long pid)
{
    char path[64], line[256];
    long kib = -1;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%ld/status", pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kib = strtol(line + 6, NULL, 10);
    fclose(f);
    return kib;
}

/* Raises RLIMIT_NOFILE to WANT if allowed (the hard limit too when
   privileged), else to the hard limit; returns the limit in force. */
static long raise_nofile(long want)
{
    struct rlimit rl;

    getrlimit(RLIMIT_NOFILE, &rl);
    if ((long)rl.rlim_max < want) {
        struct rlimit r2 = { (rlim_t)want, (rlim_t)want };
        if (setrlimit(RLIMIT_NOFILE, &r2) == 0)
            return want;
    }
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    getrlimit(RLIMIT_NOFILE, &rl);
    return (long)rl.rlim_cur;
}

static void on_alarm(int sig)
{
    static const char msg[] = "knot-load: still running past the deadline, exiting\n";
    (void)sig;
    (void)!write(2, msg, sizeof msg - 1);
    _exit(3);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: knot-load --port N [--host A] [--path P] [--connections N]\n"
            "                 [--duration S] [--timeout S] [--sources K]\n"
            "                 [--connect-burst N] [--hold] [--pid PID]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    lstk_attr_t a;
    uint64_t t_start, t_conn, t_end;
    long rss0 = -1, rss1 = -1;

    for (int i = 1; i < argc; i++) {
        const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(o, "--hold") == 0) {
            cfg.hold = 1;
            continue;
        }
        if (v == NULL)
            usage();
        i++;
        if (strcmp(o, "--port") == 0)
            cfg.port = atoi(v);
        else if (strcmp(o, "--host") == 0)
            cfg.host = v;
        else if (strcmp(o, "--path") == 0)
            cfg.path = v;
        else if (strcmp(o, "--connections") == 0)
            cfg.connections = atol(v);
        else if (strcmp(o, "--duration") == 0)
            cfg.duration = atof(v);
        else if (strcmp(o, "--timeout") == 0)
            cfg.timeout = atof(v);
        else if (strcmp(o, "--sources") == 0)
            cfg.sources = atoi(v);
        else if (strcmp(o, "--connect-burst") == 0)
            cfg.burst = atoi(v);
        else if (strcmp(o, "--pid") == 0)
            cfg.pid = atol(v);
        else
            usage();
    }
    if (cfg.port <= 0 || cfg.port > 65535 || cfg.connections <= 0 ||
        cfg.duration < 0 || cfg.timeout <= 0 || cfg.burst <= 0 ||
        strlen(cfg.path) > 400 || cfg.path[0] != '/')
        usage();
    target.sin_family = AF_INET;
    target.sin_port = htons((uint16_t)cfg.port);
    if (inet_pton(AF_INET, cfg.host, &target.sin_addr) != 1) {
        fprintf(stderr, "knot-load: --host %s: not an IPv4 address\n", cfg.host);
        return 2;
    }
    loopback = (ntohl(target.sin_addr.s_addr) >> 24) == 127;
    if (cfg.sources == 0 && loopback)
        cfg.sources = (int)(cfg.connections / 4000) + 1;
    request_len = (size_t)snprintf(request, sizeof request,
                                   "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n",
                                   cfg.path, cfg.host);
    /* Descriptors: one per connection, and a few for the rest. */
    long nofile = raise_nofile(cfg.connections + 64);
    if (nofile < cfg.connections + 64) {
        fprintf(stderr, "knot-load: RLIMIT_NOFILE is %ld and cannot be raised: "
                        "%ld connections instead of %ld\n",
                nofile, nofile - 64, cfg.connections);
        cfg.connections = nofile - 64;
        if (cfg.connections <= 0)
            return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGALRM, on_alarm);
    alarm((unsigned)(2 * cfg.timeout + cfg.duration + 30));

    if (cfg.pid > 0)
        rss0 = rss_kib(cfg.pid);
    t_start = now_ns();
    /* Phase 1 must finish within --timeout; phase 2 gets --duration more. */
    deadline_ns = t_start + (uint64_t)(cfg.timeout * NS_PER_S);
    lstk_attr_init(&a);
    lstk_attr_setdetachstate(&a, LSTK_CREATE_DETACHED);
    parties = cfg.connections + 1; /* main joins the barriers too */
    running = cfg.connections;
    for (long i = 0; i < cfg.connections; i++) {
        struct client *c = calloc(1, sizeof *c);
        lstk_t t;
        if (c == NULL) {
            fprintf(stderr, "knot-load: out of memory at connection %ld\n", i);
            return 1;
        }
        c->idx = i;
        c->fd = -1;
        if (lstk_create(&t, &a, client_main, c) != 0) {
            fprintf(stderr, "knot-load: cannot start connection %ld\n", i);
            return 1;
        }
    }
    barrier(0);
    t_conn = now_ns();
    if (cfg.pid > 0)
        rss1 = rss_kib(cfg.pid); /* every connection open and idle */
    phase2_end_ns = now_ns() + (uint64_t)(cfg.duration * NS_PER_S);
    deadline_ns = phase2_end_ns + (uint64_t)(cfg.timeout * NS_PER_S);
    measuring = 1;
    barrier(1);
    /* Everyone finishes by the deadline; wait for the last. */
    lstk_mutex_lock(&m);
    while (running > 0)
        lstk_cond_wait(&cv, &m);
    lstk_mutex_unlock(&m);
    t_end = now_ns();

    double conn_s = (double)(t_conn - t_start) / 1e9;
    double run_s = (double)(t_end - t_conn) / 1e9;
    double window = cfg.hold ? run_s : cfg.duration;
    uint64_t errors = st.connect_errors + st.io_errors + st.http_errors + st.timeouts;

    printf("knot-load: %s:%d %s, %ld connections over %d source address%s%s\n",
           cfg.host, cfg.port, cfg.path, cfg.connections, loopback ? cfg.sources : 1,
           (loopback ? cfg.sources : 1) == 1 ? "" : "es",
           cfg.hold ? ", hold mode" : "");
    printf("knot-load: connected %llu/%ld in %.2f s\n",
           (unsigned long long)st.connected, cfg.connections, conn_s);
    if (rss0 >= 0 && rss1 >= 0 && st.connected > 0)
        printf("knot-load: server memory %ld KiB before, %ld KiB with %llu idle "
               "connections: %.2f KiB per connection\n",
               rss0, rss1, (unsigned long long)st.connected,
               (double)(rss1 - rss0) / (double)st.connected);
    printf("knot-load: requests %llu in %.2f s: %.1f req/s, %.1f MiB/s\n",
           (unsigned long long)st.requests, window,
           window > 0 ? (double)st.requests / window : 0.0,
           window > 0 ? (double)st.bytes / window / 1048576.0 : 0.0);
    if (st.requests > 0)
        printf("knot-load: latency p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, "
               "p99.9 %.3f ms, max %.3f ms\n",
               hist_quantile(0.50, st.requests) / 1e6,
               hist_quantile(0.90, st.requests) / 1e6,
               hist_quantile(0.99, st.requests) / 1e6,
               hist_quantile(0.999, st.requests) / 1e6,
               hist_quantile(1.0, st.requests) / 1e6);
    printf("knot-load: errors %llu (connect %llu, io %llu, http %llu, timeout %llu)\n",
           (unsigned long long)errors, (unsigned long long)st.connect_errors,
           (unsigned long long)st.io_errors, (unsigned long long)st.http_errors,
           (unsigned long long)st.timeouts);
    return errors ? 1 : 0;
}
