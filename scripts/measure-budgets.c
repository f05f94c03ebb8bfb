/*
 * measure-budgets.c: how much stack glibc functions really use.
 *
 * For each function of the table below, a child process paints 512 KiB
 * below its stack pointer with a pattern, calls the function once with
 * demanding inputs (the first call, when lazy initialisation runs: locale,
 * malloc arenas, NSS modules), again (the common path), and finds the
 * lowest byte that is no longer the pattern.  The distance from the stack
 * pointer at the call to that byte is the function's use below its call
 * site, return address included: what the linkstack plugin calls its
 * budget.  scripts/measure-budgets turns the figures into the table the
 * plugin reads (a margin added), see doc/plugin.md.
 *
 * The painting and the scan are inline (no call, so no frame of theirs
 * lands in the painted area).  Inputs live in static storage so that the
 * measuring frames stay small.  Built with -O2 -fno-builtin (every call
 * stays a call, none is folded or inlined) and linked with -z now, as
 * programs built for linkstack are (linkstack.pc), so no lazy PLT lookup
 * is measured.
 *
 * Output: one line per function, "NAME BYTES leaf|call", or "NAME -" when
 * the child failed.  Usage: measure-budgets [NAME...]
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <fcntl.h>
#include <locale.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#define PAINT (512u << 10)
#define PATTERN 0x5a5a5a5a5a5a5a5aull

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
static int ints[100000];
static volatile long double ld = 1.0e4000L;
static volatile double dbl = 1.7976931348623157e308;
static const wchar_t wide[] = L"wide string \u00e9\u00e8";
static char *heap;
static volatile uintptr_t sink;
static FILE *devnull;

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* printf-family input that walks the deep paths: floating point of huge
   magnitude (multi-precision), positional arguments, wide strings,
   padding and grouping. */
#define FMT "%1$s %2$'d %3$.400Lf %4$.300f %5$ls %6$*7$d %8$e\n"
#define FMT_ARGS s1, 123456789, ld, dbl, wide, 42, 300, dbl

static void fill_inputs(void)
{
    memset(big, 'a', sizeof big - 1);
    memset(s1, 'b', sizeof s1 - 1);
    memset(s2, 'b', sizeof s2 - 1);
    s2[sizeof s2 - 2] = 'c';
    for (unsigned i = 0; i < sizeof ints / sizeof ints[0]; i++)
        ints[i] = (int)((i * 2654435761u) >> 7);
    setlocale(LC_ALL, "C.UTF-8");
    devnull = fopen("/dev/null", "w");
}

static int vcall(int (*fn)(FILE *, const char *, va_list), ...)
{
    va_list ap;
    va_start(ap, fn);
    int r = fn(devnull, FMT, ap);
    va_end(ap);
    return r;
}

static void call_getaddrinfo(void)
{
    struct addrinfo *res = NULL, hints = { .ai_family = AF_UNSPEC };
    if (getaddrinfo("localhost", "http", &hints, &res) == 0)
        freeaddrinfo(res);
    hints.ai_flags = AI_NUMERICHOST;
    if (getaddrinfo("127.0.0.1", "80", &hints, &res) == 0)
        freeaddrinfo(res);
}

/*
 * The table: NAME, LEAF (1: never calls back into other code, so the
 * caller reserves no R below it) and the call.  Cancellation points and
 * stdio (cookie streams call user functions) are not leaves.
 */
#define FUNCTIONS(X)                                                        \
    X(memcpy, 1, memcpy(dst, big, sizeof big))                              \
    X(memmove, 1, memmove(dst + 1, dst, sizeof big))                        \
    X(memset, 1, memset(dst, 0, sizeof dst))                                \
    X(memcmp, 1, sink=memcmp(s1, s2, sizeof s1))                           \
    X(memchr, 1, sink=(uintptr_t)memchr(big, 'z', sizeof big))                        \
    X(memrchr, 1, sink=(uintptr_t)memrchr(big, 'z', sizeof big))                      \
    X(strlen, 1, sink=strlen(big))                                         \
    X(strnlen, 1, sink=strnlen(big, sizeof big))                           \
    X(strcpy, 1, strcpy(dst, big))                                          \
    X(strncpy, 1, strncpy(dst, big, sizeof big))                            \
    X(stpcpy, 1, stpcpy(dst, big))                                          \
    X(strcat, 1, (dst[0] = 0, strcat(dst, big)))                            \
    X(strncat, 1, (dst[0] = 0, strncat(dst, big, sizeof big)))              \
    X(strcmp, 1, sink=(uintptr_t)strcmp(s1, s2))                                      \
    X(strncmp, 1, sink=(uintptr_t)strncmp(s1, s2, sizeof s1))                         \
    X(strcasecmp, 1, sink=(uintptr_t)strcasecmp(s1, s2))                              \
    X(strncasecmp, 1, sink=(uintptr_t)strncasecmp(s1, s2, sizeof s1))                 \
    X(strchr, 1, sink=(uintptr_t)strchr(big, 'z'))                                    \
    X(strrchr, 1, sink=(uintptr_t)strrchr(big, 'z'))                                  \
    X(strstr, 1, sink=(uintptr_t)strstr(big, s2))                                     \
    X(strspn, 1, sink=(uintptr_t)strspn(big, "ab"))                                   \
    X(strcspn, 1, sink=(uintptr_t)strcspn(big, "xyz"))                                \
    X(strpbrk, 1, sink=(uintptr_t)strpbrk(big, "xyz"))                                \
    X(strtok, 1, (strcpy(dst, "a,b,,c"), sink=(uintptr_t)strtok(dst, ",")))           \
    X(strdup, 1, free(strdup(big)))                                         \
    X(strndup, 1, free(strndup(big, 100)))                                  \
    X(strtol, 1, sink=(uintptr_t)strtol("  -123456789", NULL, 0))                     \
    X(strtoul, 1, sink=(uintptr_t)strtoul("0x123456789", NULL, 0))                    \
    X(strtoll, 1, sink=(uintptr_t)strtoll("-123456789012", NULL, 10))                 \
    X(strtoull, 1, sink=(uintptr_t)strtoull("123456789012", NULL, 10))                \
    X(strtod, 1, sink=(uintptr_t)strtod("1.7976931348623157e308", NULL))              \
    X(atoi, 1, sink=(uintptr_t)atoi("123456"))                                        \
    X(atol, 1, sink=(uintptr_t)atol("123456"))                                        \
    X(atof, 1, sink=(uintptr_t)atof("3.25e-300"))                                     \
    X(malloc, 1, free(malloc(100)))                                         \
    X(calloc, 1, free(calloc(1000, 1000)))                                  \
    X(realloc, 1, free(realloc(malloc(10), 1 << 20)))                       \
    X(free, 1, (heap = malloc(5000), free(heap)))                           \
    X(aligned_alloc, 1, free(aligned_alloc(4096, 4096)))                    \
    X(sin, 1, sink=(uintptr_t)sin(dbl))                                               \
    X(cos, 1, sink=(uintptr_t)cos(dbl))                                               \
    X(exp, 1, sink=(uintptr_t)exp(700.5))                                             \
    X(log, 1, sink=(uintptr_t)log(dbl))                                               \
    X(pow, 1, sink=(uintptr_t)pow(1.0000001, dbl))                                    \
    X(sqrt, 1, sink=(uintptr_t)sqrt(dbl))                                             \
    X(time, 1, sink=(uintptr_t)time(NULL))                                            \
    X(clock_gettime, 1, ({ struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); })) \
    X(getpid, 1, sink=(uintptr_t)getpid())                                            \
    X(printf, 0, printf(FMT, FMT_ARGS))                                     \
    X(fprintf, 0, fprintf(devnull, FMT, FMT_ARGS))                          \
    X(sprintf, 0, sprintf(dst, FMT, FMT_ARGS))                              \
    X(snprintf, 0, snprintf(dst, sizeof dst, FMT, FMT_ARGS))                \
    X(dprintf, 0, dprintf(1, FMT, FMT_ARGS))                                \
    X(asprintf, 0, ({ char *p_; if (asprintf(&p_, FMT, FMT_ARGS) >= 0) free(p_); })) \
    X(vfprintf, 0, vcall(vfprintf, FMT_ARGS))                               \
    X(__printf_chk, 0, __printf_chk(1, FMT, FMT_ARGS))                      \
    X(__fprintf_chk, 0, __fprintf_chk(devnull, 1, FMT, FMT_ARGS))           \
    X(__sprintf_chk, 0, __sprintf_chk(dst, 1, sizeof dst, FMT, FMT_ARGS))   \
    X(__snprintf_chk, 0, __snprintf_chk(dst, sizeof dst, 1, sizeof dst, FMT, FMT_ARGS)) \
    X(puts, 0, puts(s1))                                                    \
    X(fputs, 0, fputs(big, devnull))                                        \
    X(fwrite, 0, fwrite(big, 1, sizeof big, devnull))                       \
    X(putchar, 0, putchar('\n'))                                            \
    X(fflush, 0, fflush(stdout))                                            \
    X(sscanf, 0, ({ int a_; double b_; char c_[64]; (void)sscanf("12 3.5e300 word", "%d %lf %63s", &a_, &b_, c_); })) \
    X(qsort, 0, qsort(ints, sizeof ints / sizeof ints[0], sizeof ints[0], cmp_int)) \
    X(bsearch, 0, (void)bsearch(&ints[5], ints, 1000, sizeof ints[0], cmp_int)) \
    X(getaddrinfo, 0, call_getaddrinfo())                                   \
    X(read, 0, ({ int fd_ = open("/dev/zero", O_RDONLY); (void)!read(fd_, dst, 4096); close(fd_); })) \
    X(write, 0, (void)!write(fileno(devnull), big, 4096))                   \
    X(open, 0, close(open("/dev/null", O_RDONLY)))                          \
    X(close, 0, close(dup(1)))                                              \
    X(socket, 0, close(socket(AF_INET, SOCK_STREAM, 0)))                    \
    X(poll, 0, ({ struct pollfd p_ = { .fd = 1, .events = POLLOUT }; (void)poll(&p_, 1, 0); })) \
    X(nanosleep, 0, ({ struct timespec t_ = { 0, 1000 }; nanosleep(&t_, NULL); })) \
    X(usleep, 0, usleep(1))                                                 \
    X(stat, 0, ({ struct stat st_; (void)stat("/", &st_); }))

#define DEFINE(name, leaf, call)                                            \
    static __attribute__((noinline)) size_t measure_##name(void)           \
    {                                                                       \
        uintptr_t sp;                                                       \
        __asm__ volatile("movq %%rsp, %0" : "=r"(sp));                     \
        PAINT_BELOW(sp);                                                    \
        call;                                                               \
        return used_below(sp);                                              \
    }
FUNCTIONS(DEFINE)

struct entry {
    const char *name;
    int leaf;
    size_t (*measure)(void);
};

#define ENTRY(name, leaf, call) { #name, leaf, measure_##name },
static const struct entry table[] = { FUNCTIONS(ENTRY) };

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
        /* Output of the measured calls goes nowhere. */
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        fill_inputs();
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
    if (n != (ssize_t)sizeof m || m == (size_t)-1 || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0)
        printf("%s -\n", e->name);
    else
        printf("%s %zu %s\n", e->name, m, e->leaf ? "leaf" : "call");
}

int main(int argc, char **argv)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int want = argc < 2;
        for (int k = 1; k < argc; k++)
            if (strcmp(argv[k], table[i].name) == 0)
                want = 1;
        if (want)
            run(&table[i]);
    }
    return 0;
}
