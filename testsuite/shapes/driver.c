/*
 * driver.c: runs a generated stack-shapes program (gen.py) the victim way
 * (testsuite/plugin/units/victim.h): shapes_entry at the bottom of
 * recursions of several frame sizes, at walk depths 1..SHAPES_WALK, so
 * that it starts at every 8-byte offset from a guard on linked stacks
 * whose first chunk is 1 KiB.  Prints one checksum line per walk depth.
 *
 * Built two ways from the same source:
 *   -DSHAPES_PLAIN  plain gcc, no runtime: everything on the main stack;
 *                   its output is the reference.
 *   (default)       with the plugin and liblinkstack: each walk depth runs
 *                   on lstk_stack_run(1024, ...) and once more on the main
 *                   stack in the same process; a disagreement between the
 *                   two is printed as a "mismatch" line, a failed run as
 *                   "run failed".  Run with LINKSTACK_DEBUG=1: a write
 *                   into the bottom of a chunk's reserve aborts.
 * The expected output of both builds is the same text.
 */
#include <stdint.h>
#include <stdio.h>

#ifndef SHAPES_PLAIN
#include <linkstack.h>
#endif

#ifndef SHAPES_WALK
#define SHAPES_WALK 64
#endif

extern unsigned long shapes_entry(int depth);

/* Frames of different sizes: at walk depths 1..SHAPES_WALK the entry
   starts at every 8-byte offset below the guard (the walk crosses chunks).
   The entry's depth argument (the recursion bound below each of its
   functions) alternates 0, 1. */
#define SHAPES_RECURSE(name, pad)                                          \
    __attribute__((noinline)) static unsigned long name(int n, int d)    \
    {                                                                      \
        volatile char b[pad];                                              \
        b[0] = (char)n;                                                    \
        if (n == 0)                                                        \
            return shapes_entry(d);                                        \
        return name(n - 1, d) * 31u + (unsigned long)b[0];                 \
    }
SHAPES_RECURSE(walk8, 8)
SHAPES_RECURSE(walk24, 24)
SHAPES_RECURSE(walk40, 40)
SHAPES_RECURSE(walk56, 56)

static void *walk(void *arg)
{
    int n = (int)(intptr_t)arg;
    int d = n % 2;
    const unsigned long k = 0xff51afd7ed558ccdul; /* odd: no bit lost */
    unsigned long r = walk8(n, d);
    r = (r * k) ^ walk24(n, d);
    r = (r * k) ^ walk40(n, d);
    r = (r * k) ^ walk56(n, d);
    return (void *)(uintptr_t)r;
}

int main(void)
{
    int bad = 0;
    for (int n = 1; n <= SHAPES_WALK; n++) {
        unsigned long want = (unsigned long)(uintptr_t)walk((void *)(intptr_t)n);
#ifndef SHAPES_PLAIN
        void *r = NULL;
        int rc = lstk_stack_run(1024, walk, (void *)(intptr_t)n, &r);
        if (rc != 0) {
            printf("run failed at walk depth %d: %d\n", n, rc);
            bad = 1;
        } else if ((unsigned long)(uintptr_t)r != want) {
            printf("mismatch at walk depth %d: linked %lx, main %lx\n", n,
                   (unsigned long)(uintptr_t)r, want);
            bad = 1;
        }
#endif
        printf("walk %d: %lx\n", n, want);
    }
    return bad;
}
