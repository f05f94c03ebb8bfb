/*
 * smp.c: linkstack threads on N schedulers (issue 11), three shapes:
 *
 *   smp skynet N    a tree of 10-way spawns, 1,000,000 leaves (1,111,111
 *                   threads), each returning its id, summed through joins
 *   smp ring N      1,000 threads in a ring, 100 tokens each passed on
 *                   10,000 times (1,000,000 hand-offs through mutex +
 *                   condition mailboxes)
 *   smp condpp N    two threads on two schedulers (pinned) hand a token
 *                   back and forth through a mutex and two conditions
 *
 * N = schedulers (lstk_set_concurrency).  Prints one line per run:
 *   case=<c> system=linkstack scheds=<n> value=<ns> unit=<u> check=<sum>
 * and exits non-zero when the result is wrong.  Figures only; bench/smp/run
 * compares them.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "linkstack.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "smp: %s: %s\n", what, strerror(rc));
    exit(1);
}

/* --- skynet ------------------------------------------------------------------- */

struct node {
    long num, size;
};

static void *skynet(void *arg)
{
    struct node *n = arg, kids[10];
    lstk_t t[10];
    long sum = 0;

    if (n->size == 1)
        return (void *)n->num;
    for (int i = 0; i < 10; i++) {
        kids[i].num = n->num + i * (n->size / 10);
        kids[i].size = n->size / 10;
        int rc = lstk_create(&t[i], NULL, skynet, &kids[i]);
        if (rc)
            die("create", rc);
    }
    for (int i = 0; i < 10; i++) {
        void *r;
        lstk_join(t[i], &r);
        sum += (long)r;
    }
    return (void *)sum;
}

/* --- ring ------------------------------------------------------------------------ */

enum { RING = 1000, TOKENS = 100, HOPS = 10000 };

struct box {
    lstk_mutex_t m;
    lstk_cond_t c;
    long tokens; /* tokens waiting here */
    long passed;
} __attribute__((aligned(64)));

static struct box boxes[RING];
static long total_hops;

static void *ring_member(void *arg)
{
    long i = (long)arg, mine = 0;
    struct box *b = &boxes[i], *next = &boxes[(i + 1) % RING];
    long quota = (long)TOKENS * HOPS / RING; /* hand-offs this member makes */

    for (long k = 0; k < quota; k++) {
        lstk_mutex_lock(&b->m);
        while (b->tokens == 0)
            lstk_cond_wait(&b->c, &b->m);
        b->tokens--;
        lstk_mutex_unlock(&b->m);
        lstk_mutex_lock(&next->m);
        next->tokens++;
        lstk_cond_signal(&next->c);
        lstk_mutex_unlock(&next->m);
        mine++;
    }
    __atomic_add_fetch(&total_hops, mine, __ATOMIC_RELAXED);
    return NULL;
}

/* --- cross-scheduler ping-pong ------------------------------------------------------ */

static lstk_mutex_t pm = LSTK_MUTEX_INITIALIZER;
static lstk_cond_t pc[2] = {LSTK_COND_INITIALIZER, LSTK_COND_INITIALIZER};
static int turn;
static long pp_rounds;
static long tids[2];
static volatile int placed;

static void *pinger(void *arg)
{
    long me = (long)arg;

    /* Side 0 stays where it runs; side 1 yields until it runs on another
       OS thread (a stealing scheduler took it), then stays there. */
    if (me == 0) {
        lstk_pin();
        tids[0] = syscall(SYS_gettid);
        __atomic_store_n(&placed, 1, __ATOMIC_SEQ_CST);
    } else {
        while (__atomic_load_n(&placed, __ATOMIC_SEQ_CST) == 0)
            lstk_yield();
        for (long i = 0; syscall(SYS_gettid) == tids[0]; i++) {
            if (i == 10000000)
                return (void *)-1L; /* never moved: the caller gives up */
            lstk_yield();
        }
        lstk_pin();
        tids[1] = syscall(SYS_gettid);
        __atomic_store_n(&placed, 2, __ATOMIC_SEQ_CST);
    }
    while (__atomic_load_n(&placed, __ATOMIC_SEQ_CST) < 2)
        lstk_yield();
    for (long k = 0; k < pp_rounds; k++) {
        lstk_mutex_lock(&pm);
        while (turn != me)
            lstk_cond_wait(&pc[me], &pm);
        turn = !me;
        lstk_cond_signal(&pc[!me]);
        lstk_mutex_unlock(&pm);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    const char *cas = argc > 1 ? argv[1] : "skynet";
    unsigned n = argc > 2 ? (unsigned)atoi(argv[2]) : 1;
    uint64_t t0, t1;
    long check = 0;
    int rc;

    if ((rc = lstk_set_concurrency(n)) != 0)
        die("set_concurrency", rc);
    n = lstk_concurrency();
    if (strcmp(cas, "skynet") == 0) {
        struct node root = {0, 1000000};
        lstk_t t;
        void *r;
        t0 = now_ns();
        if ((rc = lstk_create(&t, NULL, skynet, &root)) != 0)
            die("create", rc);
        lstk_join(t, &r);
        t1 = now_ns();
        check = (long)r;
        if (check != 499999500000L) {
            fprintf(stderr, "smp: skynet sum %ld\n", check);
            return 1;
        }
        printf("case=skynet system=linkstack scheds=%u value=%.1f unit=ms check=%ld\n",
               n, (t1 - t0) / 1e6, check);
    } else if (strcmp(cas, "ring") == 0) {
        static lstk_t t[RING];
        for (int i = 0; i < RING; i++)
            boxes[i].tokens = i % (RING / TOKENS) == 0;
        t0 = now_ns();
        for (long i = 0; i < RING; i++)
            if ((rc = lstk_create(&t[i], NULL, ring_member, (void *)i)) != 0)
                die("create", rc);
        for (int i = 0; i < RING; i++)
            lstk_join(t[i], NULL);
        t1 = now_ns();
        check = total_hops;
        if (check != (long)TOKENS * HOPS) {
            fprintf(stderr, "smp: ring hops %ld\n", check);
            return 1;
        }
        printf("case=ring system=linkstack scheds=%u value=%.1f unit=ns/hop check=%ld\n",
               n, (double)(t1 - t0) / (double)check, check);
    } else if (strcmp(cas, "condpp") == 0) {
        pp_rounds = argc > 3 ? atol(argv[3]) : 200000;
        for (int attempt = 0;; attempt++) {
            lstk_t a, b;
            void *ra, *rb;
            placed = 0;
            t0 = now_ns();
            lstk_create(&a, NULL, pinger, (void *)0);
            lstk_create(&b, NULL, pinger, (void *)1);
            lstk_join(a, &ra);
            lstk_join(b, &rb);
            t1 = now_ns();
            if (ra == NULL && rb == NULL)
                break;
            if (attempt == 3 || n < 2) {
                fprintf(stderr, "smp: condpp: could not place the two sides "
                                "on two OS threads\n");
                return 1;
            }
        }
        printf("case=condpp system=linkstack scheds=%u value=%.1f unit=ns/handoff check=%ld\n",
               n, (double)(t1 - t0) / (2.0 * (double)pp_rounds), pp_rounds);
    } else {
        fprintf(stderr, "usage: smp skynet|ring|condpp [SCHEDULERS]\n");
        return 2;
    }
    return 0;
}
