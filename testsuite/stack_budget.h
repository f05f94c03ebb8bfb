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
 * budget_unmeasured() holds the header to the measurements: every function
 * it exports (in the given block) was measured, or is exempted by name.
 */
#ifndef LSTK_TEST_STACK_BUDGET_H
#define LSTK_TEST_STACK_BUDGET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a name without a table line gets: the plugin's lstk_ rule. */
#define BUDGET 512
#define PAINTED 4096
#define PATTERN 0x5a5a5a5a5a5a5a5aull

enum { CALLS = 128 };
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

/* Whether WHAT was measured. */
static int measured(const char *what)
{
    for (int i = 0; i < nused; i++)
        if (strcmp(used[i].what, what) == 0)
            return 1;
    return 0;
}

/* "Every call": the functions the public header exports (LSTK_EXPORT) in
   the lines after the one containing FROM (NULL: the first line) and
   before the one containing TO (NULL: the last), less the names in EXEMPT
   (NULL-terminated), that were not measured; written space-separated to
   OUT.  Returns how many, or -1 when the header cannot be read or holds no
   such function (a check that found nothing to check must not pass).  The
   header is $top_srcdir/include/linkstack.h. */
static int budget_unmeasured(const char *from, const char *to, const char *const *exempt,
                             char *out, size_t outsz)
{
    const char *top = getenv("top_srcdir");
    char path[600], line[512];
    int in = from == NULL, names = 0, missing = 0;
    size_t len = 0;
    FILE *f;

    out[0] = 0;
    snprintf(path, sizeof path, "%s/include/linkstack.h", top ? top : "..");
    if (!(f = fopen(path, "r"))) {
        snprintf(out, outsz, "cannot read %s", path);
        return -1;
    }
    while (fgets(line, sizeof line, f)) {
        if (!in) {
            in = strstr(line, from) != NULL;
            continue;
        }
        if (to && strstr(line, to))
            break;
        char *e = strstr(line, "LSTK_EXPORT"), *paren, *b;
        if (!e || !(paren = strchr(e, '(')))
            continue;
        if (strstr(e, "__attribute__") && strstr(e, "__attribute__") < paren)
            paren = strchr(strstr(paren, "))") + 2, '('); /* past the attribute */
        if (!paren)
            continue;
        for (b = paren; b > e && (b[-1] == '_' || (b[-1] >= 'a' && b[-1] <= 'z') ||
                                  (b[-1] >= '0' && b[-1] <= '9'));
             b--)
            ;
        *paren = 0;
        if (strncmp(b, "lstk_", 5) != 0)
            continue;
        names++;
        int skip = measured(b);
        for (int i = 0; !skip && exempt && exempt[i]; i++)
            skip = strcmp(exempt[i], b) == 0;
        if (!skip && len + strlen(b) + 2 < outsz) {
            len += (size_t)snprintf(out + len, outsz - len, "%s ", b);
            missing++;
        } else if (!skip) {
            missing++;
        }
    }
    fclose(f);
    if (names == 0) {
        snprintf(out, outsz, "no exported function found in %s", path);
        return -1;
    }
    return missing;
}

#endif
