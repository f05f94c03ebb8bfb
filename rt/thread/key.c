/*
 * key.c: thread-specific data (lstk_key_create & co).
 *
 * The definitions are one process-wide table of LSTK_KEYS_MAX slots, each a
 * sequence number (odd: in use) and a destructor.  A thread's values live
 * in a table allocated on its first non-NULL lstk_setspecific (so a thread
 * that uses no key pays nothing, and the TCB stays at 128 bytes), sized to
 * the highest key it set, rounded up to LSTK__KEYTAB_STEP, and growing on
 * demand.  Each value carries the sequence number of the key it was set
 * under: after lstk_key_delete and a new lstk_key_create on the same slot,
 * an old value no longer matches and reads as NULL, without visiting any
 * thread.
 *
 * Key creation and deletion are atomic on the slot's sequence number, so a
 * foreign thread may create keys; values are per thread and touched only
 * by their thread (and by thread_reap, on the same OS thread).
 */
#define _GNU_SOURCE
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "stack/stack.h"
#include "thread/thread.h"

struct lstk__keydef {
    /* Odd while the key exists; bumped by create and delete. */
    _Atomic uint64_t seq;
    void (*dtor)(void *);
};

struct lstk__keyval {
    uint64_t seq;
    void *val;
};

struct lstk__keytab {
    uint32_t n;
    uint32_t spare;
    struct lstk__keyval v[];
};

/* A table grows in steps of this many keys (16 keys = 264 bytes). */
#define LSTK__KEYTAB_STEP 16u

static struct lstk__keydef lstk__keys[LSTK_KEYS_MAX];

LSTK_EXPORT int lstk_key_create(lstk_key_t *key, void (*dtor)(void *))
{
    if (!key)
        return EINVAL;
    /* A scan of the key table, not of threads; creation is rare. */
    for (unsigned i = 0; i < LSTK_KEYS_MAX; i++) {
        uint64_t seq = atomic_load(&lstk__keys[i].seq);
        if (seq & 1)
            continue;
        if (atomic_compare_exchange_strong(&lstk__keys[i].seq, &seq, seq + 1)) {
            /* No value can exist under the new sequence number before we
               return the key, so the destructor may be stored after. */
            lstk__keys[i].dtor = dtor;
            *key = i;
            return 0;
        }
    }
    return EAGAIN;
}

LSTK_EXPORT int lstk_key_delete(lstk_key_t key)
{
    uint64_t seq;

    if (key >= LSTK_KEYS_MAX)
        return EINVAL;
    seq = atomic_load(&lstk__keys[key].seq);
    if (!(seq & 1) ||
        !atomic_compare_exchange_strong(&lstk__keys[key].seq, &seq, seq + 1))
        return EINVAL;
    return 0;
}

struct keytab_req {
    struct lstk_thread *t;
    uint32_t n;
};

/* Grows the current thread's table to r->n values; on a big stack. */
static void *keytab_grow(void *arg)
{
    struct keytab_req *r = arg;
    struct lstk__keytab *old = r->t->keys, *tab;
    uint32_t from = old ? old->n : 0;

    tab = realloc(old, sizeof *tab + (size_t)r->n * sizeof tab->v[0]);
    if (!tab)
        return (void *)(intptr_t)ENOMEM;
    for (uint32_t i = from; i < r->n; i++)
        tab->v[i] = (struct lstk__keyval){0, NULL};
    tab->n = r->n;
    r->t->keys = tab;
    return NULL;
}

LSTK_EXPORT int lstk_setspecific(lstk_key_t key, const void *value)
{
    struct lstk__sched *s = lstk__sched_get();
    struct lstk_thread *self;
    struct lstk__keytab *tab;
    uint64_t seq;

    if (lstk__slow(s == NULL))
        return EPERM;
    if (key >= LSTK_KEYS_MAX)
        return EINVAL;
    seq = atomic_load_explicit(&lstk__keys[key].seq, memory_order_relaxed);
    if (!(seq & 1))
        return EINVAL;
    self = s->current;
    tab = self->keys;
    if (lstk__slow(!tab || key >= tab->n)) {
        struct keytab_req r = {self, (key / LSTK__KEYTAB_STEP + 1) *
                                         LSTK__KEYTAB_STEP};
        int rc;
        if (!value)
            return 0; /* NULL is what an absent value reads as */
        rc = (int)(intptr_t)lstk__on_big_stack(keytab_grow, &r);
        if (rc)
            return rc;
        tab = self->keys;
    }
    tab->v[key].seq = seq;
    tab->v[key].val = (void *)value;
    return 0;
}

LSTK_EXPORT void *lstk_getspecific(lstk_key_t key)
{
    struct lstk__sched *s = lstk__sched_get();
    struct lstk__keytab *tab;

    if (lstk__slow(s == NULL) || key >= LSTK_KEYS_MAX)
        return NULL;
    tab = s->current->keys;
    if (!tab || key >= tab->n)
        return NULL;
    if (tab->v[key].seq !=
        atomic_load_explicit(&lstk__keys[key].seq, memory_order_relaxed))
        return NULL;
    return tab->v[key].val;
}

/* As pthreads: up to LSTK_DESTRUCTOR_ITERATIONS rounds, each calling the
   destructor of every live key with a non-NULL value (set to NULL first),
   until no value is left. */
void lstk__keys_run_dtors(struct lstk_thread *t)
{
    for (int round = 0; round < LSTK_DESTRUCTOR_ITERATIONS; round++) {
        int called = 0;
        /* Re-read t->keys: a destructor may have grown the table. */
        for (uint32_t i = 0; t->keys && i < t->keys->n; i++) {
            struct lstk__keyval *kv = &t->keys->v[i];
            void (*dtor)(void *);
            void *val = kv->val;
            if (!val || kv->seq != atomic_load(&lstk__keys[i].seq))
                continue;
            dtor = lstk__keys[i].dtor;
            if (!dtor)
                continue;
            kv->val = NULL;
            dtor(val);
            called = 1;
        }
        if (!called)
            break;
    }
}

void lstk__keys_free(struct lstk_thread *t)
{
    free(t->keys);
    t->keys = NULL;
}
