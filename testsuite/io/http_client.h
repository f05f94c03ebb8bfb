/*
 * http_client.h: the pieces of an HTTP client that the Knot tests share
 * (knot.c, hostile.c).  Each test keeps its own response reader: knot.c
 * reads whole bodies, hostile.c reads byte by byte so that nothing of a
 * smuggled next response is consumed.
 */
#ifndef LSTK_TEST_IO_HTTP_CLIENT_H
#define LSTK_TEST_IO_HTTP_CLIENT_H

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static inline void send_all(int s, const char *req, size_t n)
{
    cr_assert(eq(i64, write(s, req, n), (ssize_t)n));
}

#define send_lit(s, lit) send_all((s), (lit), sizeof(lit) - 1)

/* The value of header NAME in the response head HEAD, or NULL (in a
   static buffer: valid until the next call). */
static inline const char *http_header(const char *head, const char *name)
{
    static char v[256];
    const char *p = head;
    size_t n = strlen(name);

    while ((p = strchr(p, '\n')) != NULL) {
        p++;
        if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
            const char *e = strstr(p, "\r\n");
            p += n + 1;
            while (*p == ' ')
                p++;
            snprintf(v, sizeof v, "%.*s", (int)(e - p), p);
            return v;
        }
    }
    return NULL;
}

#endif
