/*
 * http.h: the HTTP/1.1 part of Knot, shared with the benchmark's event-
 * driven and NPTL servers (bench/knot/), so that every server compared
 * parses and answers alike.  No I/O here, and no libc call that uses more
 * than a few dozen bytes of stack (these functions run on Knot's threads).
 */
#ifndef KNOT_HTTP_H
#define KNOT_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Limits.  A request line longer than HTTP_MAX_LINE gets 414; a header
   section (request line included) longer than HTTP_MAX_HEADER gets 431; a
   body longer than HTTP_MAX_BODY gets 413.  GET and HEAD bodies up to the
   limit are read and dropped. */
#define HTTP_MAX_LINE 4096
#define HTTP_MAX_HEADER 8192
#define HTTP_MAX_BODY (1u << 20)
/* Longest path after decoding, and the deepest directory nesting. */
#define HTTP_MAX_PATH 1024

enum { HTTP_GET = 1, HTTP_HEAD, HTTP_OTHER };

/* A parsed request header. */
struct http_req {
    /* HTTP_GET, HTTP_HEAD or HTTP_OTHER. */
    int method;
    /* The 1 of HTTP/1.1. */
    int minor;
    /* The connection stays open after the response. */
    int keep_alive;
    /* Bytes of the header section, blank line included. */
    size_t header_len;
    /* Content-Length (0 when absent). */
    size_t body_len;
    /* "Expect: 100-continue": the client waits for an interim 100 before
       it sends the body. */
    int expect_continue;
    /* The request target as sent (not terminated), query included. */
    const char *target;
    size_t target_len;
};

/*
 * Looks for the end of the header section in BUF[0..LEN), starting at
 * FROM (bytes before it were searched already).  Returns the section's
 * length once complete; 0 while incomplete; or, via *STATUS, 414 (request
 * line over HTTP_MAX_LINE) or 431 (section over HTTP_MAX_HEADER) when it
 * can never fit.
 */
size_t http_header_end(const char *buf, size_t len, size_t from, int *status);

/* Parses the complete header section BUF[0..LEN) into *R.  Returns 0, or
   the status to answer: 400 (malformed), 405 (not GET or HEAD; body_len
   is then valid: the body must still be read or the connection closed),
   413 (body too large), 417 (an expectation other than 100-continue), 501
   (Transfer-Encoding: the body cannot be framed, close), 505 (not
   HTTP/1.x). */
int http_parse(const char *buf, size_t len, struct http_req *r);

/*
 * Decodes the path of TARGET (percent-escapes, the query dropped) and
 * normalises it into OUT (CAP bytes, NUL-terminated), relative to the
 * document root: no leading '/', no "." or ".." segment, no empty segment.
 * A trailing '/' (a directory) becomes "…/index.html"; the root itself
 * "index.html".  Returns 0, or 400 when the path is malformed, contains a
 * NUL byte, or climbs above the root ("..", "%2e%2e", ...), or 414 when
 * it does not fit.
 */
int http_path(const char *target, size_t len, char *out, size_t cap);

/* The media type for PATH's extension (application/octet-stream when
   unknown). */
const char *http_mime(const char *path);

/* The reason phrase of STATUS. */
const char *http_reason(int status);

/* Writes into OUT (CAP >= 512) a complete response with a short HTML
   body for error STATUS; DATE is the "Date: ...\r\n" line; CLOSE adds
   "Connection: close" (else keep-alive), ALLOW an "Allow: GET, HEAD" line
   (405).  HEAD: headers only.  Returns its length. */
size_t http_error(char *out, size_t cap, int status, const char *date,
                  int keep_alive, int head);

/* Formats T as "Date: <IMF-fixdate>\r\n" into OUT (at least 40 bytes);
   returns the length.  Uses gmtime_r: call it off the hot path. */
size_t http_date_line(char *out, time_t t);
/* The IMF-fixdate of T into OUT (at least 30 bytes); returns the length,
   or 0 (OUT empty) when T has no IMF-fixdate (before year 1, after 9999,
   or outside gmtime_r's range). */
size_t http_date(char *out, time_t t);

/* Appends decimal V to P; returns the end. */
char *http_utoa(char *p, uint64_t v);

#endif /* KNOT_HTTP_H */
