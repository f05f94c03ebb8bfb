/*
 * herd.c: one descriptor, many threads consuming from it (issue 10's
 * million threads reading one shared socket, which hung).  Every event on
 * a descriptor woke every thread waiting on it: one byte for each of N
 * readers cost N^2/2 switches (1,000,000 readers: ~5e11, a hang).  Now an
 * event wakes one consuming waiter per direction and that one passes it
 * on unless it drained the descriptor (rt/io/poller.c, struct
 * lstk__waiter).  The tests count switches (lstk_stats) and what each
 * thread got, never time; every wait has a bound (a _timeout call), so a
 * lost wake-up fails an assertion instead of hanging.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <poll.h>
#include <sys/socket.h>

#include "common.h"

TestSuite(herd, .timeout = 60);

#define READERS 400

static int sp[2];
static long got[READERS];

static void *read_one(void *arg)
{
    long i = (long)(intptr_t)arg;
    char c;
    got[i] = lstk_read_timeout(sp[1], &c, 1, 10000 * MS);
    return NULL;
}

Test(herd, a_byte_wakes_one_reader_not_all)
{
    lstk_t t[READERS];
    lstk_stats_t s0, s1;

    cr_assert(eq(int, socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0));
    for (long i = 0; i < READERS; i++)
        cr_assert(eq(int, lstk_create(&t[i], NULL, read_one, (void *)(intptr_t)i), 0));
    lstk_yield(); /* all wait */
    lstk_stats(&s0);
    for (int i = 0; i < READERS; i++) {
        cr_assert(eq(i64, lstk_write(sp[0], "x", 1), 1));
        lstk_yield(); /* the woken reader runs now, one byte at a time */
    }
    for (int i = 0; i < READERS; i++)
        cr_assert(eq(int, lstk_join(t[i], NULL), 0));
    lstk_stats(&s1);
    for (int i = 0; i < READERS; i++)
        cr_expect(eq(i64, got[i], 1), "reader %d", i);
    /* One byte: one reader woken, plus the one it passes the event to,
       who finds the socket drained; with every reader woken it was
       READERS^2/2 = 80,000. */
    cr_expect(le(u64, s1.switches - s0.switches, 8u * READERS),
              "%llu switches for %d bytes",
              (unsigned long long)(s1.switches - s0.switches), READERS);
    close(sp[0]);
    close(sp[1]);
}

Test(herd, many_bytes_at_once_reach_every_reader)
{
    static char buf[READERS];
    lstk_t t[READERS];

    cr_assert(eq(int, socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0));
    for (long i = 0; i < READERS; i++)
        cr_assert(eq(int, lstk_create(&t[i], NULL, read_one, (void *)(intptr_t)i), 0));
    lstk_yield();
    /* One event for all the bytes: the readers pass it along. */
    cr_assert(eq(i64, lstk_write(sp[0], buf, sizeof buf), (ssize_t)sizeof buf));
    for (int i = 0; i < READERS; i++)
        cr_assert(eq(int, lstk_join(t[i], NULL), 0));
    for (int i = 0; i < READERS; i++)
        cr_expect(eq(i64, got[i], 1), "reader %d", i);
    close(sp[0]);
    close(sp[1]);
}

Test(herd, end_of_file_reaches_every_reader)
{
    lstk_t t[READERS];

    cr_assert(eq(int, socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0));
    for (long i = 0; i < READERS; i++)
        cr_assert(eq(int, lstk_create(&t[i], NULL, read_one, (void *)(intptr_t)i), 0));
    lstk_yield();
    cr_assert(eq(int, shutdown(sp[0], SHUT_WR), 0));
    for (int i = 0; i < READERS; i++)
        cr_assert(eq(int, lstk_join(t[i], NULL), 0));
    for (int i = 0; i < READERS; i++)
        cr_expect(eq(i64, got[i], 0), "reader %d", i);
    close(sp[0]);
    close(sp[1]);
}

static int looked;

static void *look(void *arg)
{
    (void)arg;
    looked = lstk_fd_wait(sp[1], POLLIN, 10000 * MS);
    return NULL;
}

Test(herd, a_wait_that_only_looks_wakes_beside_the_readers)
{
    lstk_t t[4], l;

    cr_assert(eq(int, socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0));
    for (long i = 0; i < 4; i++)
        cr_assert(eq(int, lstk_create(&t[i], NULL, read_one, (void *)(intptr_t)i), 0));
    cr_assert(eq(int, lstk_create(&l, NULL, look, NULL), 0));
    lstk_yield();
    cr_assert(eq(i64, lstk_write(sp[0], "x", 1), 1));
    cr_assert(eq(int, lstk_join(l, NULL), 0));
    cr_expect(gt(int, looked, 0), "lstk_fd_wait saw the byte");
    cr_assert(eq(i64, lstk_write(sp[0], "yyy", 3), 3));
    for (int i = 0; i < 4; i++)
        cr_assert(eq(int, lstk_join(t[i], NULL), 0));
    for (int i = 0; i < 4; i++)
        cr_expect(eq(i64, got[i], 1), "reader %d", i);
    close(sp[0]);
    close(sp[1]);
}

/* Writers that fill one socket: each edge of space wakes one of them. */
#define WRITERS 50
#define CHUNK (64 << 10)

static long wrote[WRITERS];

static void *write_chunk(void *arg)
{
    static char data[CHUNK];
    long i = (long)(intptr_t)arg;
    wrote[i] = lstk_write_timeout(sp[0], data, sizeof data, 10000 * MS);
    return NULL;
}

Test(herd, writers_of_one_full_socket_all_finish)
{
    static char sink[CHUNK];
    lstk_t t[WRITERS];
    long total = 0;

    cr_assert(eq(int, socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0));
    for (long i = 0; i < WRITERS; i++)
        cr_assert(eq(int, lstk_create(&t[i], NULL, write_chunk, (void *)(intptr_t)i), 0));
    while (total < (long)WRITERS * CHUNK) {
        ssize_t r = lstk_read_timeout(sp[1], sink, sizeof sink, 10000 * MS);
        cr_assert(gt(i64, r, 0), "read %ld after %ld bytes", (long)r, total);
        total += r;
    }
    for (int i = 0; i < WRITERS; i++)
        cr_assert(eq(int, lstk_join(t[i], NULL), 0));
    for (int i = 0; i < WRITERS; i++)
        cr_expect(eq(i64, wrote[i], CHUNK), "writer %d", i);
    close(sp[0]);
    close(sp[1]);
}
