/*
 * pthread_prog.c: an ordinary POSIX threads program, not written for
 * linkstack.  testsuite/threads/pthread_compat.c compiles it unchanged
 * behind <linkstack/pthread.h>; it also builds as is with `cc -pthread`.
 *
 * A pool of workers takes numbers from a shared queue and sums their
 * squares; each worker keeps its partial sum in thread-specific data, and
 * a destructor adds it to the total when the worker ends.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define WORKERS 8
#define JOBS 1000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t more = PTHREAD_COND_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t partial_key;
static long queue[JOBS];
static int queued, taken, closed;
static long total;
static int inits;

static void flush_partial(void *p)
{
    long *partial = p;
    pthread_mutex_lock(&lock);
    total += *partial;
    pthread_mutex_unlock(&lock);
    free(partial);
}

static void init_key(void)
{
    inits++;
    pthread_key_create(&partial_key, flush_partial);
}

static void *worker(void *arg)
{
    long *partial = calloc(1, sizeof *partial);
    long jobs = 0;

    pthread_once(&once, init_key);
    pthread_setspecific(partial_key, partial);
    for (;;) {
        pthread_mutex_lock(&lock);
        while (taken == queued && !closed)
            pthread_cond_wait(&more, &lock);
        if (taken == queued) {
            pthread_mutex_unlock(&lock);
            break;
        }
        long x = queue[taken++];
        pthread_mutex_unlock(&lock);
        ((long *)pthread_getspecific(partial_key))[0] += x * x;
        jobs++;
    }
    return (void *)jobs;
}

static void *detached(void *arg)
{
    pthread_detach(pthread_self());
    return arg;
}

int main(void)
{
    pthread_t tid[WORKERS], d;
    pthread_attr_t attr;
    long jobs = 0, want = 0;
    size_t size = 0;

    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 65536);
    pthread_attr_getstacksize(&attr, &size);
    for (int i = 0; i < WORKERS; i++)
        if (pthread_create(&tid[i], &attr, worker, NULL) != 0)
            return 1;
    pthread_attr_destroy(&attr);
    if (pthread_create(&d, NULL, detached, NULL) != 0)
        return 2;

    for (long i = 1; i <= JOBS; i++) {
        pthread_mutex_lock(&lock);
        queue[queued++] = i;
        pthread_cond_signal(&more);
        pthread_mutex_unlock(&lock);
        want += i * i;
        if (i % 100 == 0)
            sched_yield();
    }
    pthread_mutex_lock(&lock);
    closed = 1;
    pthread_cond_broadcast(&more);
    pthread_mutex_unlock(&lock);

    for (int i = 0; i < WORKERS; i++) {
        void *r;
        if (pthread_join(tid[i], &r) != 0)
            return 3;
        jobs += (long)r;
    }
    if (!pthread_equal(pthread_self(), pthread_self()) || size != 65536)
        return 4;
    printf("pthread_prog: %ld jobs, sum of squares %ld (want %ld), %d init\n",
           jobs, total, want, inits);
    return jobs == JOBS && total == want && inits == 1 ? 0 : 5;
}
