/*
 * hostile.c: Knot (examples/knot) against hostile clients (issue 13):
 * request smuggling, slowloris on the header, the body and the lingering
 * close, a slowloris run with more attackers than connection slots while
 * legitimate clients must still be served, the cache's descriptors under
 * a low RLIMIT_NOFILE, odd file mtimes, a client that never reads, a
 * client that reads slowly but steadily, the memory of a half-sent
 * request, and the protocol corner cases (https absolute URI, Expect:
 * 100-continue, an empty line before a request, /dir without a slash,
 * Transfer-Encoding).
 *
 * Loopback only, bounded in count and time.  No assertion on timings but
 * generous bounds computed up front (a multiple of the timeout under
 * test); states are polled (the server's descriptors in /proc, a socket's
 * end of file), not waited for with fixed sleeps.  The test's clients are
 * plain blocking (or O_NONBLOCK) socket calls on main and on a pthread,
 * which get libc's behaviour.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common.h"
#include "http_client.h"

static char root[300], base[256];
static pid_t knot_pid = -1;
static int knot_port;
/* The server's stdout: its start-up line, then its SIGUSR1 lines. */
static FILE *knot_out;

/* --- the document root and the server -------------------------------------------- */

static void put_file(const char *name, const void *data, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert(ge(int, fd, 0), "create %s", path);
    for (size_t done = 0; done < n;) {
        ssize_t w = write(fd, (const char *)data + done, n - done);
        cr_assert(gt(i64, w, 0));
        done += (size_t)w;
    }
    close(fd);
}

static void setup(void)
{
    char path[512];
    /* tmpfs keeps any mtime (the odd-mtime test needs that); else /tmp. */
    const char *top = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";

    signal(SIGPIPE, SIG_IGN);
    snprintf(base, sizeof base, "%s/lstk-hostile.%d", top, (int)getpid());
    mkdir(base, 0755);
    snprintf(root, sizeof root, "%s/www", base);
    mkdir(root, 0755);
    put_file("index.html", "<h1>knot</h1>\n", 14);
    put_file("small.txt", "small\n", 6);
    snprintf(path, sizeof path, "%s/sub", root);
    mkdir(path, 0755);
    put_file("sub/index.html", "sub\n", 4);
}

static void teardown(void)
{
    char cmd[600];
    if (knot_pid > 0) {
        kill(knot_pid, SIGKILL);
        waitpid(knot_pid, NULL, 0);
        knot_pid = -1;
    }
    if (knot_out != NULL) {
        fclose(knot_out);
        knot_out = NULL;
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    (void)!system(cmd);
}

/* Starts knot with EXTRA options (NULL-terminated); NOFILE > 0 sets its
   RLIMIT_NOFILE (soft and hard).  Returns when it listens. */
static void start_knot_lim(const char *const *extra, rlim_t nofile)
{
    const char *top = getenv("top_builddir");
    char bin[512], line[512];
    const char *argv[40];
    int n = 0, out[2];

    snprintf(bin, sizeof bin, "%s/examples/knot/knot", top ? top : ".");
    argv[n++] = bin;
    argv[n++] = "--root";
    argv[n++] = root;
    argv[n++] = "--port";
    argv[n++] = "0";
    argv[n++] = "--addr";
    argv[n++] = "127.0.0.1";
    for (int i = 0; extra && extra[i]; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    cr_assert(eq(int, pipe(out), 0));
    knot_pid = fork();
    cr_assert(ge(int, knot_pid, 0));
    if (knot_pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        if (nofile > 0) {
            struct rlimit rl = { nofile, nofile };
            if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
                _exit(126);
        }
        execv(bin, (char **)argv);
        _exit(127);
    }
    close(out[1]);
    knot_out = fdopen(out[0], "r");
    cr_assert(not(eq(ptr, fgets(line, sizeof line, knot_out), NULL)), "knot started");
    char *p = strstr(line, " port ");
    cr_assert(not(eq(ptr, p, NULL)), "start-up line: %s", line);
    knot_port = atoi(p + 6);
    cr_assert(gt(int, knot_port, 0));
}

static void start_knot(const char *const *extra)
{
    start_knot_lim(extra, 0);
}

/* The server's open sockets (its connections and the listener). */
static int knot_sockets(void)
{
    char dir[64], path[600], link[64];
    struct dirent *d;
    int n = 0;

    snprintf(dir, sizeof dir, "/proc/%d/fd", (int)knot_pid);
    DIR *dp = opendir(dir);
    if (dp == NULL)
        return -1;
    while ((d = readdir(dp)) != NULL) {
        snprintf(path, sizeof path, "%s/%s", dir, d->d_name);
        ssize_t k = readlink(path, link, sizeof link - 1);
        if (k > 0) {
            link[k] = '\0';
            n += strncmp(link, "socket:", 7) == 0;
        }
    }
    closedir(dp);
    return n;
}

/* The server's open descriptors of files under the document root. */
static int knot_root_files(void)
{
    char dir[64], path[600], link[600];
    struct dirent *d;
    int n = 0;

    snprintf(dir, sizeof dir, "/proc/%d/fd", (int)knot_pid);
    DIR *dp = opendir(dir);
    if (dp == NULL)
        return -1;
    while ((d = readdir(dp)) != NULL) {
        snprintf(path, sizeof path, "%s/%s", dir, d->d_name);
        ssize_t k = readlink(path, link, sizeof link - 1);
        if (k > 0) {
            link[k] = '\0';
            n += strncmp(link, root, strlen(root)) == 0 && link[strlen(root)] == '/';
        }
    }
    closedir(dp);
    return n;
}

/* Polls until the server holds WANT sockets, for LIMIT_MS at most;
   returns the last count. */
static int wait_sockets(int want, int limit_ms)
{
    int n = -1;
    for (int waited = 0; waited <= limit_ms; waited += 20) {
        n = knot_sockets();
        if (n == want)
            break;
        usleep(20000);
    }
    return n;
}

/* The server's resident memory in KiB. */
static long knot_rss_kib(void)
{
    char path[64], line[256];
    long kib = -1;

    snprintf(path, sizeof path, "/proc/%d/status", (int)knot_pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

/* What the server's connections hold now (its SIGUSR1 line). */
struct knot_stats {
    long conns, threads, chunks, stack_bytes, bufs, buf_bytes;
};

static void knot_stats(struct knot_stats *k)
{
    struct pollfd p = { fileno(knot_out), POLLIN, 0 };
    char line[512];

    cr_assert(eq(int, kill(knot_pid, SIGUSR1), 0));
    /* Bounded: the line comes at once from a server that runs. */
    cr_assert(eq(int, poll(&p, 1, 10000), 1), "no stats line from knot");
    cr_assert(not(eq(ptr, fgets(line, sizeof line, knot_out), NULL)));
    cr_assert(eq(int,
                 sscanf(line, "knot: stats connections %ld threads %ld stack_chunks %ld "
                              "stack_bytes %ld request_buffers %ld request_buffer_bytes %ld",
                        &k->conns, &k->threads, &k->chunks, &k->stack_bytes, &k->bufs,
                        &k->buf_bytes),
                 6),
              "stats line: %s", line);
}

/* --- a plain client -------------------------------------------------------------------- */

static int dial_rcvbuf(int rcvbuf)
{
    struct sockaddr_in sa = test_addr(knot_port);
    struct timeval tv = { 10, 0 };
    int s = socket(AF_INET, SOCK_STREAM, 0);

    if (rcvbuf > 0)
        setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    cr_assert(eq(int, connect(s, (struct sockaddr *)&sa, sizeof sa), 0));
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return s;
}

static int dial(void)
{
    return dial_rcvbuf(0);
}

struct resp {
    int status;
    char head[4096];
    size_t body_len;
    char body[4096];
};

/* The value of header NAME in R's head, or NULL. */
static const char *header(const struct resp *r, const char *name)
{
    return http_header(r->head, name);
}

/* Reads one response head (and a body up to 4 KiB unless HEAD) from S;
   0 at end of file before it.  Byte by byte: nothing of the next one is
   consumed. */
static int read_resp(int s, struct resp *r, int head)
{
    size_t have = 0;

    memset(r, 0, sizeof *r);
    while (strstr(r->head, "\r\n\r\n") == NULL) {
        if (read(s, r->head + have, 1) != 1)
            return 0;
        cr_assert(lt(sz, ++have, sizeof r->head - 1), "header too long");
    }
    r->status = atoi(r->head + 9);
    const char *cl = header(r, "Content-Length");
    r->body_len = head || cl == NULL ? 0 : strtoul(cl, NULL, 10);
    cr_assert(lt(sz, r->body_len, sizeof r->body));
    for (size_t got = 0; got < r->body_len;) {
        ssize_t n = read(s, r->body + got, r->body_len - got);
        cr_assert(gt(i64, n, 0), "body cut short");
        got += (size_t)n;
    }
    return 1;
}

static int get(const char *req, struct resp *r)
{
    int s = dial();
    send_all(s, req, strlen(req));
    int ok = read_resp(s, r, strncmp(req, "HEAD", 4) == 0);
    close(s);
    return ok ? r->status : 0;
}

/* 1 when the server closed S: end of file (after any response bytes) or
   a reset, within S's receive timeout. */
static int closed_by_server(int s)
{
    char buf[4096];
    for (;;) {
        ssize_t n = read(s, buf, sizeof buf);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return 1;
        if (n < 0)
            return 0;
    }
}

/* Sends REQ one byte every GAP_MS until the server closes the connection
   (polled before each byte); returns the bytes sent by then.  The bytes
   the server answers with are kept in OUT (up to CAP).  UNTIL_RESET: the
   server's end of file (a shutdown of its side) does not count, only a
   full close (the next bytes sent are refused). */
static size_t trickle2(int s, const char *req, size_t len, int gap_ms, char *out,
                       size_t cap, int until_reset)
{
    size_t sent = 0, got = 0;
    int eof = 0;

    while (sent < len) {
        struct pollfd p = { s, POLLIN, 0 };
        if (!eof && poll(&p, 1, gap_ms) > 0) {
            ssize_t n = recv(s, out + got, got < cap - 1 ? cap - 1 - got : 1, 0);
            if (n > 0) {
                got += got < cap - 1 ? (size_t)n : 0;
                continue;
            }
            if (n < 0 || !until_reset)
                break;
            eof = 1;
        }
        if (eof)
            usleep((useconds_t)gap_ms * 1000);
        if (send(s, req + sent, 1, MSG_NOSIGNAL) != 1)
            break;
        sent++;
    }
    out[got] = '\0';
    return sent;
}

static size_t trickle(int s, const char *req, size_t len, int gap_ms, char *out,
                      size_t cap)
{
    return trickle2(s, req, len, gap_ms, out, cap, 0);
}

TestSuite(hostile, .init = setup, .fini = teardown, .timeout = 90);

/* --- 1. smuggling ---------------------------------------------------------------------- */

Test(hostile, a_body_is_never_parsed_as_a_request)
{
    static const char *const methods[] = { "POST", "PUT", "DELETE", "OPTIONS", "GET" };
    struct resp r;
    char req[512];
    const char *inner = "GET /small.txt HTTP/1.1\r\nHost: t\r\n\r\n";

    start_knot(NULL);
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        int s = dial();
        /* The body is a complete request; then a real one follows. */
        snprintf(req, sizeof req,
                 "%s /index.html HTTP/1.1\r\nHost: t\r\nContent-Length: %zu\r\n\r\n%s"
                 "GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n",
                 methods[i], strlen(inner), inner);
        send_all(s, req, strlen(req));
        cr_assert(eq(int, read_resp(s, &r, 0), 1), "%s", methods[i]);
        cr_assert(eq(int, r.status, i < 4 ? 405 : 200), "%s", methods[i]);
        /* The next response is the real request's, not the body's. */
        cr_assert(eq(int, read_resp(s, &r, 0), 1), "%s: second", methods[i]);
        cr_assert(eq(int, r.status, 200));
        cr_assert(eq(str, r.body, "<h1>knot</h1>\n"), "%s: smuggled", methods[i]);
        close(s);
    }
    /* The body sent later, in a separate segment, is skipped too. */
    int s = dial();
    snprintf(req, sizeof req, "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: %zu\r\n\r\n",
             strlen(inner));
    send_all(s, req, strlen(req));
    usleep(50000);
    send_all(s, inner, strlen(inner));
    send_lit(s, "GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n");
    cr_assert(eq(int, read_resp(s, &r, 0), 1));
    cr_assert(eq(int, r.status, 405));
    cr_assert(eq(int, read_resp(s, &r, 0), 1));
    cr_assert(eq(str, r.body, "<h1>knot</h1>\n"));
    close(s);
}

/* --- 2. slowloris: header, body, lingering close; memory ----------------------------- */

Test(hostile, a_trickled_header_times_out_in_total)
{
    static const char *const opts[] = { "--header-timeout", "1", NULL };
    static const char req[] = "GET /index.html HTTP/1.1\r\nHost: t\r\nX-Pad: "
                              "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
    char out[1024];

    start_knot(opts);
    int s = dial();
    /* 100 bytes at one per 100 ms is 10 s: the 1-s deadline must cut it
       (the old timeout restarted on every byte and served it). */
    size_t sent = trickle(s, req, sizeof req - 1, 100, out, sizeof out);
    cr_assert(lt(sz, sent, sizeof req - 1), "served after a trickle: %s", out);
    cr_assert(eq(int, strncmp(out, "HTTP/1.1 408", 12), 0), "%s", out);
    close(s);
}

Test(hostile, a_trickled_body_times_out_in_total)
{
    static const char *const opts[] = { "--body-timeout", "1", NULL };
    char body[101], out[1024];
    struct resp r;

    memset(body, 'b', 100);
    body[100] = '\0';
    start_knot(opts);
    for (int m = 0; m < 2; m++) {
        int s = dial();
        if (m == 0)
            send_lit(s, "GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n");
        else
            send_lit(s, "POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n");
        size_t sent = trickle(s, body, 100, 100, out, sizeof out);
        cr_assert(lt(sz, sent, 100), "a body trickled for 10 s was read to the end");
        close(s);
    }
    /* Others are served meanwhile and afterwards. */
    cr_assert(eq(int, get("GET / HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200));
}

Test(hostile, a_lingering_close_is_bounded)
{
    char junk[200], out[2048];

    memset(junk, 'j', sizeof junk);
    start_knot(NULL);
    int s = dial();
    /* An error that closes (400), then a client that keeps sending a byte
       every 100 ms: the old linger restarted its 0.5 s on every byte. */
    send_lit(s, "NONSENSE\r\n\r\n");
    size_t sent = trickle2(s, junk, sizeof junk, 100, out, sizeof out, 1);
    cr_assert(lt(sz, sent, sizeof junk), "lingered for 20 s");
    cr_assert(eq(int, strncmp(out, "HTTP/1.1 400", 12), 0), "%s", out);
    close(s);
}

Test(hostile, a_half_sent_request_costs_little_more_than_an_idle_one)
{
    static const char *const opts[] = { "--header-timeout", "60", NULL };
    enum { N = 300 };
    static int idle[N], half[N];
    struct knot_stats k0, k1, k2;
    struct resp r;

    start_knot(opts);
    cr_assert(eq(int, get("GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200));
    cr_assert(eq(int, wait_sockets(1, 5000), 1));
    knot_stats(&k0);
    long rss0 = knot_rss_kib();
    for (int i = 0; i < N; i++) {
        idle[i] = dial();
        send_lit(idle[i], "GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n");
        cr_assert(eq(int, read_resp(idle[i], &r, 0), 1));
    }
    cr_assert(eq(int, wait_sockets(1 + N, 5000), 1 + N));
    knot_stats(&k1);
    long rss1 = knot_rss_kib();
    for (int i = 0; i < N; i++) {
        half[i] = dial();
        send_lit(half[i], "GET /index.html HTTP/1.1\r\nHost: t\r\nUser-Agent: slow");
    }
    cr_assert(eq(int, wait_sockets(1 + 2 * N, 5000), 1 + 2 * N));
    /* Every half request read (a request on a new connection behind them
       is answered: the server got round to all of them). */
    cr_assert(eq(int, get("GET /small.txt HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200));
    knot_stats(&k2);
    long rss2 = knot_rss_kib();
    long per_idle = (rss1 - rss0) * 1024 / N, per_half = (rss2 - rss1) * 1024 / N;
    long half_buf = (k2.buf_bytes - k1.buf_bytes) / N;
    cr_log_info("per connection: idle %ld B, half-sent request %ld B (RSS); stack "
                "%ld B idle, %ld B half-sent; request buffer %ld B",
                per_idle, per_half, (k1.stack_bytes - k0.stack_bytes) / N,
                (k2.stack_bytes - k1.stack_bytes) / N, half_buf);
    cr_assert(eq(i64, k1.conns - k0.conns, N));
    cr_assert(eq(i64, k2.conns - k1.conns, N));
    /* An idle connection waits in conn_main's small frame, on its first
       chunk, with no request buffer: no guarded chunk (issue 9) may stay
       under it. */
    cr_assert(eq(i64, k1.chunks - k0.chunks, N), "idle: %ld chunks for %d connections",
              k1.chunks - k0.chunks, N);
    cr_assert(eq(i64, k1.bufs, k0.bufs));
    cr_assert(lt(i64, per_idle, 2048), "idle %ld B per connection", per_idle);
    /* A half-sent request waits in the same frame (the header wait is
       conn_main's, the parsing a non-blocking step that leaves its
       guarded chunk on return): on its stack exactly what an idle one
       holds, one first chunk; in addition, one request buffer in its
       first step (1 KiB: the header is short). */
    cr_assert(eq(i64, k2.chunks - k1.chunks, N), "half-sent: %ld chunks for %d connections",
              k2.chunks - k1.chunks, N);
    cr_assert(eq(i64, k2.stack_bytes - k1.stack_bytes, k1.stack_bytes - k0.stack_bytes),
              "half-sent connections' stacks hold more than idle ones'");
    cr_assert(eq(i64, k2.bufs - k1.bufs, N));
    cr_assert(le(i64, half_buf, 1024), "request buffer %ld B for a 60-byte header",
                 half_buf);
    /* And the process as a whole: the buffer (and malloc's header for
       it) above an idle connection, within the page rounding of RSS over N
       connections (4 KiB / N each, tiny) and 2 KiB for whatever else
       touches a page (the socket's kernel memory is not in RSS). */
    cr_assert(lt(i64, per_half, per_idle + half_buf + 2048),
              "idle %ld B, half %ld B (request buffer %ld B)", per_idle, per_half, half_buf);
    for (int i = 0; i < N; i++) {
        close(idle[i]);
        close(half[i]);
    }
}

/* --- the slowloris run: attackers over the cap, legitimate clients served ------------ */

enum { CAP = 24, ATTACKERS = 40, LEGIT = 4, HDR_S = 30 };
/* The header deadline is long (30 s): a legitimate client that waited for
   attackers' deadlines would miss the bound.  At the cap Knot ends the
   attacker whose header has trickled longest for each client waiting in
   the backlog (16 attackers wait there ahead of the first legitimate
   client): generous, a sixth of the deadline. */
#define LEGIT_BOUND_MS (HDR_S * 1000 / 6)

static volatile int legit_done;
static int legit_status[LEGIT];
static long legit_ms[LEGIT];

static void *legit_main(void *arg)
{
    (void)arg;
    for (int i = 0; i < LEGIT; i++) {
        struct sockaddr_in sa = test_addr(knot_port);
        struct timeval tv = { LEGIT_BOUND_MS / 1000 + 5, 0 };
        char buf[1024];
        size_t got = 0;
        uint64_t t0 = test_now();
        int s = socket(AF_INET, SOCK_STREAM, 0);

        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (connect(s, (struct sockaddr *)&sa, sizeof sa) == 0 &&
            write(s, "GET /small.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
                  55) == 55) {
            ssize_t n;
            while (got < sizeof buf - 1 &&
                   (n = read(s, buf + got, sizeof buf - 1 - got)) > 0)
                got += (size_t)n;
        }
        buf[got] = '\0';
        legit_status[i] = got >= 12 ? atoi(buf + 9) : 0;
        legit_ms[i] = (long)((test_now() - t0) / MS);
        close(s);
    }
    legit_done = 1;
    return NULL;
}

/* An attacker: a connection that sends a request's first bytes, then one
   byte every 300 ms (far inside any per-read timeout), and reconnects
   whenever the server drops it. */
struct attacker {
    int s;
    size_t sent;
};

static void attacker_dial(struct attacker *a)
{
    struct sockaddr_in sa = test_addr(knot_port);
    a->s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    a->sent = 0;
    if (connect(a->s, (struct sockaddr *)&sa, sizeof sa) != 0 && errno != EINPROGRESS) {
        close(a->s);
        a->s = -1;
    }
}

static void attacker_tick(struct attacker *a)
{
    static const char req[] = "GET /index.html HTTP/1.1\r\nHost: t\r\nX-a: b\r\n";
    char sink[512];

    if (a->s < 0) {
        attacker_dial(a);
        return;
    }
    ssize_t n = recv(a->s, sink, sizeof sink, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != ENOTCONN)) {
        close(a->s); /* dropped (408): come back */
        attacker_dial(a);
        return;
    }
    if (send(a->s, &req[a->sent % (sizeof req - 1)], 1, MSG_NOSIGNAL) == 1)
        a->sent++;
}

Test(hostile, legitimate_clients_are_served_while_attackers_trickle)
{
    static const char *const opts[] = { "--max-connections", "24", "--header-timeout", "30",
                                        NULL };
    static struct attacker at[ATTACKERS];
    pthread_t legit;

    start_knot(opts);
    for (int i = 0; i < ATTACKERS; i++)
        attacker_dial(&at[i]);
    /* The attackers fill every slot (with more waiting in the backlog)
       before the first legitimate client comes. */
    int most = 0;
    for (int round = 0; round < 20 && most < CAP; round++) {
        for (int i = 0; i < ATTACKERS; i++)
            attacker_tick(&at[i]);
        usleep(300000);
        int n = knot_sockets();
        most = n > most ? n : most;
    }
    /* (At the cap one is ended for each waiting: the count hovers at it.) */
    cr_assert(ge(int, most, CAP), "the attackers reached the cap");
    cr_assert(eq(int, pthread_create(&legit, NULL, legit_main, NULL), 0));
    /* Trickle until the legitimate clients are done (bounded). */
    for (int round = 0; !legit_done && round < LEGIT * (LEGIT_BOUND_MS / 300 + 20); round++) {
        for (int i = 0; i < ATTACKERS; i++)
            attacker_tick(&at[i]);
        usleep(300000);
    }
    pthread_join(legit, NULL);
    for (int i = 0; i < ATTACKERS; i++)
        if (at[i].s >= 0)
            close(at[i].s);
    for (int i = 0; i < LEGIT; i++) {
        cr_log_info("legitimate client %d: %d after %ld ms", i, legit_status[i], legit_ms[i]);
        cr_assert(eq(int, legit_status[i], 200), "client %d", i);
        cr_assert(lt(i64, legit_ms[i], LEGIT_BOUND_MS), "client %d", i);
    }
}

/* --- 3. the cache's descriptors --------------------------------------------------------- */

Test(hostile, cached_descriptors_never_exhaust_the_limit)
{
    /* Every file is "large" (over --cache-file-max): each entry would hold
       a descriptor.  With 256 descriptors, 600 distinct files. */
    static const char *const opts[] = { "--cache-file-max", "4", NULL };
    enum { FILES = 600 };
    char name[64], req[128];
    struct resp r;

    for (int i = 0; i < FILES; i++) {
        snprintf(name, sizeof name, "f%03d.txt", i);
        put_file(name, "0123456789", 10);
    }
    start_knot_lim(opts, 256);
    /* A connection per request (the 10-byte bodies would otherwise meet
       Nagle and delayed ACKs on one keep-alive connection). */
    for (int i = 0; i < FILES; i++) {
        snprintf(req, sizeof req, "GET /f%03d.txt HTTP/1.1\r\nHost: t\r\n\r\n", i);
        cr_assert(eq(int, get(req, &r), 200), "file %d", i);
        cr_assert(eq(str, r.body, "0123456789"));
    }
    /* The cache's cap comes from RLIMIT_NOFILE: at most a quarter of the
       descriptors (knot.c), so connections keep the rest. */
    int held = knot_root_files();
    cr_assert(gt(int, held, 0), "no cached descriptor at all");
    cr_assert(le(int, held, 256 / 4), "the cache holds %d of 256 descriptors", held);
    /* A file never asked for is still served, on new connections too. */
    cr_assert(eq(int, get("GET /small.txt HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200));
    cr_assert(eq(int, get("GET /f000.txt HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200));
}

/* --- 4. odd mtimes ---------------------------------------------------------------------- */

Test(hostile, odd_mtimes_neither_crash_nor_overflow)
{
    static const int64_t when[] = {
        (int64_t)1 << 62,    /* beyond gmtime_r */
        -((int64_t)1 << 62), /* before it */
        253402300800,        /* 10000-01-01: five digits */
        -62135596801,        /* year 0 */
        -67768040609740800,  /* a large negative year */
        0,
    };
    char req[128];
    struct resp r;

    start_knot(NULL);
    for (size_t i = 0; i < sizeof when / sizeof when[0]; i++) {
        char name[32], path[600];
        snprintf(name, sizeof name, "t%zu.txt", i);
        put_file(name, "t\n", 2);
        snprintf(path, sizeof path, "%s/%s", root, name);
        struct timespec ts[2] = { { 0, UTIME_OMIT }, { (time_t)when[i], 0 } };
        utimensat(AT_FDCWD, path, ts, 0); /* the file system may clamp it */
        snprintf(req, sizeof req, "GET /%s HTTP/1.1\r\nHost: t\r\n\r\n", name);
        cr_assert(eq(int, get(req, &r), 200), "mtime %lld", (long long)when[i]);
        const char *lm = header(&r, "Last-Modified");
        if (lm != NULL)
            cr_assert(eq(sz, strlen(lm), 29), "Last-Modified: %s", lm);
    }
    cr_assert(eq(int, get("GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200));
}

/* --- 6, 7. responses: a client that never reads, one that reads slowly ----------------- */

static void big_file(const char *name, size_t size)
{
    char *b = malloc(size);
    for (size_t i = 0; i < size; i++)
        b[i] = (char)(i * 7);
    put_file(name, b, size);
    free(b);
}

Test(hostile, a_client_that_never_reads_loses_the_connection)
{
    static const char *const opts[] = { "--send-timeout", "1", NULL };
    char req[64 * 48];

    big_file("big.bin", 1 << 20);
    start_knot(opts);
    int s = dial_rcvbuf(4096);
    /* 48 pipelined requests for a 1-MiB file, never read: the socket's
       buffers fill during a sendfile or before a response's header. */
    req[0] = '\0';
    for (int i = 0; i < 48; i++)
        strcat(req, "GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n");
    send_all(s, req, strlen(req));
    cr_assert(eq(int, wait_sockets(2, 5000), 2));
    /* Dropped within the send timeout and slack (polled). */
    cr_assert(eq(int, wait_sockets(1, 1000 + 5000), 1), "a reader that never reads is kept");
    close(s);
}

Test(hostile, a_slow_steady_reader_gets_everything)
{
    static const char *const opts[] = { "--send-timeout", "2", "--idle-timeout", "2", NULL };
    enum { SIZE = 8 << 20 };
    char buf[64 << 10];
    struct resp r;
    size_t got = 0;

    big_file("big.bin", SIZE);
    start_knot(opts);
    int s = dial_rcvbuf(64 << 10);
    send_lit(s, "GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n");
    memset(&r, 0, sizeof r);
    for (size_t have = 0; strstr(r.head, "\r\n\r\n") == NULL;)
        cr_assert(eq(i64, read(s, r.head + have++, 1), 1));
    cr_assert(eq(int, atoi(r.head + 9), 200));
    /* 64 KiB per 25 ms: over 3 s for 8 MiB, longer than both timeouts
       (2 s), never more than a few milliseconds without progress. */
    while (got < SIZE) {
        ssize_t n = read(s, buf, sizeof buf);
        if (n <= 0)
            break;
        got += (size_t)n;
        usleep(25000);
    }
    cr_assert(eq(sz, got, (size_t)SIZE), "a steady reader was cut off");
    close(s);
}

/* --- 11. protocol ------------------------------------------------------------------------- */

Test(hostile, protocol_corners)
{
    struct resp r;

    start_knot(NULL);
    /* https absolute URI: the path, not the host, is served. */
    cr_assert(eq(int, get("GET https://t/small.txt HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200));
    cr_assert(eq(str, r.body, "small\n"));
    cr_assert(eq(int, get("GET http://t:80/small.txt HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200));
    cr_assert(eq(str, r.body, "small\n"));

    /* An empty line (or two) before a request is ignored. */
    cr_assert(eq(int, get("\r\nGET /small.txt HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200));
    cr_assert(eq(int, get("\r\n\nGET /small.txt HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200));

    /* A directory without its slash: a redirect, the query kept. */
    cr_assert(eq(int, get("GET /sub HTTP/1.1\r\nHost: t\r\n\r\n", &r), 301));
    cr_assert(eq(str, (char *)header(&r, "Location"), "/sub/"));
    cr_assert(eq(int, get("GET /sub?x=1 HTTP/1.1\r\nHost: t\r\n\r\n", &r), 301));
    cr_assert(eq(str, (char *)header(&r, "Location"), "/sub/?x=1"));
    cr_assert(eq(int, get("GET /nothere HTTP/1.1\r\nHost: t\r\n\r\n", &r), 404));

    /* Transfer-Encoding: 501 (HTTP/1.0: 400), and the connection closes. */
    int s = dial();
    send_lit(s, "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                "0\r\n\r\n");
    cr_assert(eq(int, read_resp(s, &r, 0), 1));
    cr_assert(eq(int, r.status, 501));
    cr_assert(eq(int, closed_by_server(s), 1));
    close(s);
    cr_assert(eq(int, get("GET / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", &r), 400));

    /* Expect: 100-continue on a request that will be served: 100, the
       body, then the response; the connection stays usable. */
    s = dial();
    send_lit(s, "GET /small.txt HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                "Content-Length: 5\r\n\r\n");
    cr_assert(eq(int, read_resp(s, &r, 0), 1));
    cr_assert(eq(int, r.status, 100));
    send_lit(s, "abcde");
    cr_assert(eq(int, read_resp(s, &r, 0), 1));
    cr_assert(eq(int, r.status, 200));
    cr_assert(eq(str, r.body, "small\n"));
    send_lit(s, "GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n");
    cr_assert(eq(int, read_resp(s, &r, 0), 1));
    cr_assert(eq(str, r.body, "<h1>knot</h1>\n"));
    close(s);
    /* On one that will not: the final answer at once, then close. */
    s = dial();
    send_lit(s, "POST /index.html HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\n"
                "Content-Length: 5\r\n\r\n");
    cr_assert(eq(int, read_resp(s, &r, 0), 1));
    cr_assert(eq(int, r.status, 405));
    cr_assert(eq(str, (char *)header(&r, "Connection"), "close"));
    cr_assert(eq(int, closed_by_server(s), 1));
    close(s);
    /* An expectation it cannot meet: 417. */
    cr_assert(eq(int, get("GET / HTTP/1.1\r\nHost: t\r\nExpect: magic\r\n\r\n", &r), 417));
}
