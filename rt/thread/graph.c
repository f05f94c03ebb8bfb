/*
 * thread/graph.c: the blocking graph (issue 14): where threads block, and
 * what they spend between two blocks.  Design in graph.h; the policies
 * that use it are policy.c.
 *
 * What runs where.  The note (LSTK__GRAPH_SITE) and the first half of the
 * park run on the thread's stack, inside the budget of the public call
 * that blocks: a few loads and stores, no calls but to this file.  The
 * table work (hash probes, the first allocation of the tables) and the
 * dump run on a big stack (lstk__on_big_stack), like every heavy part of
 * the scheduler, so turning the graph on changes no budget.
 *
 * Why the hot part is cheap: per OS thread tables (TLS: no lock), fixed
 * sizes chosen at the first use (no allocation, no rehash, no syscall
 * afterwards), open addressing with a multiplicative hash (one or two
 * probes), time from rdtsc (no vDSO call).  A full table sends the
 * location to the overflow node and counts it (`dropped` in the dump):
 * nothing is lost silently.
 *
 * Rejected: unwinding the stack at each park to name the location by its
 * whole call chain, as Capriccio did (microseconds per switch); a global
 * table under a lock (the switch path takes no lock).
 */
#define _GNU_SOURCE
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stack/stack.h"
#include "thread/graph.h"
#include "thread/thread.h"

__thread struct lstk__graph lstk__graph_tls
    __attribute__((tls_model("initial-exec")));

int lstk__graph_on;
int64_t lstk__graph_fds;

/* Every OS thread's graph, for the dump: pushed once per OS thread. */
static struct lstk__graph *graph_list;
static pthread_mutex_t graph_list_lock = PTHREAD_MUTEX_INITIALIZER;

/* rdtsc against CLOCK_MONOTONIC, from the first use to the last
   calibration: cycles per microsecond, x 1024. */
static uint64_t cal_tsc0, cal_ns0;
static uint64_t cal_cyc_us1024 = 2048u * 1024u; /* 2 GHz until measured */

/* LINKSTACK_GRAPH=FILE: the dump written at exit. */
static const char *graph_exit_path;

/* --- tables --------------------------------------------------------------- */

static inline uint32_t hash64(uint64_t k, unsigned bits)
{
    return (uint32_t)((k * 0x9E3779B97F4A7C15ull) >> (64 - bits));
}
#define NODE_BITS 11 /* 2 * LSTK__GRAPH_NODES slots */
#define EDGE_BITS 13 /* 2 * LSTK__GRAPH_EDGES slots */
_Static_assert((1u << NODE_BITS) == 2 * LSTK__GRAPH_NODES, "node hash");
_Static_assert((1u << EDGE_BITS) == 2 * LSTK__GRAPH_EDGES, "edge hash");

/* Finds or adds the node of KEY; the overflow node when the table is full.
   Probes stay short: the table is at most half full. */
static uint32_t node_get(struct lstk__graph *g, uintptr_t key, uint32_t kind)
{
    uint32_t mask = (1u << NODE_BITS) - 1, h = hash64(key, NODE_BITS);

    for (;; h = (h + 1) & mask) {
        uint32_t i = g->node_hash[h];
        if (i == 0)
            break;
        if (g->node[i].key == key)
            return i;
    }
    if (g->nnodes + 1 >= LSTK__GRAPH_NODES) {
        g->dropped++;
        return LSTK__GK_OVERFLOW; /* the special nodes are 1..3 */
    }
    uint32_t i = ++g->nnodes;
    g->node[i].key = key;
    g->node[i].kind = kind;
    g->node_hash[h] = i;
    return i;
}

/* Finds or adds the edge FROM -> TO; NULL (counted) when the table is full. */
static struct lstk__gedge *edge_get(struct lstk__graph *g, uint32_t from,
                                    uint32_t to)
{
    uint32_t mask = (1u << EDGE_BITS) - 1;
    uint32_t h = hash64(((uint64_t)from << 32) | to, EDGE_BITS);

    for (;; h = (h + 1) & mask) {
        uint32_t i = g->edge_hash[h];
        if (i == 0)
            break;
        if (g->edge[i].from == from && g->edge[i].to == to)
            return &g->edge[i];
    }
    if (g->nedges + 1 >= LSTK__GRAPH_EDGES) {
        g->dropped++;
        return NULL;
    }
    uint32_t i = ++g->nedges;
    struct lstk__gedge *e = &g->edge[i];
    e->from = from;
    e->to = to;
    e->next_out = g->node[from].out;
    g->node[from].out = i;
    g->edge_hash[h] = i;
    return e;
}

/* rdtsc's rate against CLOCK_MONOTONIC since the first use (vDSO: no
   syscall).  WAIT: spin until 1 ms has passed since then (the dump, the
   first policy decision), else keep the old rate on shorter intervals. */
static void calibrate(int wait)
{
    uint64_t tsc = lstk__rdtsc(), ns = lstk__now_ns();

    if (cal_ns0 == 0) {
        cal_tsc0 = tsc;
        cal_ns0 = ns;
    }
    while (wait && ns - cal_ns0 < 1000000u) {
        tsc = lstk__rdtsc();
        ns = lstk__now_ns();
    }
    if (ns - cal_ns0 >= 1000000u)
        cal_cyc_us1024 = (tsc - cal_tsc0) * 1000u * 1024u / (ns - cal_ns0);
}

uint64_t lstk__graph_cyc_per_us1024(void)
{
    calibrate(0);
    return cal_cyc_us1024;
}

/* First use on this OS thread: the tables, once (big stack). */
static int graph_init(struct lstk__graph *g)
{
    g->node = calloc(LSTK__GRAPH_NODES, sizeof *g->node);
    g->node_hash = calloc(2 * LSTK__GRAPH_NODES, sizeof *g->node_hash);
    g->edge = calloc(LSTK__GRAPH_EDGES, sizeof *g->edge);
    g->edge_hash = calloc(2 * LSTK__GRAPH_EDGES, sizeof *g->edge_hash);
    g->heap = calloc(LSTK__GRAPH_NODES + 1, sizeof *g->heap);
    if (!g->node || !g->node_hash || !g->edge || !g->edge_hash || !g->heap) {
        free(g->node);
        free(g->node_hash);
        free(g->edge);
        free(g->edge_hash);
        free(g->heap);
        g->ready = -1;
        return 0;
    }
    /* The special nodes, in the order of their keys (graph.h). */
    node_get(g, LSTK__GK_EXIT, LSTK__GN_EXIT);
    node_get(g, LSTK__GK_UNKNOWN, LSTK__GN_UNKNOWN);
    node_get(g, LSTK__GK_OVERFLOW, LSTK__GN_OVERFLOW);
    calibrate(0);
    pthread_mutex_lock(&graph_list_lock);
    g->next_graph = graph_list;
    graph_list = g;
    pthread_mutex_unlock(&graph_list_lock);
    g->ready = 1;
    return 1;
}

struct lstk__graph *lstk__graph_get(void)
{
    struct lstk__graph *g = &lstk__graph_tls;

    if (lstk__fast(g->ready > 0))
        return g;
    if (g->ready < 0 || !graph_init(g))
        return NULL;
    return g;
}

/* --- locations -------------------------------------------------------------- */

/* A thread that never ran: its saved frame is still the one lstk_create
   built (thread.c), whose return address is lstk__thread_entry. */
static int thread_is_new(const struct lstk_thread *t)
{
    const struct lstk__ctx_frame *f = t->sp;

    return t->stack.base != NULL &&
           (char *)t->sp == (char *)lstk__stack_top(&t->stack) - LSTK__CTX_SIZE &&
           f->rip == (uint64_t)(uintptr_t)lstk__thread_entry;
}

uint32_t lstk__graph_node_of(struct lstk__graph *g, struct lstk_thread *t)
{
    if (thread_is_new(t)) {
        const struct lstk__ctx_frame *f = t->sp;
        return node_get(g, (uintptr_t)f->r12, LSTK__GN_ENTRY); /* FN */
    }
    if (t->gnode != 0)
        return t->gnode;
    /* Ran before recording began, and has not blocked since. */
    return LSTK__GK_UNKNOWN;
}

/*
 * The live notes, found by their return addresses on the stack: from BELOW
 * (the park's frame) up LSTK__GRAPH_SPAN bytes, on the current chunk (or
 * main's stack), the runtime's frames of the call in progress lie; the
 * lstk_* entry's return-address slot comes first, a wrapper's above it.  A
 * note whose call returned is not there any more (its slot was reused by
 * the next call from that frame).  Returns the key, or 0.
 */
static uintptr_t live_site(const struct lstk__graph *g, uintptr_t below)
{
    const struct lstk__gnote *w = &g->note[LSTK__NOTE_WRAPPER];
    const struct lstk__gnote *e = &g->note[LSTK__NOTE_ENTRY];
    struct lstk_thread *self = lstk__sched_tls.current;
    uintptr_t guard = lstk__guard_get(), top = below + LSTK__GRAPH_SPAN;
    uintptr_t found = 0;

    if (guard != 0) {
        const struct lstk__chunk *c = lstk__guard_chunk(guard);
        if (top > (uintptr_t)c + c->size)
            top = (uintptr_t)c + c->size;
    }
    below = (below + 7) & ~(uintptr_t)7;
    for (uintptr_t p = below; p + 8 <= top; p += 8) {
        uintptr_t v = *(const uintptr_t *)p;
        if (w->t == self && v == w->ra && w->ra != 0)
            return w->ra; /* the outermost runtime call: a wrapper */
        if (found == 0 && e->t == self && v == e->ra && e->ra != 0)
            found = e->ra; /* go on: a wrapper may have called it */
    }
    return found;
}

/* --- park and resume ---------------------------------------------------------- */

/* The park noted by lstk__graph_park: the run of g->park_t ended at NOW
   at the node of g->park_key.  Big stack. */
static void finish_park(struct lstk__graph *g, uint64_t now)
{
    struct lstk_thread *t = g->park_t;
    uint32_t to, from;

    g->park_t = NULL;
    if (t->state == LSTK__T_FREE && g->park_key != LSTK__GK_EXIT)
        return; /* stale: recording was off in between */
    to = g->park_key == LSTK__GK_EXIT
             ? LSTK__GK_EXIT
             : node_get(g, g->park_key, LSTK__GN_SITE);
    from = t->gnode;
    /* An edge needs the run's start: seen only if this thread's resume
       was recorded (not when recording began during its run). */
    if (from != 0 && g->run_t == t) {
        struct lstk__gedge *e = edge_get(g, from, to);
        if (e != NULL) {
            e->count++;
            e->run_cyc += now - g->run_tsc;
            e->bytes += (int64_t)(lstk__pool.bytes_live - g->run_bytes);
            e->fds += __atomic_load_n(&lstk__graph_fds, __ATOMIC_RELAXED) -
                      g->run_fds;
        }
    }
    g->node[to].parks++;
    /* An ended thread's TCB is recycled: its next thread starts nowhere. */
    t->gnode = to == LSTK__GK_EXIT ? 0 : to;
    t->gtsc = now;
    g->run_t = NULL;
}

/*
 * The park only notes who and where, on the thread's stack; the pick that
 * follows at once (sched_next) does the table work on a big stack with the
 * same clock read, so a switch costs one rdtsc and one stack change.  The
 * exit edge so also counts the chunks the ended thread gave back.
 */
void lstk__graph_park(struct lstk_thread *self, uintptr_t fallback, int yield)
{
    struct lstk__graph *g = &lstk__graph_tls;
    char here;

    uintptr_t key = live_site(g, (uintptr_t)&here);

    g->park_key = key != 0 ? key : fallback;
    g->park_t = self;
    g->park_yield = yield;
}

void lstk__graph_exit(struct lstk_thread *self)
{
    lstk__graph_tls.park_key = LSTK__GK_EXIT;
    lstk__graph_tls.park_t = self;
    lstk__graph_tls.park_yield = 0;
}

/* T is about to run: its wait at its node ends, its run begins. */
static void resume(struct lstk__graph *g, struct lstk_thread *t, uint64_t now)
{
    if (thread_is_new(t)) {
        t->gnode = lstk__graph_node_of(g, t);
    } else if (t->gnode != 0) {
        struct lstk__gnode *n = &g->node[t->gnode];
        n->waits++;
        n->wait_cyc += now - t->gtsc;
    }
    g->run_t = t;
    g->run_tsc = now;
    g->run_bytes = lstk__pool.bytes_live;
    g->run_fds = __atomic_load_n(&lstk__graph_fds, __ATOMIC_RELAXED);
}

void *lstk__graph_pick_big(void *arg)
{
    struct lstk__sched *s = arg;
    struct lstk__graph *g = lstk__graph_get();
    struct lstk_thread *t, *yielder = NULL;
    uint64_t now;

    if (lstk__slow(g == NULL))
        return lstk__q_pop(&s->runq); /* no memory: FIFO, unrecorded */
    now = lstk__rdtsc();
    if (g->park_t != NULL) {
        if (g->park_yield)
            yielder = g->park_t;
        finish_park(g, now);
    }
    t = lstk__policy_pick(s, g, now, yielder);
    if (t != NULL)
        resume(g, t, now);
    return t;
}

/* --- the dump ------------------------------------------------------------------- */

static double cyc_to_us(uint64_t cyc)
{
    return (double)cyc * 1024.0 / (double)cal_cyc_us1024;
}

/* Prints where KEY is: symbol+offset and object+offset (for addr2line). */
static void print_place(FILE *f, const struct lstk__gnode *n)
{
    Dl_info info;
    /* A return address points after the call: look up the call itself. */
    uintptr_t at = n->kind == LSTK__GN_SITE ? n->key - 1 : n->key;

    char path[4096];
    const char *obj;

    fprintf(f, " addr=%#lx", (unsigned long)n->key);
    if (dladdr((void *)at, &info) == 0 || info.dli_fname == NULL)
        return;
    if (info.dli_sname != NULL)
        fprintf(f, " at=%s+%#lx", info.dli_sname,
                (unsigned long)(n->key - (uintptr_t)info.dli_saddr));
    /* An absolute path for addr2line (scripts/linkstack-report): the main
       program's name is as it was run. */
    obj = info.dli_fname;
    if (obj[0] != '/') {
        ssize_t k = readlink("/proc/self/exe", path, sizeof path - 1);
        if (obj[0] != '\0' && realpath(obj, path) != NULL)
            obj = path;
        else if (k > 0) {
            path[k] = '\0';
            obj = path;
        }
    }
    fprintf(f, " obj=%s+%#lx", obj,
            (unsigned long)(n->key - (uintptr_t)info.dli_fbase));
}

static const char *const kind_name[] = {"site", "entry", "exit", "unknown",
                                        "overflow"};

static void dump_one(FILE *f, struct lstk__graph *g, int nth)
{
    uint32_t nodes = 0;

    for (uint32_t i = 1; i <= g->nnodes; i++)
        if (g->node[i].parks || g->node[i].waits || g->node[i].out)
            nodes++;
    fprintf(f,
            "graph %d: nodes=%u edges=%u dropped=%llu policy=%s "
            "cycles_per_us=%.1f\n",
            nth, nodes, g->nedges, (unsigned long long)g->dropped,
            lstk__policy_name(lstk__policy),
            (double)cal_cyc_us1024 / 1024.0);
    for (uint32_t i = 1; i <= g->nnodes; i++) {
        const struct lstk__gnode *n = &g->node[i];
        if (!n->parks && !n->waits && !n->out)
            continue;
        fprintf(f, "node %u kind=%s parks=%llu waits=%llu wait_us=%.3f", i,
                kind_name[n->kind], (unsigned long long)n->parks,
                (unsigned long long)n->waits, cyc_to_us(n->wait_cyc));
        if (n->kind == LSTK__GN_SITE || n->kind == LSTK__GN_ENTRY)
            print_place(f, n);
        fputc('\n', f);
    }
    for (uint32_t i = 1; i <= g->nedges; i++) {
        const struct lstk__gedge *e = &g->edge[i];
        fprintf(f,
                "edge %u -> %u count=%llu run_us=%.3f mean_us=%.3f "
                "bytes=%+lld fds=%+lld\n",
                e->from, e->to, (unsigned long long)e->count,
                cyc_to_us(e->run_cyc),
                e->count ? cyc_to_us(e->run_cyc) / (double)e->count : 0.0,
                (long long)e->bytes, (long long)e->fds);
    }
}

static void *dump_big(void *arg)
{
    FILE *f = arg;
    int nth = 0;

    calibrate(1);
    fprintf(f, "linkstack blocking graph (recording %s)\n",
            lstk__graph_on ? "on" : "off");
    pthread_mutex_lock(&graph_list_lock);
    for (struct lstk__graph *g = graph_list; g != NULL; g = g->next_graph)
        dump_one(f, g, ++nth);
    pthread_mutex_unlock(&graph_list_lock);
    return (void *)(intptr_t)(fflush(f) == 0 ? 0 : EIO);
}

LSTK_EXPORT int lstk_graph_dump(FILE *out)
{
    if (out == NULL)
        return EINVAL;
    return (int)(intptr_t)lstk__on_big_stack(dump_big, out);
}

LSTK_EXPORT int lstk_graph_enable(int on)
{
    if (on) {
        __atomic_or_fetch(&lstk__graph_on, LSTK__GRAPH_REC, __ATOMIC_RELAXED);
        return 0;
    }
    if (lstk__policy != LSTK_SCHED_FIFO)
        return EBUSY; /* the policy schedules by the graph */
    __atomic_and_fetch(&lstk__graph_on, ~LSTK__GRAPH_REC, __ATOMIC_RELAXED);
    return 0;
}

static void *dump_at_exit_big(void *arg)
{
    FILE *f = fopen(arg, "w");

    (void)arg;
    if (f == NULL)
        return NULL;
    dump_big(f);
    fclose(f);
    return NULL;
}

static void dump_at_exit(void)
{
    lstk__on_big_stack(dump_at_exit_big, (void *)graph_exit_path);
}

/* The thread layer's start calls this (sched.c): LINKSTACK_GRAPH=1 turns
   recording on, LINKSTACK_GRAPH=FILE also writes the dump there at exit;
   then LSTK_SCHED. */
void lstk__graph_start(void)
{
    const char *env = getenv("LINKSTACK_GRAPH");

    if (env != NULL && *env != '\0' && strcmp(env, "0") != 0) {
        lstk__graph_on |= LSTK__GRAPH_REC;
        if (strcmp(env, "1") != 0) {
            graph_exit_path = env;
            atexit(dump_at_exit);
        }
    }
    lstk__policy_start();
}
