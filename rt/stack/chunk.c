/*
 * chunk.c: the chunk allocator and the per-OS-thread set-up.
 *
 * Chunks come in fine size classes (256-byte steps up to 4 KiB, then eight
 * per doubling up to 1 MiB: internal.h), so that a chunk sized by need
 * (grow.c) is rounded up by at most 1/8.  They are carved from 4 MiB
 * arenas and kept on one LIFO free list per class in the calling OS
 * thread's pool (a __thread struct).  Taking and giving back a chunk is a
 * list pop or push: no lock (the pool is the OS thread's own) and no
 * syscall (an arena is mapped once per 4 MiB of chunks).  Freed chunks stay
 * mapped and are reused: on the machines we run on, faulting a fresh page
 * in costs ~12 us, far more than keeping it (ARCHITECTURE.md).  Chunks
 * larger than the largest class are mapped and unmapped one by one; only
 * frames of over half a megabyte get there.
 *
 * The LIFO order hands back the most recently used (cache-warm) chunk.
 *
 * Each OS thread that runs linked stacks also gets, once, a system stack
 * (for the growth path's slow halves and the runtime's heavy work) and a
 * sigaltstack (for signal handlers), both with guard pages.  A pool whose
 * OS thread exits hands its free chunks to an orphan list that the next
 * new pool adopts, and folds its counters into the retired totals.
 *
 * issue 11: with N schedulers a thread's chunks may be freed on another OS
 * thread than the one whose pool carved them.  Each pool has a number (its
 * slot, kept in the upper half of the header's spare word), and a chunk
 * freed elsewhere is pushed onto its owner's remote-free list: a lock-free
 * LIFO in a global array, which the owner empties with one exchange when a
 * free list it needs is empty.  So a producer/consumer pair on two OS
 * threads does not make one pool grow without bound while the other maps
 * fresh arenas.  A pool that exits leaves its slot's list to the slot's
 * next owner.
 *
 * Rejected: a global allocator with a lock (a lock on the growth path);
 * malloc (its worst case takes locks and its fast path needs more stack
 * than the growth path has); one mapping per chunk (a syscall per chunk and
 * 4 KiB granularity for 1 KiB chunks).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "stack/stack.h"

#define LSTK__ARENA_SIZE (4u << 20)
/* System stack and sigaltstack: generous, they run C library code. */
#define LSTK__SYS_STACK_SIZE (256u << 10)
#define LSTK__ALT_STACK_SIZE (64u << 10)
#define LSTK__PAGE 4096u

__thread struct lstk__pool lstk__pool __attribute__((tls_model("initial-exec")));
uint64_t lstk__canary_secret;
uint64_t (*lstk__depth_hook)(void);

/* The registry of pools (for lstk_stats), the orphaned free chunks, and
   the counters of OS threads that have exited.  Off the hot paths. */
static pthread_mutex_t lstk__registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lstk__pool *lstk__pools;
static struct lstk__chunk *lstk__orphans[LSTK__NKLASS];
static struct lstk__pool lstk__retired;
static pthread_key_t lstk__exit_key;
static pthread_once_t lstk__once = PTHREAD_ONCE_INIT;

/*
 * Whether to ask for huge pages on arenas.  With THP's defrag mode at
 * "madvise", "defer+madvise" or "always", a fault in an madvised region
 * compacts memory synchronously when no free 2 MiB block is at hand:
 * measured here (bench/growth, bench/threads), a cold first touch then
 * swings from 0.4 to 12 us per 4 KiB against a steady 2-4 us without
 * huge pages.  Only "defer" and "never" never stall the faulting thread.
 */
static int lstk__thp_ok;

/* issue 11: remote frees.  Slot 0 means "no owner" (more than
   LSTK__POOL_SLOTS pools): such chunks stay where they are freed. */
#define LSTK__POOL_SLOTS 256u
static __thread uint32_t lstk__pool_slot __attribute__((tls_model("initial-exec")));
static uint8_t lstk__slot_used[LSTK__POOL_SLOTS];
static struct {
    struct lstk__chunk *head;
    char pad[56];
} lstk__remote[LSTK__POOL_SLOTS] __attribute__((aligned(64)));

/* Lock-free push onto OWNER's remote list (any OS thread). */
static void lstk__remote_push(uint32_t owner, struct lstk__chunk *c)
{
    struct lstk__chunk *old = __atomic_load_n(&lstk__remote[owner].head,
                                              __ATOMIC_RELAXED);
    do
        c->prev = old;
    while (!__atomic_compare_exchange_n(&lstk__remote[owner].head, &old, c, 1,
                                        __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

/* The owner takes its whole remote list (one exchange: no ABA) into its
   free lists.  Returns whether there was any. */
__attribute__((noinline)) static int lstk__remote_drain(struct lstk__pool *p)
{
    uint32_t slot = lstk__pool_slot;
    struct lstk__chunk *c;

    if (slot == 0 ||
        __atomic_load_n(&lstk__remote[slot].head, __ATOMIC_RELAXED) == NULL)
        return 0;
    c = __atomic_exchange_n(&lstk__remote[slot].head, NULL, __ATOMIC_ACQUIRE);
    while (c) {
        struct lstk__chunk *n = c->prev;
        unsigned k = lstk__klass_of(c->size);
        c->prev = p->free[k];
        p->free[k] = c;
        c = n;
    }
    return 1;
}

static inline void lstk__count_in(struct lstk__pool *p, size_t size)
{
    p->chunks_live++;
    p->bytes_live += size;
    if (p->chunks_live > p->chunks_peak)
        p->chunks_peak = p->chunks_live;
    if (p->bytes_live > p->bytes_peak)
        p->bytes_peak = p->bytes_live;
}

/* Maps a fresh arena, handing what was left of the old one to the free
   lists (largest classes first) so that nothing is wasted. */
static int lstk__arena_refill(struct lstk__pool *p)
{
    while (p->bump_end - p->bump >= (ptrdiff_t)LSTK__CHUNK_MIN) {
        size_t left = (size_t)(p->bump_end - p->bump);
        unsigned k = lstk__klass_of(left);
        if (k == LSTK__KLASS_HUGE || lstk__klass_size(k) > left)
            k = (k == LSTK__KLASS_HUGE ? LSTK__NKLASS : k) - 1;
        struct lstk__chunk *c = (struct lstk__chunk *)p->bump;
        p->bump += lstk__klass_size(k);
        lstk__vg_stack_new(c, lstk__klass_size(k)); /* [issue 12] */
        c->prev = p->free[k];
        p->free[k] = c;
    }
    void *a = mmap(NULL, LSTK__ARENA_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (a == MAP_FAILED)
        return ENOMEM;
    /* Huge pages make a first touch several times cheaper per 4 KiB, but
       only where the kernel will not stop to compact memory for them
       (lstk__thp_ok). */
    if (lstk__thp_ok)
        madvise(a, LSTK__ARENA_SIZE, MADV_HUGEPAGE);
    p->bump = a;
    p->bump_end = (char *)a + LSTK__ARENA_SIZE;
    return 0;
}

struct lstk__chunk *lstk__chunk_alloc(size_t size, struct lstk__stack *stack)
{
    struct lstk__pool *p = &lstk__pool;
    unsigned k = lstk__klass_of(size);
    struct lstk__chunk *c;
    size_t csize;
    unsigned vg_id = 0; /* [issue 12] a mapped chunk's Valgrind stack id */

    if (lstk__slow(size > LSTK__UNGUARDED_MAX)) /* [issue 9] guarded.c */
        return lstk__guarded_alloc(size, stack, NULL);
    if (lstk__fast(k != LSTK__KLASS_HUGE)) {
        csize = lstk__klass_size(k);
        c = p->free[k];
        if (lstk__slow(c == NULL) && lstk__remote_drain(p)) /* issue 11 */
            c = p->free[k];
        if (lstk__fast(c != NULL)) {
            p->free[k] = c->prev;
        } else {
            if ((size_t)(p->bump_end - p->bump) < csize &&
                lstk__arena_refill(p) != 0)
                return NULL;
            c = (struct lstk__chunk *)p->bump;
            p->bump += csize;
            lstk__vg_stack_new(c, csize); /* [issue 12] once per carve */
        }
    } else {
        csize = (size + LSTK__PAGE - 1) & ~(size_t)(LSTK__PAGE - 1);
        if (csize < size)
            return NULL;
        c = mmap(NULL, csize, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (c == MAP_FAILED)
            return NULL;
        vg_id = lstk__vg_stack_new(c, csize); /* [issue 12] */
    }
    c->prev = NULL;
    c->next = NULL;
    c->size = csize;
    c->stack = stack;
    c->dyn = NULL;
    c->from = 0;
    /* issue 11: the owning pool's slot, for frees on other OS threads. */
    c->spare = vg_id | (uint64_t)lstk__pool_slot << 32;
    c->canary = lstk__canary_secret;
    if (lstk__debug_zone) /* [plugin/issue 4, debug mode] */
        lstk__debug_chunk_new(c);
    if (lstk__slow(lstk__san)) /* [issue 12] ASan, TSan: sanitizer.c */
        lstk__san_chunk_new(c);
    p->chunk_allocs++;
    lstk__count_in(p, csize);
    return c;
}

void lstk__chunk_verify(const struct lstk__chunk *c)
{
    if (lstk__slow(c->canary != lstk__canary_secret))
        lstk__chunk_corrupt(c);
}

void lstk__chunk_free(struct lstk__chunk *c)
{
    struct lstk__pool *p = &lstk__pool;

    if (lstk__slow(lstk__chunk_guarded(c))) { /* [issue 9] */
        lstk__guarded_free(c);
        return;
    }
    lstk__chunk_verify(c);
    if (lstk__debug_zone) /* [plugin/issue 4, debug mode] */
        lstk__debug_chunk_check(c, "a free");
    if (c->dyn != NULL)
        lstk__dyn_free_all(c);
    if (lstk__slow(lstk__san)) /* [issue 12] ASan, TSan: sanitizer.c */
        lstk__san_chunk_gone(c);
    c->canary = 0; /* a stale pointer to a free chunk fails the check */
    p->chunks_live--;
    p->bytes_live -= c->size;
    /* The class follows from the size (a clz): no field for it. */
    unsigned k = lstk__klass_of(c->size);
    uint32_t owner = (uint32_t)(c->spare >> 32);
    if (lstk__slow(owner != lstk__pool_slot && owner != 0 &&
                   k != LSTK__KLASS_HUGE)) {
        lstk__remote_push(owner, c); /* issue 11: back to its pool */
    } else if (lstk__fast(k != LSTK__KLASS_HUGE)) {
        c->prev = p->free[k];
        p->free[k] = c;
    } else {
        lstk__vg_stack_gone((unsigned)c->spare); /* [issue 12] */
        munmap(c, c->size);
    }
}

/* --- per-OS-thread set-up ------------------------------------------------ */

/* Runs when an OS thread that set up a pool exits: its free chunks go to
   the orphan lists, its counters to the retired totals. */
static void lstk__pool_exit(void *arg)
{
    struct lstk__pool *p = arg;

    pthread_mutex_lock(&lstk__registry_lock);
    for (struct lstk__pool **pp = &lstk__pools; *pp; pp = &(*pp)->next_pool) {
        if (*pp == p) {
            *pp = p->next_pool;
            break;
        }
    }
    for (unsigned k = 0; k < LSTK__NKLASS; k++) {
        while (p->free[k]) {
            struct lstk__chunk *c = p->free[k];
            p->free[k] = c->prev;
            c->prev = lstk__orphans[k];
            lstk__orphans[k] = c;
        }
    }
    lstk__retired.grow_events += p->grow_events;
    lstk__retired.chunk_allocs += p->chunk_allocs;
    lstk__retired.chunks_live += p->chunks_live;
    lstk__retired.chunks_peak += p->chunks_peak;
    lstk__retired.bytes_live += p->bytes_live;
    lstk__retired.bytes_peak += p->bytes_peak;
    lstk__retired.stacks_live += p->stacks_live;
    lstk__retired.stacks_peak += p->stacks_peak;
    lstk__retired.threads_live += p->threads_live;
    lstk__retired.threads_peak += p->threads_peak;
    lstk__retired.switches += p->switches;
    /* issue 11: the slot's remote list waits for the slot's next owner. */
    if (lstk__pool_slot != 0)
        lstk__slot_used[lstk__pool_slot] = 0;
    lstk__pool_slot = 0;
    pthread_mutex_unlock(&lstk__registry_lock);

    /* The system stack and the sigaltstack are not unmapped: a signal may
       still be delivered on this OS thread until it is gone. */
    p->ready = 0;
}


static int lstk__thp_probe(void)
{
    char buf[128];
    /* Raw syscalls: read() and close() are liblinkstack's own wrappers. */
    long fd = syscall(SYS_openat, AT_FDCWD,
                      "/sys/kernel/mm/transparent_hugepage/defrag", O_RDONLY);
    if (fd < 0)
        return 0;
    long n = syscall(SYS_read, fd, buf, sizeof buf - 1);
    syscall(SYS_close, fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    return strstr(buf, "[defer]") != NULL || strstr(buf, "[never]") != NULL;
}

static void lstk__global_init(void)
{
    lstk__thp_ok = lstk__thp_probe();
    uint64_t secret = 0;
    if (getrandom(&secret, sizeof secret, GRND_NONBLOCK) != sizeof secret)
        secret = (uint64_t)(uintptr_t)&secret * 0x9e3779b97f4a7c15ull ^
                 (uint64_t)getpid();
    lstk__canary_secret = secret | 1; /* never 0: a zeroed header fails */
    pthread_key_create(&lstk__exit_key, lstk__pool_exit);
    lstk__debug_init(); /* [plugin/issue 4] reserve notes, debug mode */
    lstk__san_init(); /* [issue 12] ASan, TSan */
    lstk__signal_init();
    lstk__longjmp_init();
}

/* Maps SIZE bytes with a PROT_NONE page below, so that running off the end
   faults instead of writing over a neighbour.  Returns the top. */
static void *lstk__map_guarded(size_t size)
{
    char *m = mmap(NULL, size + LSTK__PAGE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    mprotect(m, LSTK__PAGE, PROT_NONE);
    lstk__vg_stack_new(m + LSTK__PAGE, size); /* [issue 12] */
    return m + LSTK__PAGE + size;
}

int lstk__os_thread_init(void)
{
    struct lstk__pool *p = &lstk__pool;

    if (lstk__fast(p->ready))
        return 0;
    pthread_once(&lstk__once, lstk__global_init);
    /* [issue 9, C3] Before its first linked stack the main thread's guard
       is 0, unless libgcc's split-stack start-up claimed it (an object
       linked without liblinkstack carries libgcc's __morestack). */
    if (lstk__slow(lstk__guard_get() != 0) && getpid() == syscall(SYS_gettid))
        lstk__fatal("the stack guard was set before the runtime started: "
                    "libgcc's split-stack start-up ran, so a loaded object "
                    "carries libgcc's __morestack instead of liblinkstack's; "
                    "link every object compiled with the plugin with "
                    "$(pkg-config --libs linkstack)");
    lstk__vg_os_thread(); /* [issue 12] */
    lstk__san_os_thread(); /* [issue 12] */

    if (p->sys_top == NULL) {
        void *top = lstk__map_guarded(LSTK__SYS_STACK_SIZE);
        if (top == NULL)
            return ENOMEM;
        p->sys_top = top;
    }
    int rc = lstk__signal_thread_init();
    if (rc != 0)
        return rc;

    pthread_mutex_lock(&lstk__registry_lock);
    /* Adopt chunks that exited OS threads left behind. */
    for (unsigned k = 0; k < LSTK__NKLASS; k++) {
        while (lstk__orphans[k]) {
            struct lstk__chunk *c = lstk__orphans[k];
            lstk__orphans[k] = c->prev;
            c->prev = p->free[k];
            p->free[k] = c;
        }
    }
    p->next_pool = lstk__pools;
    lstk__pools = p;
    for (uint32_t i = 1; i < LSTK__POOL_SLOTS; i++) { /* issue 11 */
        if (!lstk__slot_used[i]) {
            lstk__slot_used[i] = 1;
            lstk__pool_slot = i;
            break;
        }
    }
    pthread_mutex_unlock(&lstk__registry_lock);

    /* The main thread never runs key destructors, and needs none. */
    pthread_setspecific(lstk__exit_key, p);
    p->ready = 1;
    return 0;
}

void *lstk__alt_stack_map(size_t *size)
{
    *size = LSTK__ALT_STACK_SIZE;
    void *top = lstk__map_guarded(LSTK__ALT_STACK_SIZE);
    return top ? (char *)top - LSTK__ALT_STACK_SIZE : NULL;
}

/* --- counters ------------------------------------------------------------ */

static void lstk__stats_add(lstk_stats_t *o, const struct lstk__pool *p)
{
    o->grow_events += __atomic_load_n(&p->grow_events, __ATOMIC_RELAXED);
    o->chunk_allocs += __atomic_load_n(&p->chunk_allocs, __ATOMIC_RELAXED);
    o->chunks_live += __atomic_load_n(&p->chunks_live, __ATOMIC_RELAXED);
    o->chunks_peak += __atomic_load_n(&p->chunks_peak, __ATOMIC_RELAXED);
    o->bytes_live += __atomic_load_n(&p->bytes_live, __ATOMIC_RELAXED);
    o->bytes_peak += __atomic_load_n(&p->bytes_peak, __ATOMIC_RELAXED);
    o->stacks_live += __atomic_load_n(&p->stacks_live, __ATOMIC_RELAXED);
    o->stacks_peak += __atomic_load_n(&p->stacks_peak, __ATOMIC_RELAXED);
    o->threads_live += __atomic_load_n(&p->threads_live, __ATOMIC_RELAXED);
    o->threads_peak += __atomic_load_n(&p->threads_peak, __ATOMIC_RELAXED);
    o->switches += __atomic_load_n(&p->switches, __ATOMIC_RELAXED);
}

int lstk_stats(lstk_stats_t *out)
{
    if (out == NULL)
        return EINVAL;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&lstk__registry_lock);
    lstk__stats_add(out, &lstk__retired);
    for (const struct lstk__pool *p = lstk__pools; p; p = p->next_pool)
        lstk__stats_add(out, p);
    pthread_mutex_unlock(&lstk__registry_lock);
    /* The threads layer walks this OS thread's threads (O(threads)). */
    if (lstk__depth_hook != NULL)
        out->depth_live = lstk__depth_hook();
    return 0;
}

size_t lstk_reserve(void)
{
    return LSTK__RESERVE;
}
