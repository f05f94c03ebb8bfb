/*
 * cache.h: Knot's file cache with pinning (the paper's pin_cache), shared
 * with the benchmark's event-driven and NPTL servers.
 *
 * An entry is a file of the document root, found by its normalised path
 * (http_path): its response header up to the Date line, and either its
 * bytes (files up to max_file) or an open descriptor for sendfile.  A
 * request pins the entry it serves (cache_get) and unpins it when the
 * response is written (cache_put): a pinned entry is never freed, even if
 * it is evicted or replaced meanwhile, so a response always comes from one
 * consistent version of the file.  The cache is bounded (bytes of cached
 * bodies and number of entries); when full, the least recently used
 * unpinned entries go.  Files that change are noticed: an entry older than
 * one second is checked against the file (fstatat: inode, size, mtime)
 * when it is next asked for, and reloaded if it differs.
 *
 * Concurrency is the caller's: the cache calls OPS->lock/unlock around its
 * bookkeeping, and OPS->wait/broadcast while one request loads a file that
 * others ask for too (Knot: linkstack mutex and condition; the NPTL server:
 * pthreads'; the event-driven server loads synchronously and passes
 * no-ops).  File contents are read with OPS->pread, so that Knot's reads go
 * through lstk_pread and never stall the other threads.
 */
#ifndef KNOT_CACHE_H
#define KNOT_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct cache_ops {
    /* pread(2); may return less than asked only at the end of the file. */
    ssize_t (*pread)(int fd, void *buf, size_t len, off_t off);
    /* Mutual exclusion and waiting for a load; ARG is passed to each. */
    void (*lock)(void *arg);
    void (*unlock)(void *arg);
    /* Waits (lock held; released while waiting) until a broadcast. */
    void (*wait)(void *arg);
    void (*broadcast)(void *arg);
    void *arg;
    /* The current time in seconds (a cheap clock). */
    time_t (*now)(void);
};

/* A cached file.  The fields up to `fd` are the user's to read while the
   entry is pinned. */
struct cache_entry {
    /* "HTTP/1.1 200 OK\r\n" ... "Last-Modified: ...\r\n": everything but
       the Date and Connection lines and the blank line. */
    char *hdr;
    size_t hdr_len;
    /* The file's bytes (NULL for a file over max_file: use fd). */
    char *body;
    /* The file's size. */
    size_t size;
    /* An open descriptor of the file (large files), else -1. */
    int fd;
    /* The count of descriptors held that it is counted in (fd >= 0). */
    uint64_t *fds;

    /* --- private --- */
    int state;
    /* Pins, plus one while the entry is in the table. */
    unsigned refs;
    /* Identity of the file version. */
    dev_t dev;
    ino_t ino;
    struct timespec mtime;
    /* When it was last compared with the file. */
    time_t checked;
    /* Hash chain, LRU list (most recent first). */
    struct cache_entry *hnext;
    struct cache_entry *lprev, *lnext;
    uint64_t hash;
    /* Bytes this entry counts against the bound. */
    size_t cost;
    /* The normalised path (NUL-terminated), allocated with the entry. */
    char path[];
};

struct cache_stats {
    uint64_t hits, misses, loads, evictions, reloads, entries, bytes;
    /* Descriptors held by entries of large files (freed ones included
       until their last pin goes). */
    uint64_t fds;
};

struct cache {
    int rootfd;
    /* The root's real path, for the check used without openat2. */
    char *rootpath;
    size_t max_bytes, max_file, max_entries;
    /* At most this many large-file entries (each holds a descriptor);
       cache_init sets it to max_entries, the server to what its descriptor
       limit allows.  On EMFILE the cache gives its descriptors back. */
    size_t max_fds;
    const struct cache_ops *ops;
    const char *server;
    struct cache_entry **buckets;
    size_t nbuckets;
    struct cache_entry *lru_head, *lru_tail;
    struct cache_stats st;
};

/*
 * Sets up C for the document root ROOTFD (a directory descriptor, owned by
 * the caller; ROOTPATH its real path): at most MAX_BYTES of cached bodies,
 * files up to MAX_FILE bytes cached whole, at most MAX_ENTRIES entries
 * (each large-file entry holds a descriptor).  SERVER is the Server header
 * value.  Returns 0 or an errno value.
 */
int cache_init(struct cache *c, int rootfd, const char *rootpath,
               size_t max_bytes, size_t max_file, size_t max_entries,
               const char *server, const struct cache_ops *ops);

/* Frees every unpinned entry (pinned ones must have been put back). */
void cache_term(struct cache *c);

/*
 * The entry for normalised PATH, pinned: loads the file on a miss or when
 * it changed.  Returns 0 and *OUT, or the HTTP status to answer: 404 (no
 * such regular file inside the root: symlinks leading out of it count as
 * missing), 403 (not readable), 503 (out of descriptors even after the
 * cache gave its own back), 500.
 */
int cache_get(struct cache *c, const char *path, struct cache_entry **out);

/* Non-zero when normalised PATH names a directory inside the root (for a
   redirect to PATH/). */
int cache_is_dir(struct cache *c, const char *path);

/* Unpins E. */
void cache_put(struct cache *c, struct cache_entry *e);

#endif /* KNOT_CACHE_H */
