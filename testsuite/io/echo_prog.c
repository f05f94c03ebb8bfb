/*
 * echo_prog.c: an ordinary blocking echo server and its clients, a
 * pthread program written with nothing but POSIX: socket, bind, listen,
 * accept, connect, read, write, close, one thread per connection.  It
 * knows nothing of linkstack; testsuite/io/intercept.c compiles it behind
 * <linkstack/pthread.h> (what `-include linkstack/pthread.h` does), so its
 * threads are linkstack threads and its blocking calls block only them.
 *
 * main: CLIENTS clients each send ROUNDS messages and check the echoes.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CLIENTS 1000
#define ROUNDS 3

static int echo_port;
static int echo_ok, echo_bad;
static pid_t echo_tids[CLIENTS * 2 + 1];
static int echo_ntids;

static void note_tid(void)
{
    echo_tids[echo_ntids++] = gettid();
}

static void *echo_conn(void *arg)
{
    int fd = (int)(long)arg;
    char buf[512];
    ssize_t n;

    note_tid();
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        if (write(fd, buf, (size_t)n) != n)
            break;
    }
    close(fd);
    return NULL;
}

static void *echo_server(void *arg)
{
    int lfd = (int)(long)arg;

    for (int i = 0; i < CLIENTS; i++) {
        pthread_t t;
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            perror("accept");
            return NULL;
        }
        pthread_create(&t, NULL, echo_conn, (void *)(long)fd);
        pthread_detach(t);
    }
    return NULL;
}

static void *echo_client(void *arg)
{
    long id = (long)arg;
    struct sockaddr_in sa;
    char msg[64], back[64];
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    note_tid();
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)echo_port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        echo_bad++;
        return NULL;
    }
    for (int r = 0; r < ROUNDS; r++) {
        int n = snprintf(msg, sizeof msg, "client %ld round %d", id, r);
        int got = 0;
        if (write(fd, msg, (size_t)n) != n) {
            echo_bad++;
            break;
        }
        while (got < n) {
            ssize_t k = read(fd, back + got, (size_t)(n - got));
            if (k <= 0)
                break;
            got += (int)k;
        }
        if (got == n && memcmp(msg, back, (size_t)n) == 0)
            echo_ok++;
        else
            echo_bad++;
        usleep(1000); /* every client is connected and waiting at once */
    }
    close(fd);
    return NULL;
}

int main(void)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    pthread_t server, clients[CLIENTS];
    int lfd = socket(AF_INET, SOCK_STREAM, 0);

    note_tid();
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(lfd, CLIENTS) != 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &len) != 0) {
        perror("listen");
        return 1;
    }
    echo_port = ntohs(sa.sin_port);
    pthread_create(&server, NULL, echo_server, (void *)(long)lfd);
    for (long i = 0; i < CLIENTS; i++)
        pthread_create(&clients[i], NULL, echo_client, (void *)i);
    for (int i = 0; i < CLIENTS; i++)
        pthread_join(clients[i], NULL);
    pthread_join(server, NULL);
    close(lfd);
    printf("echo: %d good, %d bad\n", echo_ok, echo_bad);
    return echo_bad != 0 || echo_ok != CLIENTS * ROUNDS;
}
