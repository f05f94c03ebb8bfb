/*
 * evserver: the "events" side of the comparison (bench/knot/run): a
 * single-threaded, edge-triggered epoll HTTP/1.1 server with the same
 * parser (examples/knot/http.c) and the same pinning file cache
 * (examples/knot/cache.c) as Knot, so that the only difference between
 * the two is threads against a state machine.
 *
 *     evserver --root DIR --port N [--addr A]
 *
 * Per connection: a state (read buffer, pending output, pinned cache
 * entry).  Per request, like Knot: one read (a short read means drained,
 * so no read that says EAGAIN), one writev (small files) or send +
 * sendfile (large ones), and a share of an epoll_wait.  No timeouts and
 * no graceful shutdown: it is a benchmark peer, kept minimal.
 */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "http.h"

struct conn {
    int fd;
    /* Bytes in buf; the request being answered is at its start. */
    size_t have;
    /* Output in progress: the iovecs left, or a sendfile. */
    struct iovec out[4];
    int nout;
    off_t file_off;
    struct cache_entry *entry; /* pinned while its response is written */
    int close_after;
    /* The last read was short: nothing to read until the next event. */
    int drained;
    /* Bytes of buf the request being answered used. */
    size_t used;
    char errbuf[640];
    char buf[HTTP_MAX_HEADER + 1];
};

static struct cache cache;
static int epfd, lfd;
static char date_line[48];
static size_t date_len;
static time_t now_s;

static const char conn_keep[] = "Connection: keep-alive\r\n\r\n";
static const char conn_close[] = "Connection: close\r\n\r\n";

/* The cache's environment: one thread, synchronous loads. */
static ssize_t c_pread(int fd, void *buf, size_t len, off_t off)
{
    return pread(fd, buf, len, off);
}
static void c_nop(void *a) { (void)a; }
static time_t c_now(void) { return now_s; }
static const struct cache_ops ops = {
    .pread = c_pread, .lock = c_nop, .unlock = c_nop, .wait = c_nop,
    .broadcast = c_nop, .now = c_now,
};

static void conn_free(struct conn *c)
{
    if (c->entry)
        cache_put(&cache, c->entry);
    close(c->fd);
    free(c);
}

/* Writes what is pending; 1 done, 0 would block, -1 error. */
static int flush(struct conn *c)
{
    while (c->nout > 0) {
        ssize_t n = writev(c->fd, c->out, c->nout);
        if (n < 0)
            return errno == EAGAIN ? 0 : -1;
        while (n > 0 && c->nout > 0) {
            if ((size_t)n >= c->out[0].iov_len) {
                n -= (ssize_t)c->out[0].iov_len;
                memmove(c->out, c->out + 1, (size_t)(c->nout - 1) * sizeof c->out[0]);
                c->nout--;
            } else {
                c->out[0].iov_base = (char *)c->out[0].iov_base + n;
                c->out[0].iov_len -= (size_t)n;
                n = 0;
            }
        }
    }
    if (c->entry && c->entry->body == NULL) {
        while ((size_t)c->file_off < c->entry->size) {
            ssize_t n = sendfile(c->fd, c->entry->fd, &c->file_off,
                                 c->entry->size - (size_t)c->file_off);
            if (n < 0)
                return errno == EAGAIN ? 0 : -1;
            if (n == 0)
                return -1;
        }
    }
    if (c->entry) {
        cache_put(&cache, c->entry);
        c->entry = NULL;
    }
    return 1;
}

/* Sets up the response to one parsed request. */
static void respond(struct conn *c, struct http_req *r, int status)
{
    char path[HTTP_MAX_PATH];
    struct cache_entry *e;
    int head = r->method == HTTP_HEAD, keep = r->keep_alive;

    if (status == 0)
        status = http_path(r->target, r->target_len, path, sizeof path);
    if (status == 0)
        status = cache_get(&cache, path, &e);
    if (status == 0) {
        c->entry = e;
        c->out[0] = (struct iovec){ e->hdr, e->hdr_len };
        c->out[1] = (struct iovec){ date_line, date_len };
        c->out[2] = (struct iovec){ (void *)(keep ? conn_keep : conn_close),
                                    keep ? sizeof conn_keep - 1 : sizeof conn_close - 1 };
        c->nout = 3;
        if (!head && e->body) {
            c->out[3] = (struct iovec){ e->body, e->size };
            c->nout = 4;
        }
        c->file_off = head ? (off_t)e->size : 0;
        if (head && e->body == NULL)
            c->file_off = (off_t)e->size;
        c->close_after = !keep;
        return;
    }
    if (status != 403 && status != 404 && status != 405)
        keep = 0;
    c->out[0] = (struct iovec){ c->errbuf,
                                http_error(c->errbuf, sizeof c->errbuf, status,
                                           date_line, keep, head) };
    c->nout = 1;
    c->close_after = !keep;
}

/* Reads, parses and answers as long as it can; -1 closes. */
static int conn_run(struct conn *c)
{
    for (;;) {
        int rc;
        if (c->nout > 0 || c->entry) {
            rc = flush(c);
            if (rc <= 0)
                return rc;
            if (c->close_after)
                return -1;
            memmove(c->buf, c->buf + c->used, c->have - c->used);
            c->have -= c->used;
            c->used = 0;
        }
        int status;
        size_t hlen = http_header_end(c->buf, c->have, 0, &status);
        if (hlen == 0 && status == 0) {
            if (c->drained)
                return 0;
            size_t room = sizeof c->buf - 1 - c->have;
            ssize_t n = read(c->fd, c->buf + c->have, room);
            if (n < 0)
                return errno == EAGAIN ? 0 : -1;
            if (n == 0)
                return -1;
            c->have += (size_t)n;
            /* A short read of a stream: drained until the next edge. */
            c->drained = (size_t)n < room;
            continue;
        }
        struct http_req r;
        if (status) {
            memset(&r, 0, sizeof r);
            respond(c, &r, status);
            c->used = c->have;
            continue;
        }
        status = http_parse(c->buf, hlen, &r);
        if (status == 0 && r.body_len > c->have - hlen) {
            /* A body we do not have yet: simplest is to wait for it all
               (bounded by HTTP_MAX_HEADER here; larger ones close). */
            if (hlen + r.body_len > sizeof c->buf - 1)
                return -1;
            ssize_t n = read(c->fd, c->buf + c->have, sizeof c->buf - 1 - c->have);
            if (n < 0)
                return errno == EAGAIN ? 0 : -1;
            if (n == 0)
                return -1;
            c->have += (size_t)n;
            continue;
        }
        c->used = hlen + (status == 0 ? r.body_len : 0);
        respond(c, &r, status);
    }
}

static void accept_all(void)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        struct conn *c = calloc(1, sizeof *c);
        if (c == NULL) {
            close(fd);
            continue;
        }
        c->fd = fd;
        struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                                  .data.ptr = c };
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
            close(fd);
            free(c);
            continue;
        }
        /* The request is often there already. */
        if (conn_run(c) < 0)
            conn_free(c);
    }
}

int main(int argc, char **argv)
{
    const char *root = NULL, *addr = "127.0.0.1";
    char real[PATH_MAX];
    int port = -1, one = 1;
    struct rlimit rl;
    struct epoll_event evs[512];

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--root") == 0)
            root = argv[i + 1];
        else if (strcmp(argv[i], "--port") == 0)
            port = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--addr") == 0)
            addr = argv[i + 1];
    }
    if (root == NULL || port < 0 || realpath(root, real) == NULL) {
        fprintf(stderr, "usage: evserver --root DIR --port N [--addr A]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    int rootfd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    now_s = time(NULL);
    date_len = http_date_line(date_line, now_s);
    if (rootfd < 0 || cache_init(&cache, rootfd, real, 64u << 20, 64u << 10, 65536,
                                 "evserver", &ops) != 0) {
        perror("evserver");
        return 1;
    }
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    inet_pton(AF_INET, addr, &sa.sin_addr);
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 65535) != 0) {
        perror("evserver: listen");
        return 1;
    }
    epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event lev = { .events = EPOLLIN | EPOLLET, .data.ptr = NULL };
    epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &lev);
    printf("evserver: serving %s on %s port %d\n", real, addr, port);
    fflush(stdout);
    for (;;) {
        int n = epoll_wait(epfd, evs, 512, 1000);
        time_t t = time(NULL);
        if (t != now_s) {
            now_s = t;
            date_len = http_date_line(date_line, t);
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (c == NULL) {
                accept_all();
                continue;
            }
            if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
                c->drained = 0;
            if (conn_run(c) < 0)
                conn_free(c);
        }
    }
}
