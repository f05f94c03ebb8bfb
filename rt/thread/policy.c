/*
 * thread/policy.c: scheduling by program location (issue 14): which
 * runnable thread runs next, from the blocking graph (graph.h).
 *
 *   fifo    the run queue's order (the default; the scheduler's own fast
 *           path when the graph is off).
 *   cohort  the runnable threads of one location run together, as a SEDA
 *           stage would: the node at the head of a ring of nodes with
 *           runnable threads is served for as many picks as it held
 *           threads when its turn began (at most LSTK__COHORT_QUOTA), then
 *           goes to the ring's tail.
 *   srt     shortest remaining time: the node with the least predicted run
 *           time ahead (its out-edges' mean run, plus half of what their
 *           targets predict: a horizon of a few blocks, since a server's
 *           request loop has no end node) runs first.
 *   admit   resource-aware admission (Capriccio): while chunk bytes,
 *           descriptors or the run-queue delay are over their limits, the
 *           node whose road ahead gives back the most (chunk bytes, plus
 *           descriptors weighted limit_bytes / limit_fds each) runs first:
 *           threads finishing a request before threads starting one
 *           (accept, the read of a new request).  Under the limits, nodes
 *           take turns one pick each.
 *
 * Yields keep FIFO's promise, batch by batch.  A thread that yields, and
 * every thread that becomes runnable after it, wait in the next batch (yq)
 * until every thread of the current batch (the node queues) has run; only
 * then does the next batch go to the node queues, where the policy orders
 * it.  So `lstk_yield` still lets every thread that was runnable before it
 * run once, and a yield loop cannot starve anyone; a program whose threads
 * block (I/O, conditions, sleeps) and never yield gets one batch that
 * takes arrivals at once, and the policy's whole say.
 *
 * No starvation, counted in picks: srt and admit take every
 * LSTK__POLICY_RR-th pick from the head of the ring (then move that node to
 * the tail), so with m nodes holding threads a node is served at least once
 * every m * LSTK__POLICY_RR picks and a thread p-th in its node's queue
 * runs within p * m * LSTK__POLICY_RR picks; cohort within p * m *
 * LSTK__COHORT_QUOTA (turns never grow with arrivals).
 * testsuite/threads/policy.c asserts these bounds on adversarial mixes.
 *
 * Mechanism.  Wake-ups keep going to the scheduler's FIFO run queue
 * (thread.h, untouched); at each pick the policy moves what arrived there
 * into per-node queues (each thread is moved once: O(1) per wake-up), then
 * takes a thread from the chosen node.  Ring and heap operations are O(1)
 * and O(log nodes); the scores are recomputed from the edges every
 * LSTK__POLICY_REFRESH picks (O(nodes + edges), amortised below one edge
 * per pick).  All of it runs on a big stack (graph.h: the pick hook).
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "stack/stack.h"
#include "thread/graph.h"
#include "thread/thread.h"

#define LSTK__COHORT_QUOTA 64u
#define LSTK__POLICY_RR 8u
#define LSTK__POLICY_REFRESH 1024u

int lstk__policy = LSTK_SCHED_FIFO;

/* Admission limits (lstk_sched_admit_limits, LSTK_ADMIT). */
static uint64_t admit_bytes = 256u << 20;
static int64_t admit_fds = 768;
static uint64_t admit_delay_ns = 5000000u;
/* admit_delay_ns in cycles, as of the last refresh. */
static uint64_t admit_delay_cyc = UINT64_MAX;

static const char *const policy_names[] = {"fifo", "cohort", "srt", "admit"};

const char *lstk__policy_name(int policy)
{
    if (policy < 0 || policy > LSTK_SCHED_ADMIT)
        return "?";
    return policy_names[policy];
}

/* --- the ring of nodes that hold threads ---------------------------------- */

static void ring_push(struct lstk__graph *g, uint32_t n)
{
    struct lstk__gnode *x = &g->node[n];

    x->in_ring = 1;
    x->ring_next = 0;
    x->ring_prev = g->ring_tail;
    if (g->ring_tail)
        g->node[g->ring_tail].ring_next = n;
    else
        g->ring_head = n;
    g->ring_tail = n;
}

static void ring_remove(struct lstk__graph *g, uint32_t n)
{
    struct lstk__gnode *x = &g->node[n];

    if (x->ring_prev)
        g->node[x->ring_prev].ring_next = x->ring_next;
    else
        g->ring_head = x->ring_next;
    if (x->ring_next)
        g->node[x->ring_next].ring_prev = x->ring_prev;
    else
        g->ring_tail = x->ring_prev;
    x->in_ring = 0;
}

/* The ring's head, moved to the tail: round robin over nodes. */
static uint32_t ring_rotate(struct lstk__graph *g)
{
    uint32_t n = g->ring_head;

    ring_remove(g, n);
    ring_push(g, n);
    return n;
}

/* --- the heap of nodes that hold threads, least score first ---------------- */

static int heap_less(const struct lstk__graph *g, uint32_t a, uint32_t b)
{
    int64_t sa = g->node[a].score, sb = g->node[b].score;
    return sa < sb || (sa == sb && a < b);
}

static void heap_set(struct lstk__graph *g, uint32_t pos, uint32_t n)
{
    g->heap[pos] = n;
    g->node[n].heap_pos = pos;
}

static void heap_up(struct lstk__graph *g, uint32_t pos)
{
    uint32_t n = g->heap[pos];

    while (pos > 1 && heap_less(g, n, g->heap[pos / 2])) {
        heap_set(g, pos, g->heap[pos / 2]);
        pos /= 2;
    }
    heap_set(g, pos, n);
}

static void heap_down(struct lstk__graph *g, uint32_t pos)
{
    uint32_t n = g->heap[pos];

    for (;;) {
        uint32_t c = 2 * pos;
        if (c > g->heap_n)
            break;
        if (c + 1 <= g->heap_n && heap_less(g, g->heap[c + 1], g->heap[c]))
            c++;
        if (!heap_less(g, g->heap[c], n))
            break;
        heap_set(g, pos, g->heap[c]);
        pos = c;
    }
    heap_set(g, pos, n);
}

static void heap_insert(struct lstk__graph *g, uint32_t n)
{
    heap_set(g, ++g->heap_n, n);
    heap_up(g, g->heap_n);
}

static void heap_remove(struct lstk__graph *g, uint32_t n)
{
    uint32_t pos = g->node[n].heap_pos, last = g->heap[g->heap_n--];

    g->node[n].heap_pos = 0;
    if (pos > g->heap_n)
        return;
    heap_set(g, pos, last);
    heap_up(g, pos);
    heap_down(g, g->node[last].heap_pos);
}

/* --- scores ------------------------------------------------------------------ */

/* One sweep over the edges: each node's mean run and resource balance on
   its way out, plus half of what its targets predict (the previous
   sweep's values): a few blocks ahead, never a whole request loop. */
static void refresh(struct lstk__graph *g, int policy)
{
    uint64_t all_count = 0, all_run = 0;
    int64_t fd_weight = admit_fds > 0 ? (int64_t)(admit_bytes / (uint64_t)admit_fds) : 0;

    admit_delay_cyc = admit_delay_ns * lstk__graph_cyc_per_us1024() / 1024000u;
    for (uint32_t i = 1; i <= g->nedges; i++) {
        all_count += g->edge[i].count;
        all_run += g->edge[i].run_cyc;
    }
    for (uint32_t i = 1; i <= g->nnodes; i++) {
        struct lstk__gnode *n = &g->node[i];
        uint64_t count = 0;
        int64_t run = 0, res = 0, ahead_run = 0, ahead_res = 0;

        if (n->kind == LSTK__GN_EXIT)
            continue; /* nothing ahead */
        for (uint32_t k = n->out; k != 0; k = g->edge[k].next_out) {
            const struct lstk__gedge *e = &g->edge[k];
            const struct lstk__gnode *to = &g->node[e->to];
            count += e->count;
            run += (int64_t)e->run_cyc;
            res += e->bytes + e->fds * fd_weight;
            ahead_run += (int64_t)e->count * to->rest_cyc;
            ahead_res += (int64_t)e->count * to->rest_res;
        }
        if (count == 0) {
            /* Never left this node yet: the average run, no balance. */
            n->rest_cyc = all_count ? (int64_t)(all_run / all_count) : 0;
            n->rest_res = 0;
        } else {
            n->rest_cyc = (run + ahead_run / 2) / (int64_t)count;
            n->rest_res = (res + ahead_res / 2) / (int64_t)count;
        }
    }
    for (uint32_t i = 1; i <= g->nnodes; i++)
        g->node[i].score =
            policy == LSTK_SCHED_ADMIT ? g->node[i].rest_res : g->node[i].rest_cyc;
    /* Scores moved: rebuild the heap (Floyd). */
    for (uint32_t pos = g->heap_n / 2; pos >= 1; pos--)
        heap_down(g, pos);
}

/* --- holding threads at their nodes ---------------------------------------- */

static void hold(struct lstk__graph *g, struct lstk_thread *t, uint64_t now,
                 int heap)
{
    uint32_t i = lstk__graph_node_of(g, t);
    struct lstk__gnode *n = &g->node[i];

    /* The wait so far counts at the node; from here on it is queueing
       (graph.c's resume adds the rest). */
    if (t->gnode != 0 && t->gnode == i) {
        n->wait_cyc += now - t->gtsc;
    }
    t->gtsc = now;
    lstk__q_push(&n->q, t);
    n->nq++;
    g->held++;
    if (!n->in_ring)
        ring_push(g, i);
    if (heap && n->heap_pos == 0)
        heap_insert(g, i);
}

/* Takes the first thread held at node I. */
static struct lstk_thread *take(struct lstk__graph *g, uint32_t i, uint64_t now)
{
    struct lstk__gnode *n = &g->node[i];
    struct lstk_thread *t = lstk__q_pop(&n->q);

    n->nq--;
    g->held--;
    if (n->nq == 0) {
        if (n->in_ring)
            ring_remove(g, i);
        if (n->heap_pos)
            heap_remove(g, i);
        if (g->cur == i)
            g->cur = 0;
    }
    /* Run-queue delay since the thread was held (admit's third limit). */
    uint64_t d = now - t->gtsc;
    g->delay_cyc += ((int64_t)d - (int64_t)g->delay_cyc) / 8;
    return t;
}

/* Gives every held thread back to the run queue (policy changes). */
static void release_all(struct lstk__sched *s, struct lstk__graph *g)
{
    struct lstk_thread *y;

    while ((y = lstk__q_pop(&g->yq)) != NULL)
        lstk__q_push(&s->runq, y);
    g->yn = 0;
    while (g->ring_head != 0) {
        uint32_t i = g->ring_head;
        struct lstk__gnode *n = &g->node[i];
        struct lstk_thread *t;
        while ((t = lstk__q_pop(&n->q)) != NULL)
            lstk__q_push(&s->runq, t);
        n->nq = 0;
        ring_remove(g, i);
        n->heap_pos = 0;
    }
    g->held = 0;
    g->heap_n = 0;
    g->cur = 0;
    g->quota = 0;
}

static int over_limits(struct lstk__graph *g)
{
    uint64_t delay_limit = admit_delay_cyc;

    return lstk__pool.bytes_live > admit_bytes ||
           __atomic_load_n(&lstk__graph_fds, __ATOMIC_RELAXED) > admit_fds ||
           g->delay_cyc > delay_limit;
}

struct lstk_thread *lstk__policy_pick(struct lstk__sched *s, struct lstk__graph *g,
                                      uint64_t now, struct lstk_thread *yielder)
{
    int policy = __atomic_load_n(&lstk__policy, __ATOMIC_RELAXED);
    int heap = policy == LSTK_SCHED_SRT || policy == LSTK_SCHED_ADMIT;
    struct lstk_thread *t;
    uint32_t i;

    if (lstk__slow(policy != g->policy_seen)) {
        release_all(s, g);
        g->policy_seen = policy;
        refresh(g, policy);
    }
    if (policy == LSTK_SCHED_FIFO)
        return lstk__q_pop(&s->runq);
    /* Arrivals in FIFO order: behind a yield (this one's or an earlier
       one still waiting) they go to the next batch. */
    while ((t = lstk__q_pop(&s->runq)) != NULL) {
        if (t == yielder || g->yn != 0) {
            lstk__q_push(&g->yq, t);
            g->yn++;
        } else {
            hold(g, t, now, heap);
        }
    }
    if (g->held == 0) {
        /* The batch is done: the next one is the policy's to order. */
        while ((t = lstk__q_pop(&g->yq)) != NULL)
            hold(g, t, now, heap);
        g->yn = 0;
        if (g->held == 0)
            return NULL;
    }
    if ((++g->picks & (LSTK__POLICY_REFRESH - 1)) == 1)
        refresh(g, policy);
    switch (policy) {
    case LSTK_SCHED_COHORT:
        if (g->cur == 0 || g->quota == 0) {
            if (g->cur != 0)
                ring_rotate(g); /* its turn is over: to the tail */
            g->cur = g->ring_head;
            g->quota = g->node[g->cur].nq < LSTK__COHORT_QUOTA
                           ? g->node[g->cur].nq
                           : LSTK__COHORT_QUOTA;
        }
        g->quota--;
        i = g->cur;
        break;
    case LSTK_SCHED_ADMIT:
        g->pressure = over_limits(g);
        if (!g->pressure || g->picks % LSTK__POLICY_RR == 0)
            i = ring_rotate(g);
        else
            i = g->heap[1];
        break;
    default: /* srt */
        if (g->picks % LSTK__POLICY_RR == 0)
            i = ring_rotate(g);
        else
            i = g->heap[1];
        break;
    }
    return take(g, i, now);
}

/* --- API and environment ------------------------------------------------------ */

static void *setpolicy_big(void *arg)
{
    struct lstk__sched *s = arg;
    struct lstk__graph *g = lstk__graph_get();

    if (g != NULL) {
        release_all(s, g);
        g->policy_seen = lstk__policy;
        refresh(g, lstk__policy);
    }
    return NULL;
}

LSTK_EXPORT int lstk_sched_setpolicy(int policy)
{
    struct lstk__sched *s = &lstk__sched_tls;

    if (policy < LSTK_SCHED_FIFO || policy > LSTK_SCHED_ADMIT)
        return EINVAL;
    __atomic_store_n(&lstk__policy, policy, __ATOMIC_RELAXED);
    if (policy != LSTK_SCHED_FIFO)
        __atomic_or_fetch(&lstk__graph_on, LSTK__GRAPH_POLICY | LSTK__GRAPH_REC,
                          __ATOMIC_RELAXED);
    else
        __atomic_and_fetch(&lstk__graph_on, ~LSTK__GRAPH_POLICY, __ATOMIC_RELAXED);
    /* On the scheduler's thread, held threads go back to the run queue
       now, so that the hooks may be turned off right after. */
    if (s->ready > 0)
        lstk__on_big_stack(setpolicy_big, s);
    return 0;
}

LSTK_EXPORT int lstk_sched_getpolicy(void)
{
    return __atomic_load_n(&lstk__policy, __ATOMIC_RELAXED);
}

LSTK_EXPORT int lstk_sched_admit_limits(size_t chunk_bytes, long fds,
                                        uint64_t delay_ns)
{
    if (fds <= 0)
        return EINVAL;
    admit_bytes = chunk_bytes;
    admit_fds = fds;
    admit_delay_ns = delay_ns;
    return 0;
}

void lstk__policy_start(void)
{
    const char *env = getenv("LSTK_SCHED"), *lim = getenv("LSTK_ADMIT");
    struct rlimit rl;

    /* Descriptors: three quarters of what the process may open. */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        admit_fds = (int64_t)(rl.rlim_cur / 4 * 3) > 0 ? (int64_t)(rl.rlim_cur / 4 * 3) : 1;
    if (lim != NULL) {
        unsigned long long b, f, d;
        if (sscanf(lim, "%llu,%llu,%llu", &b, &f, &d) != 3 || f == 0)
            lstk__fatal("LSTK_ADMIT=%s: expected CHUNK_BYTES,FDS,DELAY_US", lim);
        admit_bytes = b;
        admit_fds = (int64_t)f;
        admit_delay_ns = d * 1000u;
    }
    if (env == NULL || *env == '\0')
        return;
    for (int p = 0; p <= LSTK_SCHED_ADMIT; p++)
        if (strcmp(env, policy_names[p]) == 0) {
            lstk__policy = p;
            if (p != LSTK_SCHED_FIFO)
                lstk__graph_on |= LSTK__GRAPH_POLICY | LSTK__GRAPH_REC;
            return;
        }
    lstk__fatal("LSTK_SCHED=%s: unknown policy (fifo, cohort, srt, admit)", env);
}
