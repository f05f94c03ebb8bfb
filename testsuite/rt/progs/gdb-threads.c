/*
 * gdb-threads.c: 1,000 user-level threads blocked in every way the runtime
 * knows, for testsuite/rt/gdb-threads.sh: 250 on a mutex (in wait_mutex),
 * 250 on a condition (wait_cond), 250 asleep (wait_sleep), 248 reading a
 * pipe (wait_pipe), one joining another (wait_join), and one blocked on a
 * mutex three chunks deep (deep_bottom, with a local `marker` = 4242).
 * main then stops in all_blocked, where gdb looks (live, or after gcore).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../common.h"

#define N_MUTEX 250
#define N_COND 250
#define N_SLEEP 250
#define N_PIPE 248

static lstk_mutex_t held = LSTK_MUTEX_INITIALIZER;
static lstk_mutex_t deep_lock = LSTK_MUTEX_INITIALIZER;
static lstk_mutex_t cond_lock = LSTK_MUTEX_INITIALIZER;
static lstk_cond_t never = LSTK_COND_INITIALIZER;
static int pipe_fd[2];
static lstk_t deep_thread;

__attribute__((noinline)) void all_blocked(void)
{
    __asm__ volatile("" ::: "memory");
}

static void *wait_mutex(void *arg)
{
    lstk_mutex_lock(&held);
    return arg;
}

static void *wait_cond(void *arg)
{
    lstk_mutex_lock(&cond_lock);
    lstk_cond_wait(&never, &cond_lock);
    return arg;
}

static void *wait_sleep(void *arg)
{
    lstk_sleep_ns(3600ull * 1000000000u);
    return arg;
}

static void *wait_pipe(void *arg)
{
    char c;
    return (void *)lstk_read(pipe_fd[0], &c, 1);
}

static void *wait_join(void *arg)
{
    void *r;
    lstk_join(deep_thread, &r);
    return r;
}

__attribute__((noinline)) static long deep_bottom(long depth)
{
    volatile int marker = 4242;
    lstk_mutex_lock(&deep_lock);
    return marker + depth;
}

/* About 300 bytes a level: 40 levels need several chunks. */
__attribute__((noinline)) static long deep_descend(long n)
{
    volatile char pad[280];
    pad[0] = (char)n;
    test_touch(pad);
    if (n == 0)
        return deep_bottom(40);
    return deep_descend(n - 1) + pad[0];
}

/* Not a tail call (+ 1): deep_entry stays in the backtrace at any -O. */
static void *deep_entry(void *arg)
{
    return (void *)(deep_descend((long)arg) + 1);
}

static void make(void *(*fn)(void *), void *arg, lstk_t *out)
{
    lstk_t t;
    if (lstk_create(&t, NULL, fn, arg) != 0) {
        fprintf(stderr, "gdb-threads: lstk_create failed\n");
        exit(1);
    }
    if (out)
        *out = t;
}

int main(void)
{
    if (pipe(pipe_fd) != 0)
        return 1;
    lstk_mutex_lock(&held);
    lstk_mutex_lock(&deep_lock);
    /* The deep thread first: its id is 2 (main is 1). */
    make(deep_entry, (void *)40L, &deep_thread);
    make(wait_join, NULL, NULL);
    for (int i = 0; i < N_MUTEX; i++)
        make(wait_mutex, NULL, NULL);
    for (int i = 0; i < N_COND; i++)
        make(wait_cond, NULL, NULL);
    for (int i = 0; i < N_SLEEP; i++)
        make(wait_sleep, NULL, NULL);
    for (int i = 0; i < N_PIPE; i++)
        make(wait_pipe, NULL, NULL);
    /* Every new thread runs until it blocks before main runs again. */
    lstk_yield();
    lstk_yield();
    all_blocked();
    printf("gdb-threads: 1000 threads blocked\n");
    return 0;
}
