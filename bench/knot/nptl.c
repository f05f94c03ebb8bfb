/*
 * nptl: the thread-per-connection server of the comparison on the
 * system's threads (NPTL, one kernel thread per connection, blocking
 * calls), with the same parser and file cache as Knot (the cache under a
 * pthread mutex).  Threads get 64 KiB stacks, so that 10,000 of them fit
 * easily.  A benchmark peer: no timeouts, no graceful shutdown.
 *
 *     nptl --root DIR --port N [--addr A]
 */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "http.h"

static struct cache cache;
static pthread_mutex_t cache_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cache_c = PTHREAD_COND_INITIALIZER;

/* The Date line, double-buffered: the ticker writes the other one, then
   flips the index. */
static char date_lines[2][48];
static size_t date_lens[2];
static int date_cur;
static time_t now_s;

static ssize_t c_pread(int fd, void *buf, size_t len, off_t off)
{
    return pread(fd, buf, len, off);
}
static void c_lock(void *a) { (void)a; pthread_mutex_lock(&cache_m); }
static void c_unlock(void *a) { (void)a; pthread_mutex_unlock(&cache_m); }
static void c_wait(void *a) { (void)a; pthread_cond_wait(&cache_c, &cache_m); }
static void c_broadcast(void *a) { (void)a; pthread_cond_broadcast(&cache_c); }
static time_t c_now(void) { return __atomic_load_n(&now_s, __ATOMIC_RELAXED); }
static const struct cache_ops ops = {
    .pread = c_pread, .lock = c_lock, .unlock = c_unlock, .wait = c_wait,
    .broadcast = c_broadcast, .now = c_now,
};

static const char conn_keep[] = "Connection: keep-alive\r\n\r\n";
static const char conn_close[] = "Connection: close\r\n\r\n";

static int write_all(int fd, struct iovec *v, int n)
{
    while (n > 0) {
        ssize_t k = writev(fd, v, n);
        if (k < 0)
            return -1;
        while (n > 0 && (size_t)k >= v->iov_len) {
            k -= (ssize_t)v->iov_len;
            v++;
            n--;
        }
        if (n > 0) {
            v->iov_base = (char *)v->iov_base + k;
            v->iov_len -= (size_t)k;
        }
    }
    return 0;
}

static int respond(int fd, struct http_req *r, int status)
{
    char path[HTTP_MAX_PATH], err[640];
    struct cache_entry *e;
    int head = r->method == HTTP_HEAD, keep = r->keep_alive;
    int d = __atomic_load_n(&date_cur, __ATOMIC_ACQUIRE);

    if (status == 0)
        status = http_path(r->target, r->target_len, path, sizeof path);
    if (status == 0)
        status = cache_get(&cache, path, &e);
    if (status == 0) {
        struct iovec v[4] = {
            { e->hdr, e->hdr_len },
            { date_lines[d], date_lens[d] },
            { (void *)(keep ? conn_keep : conn_close),
              keep ? sizeof conn_keep - 1 : sizeof conn_close - 1 },
            { e->body, e->size },
        };
        int rc = write_all(fd, v, head || e->body == NULL ? 3 : 4);
        off_t off = 0;
        while (rc == 0 && !head && e->body == NULL && (size_t)off < e->size)
            if (sendfile(fd, e->fd, &off, e->size - (size_t)off) <= 0)
                rc = -1;
        cache_put(&cache, e);
        return rc == 0 && keep;
    }
    if (status != 403 && status != 404 && status != 405)
        keep = 0;
    struct iovec v = { err, http_error(err, sizeof err, status, date_lines[d], keep, head) };
    return write_all(fd, &v, 1) == 0 && keep;
}

static void *conn_main(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char buf[HTTP_MAX_HEADER + 1];
    size_t have = 0;

    for (;;) {
        int status;
        size_t hlen = http_header_end(buf, have, 0, &status);
        if (hlen == 0 && status == 0) {
            ssize_t n = read(fd, buf + have, sizeof buf - 1 - have);
            if (n <= 0)
                break;
            have += (size_t)n;
            continue;
        }
        struct http_req r;
        size_t used = have;
        if (status == 0) {
            status = http_parse(buf, hlen, &r);
            used = hlen;
            if (status == 0 && r.body_len) {
                if (hlen + r.body_len > have)
                    break; /* bodies are not waited for: a peer, not Knot */
                used += r.body_len;
            }
        } else {
            memset(&r, 0, sizeof r);
        }
        if (!respond(fd, &r, status))
            break;
        memmove(buf, buf + used, have - used);
        have -= used;
    }
    close(fd);
    return NULL;
}

static void *ticker(void *arg)
{
    (void)arg;
    for (;;) {
        time_t t = time(NULL);
        int next = !date_cur;
        date_lens[next] = http_date_line(date_lines[next], t);
        __atomic_store_n(&date_cur, next, __ATOMIC_RELEASE);
        __atomic_store_n(&now_s, t, __ATOMIC_RELAXED);
        sleep(1);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    const char *root = NULL, *addr = "127.0.0.1";
    char real[PATH_MAX];
    int port = -1, one = 1;
    struct rlimit rl;
    pthread_attr_t a;
    pthread_t t;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--root") == 0)
            root = argv[i + 1];
        else if (strcmp(argv[i], "--port") == 0)
            port = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--addr") == 0)
            addr = argv[i + 1];
    }
    if (root == NULL || port < 0 || realpath(root, real) == NULL) {
        fprintf(stderr, "usage: nptl --root DIR --port N [--addr A]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    int rootfd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    now_s = time(NULL);
    date_lens[0] = http_date_line(date_lines[0], now_s);
    if (rootfd < 0 || cache_init(&cache, rootfd, real, 64u << 20, 64u << 10, 65536,
                                 "nptl", &ops) != 0) {
        perror("nptl");
        return 1;
    }
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    inet_pton(AF_INET, addr, &sa.sin_addr);
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 65535) != 0) {
        perror("nptl: listen");
        return 1;
    }
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 64u << 10);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_create(&t, &a, ticker, NULL);
    printf("nptl: serving %s on %s port %d\n", real, addr, port);
    fflush(stdout);
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE)
                usleep(10000);
            continue;
        }
        if (pthread_create(&t, &a, conn_main, (void *)(intptr_t)fd) != 0)
            close(fd);
    }
}
