/*
 * stack_budget.h: measuring how much of its caller's stack a call uses,
 * for the tests that prove the runtime's budget tables, which the plugin
 * reserves at each call of the name (testsuite/threads/budget.c proves
 * rt/thread/thread-budgets.txt, testsuite/io/budget.c rt/io/io-budgets.txt).
 *
 * MEASURE(what, call) paints the PAINTED bytes below the stack pointer,
 * makes the call, and records the depth of the lowest byte it changed;
 * rsp must not move within the calling function's body (no alloca).
 *
 * budget_table_check(FILE) then holds every measured name to its line in
 * the table (NAME BYTES [leaf], the plugin's format) and every line of the
 * table to a measurement: a line no test measured proves nothing.
 */
#ifndef LSTK_TEST_STACK_BUDGET_H
#define LSTK_TEST_STACK_BUDGET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* What a name without a table line gets: the plugin's lstk_ rule. */
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

/* Checks the measurements against the table in PATH (see the top); fills
   MSG with the first failure.  Returns the number of failures. */
static int budget_table_check(const char *path, char *msg, size_t msglen)
{
    char line[256], name[128], flag[16];
    long bytes;
    int bad = 0, seen[CALLS] = { 0 };
    FILE *f = fopen(path, "r");

    msg[0] = 0;
    for (int i = 0; i < nused; i++)
        fprintf(stderr, "# %-22s %4zu bytes\n", used[i].what, used[i].used);
    if (f == NULL) {
        snprintf(msg, msglen, "cannot read %s", path);
        return 1;
    }
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        flag[0] = 0;
        if (sscanf(line, "%127s %ld %15s", name, &bytes, flag) < 2)
            continue;
        int i;
        for (i = 0; i < nused && strcmp(used[i].what, name) != 0; i++)
            ;
        if (i == nused) {
            if (!bad++)
                snprintf(msg, msglen, "%s: no test measured %s", path, name);
            continue;
        }
        seen[i] = 1;
        if ((long)used[i].used > bytes && !bad++)
            snprintf(msg, msglen, "%s uses %zu bytes, over its budget of %ld",
                     name, used[i].used, bytes);
    }
    fclose(f);
    for (int i = 0; i < nused; i++) {
        if (!seen[i] && used[i].used > BUDGET && !bad++)
            snprintf(msg, msglen, "%s (no line in %s) uses %zu bytes, over "
                     "the lstk_ rule's %d", used[i].what, path, used[i].used,
                     BUDGET);
    }
    return bad;
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
