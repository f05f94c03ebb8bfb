/*
 * guarded.c: guarded chunks, where code whose stack use nobody proved runs.
 *
 * A call the plugin cannot bound (libc's printf family, an indirect call,
 * an interposable definition: doc/plugin.md) asks __morestack for at least
 * G' = LSTK__GUARDED_MIN bytes.  No ordinary chunk offers that much above
 * its guard (chunk.c keeps them at LSTK__UNGUARDED_MAX bytes at most), so
 * such a request always lands here, on a chunk laid out as
 *
 *     high  +---------------------------+  chunk + size (1 MiB + 40, or more)
 *           |  frames       (read/write, committed page by page on touch)
 *           +---------------------------+  guard = chunk + LSTK__GUARD_OFFSET
 *           |  reserve R                |
 *           |  canary, the rest of the  |  header bytes 40-63: writable
 *           |  header                   |
 *           +---------------------------+  chunk + 40: a page boundary
 *           |  prev next size stack dyn |  read-only: the end of a page
 *           |  rest of the header page  |
 *           +---------------------------+
 *           |  LSTK__GUARDED_GAP        |  PROT_NONE (1 MiB of address space)
 *     low   +---------------------------+
 *
 * so that every write below guard - R - 24 faults: a contiguous overflow
 * runs over the canary and meets the read-only page, a sparse one (a big
 * frame written at its bottom only) lands in the gap, which no frame can
 * step over.  The fields the growth path steers by cannot be written by
 * accident; the runtime writes them through lstk__guarded_set
 * (LSTK__HDR_SET), which opens the page for the store only when the value
 * changes.  What lies in the writable 24 bytes is the canary (verified
 * before the header is used, as on every chunk) and bookkeeping that
 * steers nothing; __morestack may store there (issue 10 records where a
 * stack left each chunk).  The fault becomes a `linkstack: stack overflow
 * in FUNCTION ...` message (fault.c).
 *
 * Why the hot paths stay fast.  Guarded chunks are pooled per OS thread
 * (a __thread LIFO list: no lock); a warm pool hands one back with no
 * mmap, and with no mprotect either when the header already says what it
 * must (the same caller chunk takes the same guarded chunk again in a loop:
 * compare, then write only what differs).  __morestack's fast halves read
 * the header and never write it.  Pages are committed lazily (the kernel
 * faults them in on first touch) and stay committed while pooled, as the
 * ordinary chunks' do.  Requests bigger than the standard size get a
 * mapping of their own, unmapped when freed (frames of over a megabyte).
 *
 * Cost: three mappings per guarded chunk (gap, header page, frames) against
 * vm.max_map_count (65530 by default); a program that keeps tens of
 * thousands of threads parked inside unbounded calls needs a larger limit.
 *
 * Rejected: a checksum over a writable header (the fast halves of
 * __morestack would have to verify it on every crossing); a writable header
 * with the canary only (a sparse write can change `prev` and leave the
 * canary alone).
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include "stack/stack.h"

#define LSTK__PAGE 4096u
/* The pooled size: 1 MiB of writable pages above the header page. */
#define LSTK__GUARDED_STD (LSTK__GUARDED_SIZE + LSTK__GUARDED_RO_HDR)

/* A free guarded chunk's link to the next one, kept in its first bytes
   above the header (the reserve: nothing runs there while it is free). */
static inline struct lstk__chunk **lstk__guarded_link(struct lstk__chunk *c)
{
    return (struct lstk__chunk **)((char *)c + LSTK__CHUNK_HDR);
}

/* The read-only header page of guarded chunk C. */
static inline void *lstk__guarded_hdr_page(const struct lstk__chunk *c)
{
    return (char *)c + LSTK__GUARDED_RO_HDR - LSTK__PAGE;
}

/* Bytes mapped for a guarded chunk of SIZE bytes (header included). */
static inline size_t lstk__guarded_map_len(size_t size)
{
    return LSTK__GUARDED_GAP + LSTK__PAGE + (size - LSTK__GUARDED_RO_HDR);
}

struct lstk__guarded_pool {
    struct lstk__chunk *free;
    int key_set;
};

static __thread struct lstk__guarded_pool lstk__gpool
    __attribute__((tls_model("initial-exec")));
static pthread_key_t lstk__gpool_key;
static pthread_once_t lstk__gpool_once = PTHREAD_ONCE_INIT;

static void lstk__gpool_exit(void *arg)
{
    struct lstk__guarded_pool *gp = arg;
    while (gp->free != NULL) {
        struct lstk__chunk *c = gp->free;
        gp->free = *lstk__guarded_link(c);
        lstk__vg_stack_gone((unsigned)c->spare); /* [issue 12] */
        munmap((char *)lstk__guarded_hdr_page(c) - LSTK__GUARDED_GAP,
               lstk__guarded_map_len(c->size));
    }
}

static void lstk__gpool_key_init(void)
{
    pthread_key_create(&lstk__gpool_key, lstk__gpool_exit);
}

/* Maps a guarded chunk of SIZE bytes (a multiple of the page size plus
   the header); its header page is left writable. */
static struct lstk__chunk *lstk__guarded_map(size_t size)
{
    size_t len = lstk__guarded_map_len(size);
    char *m = mmap(NULL, len, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    char *hdr_page = m + LSTK__GUARDED_GAP;
    if (mprotect(hdr_page, len - LSTK__GUARDED_GAP,
                 PROT_READ | PROT_WRITE) != 0) {
        munmap(m, len);
        return NULL;
    }
    return (struct lstk__chunk *)(hdr_page + LSTK__PAGE - LSTK__GUARDED_RO_HDR);
}

static void lstk__guarded_protect(void *page, int prot, const char *why)
{
    if (mprotect(page, LSTK__PAGE, prot) != 0)
        lstk__fatal("cannot change the protection of a guarded chunk's "
                    "header page %p (%s): out of memory mappings? (see "
                    "vm.max_map_count)", page, why);
}

void lstk__guarded_set(void *field, uint64_t value)
{
    uint64_t *f = field;
    if (*f == value)
        return;
    if ((uintptr_t)f % LSTK__PAGE < LSTK__PAGE - LSTK__GUARDED_RO_HDR) {
        *f = value; /* in the writable part of the header */
        return;
    }
    void *page = (void *)((uintptr_t)f & ~(uintptr_t)(LSTK__PAGE - 1));
    lstk__guarded_protect(page, PROT_READ | PROT_WRITE, "open");
    *f = value;
    lstk__guarded_protect(page, PROT_READ, "close");
}

struct lstk__chunk *lstk__guarded_alloc(size_t size, struct lstk__stack *stack,
                                        struct lstk__chunk *prev)
{
    struct lstk__guarded_pool *gp = &lstk__gpool;
    struct lstk__pool *p = &lstk__pool;
    struct lstk__chunk want, *c;
    int fresh = 0;

    if (size < LSTK__GUARDED_STD)
        size = LSTK__GUARDED_STD;
    /* Whole writable pages above the header page. */
    size_t body = (size - LSTK__GUARDED_RO_HDR + LSTK__PAGE - 1) &
                  ~(size_t)(LSTK__PAGE - 1);
    if (size > SIZE_MAX / 2 || body < size - LSTK__GUARDED_RO_HDR)
        return NULL;
    size = body + LSTK__GUARDED_RO_HDR;

    if (lstk__fast(size == LSTK__GUARDED_STD && gp->free != NULL)) {
        c = gp->free;
        gp->free = *lstk__guarded_link(c);
    } else {
        c = lstk__guarded_map(size);
        if (c == NULL)
            return NULL;
        fresh = 1;
        if (!gp->key_set) { /* the first mapping of this OS thread */
            pthread_once(&lstk__gpool_once, lstk__gpool_key_init);
            pthread_setspecific(lstk__gpool_key, gp);
            gp->key_set = 1;
        }
    }

    memset(&want, 0, sizeof want);
    want.prev = prev;
    want.size = size;
    want.stack = stack;
    want.canary = lstk__canary_secret;
    /* [issue 12] the Valgrind stack id, registered once per mapping */
    want.spare = fresh ? lstk__vg_stack_new(c, size) : c->spare;
    if (lstk__debug_zone) { /* [plugin/issue 4, debug mode] */
        memset((char *)c + LSTK__CHUNK_HDR, 0xa5, lstk__debug_zone);
        want.dyn = &lstk__dyn_sentinel;
    }
    if (lstk__slow(lstk__san & LSTK__SAN_ASAN)) /* [issue 12] sanitizer.c */
        want.dyn = &lstk__dyn_sentinel;
    /* Write the read-only part only when it changes: a chunk taken again
       by the same caller costs no system call. */
    if (fresh || memcmp(c, &want, LSTK__GUARDED_RO_HDR) != 0) {
        void *page = lstk__guarded_hdr_page(c);
        if (!fresh)
            lstk__guarded_protect(page, PROT_READ | PROT_WRITE, "take");
        memcpy(c, &want, LSTK__GUARDED_RO_HDR);
        lstk__guarded_protect(page, PROT_READ, "take");
    }
    memcpy((char *)c + LSTK__GUARDED_RO_HDR, (char *)&want + LSTK__GUARDED_RO_HDR,
           sizeof want - LSTK__GUARDED_RO_HDR);

    if (lstk__slow(lstk__san)) /* [issue 12] ASan, TSan: sanitizer.c */
        lstk__san_chunk_new(c);
    p->chunk_allocs++;
    p->chunks_live++;
    p->bytes_live += size;
    if (p->chunks_live > p->chunks_peak)
        p->chunks_peak = p->chunks_live;
    if (p->bytes_live > p->bytes_peak)
        p->bytes_peak = p->bytes_live;
    return c;
}

void lstk__guarded_free(struct lstk__chunk *c)
{
    struct lstk__pool *p = &lstk__pool;

    lstk__chunk_verify(c);
    if (lstk__debug_zone) /* [plugin/issue 4, debug mode] */
        lstk__debug_chunk_check(c, "a free");
    if (c->dyn != NULL && c->dyn != &lstk__dyn_sentinel)
        lstk__dyn_free_all(c);
    if (lstk__slow(lstk__san)) /* [issue 12] ASan, TSan: sanitizer.c */
        lstk__san_chunk_gone(c);
    /* A pooled chunk caches nothing (its successor was freed with it). */
    LSTK__HDR_SET(c, next, NULL);
    p->chunks_live--;
    p->bytes_live -= c->size;
    if (lstk__fast(c->size == LSTK__GUARDED_STD)) {
        *lstk__guarded_link(c) = lstk__gpool.free;
        lstk__gpool.free = c;
    } else {
        lstk__vg_stack_gone((unsigned)c->spare); /* [issue 12] */
        munmap((char *)lstk__guarded_hdr_page(c) - LSTK__GUARDED_GAP,
               lstk__guarded_map_len(c->size));
    }
}

int lstk__guarded_holds(const struct lstk__chunk *c, uintptr_t addr)
{
    uintptr_t ro_end = (uintptr_t)c + LSTK__GUARDED_RO_HDR;
    return lstk__chunk_guarded(c) && addr < ro_end &&
           addr >= ro_end - LSTK__PAGE - LSTK__GUARDED_GAP;
}
