/*
 * linkstack.h: the public API of liblinkstack.
 *
 * Code compiled with `gcc -fplugin=linkstack.so` checks at function entry
 * that its frame fits on the current stack chunk; when it does not, the
 * runtime links a new heap chunk (__morestack) and unlinks it on return.
 * This header gives the calls a program makes on purpose: run a function on
 * a fresh linked stack, and read the counters.
 *
 * Conventions: every call returns 0 or a positive errno value, as pthreads
 * do (no write to errno: that matters on a nearly full chunk).
 */
#ifndef LINKSTACK_H
#define LINKSTACK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LSTK_EXPORT __attribute__((visibility("default")))

/* Version of this header; liblinkstack's soname follows libtool's rules. */
#define LSTK_VERSION_MAJOR 0
#define LSTK_VERSION_MINOR 1
#define LSTK_VERSION_PATCH 0

/*
 * Stack sizes.
 *
 * LSTK_STACK_DEFAULT is the size of a new stack's first chunk, header
 * included.  LSTK_STACK_MIN is the smallest first chunk accepted: below it
 * there is no room above the reserve for even one frame.  Chunks linked
 * later come from size classes (1 KiB doubling up to 1 MiB, larger frames
 * get a chunk of their own).
 */
#define LSTK_STACK_DEFAULT 1024u
#define LSTK_STACK_MIN 1024u

/*
 * Runs FN(ARG) on a fresh linked stack whose first chunk is FIRST_CHUNK
 * bytes (0 means LSTK_STACK_DEFAULT), and stores FN's return value in
 * *RESULT when RESULT is not NULL.  The calling OS thread (main, any
 * pthread, or code already on a linked stack) waits until FN returns; all
 * chunks the call linked are released before this returns.
 *
 * Returns 0 on success, EINVAL if FN is NULL or FIRST_CHUNK is below
 * LSTK_STACK_MIN, ENOMEM if no memory could be had for the first chunk.
 */
LSTK_EXPORT int lstk_stack_run(size_t first_chunk, void *(*fn)(void *),
                               void *arg, void **result);

/*
 * Counters of the whole process (summed over OS threads).  "Live" chunks are
 * chunks owned by stacks, including the one spare chunk a stack keeps
 * cached after a return; chunks back in the allocator's free lists are not
 * live.  Peaks are the sums of each OS thread's peak.
 */
typedef struct lstk_stats {
    /* Chunks owned by stacks now, and at most. */
    uint64_t chunks_live;
    uint64_t chunks_peak;
    /* Bytes of those chunks, headers included. */
    uint64_t bytes_live;
    uint64_t bytes_peak;
    /* Calls that moved onto another chunk (__morestack), cached or not. */
    uint64_t grow_events;
    /* Chunks taken from the allocator: every stack's first chunk, and the
       growth events that found no cached chunk big enough. */
    uint64_t chunk_allocs;
    /* Linked stacks that exist now, and at most. */
    uint64_t stacks_live;
    uint64_t stacks_peak;
    /* User-level threads alive now, at most, and context switches. */
    uint64_t threads_live;
    uint64_t threads_peak;
    uint64_t switches;
    /* Bytes of stack the calling OS thread's user-level threads use now
       (the sum of lstk_stack_usage's live_bytes over them; 0 on a foreign
       thread): compare with bytes_live, what the stacks hold.  Costs a
       walk over the threads. */
    uint64_t depth_live;
    /* Room to grow without breaking the ABI. */
    uint64_t spare[4];
} lstk_stats_t;

/*
 * Fills *OUT with the current counters.  Returns 0, or EINVAL if OUT is NULL.
 */
LSTK_EXPORT int lstk_stats(lstk_stats_t *out);

/*
 * The reserve R in bytes that this runtime keeps free below every chunk's
 * guard (see HACKING.md).  Objects compiled for a larger reserve must not
 * run on this runtime.
 */
LSTK_EXPORT size_t lstk_reserve(void);

/* ======================================================================= */
/*  Threads (user-level, pthread-like).  This block is issue 3's.          */
/* ======================================================================= */
/*
 * A thread runs on a linked stack whose first chunk is its "stack size"
 * (LSTK_STACK_DEFAULT, about 1 KiB); the stack grows by linking chunks, so
 * the size bounds nothing but the first chunk.  Threads are scheduled
 * cooperatively, FIFO, on the OS thread that first calls one of the
 * functions below that need the scheduler (normally main): that OS thread
 * keeps its own stack and runs the other threads whenever it blocks in
 * lstk_join, lstk_yield, a mutex, a condition, lstk_once or a sleep.  When
 * main returns the process exits, as with pthreads; when main calls
 * lstk_exit, the process exits (status 0) after the last thread.
 *
 * Return values mirror pthreads: 0 or a positive errno value, no errno.
 *
 * Foreign threads (any other OS thread: pthreads, signal handlers) may
 * call only lstk_attr_*, lstk_mutexattr_*, lstk_condattr_*, the _init and
 * _destroy of mutexes and conditions, lstk_key_create/lstk_key_delete,
 * lstk_equal, lstk_stats and lstk_stack_run; the other calls return EPERM
 * there (lstk_self returns NULL, lstk_getspecific NULL, lstk_exit aborts).
 * A mutex or condition must not be shared with foreign threads.
 *
 * Every call uses at most 512 bytes of the calling thread's stack (the
 * plugin reserves that much at each call to an lstk_* function); heavy
 * work (memory mappings, malloc, unwinding, waiting) runs on a per-OS-thread
 * system stack.
 */

/* A thread handle: valid from lstk_create until lstk_join or, for a
   detached thread, until it ends (a stale handle is undefined, as with
   pthread_t). */
typedef struct lstk_thread *lstk_t;

/* Thread attributes.  Initialise with lstk_attr_init; fields private. */
typedef struct lstk_attr {
    size_t _lstk_stacksize;
    int _lstk_detachstate;
    unsigned _lstk_magic;
    void *_lstk_spare[2];
} lstk_attr_t;

#define LSTK_CREATE_JOINABLE 0
#define LSTK_CREATE_DETACHED 1

/* Sets *ATTR to the defaults: LSTK_STACK_DEFAULT, joinable.  0 or EINVAL. */
LSTK_EXPORT int lstk_attr_init(lstk_attr_t *attr);
/* Invalidates *ATTR.  0 or EINVAL (not initialised). */
LSTK_EXPORT int lstk_attr_destroy(lstk_attr_t *attr);
/* The size in bytes of the first chunk of threads created with ATTR,
   header included.  EINVAL if SIZE < LSTK_STACK_MIN (1 KiB) or ATTR is not
   initialised.  Larger sizes are rounded up to the chunk size classes. */
LSTK_EXPORT int lstk_attr_setstacksize(lstk_attr_t *attr, size_t size);
LSTK_EXPORT int lstk_attr_getstacksize(const lstk_attr_t *attr, size_t *size);
/* LSTK_CREATE_JOINABLE or LSTK_CREATE_DETACHED; EINVAL otherwise. */
LSTK_EXPORT int lstk_attr_setdetachstate(lstk_attr_t *attr, int state);
LSTK_EXPORT int lstk_attr_getdetachstate(const lstk_attr_t *attr, int *state);

/*
 * Creates a thread running FN(ARG) and stores its handle in *THREAD.  The
 * new thread is queued behind the runnable ones; the caller continues.
 * ATTR may be NULL (defaults).  Allocates nothing when the runtime's pools
 * have a free control block and chunk.
 * Returns 0; EINVAL (THREAD or FN NULL, ATTR not initialised); EAGAIN (no
 * memory for the control block or the first chunk; nothing was created);
 * EPERM (foreign thread).
 */
LSTK_EXPORT int lstk_create(lstk_t *thread, const lstk_attr_t *attr,
                            void *(*fn)(void *), void *arg);
/*
 * Waits until THREAD ends, stores its result in *RESULT (when RESULT is not
 * NULL) and frees its control block.  Returns 0; EDEADLK (THREAD is the
 * caller, or is joining the caller); EINVAL (THREAD is detached, or another
 * thread already joins it); ESRCH (THREAD is NULL or already joined);
 * EPERM (foreign thread).
 */
LSTK_EXPORT int lstk_join(lstk_t thread, void **result);
/* Lets THREAD's resources go as soon as it ends (now if it has).  Returns
   0; EINVAL (already detached, or being joined); ESRCH; EPERM. */
LSTK_EXPORT int lstk_detach(lstk_t thread);
/* Ends the calling thread with RESULT: runs the key destructors on its
   stack, then frees its chunks.  From main, see the block comment. */
LSTK_EXPORT __attribute__((__noreturn__)) void lstk_exit(void *result);
/* The calling thread (main included); NULL on a foreign thread. */
LSTK_EXPORT lstk_t lstk_self(void);
/* Non-zero when A and B are the same thread. */
LSTK_EXPORT int lstk_equal(lstk_t a, lstk_t b);
/* Lets every runnable thread run once before the caller continues (FIFO).
   Returns 0, or EPERM (foreign thread). */
LSTK_EXPORT int lstk_yield(void);
/* Suspends the caller for at least NS nanoseconds (CLOCK_MONOTONIC); other
   threads run meanwhile.  NS = 0 yields.  Returns 0; ENOMEM (the timer
   heap could not grow); EPERM (foreign thread). */
LSTK_EXPORT int lstk_sleep_ns(uint64_t ns);

/*
 * Threads on every core (issue 11).  By default one OS thread runs every
 * linkstack thread, cooperatively: no two threads ever run at once.
 * lstk_set_concurrency(N) starts schedulers on N OS threads in all (N = 0:
 * one per online CPU; at most 64; the environment variable LSTK_CPUS=N
 * does the same at the first call that needs the scheduler); runnable
 * threads are then spread over them and move between them (work
 * stealing), and run truly in parallel: shared data needs the mutexes.
 * The number never goes down.  Call it from the OS thread that first used
 * the API.  Returns 0, EPERM (another OS thread), ENOTSUP (in a program
 * built with -fsanitize=address or thread: one scheduler), or an errno value of
 * pthread_create.  lstk_concurrency() says how many schedulers run.
 *
 * A thread resumed on another OS thread gets back its stack guard and its
 * errno.  What it cannot get back is an address the compiler computed
 * from the OS thread's thread pointer before a call that switched: the
 * address of a __thread variable of your own, or of glibc's errno
 * (__errno_location is declared const, so GCC may keep its result across
 * calls).  Code that keeps such an address across lstk_yield, a wait or
 * a blocking call stays on its OS thread with lstk_pin() until
 * lstk_unpin(); LINKSTACK_DEBUG=migrate moves every thread to another
 * scheduler at every switch, to find such code in tests.
 */
LSTK_EXPORT int lstk_set_concurrency(unsigned n);
LSTK_EXPORT unsigned lstk_concurrency(void);
/* Keeps the calling thread on its current scheduler (OS thread) until
   lstk_unpin.  Returns 0 or EPERM (foreign thread). */
LSTK_EXPORT int lstk_pin(void);
LSTK_EXPORT int lstk_unpin(void);
/*
 * The stack high-water mark of THREAD: the most chunk bytes it ever had
 * linked at once, headers and the first chunk included.  Valid for
 * running, suspended and finished (not yet joined) threads.  Returns 0;
 * EINVAL (OUT NULL, or THREAD is the OS thread's own context, which has no
 * linked stack); ESRCH; EPERM.
 */
LSTK_EXPORT int lstk_stack_peak(lstk_t thread, size_t *out);
/*
 * What THREAD's stack uses and holds now, so that the overhead of linked
 * stacks can be seen (doc/threads.md, "Writing threads that block shallow"):
 * live_bytes, the bytes of stack in use (on each chunk, from its top down
 * to where the thread left it for the next chunk, or to its stack pointer:
 * the saved one of a suspended thread, the current one of the caller);
 * held_bytes and chunks, the chunks it holds (headers and the one cached
 * chunk a return may leave included; bytes_live of lstk_stats counts the
 * same); peak_bytes as lstk_stack_peak.  A finished thread holds nothing.
 * Costs a walk over the thread's chunks.  Returns 0; EINVAL (OUT NULL, or
 * THREAD is the OS thread's own context); ESRCH; EPERM.
 */
typedef struct lstk_stack_usage {
    uint64_t live_bytes;
    uint64_t held_bytes;
    uint64_t chunks;
    uint64_t peak_bytes;
    uint64_t spare[4];
} lstk_stack_usage_t;
LSTK_EXPORT int lstk_stack_usage(lstk_t thread, lstk_stack_usage_t *out);
/*
 * Stores in IPS[0..*COUNT) the return addresses of suspended THREAD,
 * innermost first, unwound with libunwind across its chunks (the first
 * entries are the runtime's own frames, the call that suspended it).
 * *COUNT <= MAX.  Returns 0; EINVAL (IPS or COUNT NULL, or THREAD is the
 * caller: use backtrace(3) for that); ESRCH (THREAD finished or NULL);
 * EPERM (foreign thread).
 */
LSTK_EXPORT int lstk_backtrace(lstk_t thread, void **ips, size_t max,
                               size_t *count);

/* --- mutexes: error-checking, FIFO hand-off ----------------------------- */

/* Storage of a mutex; all zero (LSTK_MUTEX_INITIALIZER) is unlocked. */
typedef struct lstk_mutex {
    void *_lstk_opaque[4];
} lstk_mutex_t;
#define LSTK_MUTEX_INITIALIZER {{0, 0, 0, 0}}
/* Mutex attributes: accepted for pthread compatibility; every mutex is of
   the error-checking kind. */
typedef struct lstk_mutexattr {
    int _lstk_kind;
} lstk_mutexattr_t;
LSTK_EXPORT int lstk_mutexattr_init(lstk_mutexattr_t *attr);
LSTK_EXPORT int lstk_mutexattr_destroy(lstk_mutexattr_t *attr);

/* Initialises *M unlocked (ATTR may be NULL).  0 or EINVAL. */
LSTK_EXPORT int lstk_mutex_init(lstk_mutex_t *m, const lstk_mutexattr_t *attr);
/* 0, or EBUSY (locked or waited on). */
LSTK_EXPORT int lstk_mutex_destroy(lstk_mutex_t *m);
/* Locks *M, waiting in FIFO order.  0; EDEADLK (the caller owns it);
   EPERM (foreign thread). */
LSTK_EXPORT int lstk_mutex_lock(lstk_mutex_t *m);
/* 0; EBUSY (locked, by the caller too); EPERM (foreign thread). */
LSTK_EXPORT int lstk_mutex_trylock(lstk_mutex_t *m);
/* Unlocks *M and hands it to its first waiter, if any (who then owns it).
   0; EPERM (the caller does not own it, or foreign thread). */
LSTK_EXPORT int lstk_mutex_unlock(lstk_mutex_t *m);

/* --- condition variables ------------------------------------------------- */

/* Storage of a condition; all zero (LSTK_COND_INITIALIZER) is valid. */
typedef struct lstk_cond {
    void *_lstk_opaque[4];
} lstk_cond_t;
#define LSTK_COND_INITIALIZER {{0, 0, 0, 0}}
/* Condition attributes: accepted for pthread compatibility; timed waits
   always take CLOCK_REALTIME deadlines, as pthreads' default. */
typedef struct lstk_condattr {
    int _lstk_clock;
} lstk_condattr_t;
LSTK_EXPORT int lstk_condattr_init(lstk_condattr_t *attr);
LSTK_EXPORT int lstk_condattr_destroy(lstk_condattr_t *attr);

struct timespec;
/* 0 or EINVAL. */
LSTK_EXPORT int lstk_cond_init(lstk_cond_t *c, const lstk_condattr_t *attr);
/* 0, or EBUSY (threads wait on it). */
LSTK_EXPORT int lstk_cond_destroy(lstk_cond_t *c);
/* Atomically unlocks *M and waits for a signal, then locks *M again.
   Wakes in FIFO order.  0; EPERM (the caller does not own *M, or foreign
   thread); EINVAL (other threads wait on *C with another mutex). */
LSTK_EXPORT int lstk_cond_wait(lstk_cond_t *c, lstk_mutex_t *m);
/* As lstk_cond_wait, until the CLOCK_REALTIME time ABSTIME at most:
   ETIMEDOUT then (with *M locked again); EINVAL (ABSTIME NULL or its
   tv_nsec out of range); ENOMEM (the timer heap could not grow). */
LSTK_EXPORT int lstk_cond_timedwait(lstk_cond_t *c, lstk_mutex_t *m,
                                    const struct timespec *abstime);
/* Wakes the first waiter / every waiter.  0, or EPERM (foreign thread). */
LSTK_EXPORT int lstk_cond_signal(lstk_cond_t *c);
LSTK_EXPORT int lstk_cond_broadcast(lstk_cond_t *c);

/* --- once ---------------------------------------------------------------- */

typedef struct lstk_once {
    void *_lstk_opaque[3];
} lstk_once_t;
#define LSTK_ONCE_INIT {{0, 0, 0}}
/* Runs FN exactly once per *ONCE; other callers wait until it returned.
   0; EINVAL (NULL argument); EPERM (foreign thread, unless already done). */
LSTK_EXPORT int lstk_once(lstk_once_t *once, void (*fn)(void));

/* --- thread-specific data ------------------------------------------------ */

typedef unsigned int lstk_key_t;
/* Keys that can exist at once; destructor rounds at thread exit. */
#define LSTK_KEYS_MAX 1024
#define LSTK_DESTRUCTOR_ITERATIONS 4
/* Creates a key whose value is NULL in every thread; DTOR (may be NULL)
   runs at the exit of each thread with a non-NULL value.  0; EAGAIN (all
   LSTK_KEYS_MAX in use); EINVAL (KEY NULL). */
LSTK_EXPORT int lstk_key_create(lstk_key_t *key, void (*dtor)(void *));
/* Deletes KEY (no destructor runs).  0 or EINVAL. */
LSTK_EXPORT int lstk_key_delete(lstk_key_t key);
/* 0; EINVAL (no such key); ENOMEM (first value: the table of the thread's
   values could not be allocated); EPERM (foreign thread). */
LSTK_EXPORT int lstk_setspecific(lstk_key_t key, const void *value);
/* The caller's value for KEY; NULL if none, no such key, or foreign. */
LSTK_EXPORT void *lstk_getspecific(lstk_key_t key);

/* ======================== end of the threads block ===================== */

/* ======================================================================= */
/*  Scheduling by program location (issue 14).                             */
/* ======================================================================= */
/*
 * The blocking graph: each place where threads block (the call site of a
 * blocking lstk_* call or intercepted libc name, or a thread's start
 * function) is a node; an edge A -> B counts the runs of threads that
 * resumed at A and next blocked at B, with their CPU time and the chunk
 * bytes and descriptors gained or given back on the way (doc/threads.md,
 * "Blocking graph").  Off by default; LINKSTACK_GRAPH=1 in the environment
 * turns it on from the start, LINKSTACK_GRAPH=FILE also writes the dump to
 * FILE at exit.
 */
#include <stdio.h>

/* Turns recording on (ON != 0) or off.  0, or EBUSY to turn it off while
   a policy other than LSTK_SCHED_FIFO schedules by it. */
LSTK_EXPORT int lstk_graph_enable(int on);
/* Prints every scheduler's graph to OUT, one line per node and per edge
   ("node N kind=... parks=... waits=... wait_us=... addr=... at=SYMBOL+OFF
   obj=FILE+OFF", "edge A -> B count=... run_us=... mean_us=... bytes=...
   fds=..."); scripts/linkstack-report --blocking draws it.  0, EINVAL,
   or EIO when OUT failed. */
LSTK_EXPORT int lstk_graph_dump(FILE *out);

/*
 * Policies: which runnable thread runs next.  FIFO is the default; the
 * others schedule by the graph (and turn it on).  Also LSTK_SCHED=fifo|
 * cohort|srt|admit in the environment.  Every policy bounds how many
 * scheduling decisions a runnable thread can wait (no starvation).
 *   COHORT  the runnable threads of one location run together (batches).
 *   SRT     threads whose location predicts the least run time ahead first.
 *   ADMIT   over a limit (lstk_sched_admit_limits), threads whose way ahead
 *           gives resources back (the end of a request) before threads that
 *           take them (accept, the read of a new request).
 */
#define LSTK_SCHED_FIFO 0
#define LSTK_SCHED_COHORT 1
#define LSTK_SCHED_SRT 2
#define LSTK_SCHED_ADMIT 3
/* 0 or EINVAL. */
LSTK_EXPORT int lstk_sched_setpolicy(int policy);
LSTK_EXPORT int lstk_sched_getpolicy(void);
/* ADMIT's limits: chunk bytes live on the scheduler's OS thread,
   descriptors accepted and not closed, run-queue delay.  Defaults: 256 MiB,
   3/4 of RLIMIT_NOFILE, 5 ms; LSTK_ADMIT=BYTES,FDS,DELAY_US.  0, or EINVAL
   when FDS <= 0. */
LSTK_EXPORT int lstk_sched_admit_limits(size_t chunk_bytes, long fds,
                                        uint64_t delay_ns);

/* ======================================================================= */
/*  I/O and time (user-level, POSIX-like).  This block is issue 5's.       */
/* ======================================================================= */
/*
 * Blocking I/O that blocks only the calling linkstack thread: while it
 * waits, the other threads run, and when none can, the scheduler sleeps in
 * epoll_wait until the next I/O event or timer (doc/io.md).
 *
 * Return values mirror POSIX: the call's result, or -1 with errno.  The
 * errors are the system call's, plus:
 *   ETIMEDOUT  a _timeout variant's time ran out before anything was done;
 *   EINTR      lstk_interrupt woke the thread before anything was done;
 *   EAGAIN     the descriptor is non-blocking (O_NONBLOCK set by the user,
 *              SOCK_NONBLOCK, MSG_DONTWAIT) and the call would block;
 *   EBADF      the descriptor was closed (lstk_close, close, close_range,
 *              dup2 over it; on any OS thread or in a signal handler)
 *              while waited on.
 * A call that transferred some bytes before a timeout, an interrupt or an
 * error returns that count instead.  Writes to a blocking socket or pipe
 * return only when everything is written, as write(2) does there; reads
 * return what is there (at least one byte, 0 at end of file).
 *
 * Timeouts are relative, in nanoseconds of CLOCK_MONOTONIC: a negative
 * value waits without limit (LSTK_FOREVER), 0 does not wait at all.
 *
 * Descriptors: sockets used by linkstack threads are switched to
 * O_NONBLOCK in the kernel the first time (fcntl(F_GETFL) still shows what
 * the program set); pipes, terminals and other pollable descriptors are
 * left alone and polled before each call; regular files are read and
 * written without stalling the other threads (RWF_NOWAIT first, helper OS
 * threads when the data is not in the page cache).
 *
 * On main (the scheduler's own context) these calls wait like any thread:
 * the others run meanwhile.  On a foreign OS thread they behave as the
 * libc call (blocking that OS thread).  The libc names themselves (read,
 * write, accept, poll, nanosleep, ...) are intercepted and behave as the
 * calls here when made on a linkstack thread other than main; see README
 * ("I/O and interception").
 *
 * Every call uses at most 512 bytes of the calling thread's stack.
 */

#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

/* A timeout that never runs out. */
#define LSTK_FOREVER ((int64_t)-1)

/* read(2), readv(2), write(2), writev(2). */
LSTK_EXPORT ssize_t lstk_read(int fd, void *buf, size_t len);
LSTK_EXPORT ssize_t lstk_read_timeout(int fd, void *buf, size_t len,
                                      int64_t timeout_ns);
LSTK_EXPORT ssize_t lstk_write(int fd, const void *buf, size_t len);
LSTK_EXPORT ssize_t lstk_write_timeout(int fd, const void *buf, size_t len,
                                       int64_t timeout_ns);
LSTK_EXPORT ssize_t lstk_readv(int fd, const struct iovec *iov, int iovcnt);
LSTK_EXPORT ssize_t lstk_readv_timeout(int fd, const struct iovec *iov,
                                       int iovcnt, int64_t timeout_ns);
LSTK_EXPORT ssize_t lstk_writev(int fd, const struct iovec *iov, int iovcnt);
LSTK_EXPORT ssize_t lstk_writev_timeout(int fd, const struct iovec *iov,
                                        int iovcnt, int64_t timeout_ns);
/* pread(2), pwrite(2): regular files without stalling the other threads. */
LSTK_EXPORT ssize_t lstk_pread(int fd, void *buf, size_t len, off_t off);
LSTK_EXPORT ssize_t lstk_pwrite(int fd, const void *buf, size_t len, off_t off);

/* recv(2), send(2), recvfrom(2), sendto(2), recvmsg(2), sendmsg(2).
   MSG_DONTWAIT in FLAGS: EAGAIN instead of waiting. */
LSTK_EXPORT ssize_t lstk_recv(int fd, void *buf, size_t len, int flags);
LSTK_EXPORT ssize_t lstk_recv_timeout(int fd, void *buf, size_t len, int flags,
                                      int64_t timeout_ns);
LSTK_EXPORT ssize_t lstk_send(int fd, const void *buf, size_t len, int flags);
LSTK_EXPORT ssize_t lstk_send_timeout(int fd, const void *buf, size_t len,
                                      int flags, int64_t timeout_ns);
LSTK_EXPORT ssize_t lstk_recvfrom(int fd, void *buf, size_t len, int flags,
                                  struct sockaddr *addr, socklen_t *addrlen);
LSTK_EXPORT ssize_t lstk_recvfrom_timeout(int fd, void *buf, size_t len,
                                          int flags, struct sockaddr *addr,
                                          socklen_t *addrlen,
                                          int64_t timeout_ns);
LSTK_EXPORT ssize_t lstk_sendto(int fd, const void *buf, size_t len, int flags,
                                const struct sockaddr *addr, socklen_t addrlen);
LSTK_EXPORT ssize_t lstk_sendto_timeout(int fd, const void *buf, size_t len,
                                        int flags, const struct sockaddr *addr,
                                        socklen_t addrlen, int64_t timeout_ns);
LSTK_EXPORT ssize_t lstk_recvmsg(int fd, struct msghdr *msg, int flags);
LSTK_EXPORT ssize_t lstk_sendmsg(int fd, const struct msghdr *msg, int flags);

/* accept(2), accept4(2): the new descriptor is ready for these calls (its
   O_NONBLOCK is the runtime's business unless FLAGS has SOCK_NONBLOCK). */
LSTK_EXPORT int lstk_accept(int fd, struct sockaddr *addr, socklen_t *addrlen);
LSTK_EXPORT int lstk_accept_timeout(int fd, struct sockaddr *addr,
                                    socklen_t *addrlen, int64_t timeout_ns);
LSTK_EXPORT int lstk_accept4(int fd, struct sockaddr *addr, socklen_t *addrlen,
                             int flags);
LSTK_EXPORT int lstk_accept4_timeout(int fd, struct sockaddr *addr,
                                     socklen_t *addrlen, int flags,
                                     int64_t timeout_ns);
/* connect(2): waits for the handshake; its error (ECONNREFUSED, ...) is
   returned.  After ETIMEDOUT or EINTR the attempt may still complete in
   the kernel: close the socket. */
LSTK_EXPORT int lstk_connect(int fd, const struct sockaddr *addr,
                             socklen_t addrlen);
LSTK_EXPORT int lstk_connect_timeout(int fd, const struct sockaddr *addr,
                                     socklen_t addrlen, int64_t timeout_ns);

/* poll(2): TIMEOUT_MS as poll's (negative: no limit); 0 on timeout. */
LSTK_EXPORT int lstk_poll(struct pollfd *fds, nfds_t nfds, int timeout_ms);
/* sendfile(2) from a regular file: the pages are read on a helper thread
   when they are not in the page cache. */
LSTK_EXPORT ssize_t lstk_sendfile(int out_fd, int in_fd, off_t *offset,
                                  size_t count);
LSTK_EXPORT ssize_t lstk_sendfile_timeout(int out_fd, int in_fd, off_t *offset,
                                          size_t count, int64_t timeout_ns);

/* Waits until FD may be ready for EVENTS (POLLIN and/or POLLOUT): cheaper
   than lstk_poll for one descriptor, and without a system call when the
   poller already knows it may be.  A call that follows may still find
   nothing (then it waits, or says EAGAIN).  Returns 0, or -1 with errno
   ETIMEDOUT, EINTR, EBADF. */
LSTK_EXPORT int lstk_fd_wait(int fd, short events, int64_t timeout_ns);

/* close(2), after waking the threads that wait on FD (they get EBADF) and
   forgetting what the runtime knew of it.  The libc close does the same. */
LSTK_EXPORT int lstk_close(int fd);

/* Suspends the caller for NS nanoseconds, as lstk_sleep_ns, but
   lstk_interrupt ends the sleep early: returns 0, or -1 with errno EINTR
   (*REMAIN_NS, when REMAIN_NS is not NULL, gets the time left). */
LSTK_EXPORT int lstk_nanosleep(uint64_t ns, uint64_t *remain_ns);

/*
 * Interrupts THREAD: the I/O call or interruptible sleep it is blocked in
 * returns EINTR (or its partial count); if it is not blocked in one, its
 * next such wait returns EINTR at once.  The analogue of a signal handler
 * installed without SA_RESTART, for one thread.  Waits for regular-file
 * I/O and mutexes, conditions, joins and lstk_sleep_ns are not
 * interruptible.  Returns 0; ESRCH (THREAD ended or NULL); EPERM (foreign
 * thread).
 */
LSTK_EXPORT int lstk_interrupt(lstk_t thread);

/*
 * Turns the interception of the libc names on (ON != 0, the default) or
 * off for the whole process; off, they always behave as libc's.  The
 * environment variable LSTK_INTERCEPT=0 turns it off at start-up.  Returns
 * the previous setting.
 */
LSTK_EXPORT int lstk_intercept(int on);

/* ========================== end of the I/O block ======================= */

#ifdef __cplusplus
}
#endif

#endif /* LINKSTACK_H */
