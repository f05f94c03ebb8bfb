/*
 * cache.c: the pinning file cache (see cache.h).
 *
 * A chained hash table (FNV-1a, power-of-two buckets, doubled when the
 * load passes 1) and an LRU list.  Every entry in the table holds one
 * reference; every pin one more; the entry is freed when the count drops
 * to zero, which for an evicted or replaced entry happens when its last
 * response has been written.  An entry is LOADING from the miss that
 * created it until the file is read: other requests for it wait (so a file
 * is read once however many ask at once), and a failed load leaves the
 * table at once (no negative caching: a file that appears is served).
 *
 * Files are opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)
 * under the root's descriptor: the kernel refuses any path, "..", absolute
 * symlink or relative one, that resolves outside the root (EXDEV), so no
 * file outside the root can ever be opened, whatever the request path
 * became after decoding.  Kernels before 5.6 lack openat2: then the file
 * is opened normally and its real path (/proc/self/fd) must lie under the
 * root's.
 *
 * The cold paths (open, stat, read, header formatting) live in separate
 * functions so that the hot path, a hit, stays small on Knot's stacks.
 */
#define _GNU_SOURCE 1
#include "cache.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "http.h"

enum { LOADING = 1, READY, FAILED };

/* Bytes an entry costs beyond its body (the structure, path, header). */
#define ENTRY_OVERHEAD 256

static uint64_t path_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
    return h;
}

int cache_init(struct cache *c, int rootfd, const char *rootpath,
               size_t max_bytes, size_t max_file, size_t max_entries,
               const char *server, const struct cache_ops *ops)
{
    memset(c, 0, sizeof *c);
    c->rootfd = rootfd;
    c->rootpath = strdup(rootpath);
    c->max_bytes = max_bytes;
    c->max_file = max_file;
    c->max_entries = max_entries ? max_entries : 1;
    c->max_fds = c->max_entries;
    c->server = server;
    c->ops = ops;
    c->nbuckets = 1024;
    c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
    if (c->rootpath == NULL || c->buckets == NULL)
        return ENOMEM;
    return 0;
}

static __attribute__((noinline)) void entry_free(struct cache_entry *e)
{
    if (e->fd >= 0) {
        close(e->fd);
        __atomic_fetch_sub(e->fds, 1, __ATOMIC_RELAXED);
    }
    free(e->hdr);
    free(e->body);
    free(e);
}

static void entry_unref(struct cache_entry *e)
{
    if (--e->refs == 0)
        entry_free(e);
}

/* Takes E out of the table and the LRU list (its table reference goes). */
static void table_remove(struct cache *c, struct cache_entry *e)
{
    struct cache_entry **pp = &c->buckets[e->hash & (c->nbuckets - 1)];

    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    if (e->lprev)
        e->lprev->lnext = e->lnext;
    else
        c->lru_head = e->lnext;
    if (e->lnext)
        e->lnext->lprev = e->lprev;
    else
        c->lru_tail = e->lprev;
    c->st.entries--;
    c->st.bytes -= e->cost;
    entry_unref(e);
}

void cache_term(struct cache *c)
{
    while (c->lru_head)
        table_remove(c, c->lru_head);
    free(c->buckets);
    free(c->rootpath);
}

static void lru_front(struct cache *c, struct cache_entry *e)
{
    if (c->lru_head == e)
        return;
    /* unlink */
    if (e->lprev)
        e->lprev->lnext = e->lnext;
    if (e->lnext)
        e->lnext->lprev = e->lprev;
    else if (c->lru_tail == e)
        c->lru_tail = e->lprev;
    /* push front */
    e->lprev = NULL;
    e->lnext = c->lru_head;
    if (c->lru_head)
        c->lru_head->lprev = e;
    c->lru_head = e;
    if (c->lru_tail == NULL)
        c->lru_tail = e;
}

static __attribute__((noinline)) void table_grow(struct cache *c)
{
    size_t n = c->nbuckets * 2;
    struct cache_entry **b = calloc(n, sizeof *b);

    if (b == NULL)
        return; /* longer chains; still correct */
    for (size_t i = 0; i < c->nbuckets; i++) {
        struct cache_entry *e = c->buckets[i], *next;
        for (; e; e = next) {
            next = e->hnext;
            e->hnext = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    }
    free(c->buckets);
    c->buckets = b;
    c->nbuckets = n;
}

static struct cache_entry *table_find(struct cache *c, uint64_t h,
                                      const char *path)
{
    struct cache_entry *e = c->buckets[h & (c->nbuckets - 1)];
    for (; e; e = e->hnext)
        if (e->hash == h && strcmp(e->path, path) == 0)
            return e;
    return NULL;
}

/* Evicts least recently used unpinned entries while over a bound: bytes,
   entries, or descriptors held (only entries with one count for that). */
static void evict(struct cache *c)
{
    struct cache_entry *e = c->lru_tail;

    while (e && (c->st.bytes > c->max_bytes || c->st.entries > c->max_entries ||
                 c->st.fds > c->max_fds)) {
        struct cache_entry *prev = e->lprev;
        int over = c->st.bytes > c->max_bytes || c->st.entries > c->max_entries;
        if (e->refs == 1 && e->state == READY && (over || e->fd >= 0)) {
            table_remove(c, e);
            c->st.evictions++;
        }
        e = prev;
    }
}

/* Out of descriptors (EMFILE, ENFILE): gives back up to N of the cache's,
   least recently used first (lock held).  Returns how many were closed
   now (pinned ones close when their responses end). */
static __attribute__((noinline)) int evict_fds(struct cache *c, int n)
{
    struct cache_entry *e = c->lru_tail;
    int done = 0;

    while (e && done < n) {
        struct cache_entry *prev = e->lprev;
        if (e->refs == 1 && e->state == READY && e->fd >= 0) {
            table_remove(c, e);
            c->st.evictions++;
            done++;
        }
        e = prev;
    }
    return done;
}

/* --- loading (cold) ---------------------------------------------------------------- */

static int errno_status(int err)
{
    switch (err) {
    case EACCES:
    case EPERM:
        return 403;
    case ENOMEM:
    case EMFILE:
    case ENFILE:
        return 500;
    default:
        return 404; /* ENOENT, ENOTDIR, EXDEV (out of the root), ELOOP, ... */
    }
}

/* Opens PATH under the root, never outside it.  Returns the descriptor
   or -1 with errno. */
static __attribute__((noinline)) int open_beneath(struct cache *c,
                                                  const char *path)
{
    static int no_openat2;
    struct open_how how;
    char link[64], real[4096];
    ssize_t n;
    size_t rl;
    int fd;

    if (!no_openat2) {
        memset(&how, 0, sizeof how);
        how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
        how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
        fd = (int)syscall(SYS_openat2, c->rootfd, path, &how, sizeof how);
        if (fd >= 0 || errno != ENOSYS)
            return fd;
        no_openat2 = 1;
    }
    fd = openat(c->rootfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return -1;
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = readlink(link, real, sizeof real - 1);
    rl = strlen(c->rootpath);
    if (n < 0 || (size_t)n <= rl || memcmp(real, c->rootpath, rl) != 0 ||
        (real[rl] != '/' && rl > 1)) {
        close(fd);
        errno = EXDEV;
        return -1;
    }
    return fd;
}

/* Opens and reads E's file, builds its header.  Returns 0 or a status. */
static __attribute__((noinline)) int entry_load(struct cache *c,
                                                struct cache_entry *e)
{
    struct stat st;
    char date[40], *p;
    const char *mime;
    size_t done = 0;
    int fd = open_beneath(c, e->path);

    if (fd < 0 && (errno == EMFILE || errno == ENFILE)) {
        /* The cache's descriptors go first: without this, a process full
           of cached large files answers 500 for good. */
        int freed;
        c->ops->lock(c->ops->arg);
        freed = evict_fds(c, 8);
        c->ops->unlock(c->ops->arg);
        if (freed > 0)
            fd = open_beneath(c, e->path);
        if (fd < 0 && (errno == EMFILE || errno == ENFILE))
            return 503;
    }
    if (fd < 0)
        return errno_status(errno);
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return 404; /* directories and devices are not served */
    }
    e->dev = st.st_dev;
    e->ino = st.st_ino;
    e->mtime = st.st_mtim;
    e->size = (size_t)st.st_size;
    if (e->size <= c->max_file) {
        e->body = malloc(e->size ? e->size : 1);
        if (e->body == NULL) {
            close(fd);
            return 500;
        }
        while (done < e->size) {
            ssize_t n = c->ops->pread(fd, e->body + done, e->size - done,
                                      (off_t)done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break; /* shrank meanwhile: serve what is there */
            done += (size_t)n;
        }
        e->size = done;
        close(fd);
        e->fd = -1;
    } else {
        e->fd = fd;
        e->fds = &c->st.fds;
        __atomic_fetch_add(e->fds, 1, __ATOMIC_RELAXED);
    }
    mime = http_mime(e->path);
    e->hdr = malloc(256 + strlen(mime) + strlen(c->server));
    if (e->hdr == NULL)
        return 500;
    p = e->hdr;
    p += sprintf(p, "HTTP/1.1 200 OK\r\nServer: %s\r\nContent-Type: %s\r\n"
                    "Content-Length: %zu\r\n",
                 c->server, mime, e->size);
    /* An mtime with no IMF-fixdate (year 0, 10000, ...): no Last-Modified. */
    if (http_date(date, st.st_mtim.tv_sec) != 0)
        p += sprintf(p, "Last-Modified: %s\r\n", date);
    e->hdr_len = (size_t)(p - e->hdr);
    e->cost = ENTRY_OVERHEAD + strlen(e->path) + e->hdr_len +
              (e->body ? e->size : 0);
    return 0;
}

int cache_is_dir(struct cache *c, const char *path)
{
    int fd = open_beneath(c, path);
    struct stat st;
    int dir;

    if (fd < 0)
        return 0;
    dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
    close(fd);
    return dir;
}

/* Non-zero when E's file is no longer the version cached. */
static __attribute__((noinline)) int entry_changed(struct cache *c,
                                                   struct cache_entry *e)
{
    struct stat st;

    if (fstatat(c->rootfd, e->path, &st, 0) != 0)
        return 1;
    return st.st_dev != e->dev || st.st_ino != e->ino ||
           (size_t)st.st_size != e->size ||
           st.st_mtim.tv_sec != e->mtime.tv_sec ||
           st.st_mtim.tv_nsec != e->mtime.tv_nsec;
}

static __attribute__((noinline)) struct cache_entry *
entry_new(const char *path, uint64_t h)
{
    size_t n = strlen(path) + 1;
    struct cache_entry *e = calloc(1, sizeof *e + n);

    if (e == NULL)
        return NULL;
    memcpy(e->path, path, n);
    e->hash = h;
    e->fd = -1;
    return e;
}

/* --- the hot path ------------------------------------------------------------------ */

int cache_get(struct cache *c, const char *path, struct cache_entry **out)
{
    const struct cache_ops *ops = c->ops;
    uint64_t h = path_hash(path);
    struct cache_entry *e;
    time_t now = ops->now();
    int rc;

    ops->lock(ops->arg);
    for (;;) {
        e = table_find(c, h, path);
        if (e == NULL)
            break;
        if (e->state == LOADING) {
            ops->wait(ops->arg);
            continue;
        }
        e->refs++; /* pinned */
        if (now - e->checked >= 1) {
            int changed;
            e->checked = now;
            ops->unlock(ops->arg);
            changed = entry_changed(c, e);
            ops->lock(ops->arg);
            if (changed) {
                /* Gone or replaced: out of the table (those that pinned
                   it finish with the old version), then load again. */
                if (table_find(c, h, path) == e)
                    table_remove(c, e);
                entry_unref(e);
                c->st.reloads++;
                continue;
            }
        }
        lru_front(c, e);
        c->st.hits++;
        ops->unlock(ops->arg);
        *out = e;
        return 0;
    }

    /* A miss: this request loads the file; others asking wait for it. */
    c->st.misses++;
    e = entry_new(path, h);
    if (e == NULL) {
        ops->unlock(ops->arg);
        return 500;
    }
    e->state = LOADING;
    e->refs = 2; /* the table's and ours */
    e->checked = now;
    e->hnext = c->buckets[h & (c->nbuckets - 1)];
    c->buckets[h & (c->nbuckets - 1)] = e;
    e->lnext = c->lru_head;
    if (c->lru_head)
        c->lru_head->lprev = e;
    c->lru_head = e;
    if (c->lru_tail == NULL)
        c->lru_tail = e;
    c->st.entries++;
    if (c->st.entries > c->nbuckets)
        table_grow(c);
    ops->unlock(ops->arg);

    rc = entry_load(c, e);

    ops->lock(ops->arg);
    c->st.loads++;
    if (rc != 0) {
        e->state = FAILED;
        table_remove(c, e);
        ops->broadcast(ops->arg);
        ops->unlock(ops->arg);
        entry_unref(e);
        return rc;
    }
    e->state = READY;
    c->st.bytes += e->cost;
    evict(c);
    ops->broadcast(ops->arg);
    ops->unlock(ops->arg);
    *out = e;
    return 0;
}

void cache_put(struct cache *c, struct cache_entry *e)
{
    c->ops->lock(c->ops->arg);
    entry_unref(e);
    c->ops->unlock(c->ops->arg);
}
