/*
 * fatal.c: the last words of the runtime.
 *
 * A fatal condition (no memory for a chunk, a corrupted chunk) may be found
 * with little stack left and the heap in doubt, so the message is built in
 * a fixed buffer with a tiny formatter (no stdio, no malloc, no locale) and
 * written with one write(2), then the process aborts: running on after a
 * stack was corrupted would only spread the damage.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "stack/stack.h"

void *(*lstk__self_hook)(void);

struct lstk__buf {
    char text[512];
    size_t len;
};

static void lstk__put(struct lstk__buf *b, const char *s, size_t n)
{
    while (n-- > 0 && b->len < sizeof b->text - 1)
        b->text[b->len++] = *s++;
}

static void lstk__put_str(struct lstk__buf *b, const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    lstk__put(b, s, n);
}

static void lstk__put_num(struct lstk__buf *b, unsigned long v, unsigned base)
{
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v != 0);
    if (base == 16)
        lstk__put(b, "0x", 2);
    while (n > 0)
        lstk__put(b, &digits[--n], 1);
}

noreturn void lstk__fatal(const char *fmt, ...)
{
    struct lstk__buf b = { .len = 0 };
    va_list ap;

    lstk__put_str(&b, "linkstack: ");
    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            lstk__put(&b, p, 1);
            continue;
        }
        switch (*++p) {
        case 's':
            lstk__put_str(&b, va_arg(ap, const char *));
            break;
        case 'z': /* %zu */
            p++;
            lstk__put_num(&b, va_arg(ap, size_t), 10);
            break;
        case 'd': {
            long v = va_arg(ap, int);
            if (v < 0) {
                lstk__put(&b, "-", 1);
                v = -v;
            }
            lstk__put_num(&b, (unsigned long)v, 10);
            break;
        }
        case 'p':
            lstk__put_num(&b, (unsigned long)va_arg(ap, void *), 16);
            break;
        default:
            lstk__put(&b, p - 1, 2);
            break;
        }
    }
    va_end(ap);
    lstk__put_str(&b, " [OS thread ");
    lstk__put_num(&b, (unsigned long)syscall(SYS_gettid), 10);
    void *self = lstk__self_hook ? lstk__self_hook() : NULL;
    if (self != NULL) {
        lstk__put_str(&b, ", linkstack thread ");
        lstk__put_num(&b, (unsigned long)self, 16);
    }
    lstk__put_str(&b, "]\n");
    /* issue 5: the raw system call, not write(): liblinkstack defines
       write() itself (rt/io/intercept.c), and on a linkstack thread that one
       may block and switch threads. */
    long rc = syscall(SYS_write, 2, b.text, b.len);
    (void)rc;
    abort();
}
