/*
 * linkstack/pthread.h: linkstack's threads under the pthread names.
 *
 * Pthread code that stays within the subset below compiles unchanged
 * against linkstack: include this header instead of <pthread.h>, or keep
 * the source as it is and add `-include linkstack/pthread.h` to the
 * compiler's command line.  Each pthread name becomes a macro for its
 * lstk_ twin (same arguments, same 0-or-errno results), so the program's
 * threads are linkstack threads on ~1 KiB linked stacks.
 *
 * The subset: pthread_create/join/detach/exit/self/equal, pthread_yield
 * (and sched_yield), pthread_attr_init/destroy/setstacksize/getstacksize/
 * setdetachstate/getdetachstate, pthread_mutex_init/destroy/lock/trylock/
 * unlock, pthread_mutexattr_init/destroy, pthread_cond_init/destroy/wait/
 * timedwait/signal/broadcast, pthread_condattr_init/destroy, pthread_once,
 * pthread_key_create/delete, pthread_setspecific/getspecific, and the
 * static initialisers.  Mutexes behave as PTHREAD_MUTEX_ERRORCHECK ones;
 * conditions time out on CLOCK_REALTIME.  Anything else (cancellation,
 * rwlocks, barriers, spinlocks, affinity, pthread_kill ...) keeps its
 * glibc meaning and must not be applied to linkstack threads.
 *
 * Scheduling is cooperative: a thread runs until it blocks in one of these
 * calls (or lstk_sleep_ns, or returns).  A program that busy-waits on a
 * flag another thread sets must yield in its loop.
 *
 * The real <pthread.h> is included first, so that its declarations are
 * read before the macros exist; system headers that include it later see
 * its include guard and nothing else.
 */
#ifndef LINKSTACK_PTHREAD_H
#define LINKSTACK_PTHREAD_H

#include <pthread.h>
#include <sched.h>

#include <linkstack.h>

/* Types */
#define pthread_t lstk_t
#define pthread_attr_t lstk_attr_t
#define pthread_mutex_t lstk_mutex_t
#define pthread_mutexattr_t lstk_mutexattr_t
#define pthread_cond_t lstk_cond_t
#define pthread_condattr_t lstk_condattr_t
#define pthread_once_t lstk_once_t
#define pthread_key_t lstk_key_t

/* Constants and initialisers (glibc defines some as enumerators with a
   macro of the same name: undefine first). */
#undef PTHREAD_CREATE_JOINABLE
#undef PTHREAD_CREATE_DETACHED
#define PTHREAD_CREATE_JOINABLE LSTK_CREATE_JOINABLE
#define PTHREAD_CREATE_DETACHED LSTK_CREATE_DETACHED
#undef PTHREAD_MUTEX_INITIALIZER
#define PTHREAD_MUTEX_INITIALIZER LSTK_MUTEX_INITIALIZER
#undef PTHREAD_COND_INITIALIZER
#define PTHREAD_COND_INITIALIZER LSTK_COND_INITIALIZER
#undef PTHREAD_ONCE_INIT
#define PTHREAD_ONCE_INIT LSTK_ONCE_INIT
#undef PTHREAD_KEYS_MAX
#define PTHREAD_KEYS_MAX LSTK_KEYS_MAX
#undef PTHREAD_DESTRUCTOR_ITERATIONS
#define PTHREAD_DESTRUCTOR_ITERATIONS LSTK_DESTRUCTOR_ITERATIONS

/* Threads */
#define pthread_create lstk_create
#define pthread_join lstk_join
#define pthread_detach lstk_detach
#define pthread_exit lstk_exit
#define pthread_self lstk_self
#define pthread_equal lstk_equal
#define pthread_yield lstk_yield
#define sched_yield lstk_yield

/* Attributes */
#define pthread_attr_init lstk_attr_init
#define pthread_attr_destroy lstk_attr_destroy
#define pthread_attr_setstacksize lstk_attr_setstacksize
#define pthread_attr_getstacksize lstk_attr_getstacksize
#define pthread_attr_setdetachstate lstk_attr_setdetachstate
#define pthread_attr_getdetachstate lstk_attr_getdetachstate

/* Mutexes */
#define pthread_mutexattr_init lstk_mutexattr_init
#define pthread_mutexattr_destroy lstk_mutexattr_destroy
#define pthread_mutex_init lstk_mutex_init
#define pthread_mutex_destroy lstk_mutex_destroy
#define pthread_mutex_lock lstk_mutex_lock
#define pthread_mutex_trylock lstk_mutex_trylock
#define pthread_mutex_unlock lstk_mutex_unlock

/* Conditions */
#define pthread_condattr_init lstk_condattr_init
#define pthread_condattr_destroy lstk_condattr_destroy
#define pthread_cond_init lstk_cond_init
#define pthread_cond_destroy lstk_cond_destroy
#define pthread_cond_wait lstk_cond_wait
#define pthread_cond_timedwait lstk_cond_timedwait
#define pthread_cond_signal lstk_cond_signal
#define pthread_cond_broadcast lstk_cond_broadcast

/* Once and keys */
#define pthread_once lstk_once
#define pthread_key_create lstk_key_create
#define pthread_key_delete lstk_key_delete
#define pthread_setspecific lstk_setspecific
#define pthread_getspecific lstk_getspecific

#endif /* LINKSTACK_PTHREAD_H */
