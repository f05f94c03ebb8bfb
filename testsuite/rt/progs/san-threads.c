/* san-threads.c: sanitizers.sh's thread and I/O program, built with
   -fsanitize=address or -fsanitize=thread and the plugin.  Correctly
   synchronised: a counter under an lstk mutex, a producer/consumer queue
   under a mutex and two conditions, lstk_once, results through lstk_join,
   and bytes through pipes between threads (lstk_read/lstk_write and the
   intercepted read/write).  Prints "ok"; the sanitizer must report nothing. */
#include <linkstack.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define WORKERS 40
#define ITEMS 200

static lstk_mutex_t mu;
static lstk_cond_t not_empty, not_full;
static int queue[8], head, count, counter, once_value;
static lstk_once_t once;
static int fds[2];

static void init_once(void) { once_value = 42; }

static __attribute__((noinline)) int deep_sum(int n)
{
    volatile int pad[8];
    pad[n % 8] = n;
    return n == 0 ? 0 : deep_sum(n - 1) + pad[n % 8];
}

static void *worker(void *arg)
{
    long id = (long)arg;
    lstk_once(&once, init_once);
    for (int i = 0; i < 10; i++) {
        lstk_mutex_lock(&mu);
        counter += once_value == 42;
        lstk_mutex_unlock(&mu);
        lstk_yield();
    }
    return (void *)(id + deep_sum(2000));
}

static void *producer(void *arg)
{
    (void)arg;
    for (int i = 1; i <= ITEMS; i++) {
        lstk_mutex_lock(&mu);
        while (count == 8)
            lstk_cond_wait(&not_full, &mu);
        queue[(head + count++) % 8] = i;
        lstk_cond_signal(&not_empty);
        lstk_mutex_unlock(&mu);
    }
    return NULL;
}

static void *consumer(void *arg)
{
    long sum = 0;
    (void)arg;
    for (int i = 0; i < ITEMS; i++) {
        lstk_mutex_lock(&mu);
        while (count == 0)
            lstk_cond_wait(&not_empty, &mu);
        sum += queue[head];
        head = (head + 1) % 8;
        count--;
        lstk_cond_signal(&not_full);
        lstk_mutex_unlock(&mu);
    }
    return (void *)sum;
}

static void *writer(void *arg)
{
    char buf[64];
    (void)arg;
    for (int i = 0; i < 100; i++) {
        memset(buf, 'a' + i % 26, sizeof buf);
        if ((i & 1 ? write(fds[1], buf, sizeof buf)
                   : lstk_write(fds[1], buf, sizeof buf)) != (ssize_t)sizeof buf)
            return (void *)1L;
    }
    close(fds[1]);
    return NULL;
}

static void *reader(void *arg)
{
    char buf[100];
    long total = 0;
    ssize_t n;
    (void)arg;
    while ((n = (total & 1 ? read(fds[0], buf, sizeof buf)
                           : lstk_read(fds[0], buf, sizeof buf))) > 0)
        total += n;
    return (void *)total;
}

int main(void)
{
    lstk_t w[WORKERS], p, c, wr, rd;
    void *r;
    long bad = 0;

    lstk_mutex_init(&mu, NULL);
    lstk_cond_init(&not_empty, NULL);
    lstk_cond_init(&not_full, NULL);
    if (pipe(fds) != 0)
        return 1;
    for (long i = 0; i < WORKERS; i++)
        lstk_create(&w[i], NULL, worker, (void *)i);
    lstk_create(&p, NULL, producer, NULL);
    lstk_create(&c, NULL, consumer, NULL);
    lstk_create(&rd, NULL, reader, NULL);
    lstk_create(&wr, NULL, writer, NULL);
    for (long i = 0; i < WORKERS; i++) {
        lstk_join(w[i], &r);
        bad += (long)r != i + deep_sum(2000);
    }
    lstk_join(p, NULL);
    lstk_join(c, &r);
    bad += (long)r != ITEMS * (ITEMS + 1) / 2;
    lstk_join(wr, &r);
    bad += r != NULL;
    lstk_join(rd, &r);
    bad += (long)r != 6400;
    lstk_mutex_lock(&mu);
    bad += counter != WORKERS * 10;
    lstk_mutex_unlock(&mu);
    puts(bad ? "wrong results" : "ok");
    return bad != 0;
}
