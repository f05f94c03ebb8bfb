/*
 * fit.c: first-growth chunk sizes learned per growth site [issue 10].
 *
 * Threads that block at one place block at one depth: a server's
 * connection threads all wait in the same read, a pool's workers in the
 * same condition.  The headroom policy of grow.c has to guess how much
 * deeper a stack goes after its first growth; a short guess costs another
 * chunk and its boundary (header, reserve, the tail left unused: ~500
 * bytes), a long one the excess.  So the runtime remembers, per growth
 * site (the return address into the prologue whose check failed on a
 * base chunk), the most any chain started there has asked for: at every
 * later growth of the chain, the chain's live bytes above the frame that
 * asked, plus its request, plus header and reserve.  That is exactly what
 * one chunk must hold to get there without a boundary.  The next first
 * growth at the site takes one chunk of that size (its class).  A thread
 * that goes deeper still grows the usual way and raises the figure, so
 * after a few threads a site's chain is one chunk sized for its deepest
 * request: no boundary, no guessed headroom.
 *
 * A figure only rises with what is seen.  So that one deep thread does not
 * make every later thread at its site hold that much, a figure loses an
 * eighth every LSTK__FIT_DECAY uses; a site whose threads need it raises
 * it again at once (one thread pays one more chunk).
 *
 * Why it is fast: the table is the OS thread's own (a __thread array: no
 * lock), direct-mapped on the site (a multiply and a shift; a colliding
 * site takes the slot over), and the chain walk is bounded: only chains
 * within LSTK__FIT_CHUNKS chunks and an ordinary chunk's size are learned
 * (deeper ones keep grow.c's geometric headroom, which bounds their
 * boundaries).  All of it runs in the growth path's slow half, on the
 * system stack, next to a chunk allocation.
 */
#include "config.h"

#include "stack/stack.h"

#define LSTK__FIT_SLOTS 64u
#define LSTK__FIT_DECAY 256u
#define LSTK__FIT_CHUNKS 16u

/* A site is the low 32 bits of its return address: the low half of an
   arena chunk's spare word is free (the high half names the chunk's pool,
   chunk.c), and two sites that share them only share a size. */
struct lstk__fit {
    uint32_t site;
    uint32_t bytes;
    uint32_t uses;
};

static __thread struct lstk__fit lstk__fits[LSTK__FIT_SLOTS]
    __attribute__((tls_model("initial-exec")));

static struct lstk__fit *lstk__fit_slot(uint32_t site)
{
    uint64_t h = (uint64_t)site * 0x9e3779b97f4a7c15ull;
    return &lstk__fits[h >> (64 - 6)];
}
_Static_assert(LSTK__FIT_SLOTS == 1u << 6, "the hash's shift");

size_t lstk__fit_lookup(uintptr_t ra)
{
    uint32_t site = (uint32_t)ra;
    struct lstk__fit *f = lstk__fit_slot(site);

    if (site == 0 || f->site != site)
        return 0;
    if (++f->uses % LSTK__FIT_DECAY == 0)
        f->bytes -= f->bytes / 8;
    return f->bytes;
}

/* Whether C's spare word may hold a growth site: an arena chunk (a mapped
   or guarded one keeps its Valgrind id there). */
static int lstk__fit_arena_chunk(const struct lstk__chunk *c)
{
    return !lstk__chunk_guarded(c) &&
           lstk__klass_of(c->size) != LSTK__KLASS_HUGE;
}

void lstk__fit_mark(struct lstk__chunk *first, uintptr_t ra)
{
    if (lstk__fit_arena_chunk(first))
        first->spare = (first->spare & ~(uint64_t)UINT32_MAX) | (uint32_t)ra;
}

void lstk__fit_observe(const struct lstk__chunk *cur, size_t need,
                       uintptr_t from)
{
    const struct lstk__chunk *base = cur->stack->base, *c = cur;

    if (cur == base || need > LSTK__UNGUARDED_MAX || from <= (uintptr_t)cur ||
        from > (uintptr_t)cur + cur->size)
        return;
    size_t live = (uintptr_t)cur + cur->size - from;
    for (unsigned n = 0; c->prev != base; n++) {
        if (n == LSTK__FIT_CHUNKS || live > LSTK__UNGUARDED_MAX)
            return;
        uintptr_t top = (uintptr_t)c->prev + c->prev->size;
        if (c->from <= (uintptr_t)c->prev || c->from > top)
            return; /* not left from inside its predecessor: no figure */
        live += top - c->from;
        c = c->prev;
    }
    /* c: the chain's first chunk, which the site was written into. */
    uint32_t site = (uint32_t)c->spare;
    if (!lstk__fit_arena_chunk(c) || site == 0)
        return;
    size_t bytes = live + need + LSTK__GUARD_OFFSET;
    if (bytes > LSTK__UNGUARDED_MAX)
        return;
    struct lstk__fit *f = lstk__fit_slot(site);
    if (f->site != site) {
        f->site = site;
        f->bytes = (uint32_t)bytes;
        f->uses = 0;
    } else if (bytes > f->bytes) {
        f->bytes = (uint32_t)bytes;
    }
}
