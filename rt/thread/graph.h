/*
 * thread/graph.h: the blocking graph and the scheduling policies built on
 * it (issue 14; graph.c records and prints, policy.c schedules).
 *
 * Location.  A thread's location is the last place it blocked: the return
 * address into user code of the blocking lstk_* call or intercepted libc
 * name it was in.  Each public blocking entry notes its return address
 * (LSTK__GRAPH_SITE), the libc-name wrappers do the same in a second note;
 * at the park, a live wrapper note wins (an intercepted read() called
 * lstk_read), so the node is the program's call site, not the wrapper's.
 * A note is live when it is the running thread's and the noted address
 * still sits in a slot of the current chunk within LSTK__GRAPH_SPAN bytes
 * above the park (the runtime's frames of the call in progress are what
 * lies there: a note whose call returned without blocking is not used);
 * with no live note the node is the runtime's own call of the scheduler,
 * which the dump names (lstk__io_block+0x..): coarser, never wrong.  A
 * thread that never blocked is at its entry function's node.
 *
 * The graph.  Nodes are locations; an edge A -> B counts the runs of
 * threads that resumed at A and next blocked at B, with the CPU time
 * (rdtsc), the chunk bytes (lstk__pool.bytes_live) and the descriptors
 * (lstk__graph_fds) gained or given back along it: cooperative threads run
 * uninterrupted between two blocks, so the differences of per-OS-thread
 * counters between resume and park are exactly the run's.  Each node also
 * sums the time threads waited there (park to resume).
 *
 * Cost.  Off by default: each hook is one predictable branch on
 * lstk__graph_on (a read-mostly global).  On (LINKSTACK_GRAPH=1,
 * lstk_graph_enable, or any policy but FIFO): per switch one rdtsc, two
 * hash probes (open addressing in fixed tables: no allocation after the
 * first use, no syscall, no lock: the tables are per OS thread) and one
 * call onto the system stack, so the budgets of the public calls hold
 * (HACKING.md).
 * Figures: doc/threads.md, "Blocking graph".
 *
 * Multi-scheduler note (smp11): everything here is per OS thread (TLS);
 * the two hooks in sched.c are marked "graph14".
 */
#ifndef LSTK_THREAD_GRAPH_H
#define LSTK_THREAD_GRAPH_H

#include "thread/thread.h"

/* Table sizes per OS thread (powers of two); a full table sends further
   locations to one overflow node, which the dump reports. */
#define LSTK__GRAPH_NODES 1024u
#define LSTK__GRAPH_EDGES 4096u
/* How far above the park a live note may be: the budgets bound what any
   public call uses of its caller's stack (512 bytes, HACKING.md), plus the
   hooks' frames. */
#define LSTK__GRAPH_SPAN 2048u

/* Node kinds, and the keys of the special nodes (never code addresses). */
enum {
    LSTK__GN_SITE = 0,  /* key: return address into the caller */
    LSTK__GN_ENTRY,     /* key: a thread's start function */
    LSTK__GN_EXIT,      /* key 1: threads end here */
    LSTK__GN_UNKNOWN,   /* key 2: ran before recording began, not parked since */
    LSTK__GN_OVERFLOW,  /* key 3: locations beyond the table */
};
#define LSTK__GK_EXIT 1u
#define LSTK__GK_UNKNOWN 2u
#define LSTK__GK_OVERFLOW 3u

struct lstk__gnode {
    uintptr_t key;
    uint32_t kind;
    /* First edge out of this node (index, 0: none), for the refresh. */
    uint32_t out;
    /* Threads that parked here, and their waits here (park to resume). */
    uint64_t parks;
    uint64_t waits;
    uint64_t wait_cyc;
    /* --- policy.c --- */
    /* Runnable threads held at this node (through next/prev). */
    struct lstk__queue q;
    uint32_t nq;
    /* Ring of nodes with held threads (indices; 0 ends). */
    uint32_t ring_next, ring_prev;
    uint8_t in_ring;
    uint8_t spare8[3];
    /* Position in the policy's heap (1-based), 0: not in it. */
    uint32_t heap_pos;
    /* Predicted remaining run time (cycles, srt) and resource balance
       ahead (admit), refreshed from the edges every LSTK__POLICY_REFRESH
       picks. */
    int64_t score;
    int64_t rest_cyc;
    int64_t rest_res;
};

struct lstk__gedge {
    uint32_t from, to;
    /* Next edge out of FROM. */
    uint32_t next_out;
    uint32_t spare;
    uint64_t count;
    uint64_t run_cyc;
    int64_t bytes;
    int64_t fds;
};

struct lstk__gnote {
    struct lstk_thread *t;
    uintptr_t ra;
};

/* One OS thread's graph and policy state (TLS). */
struct lstk__graph {
    /* 1: tables allocated; -1: no memory (recording stays off here). */
    int ready;
    uint32_t nnodes, nedges;
    struct lstk__gnode *node;   /* [LSTK__GRAPH_NODES]; 0 unused */
    uint32_t *node_hash;        /* [2 * NODES] node indices */
    struct lstk__gedge *edge;   /* [LSTK__GRAPH_EDGES]; 0 unused */
    uint32_t *edge_hash;        /* [2 * EDGES] edge indices */
    /* Locations that found the node or edge table full. */
    uint64_t dropped;
    /* The running thread's run so far: the thread, when, and the counters,
       at its resume. */
    struct lstk_thread *run_t;
    uint64_t run_tsc;
    uint64_t run_bytes;
    int64_t run_fds;
    /* The last notes (LSTK__GRAPH_NOTE): a libc-name wrapper's, an lstk_*
       entry's.  The park takes the wrapper's when it is live (the wrapper
       called the entry), else the entry's. */
    struct lstk__gnote note[2];
    /* The park in progress: the thread, its location key, and whether it
       yielded (it stays runnable: policy.c queues it behind its batch). */
    struct lstk_thread *park_t;
    uintptr_t park_key;
    int park_yield;
    /* Registry of every OS thread's graph (lstk_graph_dump). */
    struct lstk__graph *next_graph;
    /* --- policy.c --- */
    uint32_t held;              /* threads held in node queues (the batch) */
    uint32_t yn;                /* threads in yq (the next batch) */
    struct lstk__queue yq;
    uint32_t ring_head, ring_tail;
    uint32_t cur;               /* cohort: the node being served */
    uint32_t quota;             /* cohort: picks left in its turn */
    uint32_t heap_n;
    uint32_t *heap;             /* [NODES + 1] node indices, 1-based */
    uint64_t picks;             /* decisions made by a policy */
    int policy_seen;            /* the policy the held threads follow */
    int pressure;               /* admit: over a limit at the last pick */
    uint64_t delay_cyc;         /* admit: EWMA of drain-to-run delay */
};

extern __thread struct lstk__graph lstk__graph_tls
    __attribute__((tls_model("initial-exec"))) LSTK__HIDDEN;

/* Nonzero while recording (bit 1) or a policy other than FIFO (bit 2)
   needs the hooks: read on every switch, written rarely. */
#define LSTK__GRAPH_REC 1
#define LSTK__GRAPH_POLICY 2
extern int lstk__graph_on LSTK__HIDDEN;
/* Descriptors the I/O layer made (accept) and has not seen closed; the
   I/O layer keeps it (relaxed atomics), the graph reads it. */
extern int64_t lstk__graph_fds LSTK__HIDDEN;
/* The policy in force (LSTK_SCHED_*). */
extern int lstk__policy LSTK__HIDDEN;

/* Cycles per microsecond x 1024 (calibrated at enable; for the dump and
   the admission delay limit). */
LSTK__HIDDEN uint64_t lstk__graph_cyc_per_us1024(void);

/* --- the site notes, at the top of every public blocking entry -------------- */

/* Notes: which thread, and the return address of the runtime function it
   entered; the park finds the address's slot on the stack. */
enum { LSTK__NOTE_WRAPPER = 0, LSTK__NOTE_ENTRY = 1 };

/* Notes the caller of the function it is expanded in, in note K: two
   stores and no call, behind the one branch on lstk__graph_on, so that the
   entries' fast paths and frames, hence their budgets (HACKING.md), do not
   change (GCC sets up a frame pointer on that branch only, and may copy
   an entry's tail call into it: gdb then no longer rebuilds the entry's
   frame, which tools/linkstack-gdb.py reads from the caller's call).
   Must be expanded in the exported function itself, or in an always_inline
   function inlined into it (lstk__intercepting). */
#define LSTK__GRAPH_NOTE(k)                                                   \
    do {                                                                      \
        if (lstk__slow(lstk__graph_on != 0)) {                                \
            struct lstk__gnote *n_ = &lstk__graph_tls.note[(k)];              \
            n_->t = lstk__sched_tls.current;                                  \
            n_->ra = (uintptr_t)__builtin_return_address(0);                  \
        }                                                                     \
    } while (0)
#define LSTK__GRAPH_SITE() LSTK__GRAPH_NOTE(LSTK__NOTE_ENTRY)

/* --- the hooks in sched.c (graph14) ------------------------------------------ */

/* SELF stops running (blocks, or yields: YIELD): FALLBACK names the place
   when no live note does (the runtime's call of the scheduler). */
LSTK__HIDDEN void lstk__graph_park(struct lstk_thread *self, uintptr_t fallback,
                                   int yield);
/* SELF ends. */
LSTK__HIDDEN void lstk__graph_exit(struct lstk_thread *self);
/* The next runnable thread of S under the policy, with the graph's
   resume-side accounting; NULL when none.  Big stack. */
LSTK__HIDDEN void *lstk__graph_pick_big(void *s);

/* graph14: the park hook, where a thread stops running. */
#define LSTK__GRAPH_PARK(self, yield)                                         \
    do {                                                                      \
        if (lstk__slow(lstk__graph_on != 0))                                  \
            lstk__graph_park((self), (uintptr_t)__builtin_return_address(0), \
                             (yield));                                        \
    } while (0)

/* graph14: the pick hook: the next thread to run (FIFO: the queue's head). */
static inline struct lstk_thread *lstk__runq_pop(struct lstk__sched *s)
{
    if (lstk__slow(lstk__graph_on != 0))
        return lstk__on_big_stack(lstk__graph_pick_big, s);
    return lstk__q_pop(&s->runq);
}

/* graph14: whether nothing is runnable (a policy may hold threads). */
static inline int lstk__runq_empty(struct lstk__sched *s)
{
    return s->runq.head == NULL &&
           (lstk__fast(lstk__graph_on == 0) ||
            (lstk__graph_tls.held == 0 && lstk__graph_tls.yn == 0));
}

/* --- shared by graph.c and policy.c ---------------------------------------- */

/* The graph's tables for this OS thread; NULL without memory.  Big stack. */
LSTK__HIDDEN struct lstk__graph *lstk__graph_get(void);
/* T's location (classifies a thread that never ran); big stack. */
LSTK__HIDDEN uint32_t lstk__graph_node_of(struct lstk__graph *g,
                                          struct lstk_thread *t);
/* The policy's choice (policy.c); NULL when nothing is runnable. */
/* YIELDER: the thread whose yield this pick follows, or NULL. */
LSTK__HIDDEN struct lstk_thread *lstk__policy_pick(struct lstk__sched *s,
                                                   struct lstk__graph *g,
                                                   uint64_t now,
                                                   struct lstk_thread *yielder);
/* Reads LSTK_SCHED (policy.c), from lstk__graph_start. */
LSTK__HIDDEN void lstk__policy_start(void);
/* The policy's name in LSTK_SCHED's words. */
LSTK__HIDDEN const char *lstk__policy_name(int policy);
/* Reads LINKSTACK_GRAPH and LSTK_SCHED: the thread layer's start. */
LSTK__HIDDEN void lstk__graph_start(void);

static inline uint64_t lstk__rdtsc(void)
{
    return __builtin_ia32_rdtsc();
}

#endif /* LSTK_THREAD_GRAPH_H */
