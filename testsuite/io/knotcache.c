/*
 * knotcache.c: Knot's file cache (examples/knot/cache.c) and the process's
 * descriptors (issue 13, finding 3): the cache holds a descriptor per
 * large file, at most max_fds of them (Knot derives the cap from
 * RLIMIT_NOFILE: hostile.c checks the server), and when an open fails
 * with EMFILE it gives its own descriptors back and opens again, so a
 * process full of cached files never answers 500 for good.
 *
 * The cache is driven directly, from the test's own context (plain pread,
 * no locking: one caller), with the process's descriptors filled up to
 * its RLIMIT_NOFILE by dup(): each test runs in its own process
 * (Criterion), so the limit and the descriptors are the test's.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../examples/knot/cache.h"

enum { FILES = 40 };

static char root[256];
static int rootfd = -1;
static struct cache cache;

static void nop(void *a) { (void)a; }
static time_t clock_s(void) { return time(NULL); }

static const struct cache_ops ops = {
    .pread = pread,
    .lock = nop,
    .unlock = nop,
    .wait = nop,
    .broadcast = nop,
    .now = clock_s,
};

static void setup(void)
{
    char path[512];

    snprintf(root, sizeof root, "/tmp/lstk-knotcache.%d", (int)getpid());
    cr_assert(eq(int, mkdir(root, 0755), 0));
    for (int i = 0; i < FILES; i++) {
        snprintf(path, sizeof path, "%s/f%02d.txt", root, i);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        cr_assert(ge(int, fd, 0));
        cr_assert(eq(i64, write(fd, "0123456789", 10), 10));
        close(fd);
    }
    rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    cr_assert(ge(int, rootfd, 0));
    /* Every file "large" (over 4 bytes): each entry keeps its descriptor. */
    cr_assert(eq(int, cache_init(&cache, rootfd, root, 1 << 20, 4, 1024, "t", &ops), 0));
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    (void)!system(cmd);
}

TestSuite(knotcache, .init = setup, .fini = teardown, .timeout = 30);

/* Gets and puts back file I; returns the status. */
static int get_put(int i)
{
    char path[32];
    struct cache_entry *e;

    snprintf(path, sizeof path, "f%02d.txt", i);
    int st = cache_get(&cache, path, &e);
    if (st == 0) {
        char buf[16];
        cr_assert(eq(int, e->fd >= 0, 1), "a large file's entry holds a descriptor");
        cr_assert(eq(i64, pread(e->fd, buf, sizeof buf, 0), 10));
        cache_put(&cache, e);
    }
    return st;
}

/* Fills the descriptor table up to the soft limit; returns the lowest
   descriptor taken (the others follow it, up to the limit). */
static int fill_descriptors(void)
{
    int first = -1, fd;
    while ((fd = dup(0)) >= 0)
        if (first < 0)
            first = fd;
    cr_assert(eq(int, errno, EMFILE));
    return first;
}

Test(knotcache, the_cap_bounds_the_descriptors_held)
{
    cache.max_fds = 8;
    for (int i = 0; i < FILES; i++)
        cr_assert(eq(int, get_put(i), 0), "file %d", i);
    cr_assert(le(u64, cache.st.fds, 8), "%llu descriptors held over a cap of 8",
                 (unsigned long long)cache.st.fds);
    cr_assert(ge(u64, cache.st.evictions, FILES - 8));
}

Test(knotcache, emfile_gives_the_caches_descriptors_back)
{
    struct rlimit rl = { 64, 64 };

    cr_assert(eq(int, setrlimit(RLIMIT_NOFILE, &rl), 0));
    /* Ten entries, each holding a descriptor, and nothing else free. */
    for (int i = 0; i < 10; i++)
        cr_assert(eq(int, get_put(i), 0));
    cr_assert(eq(u64, cache.st.fds, 10));
    int first = fill_descriptors();
    /* A new file: its open fails with EMFILE, the cache closes its least
       recently used descriptors and opens again. */
    cr_assert(eq(int, get_put(10), 0), "a new file at EMFILE");
    cr_assert(lt(u64, cache.st.fds, 10 + 1), "the cache kept every descriptor");
    cr_assert(ge(u64, cache.st.evictions, 1));
    /* The most recent entries are still there (no reload needed), and the
       files evicted load again (into the room their eviction made). */
    uint64_t loads = cache.st.loads;
    cr_assert(eq(int, get_put(10), 0));
    cr_assert(eq(u64, cache.st.loads, loads), "file 10 was not kept");
    cr_assert(eq(int, get_put(0), 0), "an evicted file at EMFILE");
    for (int fd = first; fd < 64; fd++)
        close(fd);
}

Test(knotcache, emfile_with_nothing_to_give_back_is_503_not_500_and_passes)
{
    struct rlimit rl = { 64, 64 };

    cr_assert(eq(int, setrlimit(RLIMIT_NOFILE, &rl), 0));
    int first = fill_descriptors();
    /* Nothing cached: the open cannot succeed.  503 (try again), not a
       500 that says the server is broken. */
    cr_assert(eq(int, get_put(0), 503));
    /* Descriptors free again: the same file is served (the failure was
       not cached). */
    for (int fd = first; fd < 64; fd++)
        close(fd);
    cr_assert(eq(int, get_put(0), 0));
}
