/*
 * guarded-calls.c: the guarded twins of guarded.c's calls.  Compiled with
 * -fplugin-arg-linkstack-external-reserve=65536 and calling through
 * pointers (code the plugin cannot see), so that each function's check
 * asks for G = 64 KiB plus its frame, as the plugin does for every call it
 * cannot bound (issue 9): the call crosses to a guarded chunk.
 */
#include <stdio.h>
#include <stdlib.h>

#define NOINLINE __attribute__((noinline, noipa))
#define KEEP(v) __asm__ volatile("" : : "r"(v) : "memory")

extern char buf[128];

static int (*volatile snprintf_p)(char *, size_t, const char *, ...) = snprintf;
static void *(*volatile malloc_p)(size_t) = malloc;
static void *(*volatile calloc_p)(size_t, size_t) = calloc;
static void *(*volatile realloc_p)(void *, size_t) = realloc;
static void (*volatile free_p)(void *) = free;
static long (*volatile id_p)(long);

static long id(long i)
{
    return i;
}

NOINLINE long g_snprintf(long i)
{
    return snprintf_p(buf, sizeof buf, "%ld items, %s, %.2f", i, "ok", 1.5);
}

NOINLINE long g_malloc(long i)
{
    void *p = malloc_p(32 + (size_t)(i & 15));
    KEEP(p);
    free_p(p);
    return 1;
}

NOINLINE long g_calloc(long i)
{
    void *p = calloc_p(4, 16 + (size_t)(i & 7));
    KEEP(p);
    void *q = realloc_p(p, 200);
    free_p(q);
    return 1;
}

NOINLINE long g_empty(long i)
{
    if (id_p == NULL)
        id_p = id;
    return id_p(i);
}
