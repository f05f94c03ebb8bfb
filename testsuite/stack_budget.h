/*
 * stack_budget.h: measuring how much of its caller's stack a call uses,
 * for the tests that hold the runtime to the 512-byte budget the plugin
 * reserves at each lstk_* call (testsuite/threads/budget.c,
 * testsuite/io/budget.c).
 *
 * MEASURE(what, call) paints the PAINTED bytes below the stack pointer,
 * makes the call, and records the depth of the lowest byte it changed;
 * rsp must not move within the calling function's body (no alloca).
 */
#ifndef LSTK_TEST_STACK_BUDGET_H
#define LSTK_TEST_STACK_BUDGET_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define BUDGET 512
#define PAINTED 4096
#define PATTERN 0x5a5a5a5a5a5a5a5aull

enum { CALLS = 64 };
/* The deepest use seen per call name. */
static struct {
    const char *what;
    size_t used;
} used[CALLS];
static int nused;

static void record(const char *what, size_t n)
{
    for (int i = 0; i < nused; i++) {
        if (strcmp(used[i].what, what) == 0) {
            if (n > used[i].used)
                used[i].used = n;
            return;
        }
    }
    used[nused].what = what;
    used[nused++].used = n;
}

#define MEASURE(what, call)                                                   \
    do {                                                                      \
        uintptr_t sp_;                                                        \
        volatile uint64_t *p_;                                                \
        __asm__ volatile("movq %%rsp, %0" : "=r"(sp_));                      \
        for (p_ = (volatile uint64_t *)(sp_ - PAINTED); (uintptr_t)p_ < sp_; \
             p_++)                                                            \
            *p_ = PATTERN;                                                    \
        call;                                                                 \
        for (p_ = (volatile uint64_t *)(sp_ - PAINTED);                       \
             (uintptr_t)p_ < sp_ && *p_ == PATTERN; p_++)                     \
            ;                                                                 \
        record(what, sp_ - (uintptr_t)p_);                                   \
    } while (0)

#endif
