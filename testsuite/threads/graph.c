/*
 * graph.c: the blocking graph (issue 14) of known programs has exactly the
 * expected nodes and edges, with their counts; blocking points are the
 * program's call sites, also through the intercepted libc names.
 *
 * Each test reads lstk_graph_dump's text back (the format of
 * include/linkstack.h) and finds each call site by address: the blocking
 * calls sit in small noinline functions, so "the node's return address lies
 * in that function" names the site.
 */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

struct gnode {
    unsigned id;
    char kind[16];
    unsigned long parks, waits, addr;
};
struct gedge {
    unsigned from, to;
    unsigned long count;
    long bytes, fds;
};
struct graph {
    struct gnode n[64];
    struct gedge e[64];
    int nn, ne, graphs;
};

/* The dump, parsed. */
static void read_graph(struct graph *g)
{
    char *buf = NULL, *line, *save = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    cr_assert(f != NULL);
    cr_assert(eq(int, lstk_graph_dump(f), 0));
    fclose(f);
    memset(g, 0, sizeof *g);
    for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "graph ", 6) == 0) {
            g->graphs++;
        } else if (strncmp(line, "node ", 5) == 0) {
            struct gnode *n = &g->n[g->nn++];
            char *a = strstr(line, " addr=");
            cr_assert(sscanf(line, "node %u kind=%15s parks=%lu waits=%lu", &n->id,
                             n->kind, &n->parks, &n->waits) == 4,
                      "bad line: %s", line);
            if (a)
                n->addr = strtoul(a + 6, NULL, 0);
        } else if (strncmp(line, "edge ", 5) == 0) {
            struct gedge *e = &g->e[g->ne++];
            char *b = strstr(line, " bytes="), *d = strstr(line, " fds=");
            cr_assert(sscanf(line, "edge %u -> %u count=%lu", &e->from, &e->to,
                             &e->count) == 3,
                      "bad line: %s", line);
            cr_assert(b && d);
            e->bytes = strtol(b + 7, NULL, 10);
            e->fds = strtol(d + 5, NULL, 10);
        }
    }
    free(buf);
}

/* The node of KIND whose address lies in FN: the closest above FN's start
   and within 96 bytes (the functions are small), or the only node of KIND
   when FN is NULL.  An entry node's address is FN itself. */
static struct gnode *node_in(struct graph *g, const void *fn, const char *kind)
{
    struct gnode *found = NULL;

    for (int i = 0; i < g->nn; i++) {
        struct gnode *n = &g->n[i];
        if (strcmp(n->kind, kind) != 0)
            continue;
        if (fn == NULL) {
            cr_assert(found == NULL, "two %s nodes", kind);
            found = n;
        } else if (strcmp(kind, "entry") == 0 ? n->addr == (unsigned long)fn
                   : n->addr > (unsigned long)fn &&
                         n->addr < (unsigned long)fn + 96 &&
                         (!found || n->addr < found->addr)) {
            found = n;
        }
    }
    cr_assert(found != NULL, "no %s node at %p", kind, fn);
    return found;
}

/* Asserts that the nodes found for different functions differ. */
static void distinct(struct gnode **v, int n)
{
    for (int i = 0; i < n; i++)
        for (int k = i + 1; k < n; k++)
            cr_assert(v[i] != v[k], "nodes %d and %d are one", i, k);
}

static unsigned long edge_count(struct graph *g, struct gnode *a, struct gnode *b)
{
    for (int i = 0; i < g->ne; i++)
        if (g->e[i].from == a->id && g->e[i].to == b->id)
            return g->e[i].count;
    return 0;
}

/* Keeps a call out of tail position, so that its return address lies in
   the function that makes it. */
#define NOT_TAIL() __asm__ __volatile__("" ::: "memory")

/* --- two workers, two yield sites ------------------------------------------- */

__attribute__((noinline)) static void at_a(void)
{
    lstk_yield();
    NOT_TAIL();
}

/* Differs from at_a, so that GCC does not fold the two (-fipa-icf). */
static volatile int b_count;

__attribute__((noinline)) static void at_b(void)
{
    lstk_yield();
    b_count++;
}

static void *worker(void *arg)
{
    for (int i = 0; i < 3; i++) {
        at_a();
        at_b();
    }
    return arg;
}

__attribute__((noinline)) static void join_at(lstk_t t)
{
    lstk_join(t, NULL);
    NOT_TAIL();
}

Test(graph, two_workers_two_sites)
{
    LSTK_TEST_ONE_SCHEDULER();
    struct graph g;
    lstk_t x, y;

    /* FIFO, whatever LSTK_SCHED says (policies.sh): the counts below
       follow its order. */
    cr_assert(eq(int, lstk_sched_setpolicy(LSTK_SCHED_FIFO), 0));
    cr_assert(eq(int, lstk_graph_enable(1), 0));
    cr_assert(eq(int, lstk_create(&x, NULL, worker, NULL), 0));
    cr_assert(eq(int, lstk_create(&y, NULL, worker, NULL), 0));
    join_at(x);
    join_at(y); /* y has ended: no block */
    read_graph(&g);

    /* X and Y alternate: each yields 6 times, always with company
       (X's last yield has Y runnable, Y's last has X), then ends. */
    cr_assert(eq(int, g.graphs, 1));
    struct gnode *w = node_in(&g, (void *)worker, "entry");
    struct gnode *a = node_in(&g, (void *)at_a, "site");
    struct gnode *b = node_in(&g, (void *)at_b, "site");
    struct gnode *j = node_in(&g, (void *)join_at, "site");
    struct gnode *x_ = node_in(&g, NULL, "exit");
    distinct((struct gnode *[]){w, a, b, j, x_}, 5);
    cr_assert(eq(int, g.nn, 5), "nodes: entry, a, b, join, exit");
    cr_assert(eq(u64, a->parks, 6));
    cr_assert(eq(u64, a->waits, 6));
    cr_assert(eq(u64, b->parks, 6));
    cr_assert(eq(u64, b->waits, 6));
    cr_assert(eq(u64, j->parks, 1)); /* main, once (x) */
    cr_assert(eq(u64, j->waits, 1));
    cr_assert(eq(u64, x_->parks, 2));
    cr_assert(eq(u64, w->parks, 0));
    /* Main's one park has no edge: its run began before recording. */
    cr_assert(eq(int, g.ne, 4), "edges: entry->a, a->b, b->a, b->exit");
    cr_assert(eq(u64, edge_count(&g, w, a), 2));
    cr_assert(eq(u64, edge_count(&g, a, b), 6));
    cr_assert(eq(u64, edge_count(&g, b, a), 4));
    cr_assert(eq(u64, edge_count(&g, b, x_), 2));
}

/* --- I/O: the wrapper's caller is the blocking point -------------------------- */

static int pipefd[2];

__attribute__((noinline)) static ssize_t read_via_libc(char *c)
{
    ssize_t r = read(pipefd[0], c, 1); /* intercepted */
    NOT_TAIL();
    return r;
}

__attribute__((noinline)) static ssize_t read_via_lstk(char *c)
{
    ssize_t r = lstk_read(pipefd[0], c, 1);
    NOT_TAIL();
    return r;
}

static void *reader(void *arg)
{
    char c[2];
    long ok = read_via_libc(&c[0]) == 1;
    ok += read_via_lstk(&c[1]) == 1;
    return (void *)(ok + (c[0] == 'x') + (c[1] == 'y'));
}

__attribute__((noinline)) static void yield_at(void)
{
    lstk_yield();
    NOT_TAIL();
}

Test(graph, io_sites_are_the_callers)
{
    LSTK_TEST_ONE_SCHEDULER();
    struct graph g;
    lstk_t t;
    void *res;

    cr_assert(eq(int, pipe(pipefd), 0));
    cr_assert(eq(int, lstk_sched_setpolicy(LSTK_SCHED_FIFO), 0));
    cr_assert(eq(int, lstk_graph_enable(1), 0));
    cr_assert(eq(int, lstk_create(&t, NULL, reader, NULL), 0));
    yield_at(); /* the reader blocks in read() */
    cr_assert(eq(long, write(pipefd[1], "x", 1), 1));
    yield_at(); /* ... takes 'x', blocks in lstk_read */
    cr_assert(eq(long, write(pipefd[1], "y", 1), 1));
    cr_assert(eq(int, lstk_join(t, &res), 0));
    cr_assert(eq(long, (long)res, 4));
    read_graph(&g);

    struct gnode *w = node_in(&g, (void *)reader, "entry");
    struct gnode *rl = node_in(&g, (void *)read_via_libc, "site");
    struct gnode *rk = node_in(&g, (void *)read_via_lstk, "site");
    struct gnode *y = node_in(&g, (void *)yield_at, "site");
    struct gnode *x_ = node_in(&g, NULL, "exit");
    distinct((struct gnode *[]){w, rl, rk, y, x_}, 5);
    cr_assert(eq(u64, rl->parks, 1));
    cr_assert(eq(u64, rk->parks, 1));
    cr_assert(eq(u64, y->parks, 2));
    cr_assert(eq(u64, edge_count(&g, w, rl), 1));
    cr_assert(eq(u64, edge_count(&g, rl, rk), 1));
    cr_assert(eq(u64, edge_count(&g, rk, x_), 1));
    cr_assert(eq(u64, edge_count(&g, y, y), 1)); /* main: yield to yield */
    /* Main's join: one more site, parked once, entered from the yield. */
    cr_assert(eq(int, g.nn, 6), "entry, two reads, yield, join, exit");
    cr_assert(eq(int, g.ne, 5));
    for (int i = 0; i < g.ne; i++)
        cr_assert(eq(long, g.e[i].fds, 0));
}

/* --- the API's errors ------------------------------------------------------- */

Test(graph, api)
{
    cr_assert(eq(int, lstk_graph_dump(NULL), EINVAL));
    cr_assert(eq(int, lstk_sched_setpolicy(7), EINVAL));
    cr_assert(eq(int, lstk_sched_setpolicy(LSTK_SCHED_COHORT), 0));
    cr_assert(eq(int, lstk_sched_getpolicy(), LSTK_SCHED_COHORT));
    cr_assert(eq(int, lstk_graph_enable(0), EBUSY));
    cr_assert(eq(int, lstk_sched_setpolicy(LSTK_SCHED_FIFO), 0));
    cr_assert(eq(int, lstk_graph_enable(0), 0));
    cr_assert(eq(int, lstk_sched_admit_limits(1, 0, 0), EINVAL));
}
