/*
 * measure.c: how much stack glibc functions really use, to hold the proven
 * budgets table (scripts/prove-budgets) against reality.
 *
 * A proof that says "strstr uses at most 2200 bytes" is only as good as the
 * disassembly, the abstract state and the patterns it trusts; this program
 * is the other side of the check (testsuite/budgets/crosscheck.sh): for
 * each function of its table, a child process paints 512 KiB below its
 * stack pointer with a pattern, calls the function with demanding inputs
 * (the inputs that took the deep paths the old measured table missed: a
 * needle over 256 bytes for strstr, B1; every alignment of source and
 * destination for the string functions; free's first call on a thread with
 * no tcache yet) and finds the lowest byte that is no longer the pattern.
 * The distance from the stack pointer at the call to that byte is the use
 * below the call site, return address included: what the table's BYTES
 * bounds.  A measurement is a lower bound of the truth, so the check is
 * one-sided: measured <= proven, for every proven name.
 *
 * The painting and the scan are inline (no call, so no frame of theirs
 * lands in the painted area).  Inputs live in static storage so that the
 * measuring frames stay small.  Built with -O2 -fno-builtin (every call
 * stays a call, none is folded or inlined) and linked with -z now, as
 * programs built for linkstack are (linkstack.pc), so no lazy PLT lookup is
 * measured.
 *
 * LSTK_VARIANT=FUNCTION:OFFSET calls one IFUNC variant instead (see
 * choose_variant).
 *
 * Output: "NAME FUNCTION BYTES" per measurement, "NAME FUNCTION signalN"
 * when the child died of signal N, or "NAME FUNCTION -" when it failed
 * otherwise.
 * Usage: measure [NAME...]
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <locale.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

/* The fortified entry points, which no header declares unfortified. */
void *__memcpy_chk(void *, const void *, size_t, size_t);
char *__strcpy_chk(char *, const char *, size_t);

#define PAINT (512u << 10)
#define PATTERN 0x5a5a5a5a5a5a5a5aull
/* Offsets tried for each pointer argument: every alignment of a cache line. */
#define ALIGNS 64

/* Paints the PAINT bytes below SP.  The measuring function is no leaf, so
   the compiler keeps nothing below its stack pointer (no red zone). */
#define PAINT_BELOW(sp)                                                     \
    do {                                                                    \
        uintptr_t d_ = (sp) - PAINT, c_ = PAINT / 8;                        \
        __asm__ volatile("rep stosq"                                        \
                         : "+D"(d_), "+c"(c_)                               \
                         : "a"(PATTERN)                                     \
                         : "memory");                                       \
    } while (0)

/* The lowest painted byte that changed, as a distance from SP. */
static inline __attribute__((always_inline)) size_t used_below(uintptr_t sp)
{
    volatile uint64_t *p = (volatile uint64_t *)(sp - PAINT);
    volatile uint64_t *end = (volatile uint64_t *)sp;
    while (p < end && *p == PATTERN)
        p++;
    if (p == (volatile uint64_t *)(sp - PAINT))
        return (size_t)-1; /* ran off the painted area */
    return sp - (uintptr_t)p;
}

/* Inputs. */
static char big[1 << 16], dst[1 << 17], s1[4096], s2[4096];
/* strstr's long-needle path (two-way with a shift table, B1): a needle over
   256 bytes that almost matches everywhere in the haystack. */
static char needle[600];
static char *heap;
/* The code to call instead of the function measured: NULL for libc's own
   (the IFUNC variant this CPU gets), else one variant, chosen before the
   stack is painted (see run). */
static void *chosen;
#define V(fn) (chosen ? (__typeof__(&fn))chosen : &fn)
static volatile uintptr_t sink;
static volatile int k;

static void fill_inputs(void)
{
    memset(big, 'a', sizeof big - 1);
    memset(s1, 'b', sizeof s1 - 1);
    memset(s2, 'b', sizeof s2 - 1);
    s2[sizeof s2 - 2] = 'c';
    memset(needle, 'a', sizeof needle - 1);
    needle[sizeof needle - 2] = 'b';
    setlocale(LC_ALL, "C.UTF-8");
    setenv("LSTK_MEASURE_VAR", "x", 1);
}


/* Every alignment of the pointer arguments. */
#define EACH_ALIGN(call)                                                    \
    for (k = 0; k < ALIGNS; k++) {                                          \
        call;                                                               \
    }

/*
 * The table: a NAME for the measurement, the libc FUNCTION it measures,
 * and the call.  Each call is made twice in its child (the
 * first call runs lazy initialisation: locale, tcache, CPU features).
 */
#define FUNCTIONS(X)                                                        \
    X(memcpy, memcpy, EACH_ALIGN(V(memcpy)(dst + k, big + 63 - k, sizeof big - 64)))   \
    X(memmove, memmove, EACH_ALIGN(V(memmove)(dst + k + 1, dst, sizeof big)))           \
    X(memset, memset, EACH_ALIGN(V(memset)(dst + k, k, sizeof dst - 64)))              \
    X(memcmp, memcmp, EACH_ALIGN(sink = V(memcmp)(s1 + k, s2 + k, sizeof s1 - 64)))    \
    X(memchr, memchr, EACH_ALIGN(sink = (uintptr_t)V(memchr)(big + k, 'z', sizeof big - 64))) \
    X(memrchr, memrchr, EACH_ALIGN(sink = (uintptr_t)V(memrchr)(big + k, 'z', sizeof big - 64))) \
    X(memmem, memmem, sink = (uintptr_t)V(memmem)(big, sizeof big - 1, needle, sizeof needle - 1)) \
    X(rawmemchr, rawmemchr, EACH_ALIGN(sink = (uintptr_t)V(rawmemchr)(big + k, 0)))       \
    X(strlen, strlen, EACH_ALIGN(sink = V(strlen)(big + k)))                           \
    X(strnlen, strnlen, EACH_ALIGN(sink = V(strnlen)(big + k, sizeof big)))             \
    X(strcpy, strcpy, EACH_ALIGN(V(strcpy)(dst + k, big + 63 - k)))                    \
    X(strncpy, strncpy, EACH_ALIGN(V(strncpy)(dst + k, big + 63 - k, sizeof big)))      \
    X(stpcpy, stpcpy, EACH_ALIGN(V(stpcpy)(dst + k, big + 63 - k)))                    \
    X(strcat, strcat, EACH_ALIGN((dst[k] = 0, V(strcat)(dst + k, big + 63 - k))))      \
    X(strncat, strncat, EACH_ALIGN((dst[k] = 0, V(strncat)(dst + k, big, sizeof big)))) \
    X(strcmp, strcmp, EACH_ALIGN(sink = (uintptr_t)V(strcmp)(s1 + k, s2 + 63 - k)))    \
    X(strncmp, strncmp, EACH_ALIGN(sink = (uintptr_t)V(strncmp)(s1 + k, s2 + k, sizeof s1))) \
    X(strcasecmp, strcasecmp, EACH_ALIGN(sink = (uintptr_t)V(strcasecmp)(s1 + k, s2 + k))) \
    X(strncasecmp, strncasecmp, EACH_ALIGN(sink = (uintptr_t)V(strncasecmp)(s1 + k, s2 + k, sizeof s1))) \
    X(strchr, strchr, EACH_ALIGN(sink = (uintptr_t)V(strchr)(big + k, 'z')))           \
    X(strchrnul, strchrnul, EACH_ALIGN(sink = (uintptr_t)V(strchrnul)(big + k, 'z')))     \
    X(strrchr, strrchr, EACH_ALIGN(sink = (uintptr_t)V(strrchr)(big + k, 'z')))         \
    X(strstr, strstr, sink = (uintptr_t)V(strstr)(big, needle))                        \
    X(strcasestr, strcasestr, sink = (uintptr_t)V(strcasestr)(big, needle))                \
    X(strspn, strspn, sink = (uintptr_t)V(strspn)(big, "abcdefghijklmnopqrstuvwxyz"))  \
    X(strcspn, strcspn, sink = (uintptr_t)V(strcspn)(big, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")) \
    X(strpbrk, strpbrk, sink = (uintptr_t)V(strpbrk)(big, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")) \
    X(strtok, strtok, (strcpy(dst, "a,b,,c;d"), sink = (uintptr_t)V(strtok)(dst, ",;:"))) \
    X(strsep, strsep, ({ char *p_ = (strcpy(dst, "a,b,,c;d"), dst); sink = (uintptr_t)V(strsep)(&p_, ",;:"); })) \
    X(strtol, strtol, sink = (uintptr_t)V(strtol)("  -123456789012345678901234567890", NULL, 0)) \
    X(strtoul, strtoul, sink = (uintptr_t)V(strtoul)("0x123456789abcdef0123", NULL, 0)) \
    X(strtoll, strtoll, sink = (uintptr_t)V(strtoll)("-123456789012345678901234567890", NULL, 10)) \
    X(strtoull, strtoull, sink = (uintptr_t)V(strtoull)("123456789012345678901234567890", NULL, 36)) \
    X(atoi, atoi, sink = (uintptr_t)V(atoi)("123456"))                               \
    X(atol, atol, sink = (uintptr_t)V(atol)("-1234567890123"))                      \
    X(getenv, getenv, sink = (uintptr_t)V(getenv)("LSTK_MEASURE_VAR"))                 \
    X(getpid, getpid, sink = (uintptr_t)V(getpid)())                                   \
    X(__memcpy_chk, __memcpy_chk, V(__memcpy_chk)(dst, big, sizeof big, sizeof dst))         \
    X(__strcpy_chk, __strcpy_chk, V(__strcpy_chk)(dst, big, sizeof dst))                     \
    X(free, free, (heap = malloc(5000), V(free)(heap)))

#define DEFINE(name, fn, call)                                                  \
    static __attribute__((noinline)) size_t measure_##name(void)           \
    {                                                                       \
        uintptr_t sp;                                                       \
        __asm__ volatile("movq %%rsp, %0" : "=r"(sp));                     \
        PAINT_BELOW(sp);                                                    \
        call;                                                               \
        return used_below(sp);                                              \
    }
FUNCTIONS(DEFINE)
DEFINE(free_on_new_thread, free, free(heap))

/* free's first call on a thread that never allocated (tcache_init, arena
   selection), measured on that thread's stack: the table's
   free_on_new_thread runs there, HEAP allocated by the main thread. */
static size_t used_on_thread;
static void *measure_on_thread(void *measure)
{
    used_on_thread = ((size_t(*)(void))measure)();
    return NULL;
}

static size_t measure_free_first_on_thread(void)
{
    pthread_t t;
    heap = malloc(5000);
    used_on_thread = (size_t)-1;
    if (pthread_create(&t, NULL, measure_on_thread, (void *)measure_free_on_new_thread) == 0)
        pthread_join(t, NULL);
    return used_on_thread;
}

struct entry {
    const char *name, *function;
    size_t (*measure)(void);
};

#define ENTRY(name, fn, call) { #name, #fn, measure_##name },
static const struct entry table[] = {
    FUNCTIONS(ENTRY)
    { "free_first_on_thread", "free", measure_free_first_on_thread },
};

/* With LSTK_VARIANT=FUNCTION:OFFSET, the code at OFFSET from libc's load
   address (an IFUNC variant, scripts/prove-budgets --variants) stands for
   FUNCTION: crosscheck.sh measures every variant, not only the one this
   CPU picks.  A variant the CPU cannot run dies of SIGILL. */
static void choose_variant(const char *function)
{
    const char *v = getenv("LSTK_VARIANT");
    size_t n = strlen(function);
    Dl_info info;
    if (v && strncmp(v, function, n) == 0 && v[n] == ':' &&
        dladdr((void *)&getpid, &info) && info.dli_fbase)
        chosen = (char *)info.dli_fbase + strtoul(v + n + 1, NULL, 0);
}

/* Measures E in a child process: cold call, then warm; prints the line. */
static void run(const struct entry *e)
{
    int fds[2];
    if (pipe(fds) != 0)
        return;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        alarm(10);
        fill_inputs();
        choose_variant(e->function);
        size_t a = e->measure(), b = e->measure();
        size_t m = a == (size_t)-1 || b == (size_t)-1 ? (size_t)-1
                                                      : (a > b ? a : b);
        (void)!write(fds[1], &m, sizeof m);
        _exit(0);
    }
    close(fds[1]);
    size_t m = (size_t)-1;
    ssize_t n = read(fds[0], &m, sizeof m);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status))
        printf("%s %s signal%d\n", e->name, e->function, WTERMSIG(status));
    else if (n != (ssize_t)sizeof m || m == (size_t)-1 ||
             !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        printf("%s %s -\n", e->name, e->function);
    else
        printf("%s %s %zu\n", e->name, e->function, m);
}

int main(int argc, char **argv)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int want = argc < 2;
        for (int a = 1; a < argc; a++)
            if (strcmp(argv[a], table[i].name) == 0)
                want = 1;
        if (want)
            run(&table[i]);
    }
    return 0;
}
