/*
 * http.c: request parsing, path normalisation and canned responses for
 * Knot and the benchmark's peers (see http.h).
 *
 * The parser works on a complete header section in one buffer (the servers
 * read until http_header_end finds the blank line), which keeps it a
 * straight scan: no state carried between reads.  It is strict where
 * sloppiness is a security problem (whitespace before a colon, obsolete
 * line folding, conflicting Content-Length, a Transfer-Encoding we cannot
 * frame: all refused, as RFC 9112 asks) and lenient where clients are (a
 * bare LF ends a line).
 */
#include "http.h"

#include <string.h>
#include <time.h>

/* --- small helpers (no locale, no stdio) ---------------------------------- */

char *http_utoa(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *put(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Case-insensitive comparison of S[0..N) with lower-case LIT. */
static int eq_ci(const char *s, size_t n, const char *lit)
{
    size_t i;
    for (i = 0; i < n && lit[i]; i++)
        if (lower((unsigned char)s[i]) != lit[i])
            return 0;
    return i == n && lit[i] == '\0';
}

/* RFC 9110 tchar. */
static int is_tchar(int c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* --- framing ------------------------------------------------------------------ */

size_t http_header_end(const char *buf, size_t len, size_t from, int *status)
{
    size_t i = from > 3 ? from - 3 : 0;
    const char *nl = memchr(buf, '\n', len < HTTP_MAX_LINE + 2 ? len : HTTP_MAX_LINE + 2);

    *status = 0;
    if (nl == NULL) {
        /* Still in the request line. */
        if (len > HTTP_MAX_LINE + 1)
            *status = 414;
        return 0;
    }
    if ((size_t)(nl - buf) > HTTP_MAX_LINE + 1) {
        *status = 414;
        return 0;
    }
    while (i < len) {
        const char *p = memchr(buf + i, '\n', len - i);
        if (p == NULL)
            break;
        size_t k = (size_t)(p - buf);
        /* The line that ends at k is empty: "\n\n" or "\n\r\n". */
        if (k >= 1 && (buf[k - 1] == '\n' ||
                       (buf[k - 1] == '\r' && k >= 2 && buf[k - 2] == '\n'))) {
            if (k + 1 > HTTP_MAX_HEADER) {
                *status = 431;
                return 0;
            }
            return k + 1;
        }
        i = k + 1;
    }
    if (len >= HTTP_MAX_HEADER)
        *status = 431;
    return 0;
}

/* --- parsing ------------------------------------------------------------------ */

/* The line at *P (before END): its content [*P, returned) without the
   line terminator; *P moves past the terminator. */
static const char *line_end(const char **p, const char *end)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *e;

    if (nl == NULL)
        nl = end;
    e = nl;
    if (e > *p && e[-1] == '\r')
        e--;
    *p = nl < end ? nl + 1 : end;
    return e;
}

/* Reads Content-Length's value V[0..N): returns 0, or 400/413. */
static int content_length(const char *v, size_t n, size_t *out, int *seen)
{
    uint64_t x = 0;

    if (n == 0)
        return 400;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return 400;
        x = x * 10 + (uint64_t)(v[i] - '0');
        if (x > HTTP_MAX_BODY * 16ull)
            x = HTTP_MAX_BODY * 16ull; /* saturate: too large anyway */
    }
    if (*seen && *out != x)
        return 400; /* two different lengths: request smuggling */
    *seen = 1;
    *out = (size_t)x;
    return 0;
}

int http_parse(const char *buf, size_t len, struct http_req *r)
{
    const char *p = buf, *end = buf + len, *e, *sp;
    int host = 0, conn_close = 0, conn_keep = 0, cl_seen = 0, rc;
    int expect_bad = 0;

    memset(r, 0, sizeof *r);
    r->header_len = len;

    /* Request line: METHOD SP target SP HTTP/1.x */
    e = line_end(&p, end);
    sp = buf;
    while (sp < e && is_tchar((unsigned char)*sp))
        sp++;
    if (sp == buf || sp >= e || *sp != ' ')
        return 400;
    if (sp - buf == 3 && memcmp(buf, "GET", 3) == 0)
        r->method = HTTP_GET;
    else if (sp - buf == 4 && memcmp(buf, "HEAD", 4) == 0)
        r->method = HTTP_HEAD;
    else
        r->method = HTTP_OTHER;
    r->target = ++sp;
    while (sp < e && *sp != ' ')
        sp++;
    r->target_len = (size_t)(sp - r->target);
    if (r->target_len == 0 || sp >= e)
        return 400;
    for (size_t i = 0; i < r->target_len; i++)
        if ((unsigned char)r->target[i] <= ' ' || r->target[i] == 0x7f)
            return 400;
    sp++;
    if (e - sp != 8 || memcmp(sp, "HTTP/", 5) != 0 || sp[6] != '.' ||
        sp[5] < '0' || sp[5] > '9' || sp[7] < '0' || sp[7] > '9')
        return 400;
    if (sp[5] != '1')
        return 505;
    r->minor = sp[7] - '0';

    /* Header fields. */
    while (p < end) {
        const char *name = p, *colon, *v, *ve;
        e = line_end(&p, end);
        if (e == name)
            break; /* the blank line */
        if (*name == ' ' || *name == '\t')
            return 400; /* obsolete line folding */
        colon = name;
        while (colon < e && is_tchar((unsigned char)*colon))
            colon++;
        if (colon == name || colon >= e || *colon != ':')
            return 400; /* no name, or whitespace before the colon */
        v = colon + 1;
        while (v < e && (*v == ' ' || *v == '\t'))
            v++;
        ve = e;
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        for (const char *q = v; q < ve; q++)
            if ((unsigned char)*q < ' ' && *q != '\t')
                return 400;
        size_t nlen = (size_t)(colon - name), vlen = (size_t)(ve - v);
        if (eq_ci(name, nlen, "host")) {
            if (host++)
                return 400;
        } else if (eq_ci(name, nlen, "content-length")) {
            rc = content_length(v, vlen, &r->body_len, &cl_seen);
            if (rc)
                return rc;
        } else if (eq_ci(name, nlen, "transfer-encoding")) {
            /* A body we cannot frame (RFC 9112 6.1: 501 for a coding not
               implemented; HTTP/1.0 has no transfer codings: 400).  The
               caller must close: where the body ends is unknown. */
            return r->minor >= 1 ? 501 : 400;
        } else if (eq_ci(name, nlen, "expect")) {
            if (eq_ci(v, vlen, "100-continue"))
                r->expect_continue = 1;
            else
                expect_bad = 1;
        } else if (eq_ci(name, nlen, "connection")) {
            /* A comma-separated list of tokens. */
            const char *t = v;
            while (t < ve) {
                const char *te = t;
                while (te < ve && *te != ',')
                    te++;
                const char *a = t, *b = te;
                while (a < b && (*a == ' ' || *a == '\t'))
                    a++;
                while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
                    b--;
                if (eq_ci(a, (size_t)(b - a), "close"))
                    conn_close = 1;
                else if (eq_ci(a, (size_t)(b - a), "keep-alive"))
                    conn_keep = 1;
                t = te + (te < ve);
            }
        }
    }
    if (r->minor >= 1 && !host)
        return 400; /* RFC 9112 3.2: HTTP/1.1 needs Host */
    r->keep_alive = conn_close ? 0 : r->minor >= 1 ? 1 : conn_keep;
    if (r->body_len > HTTP_MAX_BODY)
        return 413;
    if (expect_bad && r->minor >= 1)
        return 417;
    if (r->method == HTTP_OTHER)
        return 405;
    return 0;
}

/* --- paths ------------------------------------------------------------------- */

int http_path(const char *target, size_t len, char *out, size_t cap)
{
    const char *p = target, *end = target + len;
    size_t n = 0, seg_start;
    int last_dir = 0;

    /* absolute-form: skip "scheme://authority". */
    if (len > 7 && (eq_ci(target, 7, "http://") ||
                    (len > 8 && eq_ci(target, 8, "https://")))) {
        p = target + (eq_ci(target, 7, "http://") ? 7 : 8);
        while (p < end && *p != '/' && *p != '?' && *p != '#')
            p++;
        if (p == end || *p != '/')
            p = "/", end = p + 1;
    }
    if (p >= end || *p != '/')
        return 400;
    if (cap < sizeof "index.html")
        return 414;
    /* Segment by segment: decode, then drop "." and resolve "..". */
    while (p < end && *p != '?' && *p != '#') {
        while (p < end && *p == '/')
            p++;
        if (p >= end || *p == '?' || *p == '#') {
            last_dir = 1;
            break;
        }
        seg_start = n;
        if (n > 0) {
            if (n + 1 >= cap)
                return 414;
            out[n++] = '/';
        }
        size_t first = n;
        while (p < end && *p != '/' && *p != '?' && *p != '#') {
            int c = (unsigned char)*p++;
            if (c == '%') {
                int h, l;
                if (end - p < 2 || (h = hexval(p[0])) < 0 || (l = hexval(p[1])) < 0)
                    return 400;
                c = h * 16 + l;
                p += 2;
                if (c == 0)
                    return 400;
                if (c == '/') {
                    /* An encoded slash ends the segment like a plain one. */
                    p -= 3;
                    break;
                }
            }
            if (n + 1 >= cap)
                return 414;
            out[n++] = (char)c;
        }
        if (p < end && *p == '%')
            p += 3; /* the encoded slash */
        size_t seg_len = n - first;
        last_dir = 0;
        if (seg_len == 0) {
            n = seg_start; /* an empty segment before an encoded slash */
            last_dir = 1;
        } else if (seg_len == 1 && out[first] == '.') {
            n = seg_start;
            last_dir = 1;
        } else if (seg_len == 2 && out[first] == '.' && out[first + 1] == '.') {
            if (seg_start == 0)
                return 400; /* above the root */
            /* Drop the segment before "/..". */
            n = seg_start;
            while (n > 0 && out[n - 1] != '/')
                n--;
            if (n > 0)
                n--;
            last_dir = 1;
        }
    }
    if (n == 0 || last_dir) {
        const char *idx = n ? "/index.html" : "index.html";
        size_t il = strlen(idx);
        if (n + il + 1 > cap)
            return 414;
        memcpy(out + n, idx, il);
        n += il;
    }
    out[n] = '\0';
    return 0;
}

/* --- media types ---------------------------------------------------------------- */

static const struct {
    const char *ext;
    const char *type;
} mime_types[] = {
    { "html", "text/html; charset=utf-8" },
    { "htm", "text/html; charset=utf-8" },
    { "css", "text/css; charset=utf-8" },
    { "js", "text/javascript; charset=utf-8" },
    { "mjs", "text/javascript; charset=utf-8" },
    { "json", "application/json" },
    { "txt", "text/plain; charset=utf-8" },
    { "md", "text/markdown; charset=utf-8" },
    { "xml", "application/xml" },
    { "csv", "text/csv; charset=utf-8" },
    { "png", "image/png" },
    { "jpg", "image/jpeg" },
    { "jpeg", "image/jpeg" },
    { "gif", "image/gif" },
    { "webp", "image/webp" },
    { "avif", "image/avif" },
    { "svg", "image/svg+xml" },
    { "ico", "image/vnd.microsoft.icon" },
    { "pdf", "application/pdf" },
    { "wasm", "application/wasm" },
    { "woff", "font/woff" },
    { "woff2", "font/woff2" },
    { "ttf", "font/ttf" },
    { "mp4", "video/mp4" },
    { "webm", "video/webm" },
    { "mp3", "audio/mpeg" },
    { "ogg", "audio/ogg" },
    { "zip", "application/zip" },
    { "gz", "application/gzip" },
    { "tar", "application/x-tar" },
};

const char *http_mime(const char *path)
{
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');

    if (dot != NULL && (slash == NULL || dot > slash)) {
        dot++;
        for (size_t i = 0; i < sizeof mime_types / sizeof mime_types[0]; i++)
            if (eq_ci(dot, strlen(dot), mime_types[i].ext))
                return mime_types[i].type;
    }
    return "application/octet-stream";
}

/* --- responses ------------------------------------------------------------------- */

const char *http_reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 301: return "Moved Permanently";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

size_t http_error(char *out, size_t cap, int status, const char *date,
                  int keep_alive, int head)
{
    char body[160], *b = body, *p = out;
    const char *reason = http_reason(status);

    (void)cap; /* callers give at least 512 bytes: all of it fits */
    b = put(b, "<html><head><title>");
    b = http_utoa(b, (uint64_t)status);
    *b++ = ' ';
    b = put(b, reason);
    b = put(b, "</title></head><body><h1>");
    b = http_utoa(b, (uint64_t)status);
    *b++ = ' ';
    b = put(b, reason);
    b = put(b, "</h1></body></html>\n");

    p = put(p, "HTTP/1.1 ");
    p = http_utoa(p, (uint64_t)status);
    *p++ = ' ';
    p = put(p, reason);
    p = put(p, "\r\nServer: knot\r\n");
    p = put(p, date);
    p = put(p, "Content-Type: text/html; charset=utf-8\r\nContent-Length: ");
    p = http_utoa(p, (uint64_t)(b - body));
    p = put(p, status == 405 ? "\r\nAllow: GET, HEAD" : "");
    p = put(p, keep_alive ? "\r\nConnection: keep-alive\r\n\r\n"
                          : "\r\nConnection: close\r\n\r\n");
    if (!head) {
        memcpy(p, body, (size_t)(b - body));
        p += b - body;
    }
    return (size_t)(p - out);
}

size_t http_date(char *out, time_t t)
{
    static const char days[] = "SunMonTueWedThuFriSat";
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    struct tm tm;
    char *p = out;

    /* A file's mtime can be anything (touch -d, a restored archive, a
       corrupt inode): outside gmtime_r's range it fails, and an
       IMF-fixdate has four-digit years.  No date then, rather than a crash
       or a longer string than callers sized for. */
    *out = '\0';
    if (gmtime_r(&t, &tm) == NULL || tm.tm_year < 1 - 1900 ||
        tm.tm_year > 9999 - 1900)
        return 0;
    memcpy(p, days + 3 * tm.tm_wday, 3);
    p += 3;
    *p++ = ',';
    *p++ = ' ';
    *p++ = (char)('0' + tm.tm_mday / 10);
    *p++ = (char)('0' + tm.tm_mday % 10);
    *p++ = ' ';
    memcpy(p, months + 3 * tm.tm_mon, 3);
    p += 3;
    *p++ = ' ';
    int year = tm.tm_year + 1900;
    *p++ = (char)('0' + year / 1000);
    *p++ = (char)('0' + year / 100 % 10);
    *p++ = (char)('0' + year / 10 % 10);
    *p++ = (char)('0' + year % 10);
    *p++ = ' ';
    *p++ = (char)('0' + tm.tm_hour / 10);
    *p++ = (char)('0' + tm.tm_hour % 10);
    *p++ = ':';
    *p++ = (char)('0' + tm.tm_min / 10);
    *p++ = (char)('0' + tm.tm_min % 10);
    *p++ = ':';
    *p++ = (char)('0' + tm.tm_sec / 10);
    *p++ = (char)('0' + tm.tm_sec % 10);
    p = put(p, " GMT");
    *p = '\0';
    return (size_t)(p - out);
}

size_t http_date_line(char *out, time_t t)
{
    char *p = put(out, "Date: ");
    p += http_date(p, t);
    p = put(p, "\r\n");
    *p = '\0';
    return (size_t)(p - out);
}
