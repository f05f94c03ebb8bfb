/*
 * knot.c: Knot (examples/knot) on loopback: bodies and headers,
 * keep-alive and pipelining, every error status, path traversal refused,
 * changed files noticed, 10,000 concurrent connections, timeouts, and a
 * graceful shutdown with requests in flight.
 *
 * Each test starts its own knot process on a fresh document root (port 0:
 * knot prints the one it got).  The test's own requests are plain blocking
 * socket calls on main (SO_RCVTIMEO bounds every wait); the 10,000
 * connections are linkstack threads.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "common.h"
#include "http_client.h"

extern char **environ;

static char root[300], outside[256];
static pid_t knot_pid = -1;
static int knot_port, knot_out = -1;

/* --- the document root ---------------------------------------------------------- */

static void put_file(const char *dir, const char *name, const void *data, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert(ge(int, fd, 0), "create %s", path);
    cr_assert(eq(i64, write(fd, data, n), (ssize_t)n));
    close(fd);
}

static char big[200000];

static void make_root(void)
{
    char path[512];

    snprintf(outside, sizeof outside, "/tmp/lstk-knot.%d", (int)getpid());
    mkdir(outside, 0755);
    snprintf(root, sizeof root, "%s/www", outside);
    mkdir(root, 0755);
    put_file(outside, "secret.txt", "TOP-SECRET\n", 11);
    put_file(root, "index.html", "<h1>knot</h1>\n", 14);
    put_file(root, "small.txt",
             "0123456789012345678901234567890123456789012345678901234567890123"
             "456789012345678901234567890123\n", 100);
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)(i * 131 + (i >> 8));
    put_file(root, "big.bin", big, sizeof big);
    put_file(root, "style.css", "body{}\n", 7);
    put_file(root, "pic.png", "\x89PNG", 4);
    put_file(root, "noext", "x", 1);
    snprintf(path, sizeof path, "%s/sub", root);
    mkdir(path, 0755);
    put_file(path, "index.html", "sub\n", 4);
    snprintf(path, sizeof path, "%s/empty", root);
    mkdir(path, 0755);
    /* Symlinks out of the root (relative and absolute), and one inside. */
    snprintf(path, sizeof path, "%s/link", root);
    symlink("../secret.txt", path);
    snprintf(path, sizeof path, "%s/abslink", root);
    char target[512];
    snprintf(target, sizeof target, "%s/secret.txt", outside);
    symlink(target, path);
    snprintf(path, sizeof path, "%s/dirlink", root);
    symlink(outside, path);
    snprintf(path, sizeof path, "%s/inlink.txt", root);
    symlink("small.txt", path);
}

static void remove_root(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", outside);
    (void)!system(cmd);
}

/* --- the knot process -------------------------------------------------------------- */

/* Starts knot with EXTRA options (NULL-terminated); returns when it
   listens (its port in knot_port). */
static void start_knot(const char *const *extra)
{
    const char *top = getenv("top_builddir");
    char bin[512], line[512];
    const char *argv[32];
    int n = 0, out[2];
    posix_spawn_file_actions_t fa;
    FILE *f;

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
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    cr_assert(eq(int, posix_spawn(&knot_pid, bin, &fa, NULL, (char **)argv, environ),
                 0), "spawn %s", bin);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    knot_out = out[0];
    /* "knot: serving ROOT on 127.0.0.1 port N (pid P)" */
    f = fdopen(dup(knot_out), "r");
    cr_assert(not(eq(ptr, fgets(line, sizeof line, f), NULL)), "knot started");
    fclose(f);
    char *p = strstr(line, " port ");
    cr_assert(not(eq(ptr, p, NULL)), "start-up line: %s", line);
    knot_port = atoi(p + 6);
    cr_assert(gt(int, knot_port, 0));
}

static void setup(void)
{
    signal(SIGPIPE, SIG_IGN);
    make_root();
}

static void teardown(void)
{
    if (knot_pid > 0) {
        kill(knot_pid, SIGKILL);
        waitpid(knot_pid, NULL, 0);
    }
    remove_root();
}

/* --- a plain blocking client ----------------------------------------------------------- */

static int dial(void)
{
    struct sockaddr_in sa = test_addr(knot_port);
    struct timeval tv = { 5, 0 };
    int s = socket(AF_INET, SOCK_STREAM, 0);

    cr_assert(eq(int, connect(s, (struct sockaddr *)&sa, sizeof sa), 0));
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return s;
}

/* A response read from a connection. */
struct resp {
    int status;
    char head[4096];
    size_t body_len;
    char *body;
};

/* The value of header NAME in R's head, or NULL. */
static const char *header(const struct resp *r, const char *name)
{
    return http_header(r->head, name);
}

/* Reads one response from S (HEAD: no body); returns 0 at EOF before it. */
static int read_resp(int s, struct resp *r, int head)
{
    size_t have = 0;
    char *end = NULL;

    memset(r, 0, sizeof *r);
    while (end == NULL) {
        ssize_t n = read(s, r->head + have, 1); /* byte by byte: no over-read */
        if (n <= 0)
            return 0;
        have++;
        cr_assert(lt(sz, have, sizeof r->head), "header too long");
        end = strstr(r->head, "\r\n\r\n");
    }
    r->status = atoi(r->head + 9);
    const char *cl = header(r, "Content-Length");
    cr_assert(not(eq(ptr, (void *)cl, NULL)), "Content-Length in %s", r->head);
    r->body_len = head ? 0 : strtoul(cl, NULL, 10);
    r->body = malloc(r->body_len + 1);
    for (size_t got = 0; got < r->body_len;) {
        ssize_t n = read(s, r->body + got, r->body_len - got);
        cr_assert(gt(i64, n, 0), "body cut short");
        got += (size_t)n;
    }
    r->body[r->body_len] = '\0';
    return 1;
}

/* One request on a new connection; returns the status (0: none). */
static int get(const char *req, struct resp *r)
{
    int s = dial();
    send_all(s, req, strlen(req));
    int ok = read_resp(s, r, strncmp(req, "HEAD", 4) == 0);
    close(s);
    return ok ? r->status : 0;
}

/* 1 when the server closed S (read gives 0 or a reset). */
/* Polls, every 20 ms until DEADLINE_S seconds have passed, until
   get(REQ) gives STATUS and (when BODY is not NULL) BODY; returns whether
   it did.  For states Knot reaches on its own time (its cache checks
   files once a second). */
static int get_until(const char *req, int status, const char *body, int deadline_s)
{
    uint64_t end = test_now() + (uint64_t)deadline_s * 1000 * MS;
    struct resp r;

    do {
        if (get(req, &r) == status && (!body || (r.body && strcmp(r.body, body) == 0)))
            return 1;
        usleep(20000);
    } while (test_now() < end);
    return 0;
}

/* Knot (port knot_port) has accepted the connection whose client end is
   S and read everything sent on it: in /proc/net/tcp, the server's end
   has an inode (a socket still in the accept queue has none) and an
   empty receive queue.  Polled, up to 10 s. */
static int server_read_all_of(int s)
{
    struct sockaddr_in me;
    socklen_t len = sizeof me;
    uint64_t end = test_now() + 10000 * MS;
    char line[512];

    cr_assert(eq(int, getsockname(s, (struct sockaddr *)&me, &len), 0));
    do {
        FILE *f = fopen("/proc/net/tcp", "r");
        cr_assert(not(eq(ptr, f, NULL)), "/proc/net/tcp");
        while (fgets(line, sizeof line, f)) {
            unsigned lport, rport, st, txq, rxq;
            unsigned long inode;
            if (sscanf(line, " %*d: %*8x:%x %*8x:%x %x %x:%x %*x:%*x %*x %*u %*u %lu",
                       &lport, &rport, &st, &txq, &rxq, &inode) == 6 &&
                (int)lport == knot_port && rport == ntohs(me.sin_port) && inode != 0 &&
                rxq == 0) {
                fclose(f);
                return 1;
            }
        }
        fclose(f);
        usleep(10000);
    } while (test_now() < end);
    return 0;
}

static int closed_by_server(int s)
{
    char c;
    ssize_t n = read(s, &c, 1);
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

TestSuite(knot, .init = setup, .fini = teardown, .timeout = 60);

/* --- bodies and headers ------------------------------------------------------------------ */

Test(knot, bodies_and_headers_are_right)
{
    struct resp r;

    start_knot(NULL);
    cr_assert(eq(int, get("GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200));
    cr_assert(eq(str, r.body, "<h1>knot</h1>\n"));
    cr_assert(eq(str, (char *)header(&r, "Content-Type"), "text/html; charset=utf-8"));
    cr_assert(eq(str, (char *)header(&r, "Content-Length"), "14"));
    cr_assert(not(eq(ptr, (void *)header(&r, "Date"), NULL)));
    cr_assert(not(eq(ptr, (void *)header(&r, "Last-Modified"), NULL)));
    cr_assert(eq(str, (char *)header(&r, "Connection"), "keep-alive"));

    cr_assert(eq(int, get("GET / HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200));
    cr_assert(eq(str, r.body, "<h1>knot</h1>\n"), "/ is index.html");
    cr_assert(eq(int, get("GET /sub/ HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200));
    cr_assert(eq(str, r.body, "sub\n"));
    cr_assert(eq(int, get("GET /small.txt?q=1 HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200));
    cr_assert(eq(sz, r.body_len, 100));
    cr_assert(eq(str, (char *)header(&r, "Content-Type"), "text/plain; charset=utf-8"));
    cr_assert(eq(int, get("GET /inlink.txt HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200),
              "a symlink inside the root is fine");

    /* Large: sendfile. */
    cr_assert(eq(int, get("GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200));
    cr_assert(eq(sz, r.body_len, sizeof big));
    cr_assert(eq(int, memcmp(r.body, big, sizeof big), 0));
    cr_assert(eq(str, (char *)header(&r, "Content-Type"), "application/octet-stream"));

    /* HEAD: the same headers, no body. */
    cr_assert(eq(int, get("HEAD /big.bin HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200));
    cr_assert(eq(str, (char *)header(&r, "Content-Length"), "200000"));
    cr_assert(eq(int, get("GET /style.css HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200));
    cr_assert(eq(str, (char *)header(&r, "Content-Type"), "text/css; charset=utf-8"));
    cr_assert(eq(int, get("GET /pic.png HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200));
    cr_assert(eq(str, (char *)header(&r, "Content-Type"), "image/png"));
    cr_assert(eq(int, get("GET /noext HTTP/1.0\r\n\r\n", &r), 200));
    cr_assert(eq(str, (char *)header(&r, "Content-Type"), "application/octet-stream"));
}

/* --- keep-alive ------------------------------------------------------------------------- */

Test(knot, keep_alive_pipelining_and_close)
{
    struct resp r;
    int s;

    start_knot(NULL);
    /* Several requests, one connection. */
    s = dial();
    for (int i = 0; i < 5; i++) {
        send_lit(s, "GET /small.txt HTTP/1.1\r\nHost: t\r\n\r\n");
        cr_assert(eq(int, read_resp(s, &r, 0), 1), "request %d", i);
        cr_assert(eq(int, r.status, 200));
        cr_assert(eq(sz, r.body_len, 100));
    }
    /* Three at once (pipelined), answered in order. */
    const char *three = "GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n"
                        "HEAD /small.txt HTTP/1.1\r\nHost: t\r\n\r\n"
                        "GET /sub/ HTTP/1.1\r\nHost: t\r\n\r\n";
    send_all(s, three, strlen(three));
    cr_assert(eq(int, read_resp(s, &r, 0), 1));
    cr_assert(eq(str, r.body, "<h1>knot</h1>\n"));
    cr_assert(eq(int, read_resp(s, &r, 1), 1));
    cr_assert(eq(str, (char *)header(&r, "Content-Length"), "100"));
    cr_assert(eq(int, read_resp(s, &r, 0), 1));
    cr_assert(eq(str, r.body, "sub\n"));
    /* A 404 keeps the connection too. */
    send_lit(s, "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n");
    cr_assert(eq(int, read_resp(s, &r, 0), 1));
    cr_assert(eq(int, r.status, 404));
    /* A body on GET is read and dropped. */
    send_lit(s, "GET /small.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nabcde"
                "GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n");
    cr_assert(eq(int, read_resp(s, &r, 0), 1));
    cr_assert(eq(sz, r.body_len, 100));
    cr_assert(eq(int, read_resp(s, &r, 0), 1));
    cr_assert(eq(str, r.body, "<h1>knot</h1>\n"));
    /* Connection: close is honoured. */
    send_lit(s, "GET /index.html HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    cr_assert(eq(int, read_resp(s, &r, 0), 1));
    cr_assert(eq(str, (char *)header(&r, "Connection"), "close"));
    cr_assert(eq(int, closed_by_server(s), 1));
    close(s);
    /* HTTP/1.0 closes unless asked to keep alive. */
    s = dial();
    send_lit(s, "GET /index.html HTTP/1.0\r\n\r\n");
    cr_assert(eq(int, read_resp(s, &r, 0), 1));
    cr_assert(eq(int, closed_by_server(s), 1));
    close(s);
    s = dial();
    send_lit(s, "GET /index.html HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    cr_assert(eq(int, read_resp(s, &r, 0), 1));
    send_lit(s, "GET /index.html HTTP/1.0\r\n\r\n");
    cr_assert(eq(int, read_resp(s, &r, 0), 1), "still open");
    close(s);
}

/* --- errors ---------------------------------------------------------------------------- */

Test(knot, every_error_status)
{
    static char req[20000];
    struct resp r;

    start_knot(NULL);
    cr_assert(eq(int, get("NONSENSE\r\n\r\n", &r), 400));
    cr_assert(eq(int, get("GET /index.html HTTP/1.1\r\n\r\n", &r), 400), "no Host");
    cr_assert(eq(int, get("GET /%zz HTTP/1.1\r\nHost: t\r\n\r\n", &r), 400));
    cr_assert(eq(int, get("GET /a%00b HTTP/1.1\r\nHost: t\r\n\r\n", &r), 400));
    cr_assert(eq(int, get("GET /index.html HTTP/1.1\r\nHost : t\r\n\r\n", &r), 400));
    cr_assert(eq(int, get("GET /index.html HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\n"
                          "Content-Length: 2\r\n\r\n", &r), 400));
    cr_assert(eq(int, get("GET /missing.html HTTP/1.1\r\nHost: t\r\n\r\n", &r), 404));
    cr_assert(eq(int, get("GET /empty/ HTTP/1.1\r\nHost: t\r\n\r\n", &r), 404));
    cr_assert(eq(int, get("GET /sub HTTP/1.1\r\nHost: t\r\n\r\n", &r), 301), "a directory");
    cr_assert(eq(str, (char *)header(&r, "Location"), "/sub/"));
    cr_assert(eq(int, get("POST /index.html HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n",
                          &r), 405));
    cr_assert(eq(str, (char *)header(&r, "Allow"), "GET, HEAD"));
    cr_assert(eq(int, get("DELETE /index.html HTTP/1.1\r\nHost: t\r\n\r\n", &r), 405));
    cr_assert(eq(int, get("GET /index.html HTTP/1.1\r\nHost: t\r\n"
                          "Content-Length: 100000000\r\n\r\n", &r), 413));
    cr_assert(eq(str, (char *)header(&r, "Connection"), "close"));
    cr_assert(eq(int, get("GET /index.html HTTP/1.1\r\nHost: t\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n", &r), 501));
    cr_assert(eq(int, get("GET /index.html HTTP/2.0\r\nHost: t\r\n\r\n", &r), 505));

    /* 414: a request line over 4 KiB. */
    strcpy(req, "GET /");
    memset(req + 5, 'a', 5000);
    strcpy(req + 5005, " HTTP/1.1\r\nHost: t\r\n\r\n");
    cr_assert(eq(int, get(req, &r), 414));
    /* 431: headers over 8 KiB in all. */
    strcpy(req, "GET /index.html HTTP/1.1\r\nHost: t\r\n");
    for (int i = 0; i < 100; i++)
        sprintf(req + strlen(req), "X-Filler-%03d: %090d\r\n", i, 0);
    strcat(req, "\r\n");
    cr_assert(eq(int, get(req, &r), 431));
    cr_assert(eq(str, (char *)header(&r, "Connection"), "close"));
    /* And the server is fine afterwards. */
    cr_assert(eq(int, get("GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200));
}

/* --- the root ---------------------------------------------------------------------------- */

Test(knot, nothing_outside_the_root_is_ever_served)
{
    static const char *const attempts[] = {
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/sub/../../secret.txt",
        "/sub/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
        "/./../secret.txt",
        "//../secret.txt",
        "/link",
        "/abslink",
        "/dirlink/secret.txt",
        "/dirlink/www/index.html/../../secret.txt",
        "http://t/../secret.txt",
    };
    char req[512];
    struct resp r;

    start_knot(NULL);
    for (size_t i = 0; i < sizeof attempts / sizeof attempts[0]; i++) {
        snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: t\r\n\r\n", attempts[i]);
        int st = get(req, &r);
        cr_assert(st == 400 || st == 404, "%s: %d", attempts[i], st);
        cr_assert(eq(ptr, strstr(r.body ? r.body : "", "TOP-SECRET"), NULL),
                  "%s leaked", attempts[i]);
    }
    /* Dot segments that stay inside are fine. */
    cr_assert(eq(int, get("GET /sub/../small.txt HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200));
    cr_assert(eq(int, get("GET /sub/%2e%2e/index.html HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200));
}

/* --- the cache notices changed files ------------------------------------------------------ */

Test(knot, changed_files_are_noticed)
{
    struct resp r;

    start_knot(NULL);
    cr_assert(eq(int, get("GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n", &r), 200));
    cr_assert(eq(str, r.body, "<h1>knot</h1>\n"));
    put_file(root, "index.html", "<h1>changed, and longer</h1>\n", 29);
    /* Entries are checked once a second: polled, with a generous bound. */
    cr_assert(get_until("GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n", 200,
                        "<h1>changed, and longer</h1>\n", 20),
              "the changed file is served within 20 s");
    /* Removed: 404 from then on. */
    char path[512];
    snprintf(path, sizeof path, "%s/index.html", root);
    unlink(path);
    cr_assert(get_until("GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n", 404, NULL, 20),
              "the removed file is a 404 within 20 s");
    cr_assert(eq(int, get("GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n", &r), 404),
              "and stays one");
}

/* --- 10,000 connections at once ---------------------------------------------------------------- */

enum { MANY = 10000, BURST = 500 };
static long many_ok, many_bad, many_connected;
static lstk_mutex_t many_m = LSTK_MUTEX_INITIALIZER;
static lstk_cond_t many_cv = LSTK_COND_INITIALIZER;
static lstk_cond_t slot_cv = LSTK_COND_INITIALIZER;
static long connecting, all_in;

static void *many_client(void *arg)
{
    struct sockaddr_in sa = test_addr(knot_port);
    char buf[512];
    size_t got = 0;
    int s;

    (void)arg;
    lstk_mutex_lock(&many_m);
    while (connecting >= BURST)
        lstk_cond_wait(&slot_cv, &many_m);
    connecting++;
    lstk_mutex_unlock(&many_m);
    s = socket(AF_INET, SOCK_STREAM, 0);
    int rc = lstk_connect_timeout(s, (struct sockaddr *)&sa, sizeof sa, 20000 * MS);
    lstk_mutex_lock(&many_m);
    connecting--;
    lstk_cond_signal(&slot_cv);
    if (rc == 0)
        many_connected++;
    /* Everyone connected before anyone asks: 10,000 at once. */
    if (++all_in == MANY)
        lstk_cond_broadcast(&many_cv);
    while (all_in < MANY)
        lstk_cond_wait(&many_cv, &many_m);
    lstk_mutex_unlock(&many_m);
    if (rc != 0)
        goto bad;
    if (lstk_write(s, "GET /small.txt HTTP/1.1\r\nHost: t\r\n\r\n", 36) != 36)
        goto bad;
    while (got < sizeof buf) {
        ssize_t n = lstk_read_timeout(s, buf + got, sizeof buf - got, 20000 * MS);
        if (n <= 0)
            break;
        got += (size_t)n;
        const char *e = memmem(buf, got, "\r\n\r\n", 4);
        if (e && got >= (size_t)(e + 4 - buf) + 100)
            break;
    }
    if (got < 12 || memcmp(buf, "HTTP/1.1 200", 12) != 0)
        goto bad;
    close(s);
    many_ok++;
    return NULL;
bad:
    close(s);
    many_bad++;
    return NULL;
}

Test(knot, ten_thousand_concurrent_connections)
{
    static lstk_t t[MANY];
    struct rlimit rl;

    getrlimit(RLIMIT_NOFILE, &rl);
    if (rl.rlim_max < MANY + 256)
        cr_skip_test("RLIMIT_NOFILE hard limit %lu is below %d", (unsigned long)rl.rlim_max,
                     MANY + 256);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    start_knot(NULL);
    for (long i = 0; i < MANY; i++)
        cr_assert(eq(int, lstk_create(&t[i], NULL, many_client, NULL), 0));
    for (long i = 0; i < MANY; i++)
        lstk_join(t[i], NULL);
    cr_assert(eq(i64, many_connected, MANY));
    cr_assert(eq(i64, many_bad, 0));
    cr_assert(eq(i64, many_ok, MANY));
}

/* --- timeouts ---------------------------------------------------------------------------------- */

Test(knot, idle_and_header_timeouts_close_connections)
{
    static const char *const opts[] = { "--idle-timeout", "1", "--header-timeout", "1", NULL };
    struct resp r;
    int s;

    start_knot(opts);
    s = dial();
    send_lit(s, "GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n");
    cr_assert(eq(int, read_resp(s, &r, 0), 1));
    cr_assert(eq(int, closed_by_server(s), 1), "idle connection closed");
    close(s);
    s = dial();
    send_lit(s, "GET /index.html HTTP/1.1\r\nHo");
    cr_assert(eq(int, read_resp(s, &r, 0), 1));
    cr_assert(eq(int, r.status, 408));
    cr_assert(eq(int, closed_by_server(s), 1));
    close(s);
}

/* --- graceful shutdown --------------------------------------------------------------------------- */

Test(knot, shutdown_lets_requests_in_flight_finish)
{
    struct sockaddr_in sa;
    struct resp r;
    char out[1024] = "";
    int busy, idle, status, s, refused = 0;

    start_knot(NULL);
    idle = dial();
    send_lit(idle, "GET /index.html HTTP/1.1\r\nHost: t\r\n\r\n");
    cr_assert(eq(int, read_resp(idle, &r, 0), 1));
    /* A request in flight: its header is half sent. */
    busy = dial();
    send_lit(busy, "GET /big.bin HTTP/1.1\r\nHost: t\r\n");
    /* In flight once Knot has accepted it and read the half header. */
    cr_assert(server_read_all_of(busy), "knot read the half-sent header");
    cr_assert(eq(int, kill(knot_pid, SIGTERM), 0));
    /* The idle connection is closed; new ones are refused. */
    cr_assert(eq(int, closed_by_server(idle), 1));
    close(idle);
    /* Polled: the listener closes when Knot's main thread gets to it. */
    for (uint64_t end = test_now() + 20000 * MS; !refused && test_now() < end;) {
        sa = test_addr(knot_port);
        s = socket(AF_INET, SOCK_STREAM, 0);
        refused = connect(s, (struct sockaddr *)&sa, sizeof sa) != 0;
        close(s);
        if (!refused)
            usleep(20000);
    }
    cr_assert(eq(int, refused, 1), "new connections refused");
    /* The one in flight completes, then the connection closes. */
    send_lit(busy, "\r\n");
    cr_assert(eq(int, read_resp(busy, &r, 0), 1));
    cr_assert(eq(int, r.status, 200));
    cr_assert(eq(sz, r.body_len, sizeof big));
    cr_assert(eq(int, memcmp(r.body, big, sizeof big), 0));
    cr_assert(eq(str, (char *)header(&r, "Connection"), "close"));
    cr_assert(eq(int, closed_by_server(busy), 1));
    close(busy);
    /* knot exits 0 with its summary line. */
    cr_assert(eq(int, waitpid(knot_pid, &status, 0), knot_pid));
    knot_pid = -1;
    cr_assert(eq(int, WIFEXITED(status) && WEXITSTATUS(status) == 0, 1));
    (void)!read(knot_out, out, sizeof out - 1);
    cr_assert(not(eq(ptr, strstr(out, "requests on"), NULL)), "summary: %s", out);
    /* ", 0 left" and not "10 left": the count is the whole number. */
    cr_assert(not(eq(ptr, strstr(out, ", 0 left unfinished"), NULL)), "summary: %s", out);
}
