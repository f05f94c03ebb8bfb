/*
 * linkstack.h: the public API of liblinkstack.
 *
 * Code compiled with `gcc -fplugin=linkstack.so` checks at function entry
 * that its frame fits on the current stack chunk; when it does not, the
 * runtime links a new heap chunk (__morestack) and unlinks it on return.
 * This header gives the calls a program makes on purpose: run a function on
 * a fresh linked stack, and read the counters.
 *
 * Conventions: every call returns 0 or a positive errno value, as pthreads
 * do (no write to errno: that matters on a nearly full chunk).
 */
#ifndef LINKSTACK_H
#define LINKSTACK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LSTK_EXPORT __attribute__((visibility("default")))

/* Version of this header; liblinkstack's soname follows libtool's rules. */
#define LSTK_VERSION_MAJOR 0
#define LSTK_VERSION_MINOR 1
#define LSTK_VERSION_PATCH 0

/*
 * Stack sizes.
 *
 * LSTK_STACK_DEFAULT is the size of a new stack's first chunk, header
 * included.  LSTK_STACK_MIN is the smallest first chunk accepted: below it
 * there is no room above the reserve for even one frame.  Chunks linked
 * later come from size classes (1 KiB doubling up to 1 MiB, larger frames
 * get a chunk of their own).
 */
#define LSTK_STACK_DEFAULT 1024u
#define LSTK_STACK_MIN 1024u

/*
 * Runs FN(ARG) on a fresh linked stack whose first chunk is FIRST_CHUNK
 * bytes (0 means LSTK_STACK_DEFAULT), and stores FN's return value in
 * *RESULT when RESULT is not NULL.  The calling OS thread (main, any
 * pthread, or code already on a linked stack) waits until FN returns; all
 * chunks the call linked are released before this returns.
 *
 * Returns 0 on success, EINVAL if FN is NULL or FIRST_CHUNK is below
 * LSTK_STACK_MIN, ENOMEM if no memory could be had for the first chunk.
 */
LSTK_EXPORT int lstk_stack_run(size_t first_chunk, void *(*fn)(void *),
                               void *arg, void **result);

/*
 * Counters of the whole process (summed over OS threads).  "Live" chunks are
 * chunks owned by stacks, including the one spare chunk a stack keeps
 * cached after a return; chunks back in the allocator's free lists are not
 * live.  Peaks are the sums of each OS thread's peak.
 */
typedef struct lstk_stats {
    /* Chunks owned by stacks now, and at most. */
    uint64_t chunks_live;
    uint64_t chunks_peak;
    /* Bytes of those chunks, headers included. */
    uint64_t bytes_live;
    uint64_t bytes_peak;
    /* Calls that moved onto another chunk (__morestack), cached or not. */
    uint64_t grow_events;
    /* Of those, the ones that had to take a chunk from the allocator. */
    uint64_t chunk_allocs;
    /* Linked stacks that exist now, and at most. */
    uint64_t stacks_live;
    uint64_t stacks_peak;
    /* User-level threads alive now, at most, and context switches. */
    uint64_t threads_live;
    uint64_t threads_peak;
    uint64_t switches;
    /* Room to grow without breaking the ABI. */
    uint64_t spare[5];
} lstk_stats_t;

/*
 * Fills *OUT with the current counters.  Returns 0, or EINVAL if OUT is NULL.
 */
LSTK_EXPORT int lstk_stats(lstk_stats_t *out);

/*
 * The reserve R in bytes that this runtime keeps free below every chunk's
 * guard (see HACKING.md).  Objects compiled for a larger reserve must not
 * run on this runtime.
 */
LSTK_EXPORT size_t lstk_reserve(void);

#ifdef __cplusplus
}
#endif

#endif /* LINKSTACK_H */
