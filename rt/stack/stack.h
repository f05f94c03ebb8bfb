/*
 * stack/stack.h: the stack layer's private header (chunks and pools, the
 * growth path, stacks, signals, longjmp, fatal messages, debug checks).
 * The layers above (thread/, io/) include it; it includes only the bottom
 * module (libc/) and the public header.
 *
 * A linked stack is a chain of chunks.  Each chunk carries a 64-byte header
 * at its low end; frames grow down from its high end towards the header.
 *
 *     high  +---------------------------+  chunk + size   (16-aligned)
 *           |  frames                   |  1 KiB chunk: 576 bytes
 *           |            ...            |
 *           +---------------------------+  guard = chunk + LSTK__GUARD_OFFSET
 *           |  reserve R (LSTK__RESERVE)|  small frames, red zone, __morestack
 *           +---------------------------+  chunk + LSTK__CHUNK_HDR
 *           |  header (canary on top)   |  64 bytes
 *     low   +---------------------------+  chunk
 *
 * A thread's default 1 KiB first chunk so offers 576 bytes above the guard
 * to frames that check (1024 - 64 - 384), and R more to the frames and
 * measured leaf callees that run below it without a check.  The header is
 * kept at 64 bytes so that the guard stays 64-aligned (tests and the
 * alloca space check land rsp on it exactly); a 48-byte header would need
 * `from` elsewhere, and saves 16 bytes a chunk.
 *
 * The guard in %fs:0x70 is always chunk + LSTK__GUARD_OFFSET for the chunk
 * that rsp is in, so the header of the current chunk is found from the guard
 * alone: no thread-local lookup on the growth path.  0 in the guard means
 * "not on a linked stack": every check passes.
 *
 * Which code may run where is in HACKING.md.
 */
#ifndef LSTK_STACK_H
#define LSTK_STACK_H

/* --- constants shared with the assembly (plain #defines) ---------------- */

/* Bytes of a chunk header. */
#define LSTK__CHUNK_HDR 64
/*
 * R: bytes kept free below the guard.  GCC's split-stack prologue lets a
 * function whose frame is under 256 bytes (SPLIT_STACK_AVAILABLE) start when
 * rsp >= guard, so below the guard must fit: a 248-byte frame plus a leaf's
 * red zone (GCC uses at most 120 bytes of it) = 368, or a 248-byte frame, the
 * return address of a call, the call to __morestack and the 24 bytes
 * __morestack pushes before it leaves the chunk = 288.  Outgoing arguments
 * pushed at a call site are not in GCC's frame size: the plugin adds them
 * to the function's request.
 */
#define LSTK__RESERVE 384
#define LSTK__GUARD_OFFSET (LSTK__CHUNK_HDR + LSTK__RESERVE)
/* Bytes __morestack needs above the new frame: return address + alignment. */
#define LSTK__MORESTACK_SLACK 24

/* Header field offsets (checked against the struct below). */
#define LSTK__CH_PREV 0
#define LSTK__CH_NEXT 8
#define LSTK__CH_SIZE 16
#define LSTK__CH_STACK 24
#define LSTK__CH_DYN 32
#define LSTK__CH_FROM 40
#define LSTK__CH_SPARE 48
#define LSTK__CH_CANARY 56

/* Offset of lstk__pool.sys_top (checked below). */
#define LSTK__POOL_SYS_TOP 8

/* The TCB slot GCC's split-stack prologue compares rsp with. */
#define LSTK__GUARD_SLOT 0x70

#ifndef __ASSEMBLER__

#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

struct sigaction;

#include "libc/libc.h"
#include "linkstack.h"

struct lstk__stack;
struct lstk__dynblock;

/* A chunk's header; the chunk's frames sit above it. */
struct lstk__chunk {
    /* The chunk this one was entered from (towards the base); NULL for the
       base chunk.  While the chunk is free, the free-list link. */
    struct lstk__chunk *prev;
    /* The chunk entered from this one, kept after it was left so that a
       call crossing the boundary in a loop reuses it (at most one). */
    struct lstk__chunk *next;
    /* Bytes of the chunk, header included (its size class follows from
       it: lstk__klass_of). */
    size_t size;
    /* The stack the chunk belongs to. */
    struct lstk__stack *stack;
    /* Heap blocks handed out by __morestack_allocate_stack_space for frames
       on this chunk (alloca/VLA that did not fit); freed when the chunk is
       left or the frames that asked for them are gone. */
    struct lstk__dynblock *dyn;
    /* Where the previous chunk was left: __morestack's frame pointer on it
       when it moved here (one store), so that the live depth of a stack
       can be read (lstk_stack_usage).  Meaningless for a base chunk. */
    uintptr_t from;
    /* Low half: a mapped or guarded chunk's Valgrind stack id; an arena
       chunk that a stack's first growth took: its growth site (fit.c).
       High half: the owning pool's slot (chunk.c). */
    uint64_t spare;
    /* lstk__canary_secret (random per process) while the chunk is in use;
       on top of the header, so that a write running down out of the
       reserve hits it first. */
    uint64_t canary;
};

_Static_assert(sizeof(struct lstk__chunk) == LSTK__CHUNK_HDR, "header size");
_Static_assert(offsetof(struct lstk__chunk, prev) == LSTK__CH_PREV, "prev");
_Static_assert(offsetof(struct lstk__chunk, next) == LSTK__CH_NEXT, "next");
_Static_assert(offsetof(struct lstk__chunk, size) == LSTK__CH_SIZE, "size");
_Static_assert(offsetof(struct lstk__chunk, stack) == LSTK__CH_STACK, "stack");
_Static_assert(offsetof(struct lstk__chunk, dyn) == LSTK__CH_DYN, "dyn");
_Static_assert(offsetof(struct lstk__chunk, from) == LSTK__CH_FROM, "from");
_Static_assert(offsetof(struct lstk__chunk, canary) == LSTK__CH_CANARY, "canary");

/* --- guard slot --------------------------------------------------------- */

static inline uintptr_t lstk__guard_get(void)
{
    uintptr_t g;
    __asm__ volatile("movq %%fs:0x70, %0" : "=r"(g));
    return g;
}

static inline void lstk__guard_set(uintptr_t g)
{
    __asm__ volatile("movq %0, %%fs:0x70" : : "r"(g) : "memory");
}

static inline uintptr_t lstk__chunk_guard(const struct lstk__chunk *c)
{
    return (uintptr_t)c + LSTK__GUARD_OFFSET;
}

static inline struct lstk__chunk *lstk__guard_chunk(uintptr_t guard)
{
    return (struct lstk__chunk *)(guard - LSTK__GUARD_OFFSET);
}

/* --- chunk allocator (chunk.c) ------------------------------------------ */

/*
 * Size classes, fine enough that a chunk sized by need wastes little:
 * class k <= 16 is k * 256 bytes (512 B .. 4 KiB; 0 and 1 unused), then
 * eight classes per doubling (4.5, 5, ... 8 KiB, 9, 10 ... 16 KiB, ...)
 * up to 1 MiB (class 80): rounding up costs at most 1/8.  Larger chunks
 * are huge (mapped one by one).  Both directions are O(1) (a clz).
 */
#define LSTK__KLASS_MIN 2
#define LSTK__KLASS_LINEAR 16 /* classes in 256-byte steps: up to 4 KiB */
#define LSTK__NKLASS 81
#define LSTK__CHUNK_MIN 512
#define LSTK__CHUNK_MAX ((size_t)1 << 20)
#define LSTK__KLASS_HUGE 0xffffffffu

static inline size_t lstk__klass_size(unsigned k)
{
    if (k <= LSTK__KLASS_LINEAR)
        return (size_t)k << 8;
    unsigned j = k - LSTK__KLASS_LINEAR - 1, e = 12 + j / 8;
    return ((size_t)1 << e) + ((size_t)(j % 8 + 1) << (e - 3));
}

/* Smallest class holding SIZE bytes, or LSTK__KLASS_HUGE. */
static inline unsigned lstk__klass_of(size_t size)
{
    if (size <= ((size_t)LSTK__KLASS_LINEAR << 8))
        return size <= LSTK__CHUNK_MIN ? LSTK__KLASS_MIN
                                       : (unsigned)((size + 255) >> 8);
    if (size > LSTK__CHUNK_MAX)
        return LSTK__KLASS_HUGE;
    unsigned e = 63 - (unsigned)__builtin_clzl(size - 1); /* 2^e < size */
    size_t step = (size_t)1 << (e - 3);
    unsigned sub = (unsigned)((size - ((size_t)1 << e) + step - 1) >> (e - 3));
    return LSTK__KLASS_LINEAR + (e - 12) * 8 + sub;
}

/*
 * Per-OS-thread state: the chunk pool, the counters, and the stacks used
 * off the linked stacks.  grow_events is first: __morestack increments it
 * through %fs with the initial-exec TLS offset.
 */
struct lstk__pool {
    uint64_t grow_events;
    /* Top of the system stack (16-aligned): where the growth path's slow
       work runs, off the nearly full chunk. */
    void *sys_top;
    uint64_t chunk_allocs;
    uint64_t chunks_live, chunks_peak;
    uint64_t bytes_live, bytes_peak;
    uint64_t stacks_live, stacks_peak;
    uint64_t threads_live, threads_peak;
    uint64_t switches;
    /* Free chunks, one LIFO list per class (linked through prev). */
    struct lstk__chunk *free[LSTK__NKLASS];
    /* Unused tail of the current arena, carved into chunks on demand. */
    char *bump, *bump_end;
    /* Set once the OS thread is set up (system stack, sigaltstack). */
    int ready;
    /* Registry of all pools, for lstk_stats. */
    struct lstk__pool *next_pool;
};

_Static_assert(offsetof(struct lstk__pool, grow_events) == 0, "asm offset");
_Static_assert(offsetof(struct lstk__pool, sys_top) == LSTK__POOL_SYS_TOP,
               "asm offset");

extern __thread struct lstk__pool lstk__pool
    __attribute__((tls_model("initial-exec"))) LSTK__HIDDEN;
extern uint64_t lstk__canary_secret LSTK__HIDDEN;

/* Sets up the calling OS thread (system stack, sigaltstack, registry);
   idempotent and cheap after the first call.  Returns 0 or ENOMEM. */
LSTK__HIDDEN int lstk__os_thread_init(void);

/* Takes a chunk of at least SIZE bytes for STACK; NULL when out of memory. */
LSTK__HIDDEN struct lstk__chunk *lstk__chunk_alloc(size_t size,
                                                   struct lstk__stack *stack);
/* Gives chunk C back to this OS thread's pool (frees its dynamic blocks). */
LSTK__HIDDEN void lstk__chunk_free(struct lstk__chunk *c);
/* Aborts with a message unless C's canary is intact. */
LSTK__HIDDEN void lstk__chunk_verify(const struct lstk__chunk *c);

/* --- guarded chunks (guarded.c, fault.c) [issue 9] ---------------------- */

/*
 * G': a __morestack request (frame + stack arguments) of this many bytes or
 * more is served by a guarded chunk, where an overflow faults (guarded.c).
 * The plugin asks for G >= G' before every call it cannot bound, and
 * objects record their G in a note (type 2) that the runtime checks.
 * No ordinary chunk is bigger than LSTK__UNGUARDED_MAX, so none offers G'
 * above its guard: a check asking for G passes only on a guarded chunk (or
 * on a big stack, guard 0).
 */
#define LSTK__GUARDED_MIN 65536u
#define LSTK__UNGUARDED_MAX 65536u
_Static_assert(LSTK__UNGUARDED_MAX - LSTK__GUARD_OFFSET < LSTK__GUARDED_MIN,
               "an ordinary chunk would offer G' above its guard");
/* Standard size of a guarded chunk's frames (address space; committed on
   touch), and the inaccessible region below its header page. */
#define LSTK__GUARDED_SIZE ((size_t)1 << 20)
#define LSTK__GUARDED_GAP ((size_t)1 << 20)
/* The header fields the growth path steers by (prev, next, size, stack,
   dyn) lie at the end of a read-only page; the rest of the header (the
   canary on top) starts the writable frames' pages, where __morestack may
   store.  So a guarded chunk's size is this much more than a multiple of
   the page size, which no ordinary chunk is (they are multiples of 256
   bytes): the size, itself read-only, says which chunks are guarded. */
#define LSTK__GUARDED_RO_HDR (LSTK__CH_DYN + 8)
static inline int lstk__chunk_guarded(const struct lstk__chunk *c)
{
    return (c->size & 4095) == LSTK__GUARDED_RO_HDR;
}

/* Takes a guarded chunk of at least SIZE bytes for STACK, entered from
   PREV (NULL for a base chunk); NULL when out of memory. */
LSTK__HIDDEN struct lstk__chunk *lstk__guarded_alloc(size_t size,
                                                     struct lstk__stack *stack,
                                                     struct lstk__chunk *prev);
/* Gives guarded chunk C back to this OS thread's pool (lstk__chunk_free). */
LSTK__HIDDEN void lstk__guarded_free(struct lstk__chunk *c);
/* Stores VALUE into the 8-byte header field FIELD of a guarded chunk,
   opening its read-only page only if the value changes. */
LSTK__HIDDEN void lstk__guarded_set(void *field, uint64_t value);
/* Whether ADDR is in the inaccessible region below C's frames (C guarded). */
LSTK__HIDDEN int lstk__guarded_holds(const struct lstk__chunk *c,
                                     uintptr_t addr);
/* Installs the SIGSEGV/SIGBUS handler that reports guarded-chunk overflows
   and passes every other fault on (fault.c); once. */
LSTK__HIDDEN void lstk__fault_init(void);
/* sigaction() for SIGSEGV and SIGBUS: records the program's handler, which
   fault.c calls for the faults that are not guarded-chunk overflows. */
LSTK__HIDDEN int lstk__fault_sigaction(int sig, const struct sigaction *act,
                                       struct sigaction *old);

/* Every write to a chunk header field outside allocation goes through
   this: most of a guarded chunk's header is read-only. */
#define LSTK__HDR_SET(c, field, value)                                      \
    do {                                                                   \
        struct lstk__chunk *hdr_c_ = (c);                                  \
        if (lstk__slow(lstk__chunk_guarded(hdr_c_)))                       \
            lstk__guarded_set(&hdr_c_->field,                              \
                              (uint64_t)(uintptr_t)(value));               \
        else                                                               \
            hdr_c_->field = (value);                                       \
    } while (0)

/* Maps a sigaltstack area with a guard page; *SIZE gets its size. */
LSTK__HIDDEN void *lstk__alt_stack_map(size_t *size);

/* --- signals (signal.c) -------------------------------------------------- */

/* Process-wide set-up, once. */
LSTK__HIDDEN void lstk__signal_init(void);
/* The guard of the code a running signal handler interrupted (0: none), so
   that a siglongjmp out of the handler finds its way back (longjmp.c). */
extern __thread uintptr_t lstk__sig_guard
    __attribute__((tls_model("initial-exec"))) LSTK__HIDDEN;
/* Gives the calling OS thread a sigaltstack unless it has one. */
LSTK__HIDDEN int lstk__signal_thread_init(void);
/* Handlers of the calling OS thread running now (the trampoline counts
   them): code above that must not touch the interrupted scheduler's state
   asks lstk__in_signal_handler.  A handler left by siglongjmp leaves the
   count raised; the question then checks the stack it runs on. */
extern __thread unsigned lstk__sig_depth
    __attribute__((tls_model("initial-exec"))) LSTK__HIDDEN;
LSTK__HIDDEN int lstk__in_signal_handler_slow(void);
static inline int lstk__in_signal_handler(void)
{
    if (lstk__fast(lstk__sig_depth == 0))
        return 0;
    return lstk__in_signal_handler_slow();
}

/* Resolves libc's longjmp family, once, off the chunks (longjmp.c). */
LSTK__HIDDEN void lstk__longjmp_init(void);

/* --- stacks (stack.c) ---------------------------------------------------- */

/* A linked stack: the base chunk and its bookkeeping.  Embedded in whatever
   owns it (lstk_stack_run's frame, a thread's control block). */
struct lstk__stack {
    /* The first chunk; never released before the stack ends. */
    struct lstk__chunk *base;
    /* High-water mark: most chunk bytes ever linked at once. */
    uint64_t peak_bytes;
    /* Bytes of the chunks the stack holds now, a cached one included.
       Chunks are taken and given back only on slow paths (grow.c,
       stack.c), so this is exact without work on the fast ones. */
    uint64_t held_bytes;
};

/* Gives STACK a base chunk of FIRST bytes.  Returns 0, EINVAL or ENOMEM. */
LSTK__HIDDEN int lstk__stack_init(struct lstk__stack *stack, size_t first);
/* Frees every chunk of STACK.  It must not be running. */
LSTK__HIDDEN void lstk__stack_term(struct lstk__stack *stack);
/* Initial stack pointer (16-aligned top of the base chunk) and guard. */
static inline void *lstk__stack_top(const struct lstk__stack *s)
{
    return (char *)s->base + s->base->size;
}
static inline uintptr_t lstk__stack_guard0(const struct lstk__stack *s)
{
    return lstk__chunk_guard(s->base);
}

/* Runs FN(ARG) with rsp = SP and the guard = GUARD, then restores both
   (arch/x86_64/callon_*.S).  The frame links back for unwinders. */
LSTK__HIDDEN void *lstk__call_on(void *sp, uintptr_t guard,
                                 void *(*fn)(void *), void *arg);

/* --- growth path, slow halves (grow.c); run on the system stack ---------- */

/* CUR: the chunk being left; NEED: the request (frame, stack arguments,
   slack); RA: the prologue that asked; FROM: __morestack's frame pointer on
   CUR (where CUR is left). */
LSTK__HIDDEN struct lstk__chunk *lstk__grow_slow(struct lstk__chunk *cur,
                                                 size_t need, void *ra,
                                                 uintptr_t from);

/* --- first-growth sizes learned per site (fit.c) [issue 10] -------------- */
/* Bytes a first growth at SITE should take (0: nothing learned). */
LSTK__HIDDEN size_t lstk__fit_lookup(uintptr_t site);
/* Records SITE in FIRST, the chunk a stack's first growth took. */
LSTK__HIDDEN void lstk__fit_mark(struct lstk__chunk *first, uintptr_t site);
/* A later growth from CUR (request NEED, CUR left at FROM): what one chunk
   from the chain's site would have needed, learned for that site. */
LSTK__HIDDEN void lstk__fit_observe(const struct lstk__chunk *cur, size_t need,
                                    uintptr_t from);
LSTK__HIDDEN uintptr_t lstk__release_slow(struct lstk__chunk *c);
LSTK__HIDDEN void *lstk__dyn_alloc(size_t size, void *caller_sp);
/* Frees every heap block tied to chunk C. */
LSTK__HIDDEN void lstk__dyn_free_all(struct lstk__chunk *c);
/* Frees chunk C and every chunk it caches (C->next, ...). */
LSTK__HIDDEN void lstk__chunk_free_chain(struct lstk__chunk *c);
LSTK__HIDDEN noreturn void lstk__chunk_corrupt(const struct lstk__chunk *c);

/* For a jump (longjmp) from the chunk that GUARD describes to stack
   pointer SP on the same stack: releases the chunks the jump leaves
   behind and returns the guard of the chunk holding SP.  Must not run on
   the chunks it releases (run it on the system stack). */
LSTK__HIDDEN uintptr_t lstk__unwind_to(uintptr_t guard, uintptr_t sp);

/* Runs FN(ARG) on this OS thread's system stack with the guard at 0. */
static inline void *lstk__on_sys(void *(*fn)(void *), void *arg)
{
    return lstk__call_on(lstk__pool.sys_top, 0, fn, arg);
}

/* --- reserve notes and debug mode (debug.c) ------------------------------ */
/* [plugin/issue 4] Reads the objects' reserve notes (fatal if one assumes
   more than LSTK__RESERVE) and LINKSTACK_DEBUG; once, idempotent. */
LSTK__HIDDEN void lstk__debug_init(void);
/* Bytes painted below guard - R (debug mode), 0 when off. */
extern size_t lstk__debug_zone LSTK__HIDDEN;
/* Debug mode: paints a new chunk's zone; verifies it (fatal if touched). */
LSTK__HIDDEN void lstk__debug_chunk_new(struct lstk__chunk *c);
LSTK__HIDDEN void lstk__debug_chunk_check(const struct lstk__chunk *c,
                                          const char *when);
/* Debug mode: verifies the chunk GUARD describes (0: none); for the thread
   switch. */
LSTK__HIDDEN void lstk__debug_check_guard(uintptr_t guard);
/* The heap block that keeps a debug-mode chunk's dyn list non-empty (grow.c). */
extern struct lstk__dynblock lstk__dyn_sentinel LSTK__HIDDEN;

/* --- object checks and dlopen (loader.c) [issue 9] ---------------------- */
/* Checks the notes of every loaded object (types 1-3); fatal on refusal. */
LSTK__HIDDEN void lstk__loader_check_startup(void);
/* Writes "linkstack: " + the formatted message + "\n" to stderr (printf
   formats; needs a big stack: start-up and the system stack only). */
LSTK__HIDDEN void lstk__notice(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* --- Valgrind (valgrind.c) [issue 12] ----------------------------------- */
/* Registers [LO, LO + SIZE) as a stack with Valgrind (a no-op outside it);
   returns the stack id, for lstk__vg_stack_gone. */
LSTK__HIDDEN unsigned lstk__vg_stack_new(void *lo, size_t size);
LSTK__HIDDEN void lstk__vg_stack_gone(unsigned id);
/* Under Valgrind, registers the calling OS thread's own stack. */
LSTK__HIDDEN void lstk__vg_os_thread(void);

/* --- AddressSanitizer, ThreadSanitizer (sanitizer.c) [issue 12] --------- */
#define LSTK__SAN_ASAN 1
#define LSTK__SAN_TSAN 2
/* LSTK__SAN_ASAN or LSTK__SAN_TSAN when the program runs with that
   sanitizer's library (set once at start-up), else 0. */
extern unsigned char lstk__san LSTK__HIDDEN;
/* Detects the sanitizers (lstk__global_init, before the first chunk). */
LSTK__HIDDEN void lstk__san_init(void);
/* Records the calling OS thread's own stack (its set-up). */
LSTK__HIDDEN void lstk__san_os_thread(void);
/* The stack the chunk GUARD describes (0: the OS thread's own). */
LSTK__HIDDEN void lstk__san_bounds(uintptr_t guard, const void **bottom,
                                   size_t *size);
/* A chunk is taken from / given back to the pool (allocator, any stack). */
LSTK__HIDDEN void lstk__san_chunk_new(struct lstk__chunk *c);
LSTK__HIDDEN void lstk__san_chunk_gone(struct lstk__chunk *c);
/* Code is about to run on chunk C, entered from its top (growth, a new
   stack); back on the chunk GUARD describes (0: the OS thread's stack);
   landed there by a jump.  Any stack but a nearly full chunk. */
LSTK__HIDDEN void lstk__san_entered(struct lstk__chunk *c);
LSTK__HIDDEN void lstk__san_back(uintptr_t guard);
LSTK__HIDDEN void lstk__san_landed(uintptr_t guard);
/* Chunk C was left by a return (on the system stack) or by an exception
   (__morestack's landing pad, on C), after lstk__release_slow's work. */
LSTK__HIDDEN void lstk__san_returned(struct lstk__chunk *c);
LSTK__HIDDEN void lstk__san_unwound(struct lstk__chunk *c);
/* __morestack's landing pad: lstk__release_slow's work, then
   lstk__san_unwound. */
LSTK__HIDDEN uintptr_t lstk__release_unwind(struct lstk__chunk *c);

/* --- fatal errors (fatal.c) ---------------------------------------------- */

/* Writes "linkstack: " + the formatted message + "\n" to stderr with no
   malloc and little stack, then aborts.  Supports %s %zu %p %d only. */
LSTK__HIDDEN noreturn void lstk__fatal(const char *fmt, ...);
/* Set by the thread layer: names the running user-level thread (or NULL)
   in fatal messages. */
extern void *(*lstk__self_hook)(void) LSTK__HIDDEN;
/* Set by the thread layer: the live bytes of the calling OS thread's
   user-level threads, for lstk_stats (chunk.c); NULL: 0. */
extern uint64_t (*lstk__depth_hook)(void) LSTK__HIDDEN;

#endif /* !__ASSEMBLER__ */
#endif /* LSTK_STACK_H */
