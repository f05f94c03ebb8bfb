/*
 * loader.c: every object's promises are checked before its code runs on a
 * chunk, at start-up and at every dlopen; dlopen itself runs off the chunks.
 *
 * The plugin records in each object what it assumed (the .note.linkstack
 * notes, plugin/report.cc): type 1 the reserve R below each guard, type 2
 * the request G it makes before a call nobody bounded, type 3 the budgets
 * it took from its table: "libc:<build-id>" (the libc those budgets were
 * proven on), then "L:<name>" for each libc budget and "R:<name>" for each
 * runtime budget.  An object is refused when
 *   - R > this runtime's reserve (C4), or debug mode paints below the
 *     reserve of the objects already loaded and this one needs more;
 *   - G < G' (LSTK__GUARDED_MIN): its unbounded calls might not reach a
 *     guarded chunk;
 *   - an L: name does not resolve into a libc with that build-id (another
 *     libc, a replacement such as a program-defined memcpy or an LD_PRELOAD
 *     malloc: issue 9, A3 and B6; a table that named no libc), or an R:
 *     name not into liblinkstack.  A name that resolves into liblinkstack
 *     passes either way: for the names it defines the runtime's table
 *     lines come last and win, so its budget is the one the object used;
 *   - a statically linked program cannot resolve names: it is told so at
 *     start-up (a notice, once), not refused;
 *   - (dlopen only) loading it ran libgcc's split-stack initialisation,
 *     which moves the guard: the object was linked without liblinkstack and
 *     carries libgcc's __morestack (C3; issue 9's "dlopen from a 1 KiB
 *     thread aborts later with a corrupted chunk").
 * At start-up a refusal is fatal, before main (debug.c's constructor calls
 * lstk__loader_check_startup); a dependency carrying libgcc's __morestack
 * is caught when the main thread sets up its first linked stack, its guard
 * already claimed (chunk.c).  At dlopen the runtime closes the object
 * again and dlopen returns NULL; dlerror() says `linkstack: ...`, naming
 * the object, the name, where it resolved and the fix.  (Refusing is
 * kinder than aborting: a program that loads plugins can report it.)
 *
 * dlopen and dlmopen are the runtime's (they take precedence over libc's
 * as read and sigaction do).  The dynamic linker and the constructors it
 * runs need kilobytes of stack, unbounded: on a linked stack the real call
 * runs on the OS thread's system stack, with the guard at 0 (so the
 * constructors' checks pass and nothing switches threads there).
 * Caller-sensitive parts of dlopen: "$ORIGIN" in the file name is expanded
 * here against the caller's object, and a caller in another namespace
 * loads into that namespace; the caller's DT_RPATH (not DT_RUNPATH, which
 * dlopen never uses) is not searched.
 */
#define _GNU_SOURCE 1
#include "config.h"

#include <dlfcn.h>
#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "stack/stack.h"

#define LSTK__NOTE_RESERVE 1
#define LSTK__NOTE_GUARDED 2
#define LSTK__NOTE_BUDGETS 3

typedef void *(*lstk__dlopen_fn)(const char *, int);
typedef void *(*lstk__dlmopen_fn)(Lmid_t, const char *, int);
typedef char *(*lstk__dlerror_fn)(void);

static lstk__dlopen_fn lstk__real_dlopen;
static lstk__dlmopen_fn lstk__real_dlmopen;
static lstk__dlerror_fn lstk__real_dlerror;

/* The refusal dlerror() reports next, per thread. */
static __thread char lstk__dl_err[768];
static __thread int lstk__dl_err_set;

/* The object that holds ADDR (its load base, where its ELF header is
   mapped), 0 if none.  A walk of the loaded objects' PT_LOAD segments, not
   dladdr: dladdr also looks for the nearest symbol, a linear scan of the
   object's symbol table (about 90,000 instructions per name in libc),
   and start-up asks this once per budget name of every object.  The
   dynamic linker's lock that dl_iterate_phdr takes is recursive, so this
   also works from inside the start-up walk (lstk__startup_cb). */
struct lstk__owner {
    uintptr_t addr, base;
    const char *name;
};

static int lstk__owner_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    struct lstk__owner *w = data;
    uintptr_t base = 0;
    int in = 0;
    (void)size;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_offset == 0)
            base = lo;
        if (w->addr >= lo && w->addr - lo < ph->p_memsz)
            in = 1;
    }
    if (!in)
        return 0;
    w->base = base != 0 ? base : info->dlpi_addr;
    w->name = info->dlpi_name;
    return 1;
}

static uintptr_t lstk__object_of(const void *addr, const char **name)
{
    struct lstk__owner w = { (uintptr_t)addr, 0, NULL };
    if (addr == NULL || dl_iterate_phdr(lstk__owner_cb, &w) == 0)
        return 0;
    if (name != NULL) {
        /* The program itself has no name in the list: dladdr knows its
           file (only the program pays for it, and it is rarely asked). */
        Dl_info info;
        if (w.name && *w.name)
            *name = w.name;
        else if (dladdr(addr, &info) != 0 && info.dli_fname && *info.dli_fname)
            *name = info.dli_fname;
        else
            *name = "the program";
    }
    return w.base;
}

/* Lower-case hex of the GNU build-id of the object loaded at BASE (its
   ELF header), or "none". */
static void lstk__build_id(uintptr_t base, char *out, size_t len)
{
    snprintf(out, len, "none");
    const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)base;
    if (base == 0 || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
        return;
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)(base + eh->e_phoff);
    uintptr_t bias = base;
    for (int i = 0; i < eh->e_phnum; i++)
        if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) {
            bias = base - ph[i].p_vaddr;
            break;
        }
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type != PT_NOTE)
            continue;
        const char *p = (const char *)(bias + ph[i].p_vaddr);
        const char *end = p + ph[i].p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
            const char *nm = p + sizeof *n;
            const unsigned char *desc =
                (const unsigned char *)nm + ((n->n_namesz + 3) & ~3u);
            const char *next = (const char *)desc + ((n->n_descsz + 3) & ~3u);
            if (next > end)
                break;
            if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 &&
                memcmp(nm, "GNU", 4) == 0 && n->n_descsz * 2 < len) {
                for (size_t k = 0; k < n->n_descsz; k++)
                    snprintf(out + 2 * k, 3, "%02x", desc[k]);
                return;
            }
            p = next;
        }
    }
}

/* One loaded object. */
struct lstk__obj {
    uintptr_t bias;
    const ElfW(Phdr) *phdr;
    int phnum;
    const char *name;
};

struct lstk__verdict {
    char *msg;
    size_t len;
    int refused;
    void *handle; /* dlopen's, for names of a local scope; NULL: global */
    size_t reserve_max; /* debug mode: the reserve being verified */
};

static const char *lstk__obj_name(const struct lstk__obj *o)
{
    return o->name && *o->name ? o->name : "the program";
}

static void lstk__refuse(struct lstk__verdict *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void lstk__refuse(struct lstk__verdict *v, const char *fmt, ...)
{
    va_list ap;
    if (v->refused)
        return;
    v->refused = 1;
    va_start(ap, fmt);
    vsnprintf(v->msg, v->len, fmt, ap);
    va_end(ap);
}

static void *lstk__resolve(struct lstk__verdict *v, const char *name)
{
    void *a = dlsym(RTLD_DEFAULT, name);
    if (a == NULL && v->handle != NULL)
        a = dlsym(v->handle, name);
    return a;
}

/* Type 3: every budget the object took from its table must be the one
   that runs. */
static void lstk__check_budgets(const struct lstk__obj *o, const char *d,
                                size_t len, struct lstk__verdict *v)
{
    const char *end = d + len, *libc_id = NULL;
    const char *me_name = NULL;
    /* A static program has no link map: dladdr finds nothing there (asked
       once; dl_iterate_phdr would still list the program itself). */
    static int dynamic = -1;
    if (dynamic < 0) {
        Dl_info info;
        dynamic = dladdr((const void *)lstk_reserve, &info) != 0;
    }
    uintptr_t id_of = 0;
    char id_cache[80];
    uintptr_t me = dynamic ? lstk__object_of((const void *)lstk_reserve, &me_name) : 0;

    for (const char *s = d; s < end && !v->refused; s += strnlen(s, end - s) + 1) {
        if (*s == '\0')
            continue;
        if (strncmp(s, "libc:", 5) == 0) {
            libc_id = s + 5;
            continue;
        }
        int libc = strncmp(s, "L:", 2) == 0;
        if (!libc && strncmp(s, "R:", 2) != 0)
            continue; /* a kind of entry this runtime does not know */
        const char *name = s + 2;
        const char *where = NULL;
        char id[80];
        uintptr_t obj = lstk__object_of(lstk__resolve(v, name), &where);
        if (me == 0) {
            /* A static program: nothing to resolve names with.  Said once,
               never silently. */
            static int told;
            if (!told++)
                lstk__notice("%s is statically linked: the stack budgets it "
                             "took for libc and runtime functions (%s, ...) "
                             "cannot be checked against the code linked in; "
                             "link it dynamically to have them checked",
                             lstk__obj_name(o), name);
            return;
        } else if (obj == 0 && !libc &&
                   lstk__object_of((const void *)o->phdr, NULL) == me) {
            /* liblinkstack.a linked into this very object (no -rdynamic):
               the runtime's names are not in the dynamic symbol table, and
               the static linker bound the object's call to the only
               definition linked in, the runtime's (a second definition of
               a runtime name would not link). */
        } else if (obj == 0) {
            lstk__refuse(v, "linkstack: %s relies on the table budget of %s, "
                         "but %s does not resolve to any loaded object: "
                         "rebuild %s with -fplugin-arg-linkstack-external=%s",
                         lstk__obj_name(o), name, name, lstk__obj_name(o),
                         name);
        } else if (obj == me) {
            /* liblinkstack's own definition (its wrappers of libc names,
               lstk_*): the runtime's table lines for the names it defines
               come last and win, so that is the budget the object used. */
        } else if (!libc) {
            lstk__refuse(v, "linkstack: %s relies on liblinkstack's budget of "
                         "%s, but %s resolves to %s: the definition that runs "
                         "is not the one measured; rebuild %s with "
                         "-fplugin-arg-linkstack-external=%s",
                         lstk__obj_name(o), name, name, where,
                         lstk__obj_name(o), name);
        } else {
            /* Every L: name of a program lands in the same libc: its
               build-id is read once (snprintf per byte is not free). */
            if (obj != id_of) {
                lstk__build_id(obj, id_cache, sizeof id_cache);
                id_of = obj;
            }
            snprintf(id, sizeof id, "%s", id_cache);
            if (libc_id == NULL || *libc_id == '\0')
                lstk__refuse(v, "linkstack: %s relies on the budget of the "
                             "libc function %s, but its budgets table did not "
                             "say which libc it was proven on (no #!libc "
                             "line): %s resolves to %s (build-id %s), which "
                             "cannot be checked; rebuild %s with a table "
                             "proven on this libc, or with "
                             "-fplugin-arg-linkstack-external=%s",
                             lstk__obj_name(o), name, name, where, id,
                             lstk__obj_name(o), name);
            else if (strcmp(id, libc_id) != 0)
                lstk__refuse(v, "linkstack: %s relies on the budget of the "
                             "libc function %s (proven on the libc with "
                             "build-id %s), but %s resolves to %s (build-id "
                             "%s): the definition that runs is not the one "
                             "measured; rebuild %s with "
                             "-fplugin-arg-linkstack-external=%s",
                             lstk__obj_name(o), name, libc_id, name, where,
                             id, lstk__obj_name(o), name);
        }
    }
}

/* Whether a lazy PLT lookup can run in the object: it has PLT relocations
   and was not linked with -z now (DF_BIND_NOW, DF_1_NOW, DT_BIND_NOW), nor
   does LD_BIND_NOW ask the dynamic linker to bind them all at load. */
static int lstk__binds_lazily(const struct lstk__obj *o)
{
    const char *env = getenv("LD_BIND_NOW");
    if (env != NULL && *env != '\0')
        return 0;
    for (int i = 0; i < o->phnum; i++) {
        if (o->phdr[i].p_type != PT_DYNAMIC)
            continue;
        int plt = 0, now = 0;
        for (const ElfW(Dyn) *d = (const ElfW(Dyn) *)(o->bias + o->phdr[i].p_vaddr);
             d->d_tag != DT_NULL; d++) {
            if (d->d_tag == DT_JMPREL)
                plt = 1;
            else if (d->d_tag == DT_BIND_NOW ||
                     (d->d_tag == DT_FLAGS && (d->d_un.d_val & DF_BIND_NOW)) ||
                     (d->d_tag == DT_FLAGS_1 && (d->d_un.d_val & DF_1_NOW)))
                now = 1;
        }
        return plt && !now;
    }
    return 0; /* no dynamic section: a static program binds nothing lazily */
}

static void lstk__check_obj(const struct lstk__obj *o, struct lstk__verdict *v)
{
    int noted = 0;
    for (int i = 0; i < o->phnum && !v->refused; i++) {
        const ElfW(Phdr) *ph = &o->phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const char *p = (const char *)(o->bias + ph->p_vaddr);
        const char *end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end && !v->refused) {
            const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
            const char *name = p + sizeof *n;
            const char *desc = name + ((n->n_namesz + 3) & ~3u);
            const char *next = desc + ((n->n_descsz + 3) & ~3u);
            if (next > end)
                break;
            p = next;
            if (n->n_namesz != 10 || memcmp(name, "linkstack", 10) != 0)
                continue;
            noted = 1;
            uint32_t x = 0;
            if (n->n_descsz == 4)
                memcpy(&x, desc, 4);
            if (n->n_type == LSTK__NOTE_RESERVE && n->n_descsz == 4) {
                if (x > LSTK__RESERVE)
                    lstk__refuse(v, "linkstack: %s was compiled for a reserve "
                                 "of %u bytes below each stack guard, but this "
                                 "runtime keeps %zu (lstk_reserve()): rebuild "
                                 "it with -fplugin-arg-linkstack-reserve=%zu "
                                 "or less", lstk__obj_name(o), x,
                                 (size_t)LSTK__RESERVE, (size_t)LSTK__RESERVE);
                else if (v->reserve_max != 0 && x > v->reserve_max)
                    lstk__refuse(v, "linkstack: %s was compiled for a reserve "
                                 "of %u bytes, but LINKSTACK_DEBUG=1 verifies "
                                 "that nothing writes more than %zu bytes "
                                 "below a guard (the reserve of the objects "
                                 "loaded at start-up): rebuild it with "
                                 "-fplugin-arg-linkstack-reserve=%zu, or run "
                                 "without LINKSTACK_DEBUG", lstk__obj_name(o),
                                 x, v->reserve_max, v->reserve_max);
            } else if (n->n_type == LSTK__NOTE_GUARDED && n->n_descsz == 4) {
                if (x < LSTK__GUARDED_MIN)
                    lstk__refuse(v, "linkstack: %s asks for %u bytes before "
                                 "each call whose stack use is not bounded, "
                                 "but this runtime puts only requests of %zu "
                                 "bytes or more on guarded chunks: rebuild it "
                                 "with this linkstack's plugin",
                                 lstk__obj_name(o), x,
                                 (size_t)LSTK__GUARDED_MIN);
            } else if (n->n_type == LSTK__NOTE_BUDGETS) {
                lstk__check_budgets(o, desc, n->n_descsz, v);
            }
        }
    }
    /* The plugin's accounting has no room for the dynamic linker's lazy
       resolver (1-3 KiB) on a nearly full chunk: a plugin-compiled object
       must be bound at load. */
    if (noted && !v->refused && lstk__binds_lazily(o))
        lstk__refuse(v, "linkstack: %s was linked without -Wl,-z,now: a lazy "
                     "PLT lookup would run the dynamic linker's resolver "
                     "(1-3 KiB of stack) on a nearly full stack chunk; link "
                     "it with -Wl,-z,now (pkg-config --libs linkstack adds "
                     "it) or run it with LD_BIND_NOW=1", lstk__obj_name(o));
}

/* --- start-up ------------------------------------------------------------- */

static int lstk__startup_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct lstk__obj o = { info->dlpi_addr, info->dlpi_phdr, info->dlpi_phnum,
                           info->dlpi_name };
    lstk__check_obj(&o, data);
    return ((struct lstk__verdict *)data)->refused;
}

void lstk__loader_check_startup(void)
{
    char msg[768];
    struct lstk__verdict v = { msg, sizeof msg, 0, NULL, 0 };
    dl_iterate_phdr(lstk__startup_cb, &v);
    if (v.refused)
        lstk__fatal("%s", msg + strlen("linkstack: "));
}

/* --- dlopen --------------------------------------------------------------- */

struct lstk__dl_call {
    const char *file;
    int mode;
    int use_lmid;
    Lmid_t lmid;
    const void *caller;
    void *handle;
    /* objects loaded before the call (their biases), for what is new */
    uintptr_t *before;
    size_t nbefore;
};

__attribute__((constructor)) static void lstk__loader_resolve(void)
{
    lstk__real_dlopen = (lstk__dlopen_fn)dlsym(RTLD_NEXT, "dlopen");
    lstk__real_dlmopen = (lstk__dlmopen_fn)dlsym(RTLD_NEXT, "dlmopen");
    lstk__real_dlerror = (lstk__dlerror_fn)dlsym(RTLD_NEXT, "dlerror");
}

static int lstk__count_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct lstk__dl_call *c = data;
    if (c->before != NULL)
        c->before[c->nbefore] = info->dlpi_addr;
    c->nbefore++;
    return 0;
}

struct lstk__new_scan {
    struct lstk__dl_call *call;
    struct lstk__verdict *v;
};

static int lstk__new_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct lstk__new_scan *s = data;
    for (size_t i = 0; i < s->call->nbefore; i++)
        if (s->call->before[i] == info->dlpi_addr)
            return 0;
    struct lstk__obj o = { info->dlpi_addr, info->dlpi_phdr, info->dlpi_phnum,
                           info->dlpi_name };
    lstk__check_obj(&o, s->v);
    return s->v->refused;
}

/* The objects of another namespace: their ELF headers are mapped at
   l_addr (shared objects). */
static void lstk__check_namespace(void *handle, struct lstk__verdict *v)
{
    struct link_map *lm = NULL;
    if (dlinfo(handle, RTLD_DI_LINKMAP, &lm) != 0 || lm == NULL)
        return;
    while (lm->l_prev != NULL)
        lm = lm->l_prev;
    for (; lm != NULL && !v->refused; lm = lm->l_next) {
        const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)lm->l_addr;
        if (lm->l_addr == 0 || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
            continue;
        struct lstk__obj o = { lm->l_addr,
                               (const ElfW(Phdr) *)(lm->l_addr + eh->e_phoff),
                               eh->e_phnum, lm->l_name };
        lstk__check_obj(&o, v);
    }
}

/* "$ORIGIN" / "${ORIGIN}" in FILE, against the caller's directory. */
static const char *lstk__expand_origin(const char *file, const void *caller,
                                       char *buf, size_t len)
{
    const char *at = file ? strstr(file, "$ORIGIN") : NULL;
    const char *at2 = file ? strstr(file, "${ORIGIN}") : NULL;
    Dl_info info;
    if ((at == NULL && at2 == NULL) || dladdr(caller, &info) == 0 ||
        info.dli_fname == NULL || strchr(info.dli_fname, '/') == NULL)
        return file;
    const char *slash = strrchr(info.dli_fname, '/');
    if (at2 != NULL && (at == NULL || at2 < at))
        at = at2;
    size_t skip = at == at2 ? strlen("${ORIGIN}") : strlen("$ORIGIN");
    int n = snprintf(buf, len, "%.*s%.*s%s", (int)(at - file), file,
                     (int)(slash - info.dli_fname), info.dli_fname, at + skip);
    return n > 0 && (size_t)n < len ? buf : file;
}

static void *lstk__dl_run(void *arg)
{
    struct lstk__dl_call *c = arg;
    char path[4096], msg[768];

    if (lstk__real_dlopen == NULL)
        lstk__loader_resolve();
    const char *file = lstk__expand_origin(c->file, c->caller, path, sizeof path);

    /* A caller in another namespace loads into it, as libc's dlopen does. */
    Dl_info info;
    struct link_map *clm = NULL;
    if (!c->use_lmid && dladdr1(c->caller, &info, (void **)&clm,
                                RTLD_DL_LINKMAP) != 0 && clm != NULL) {
        Lmid_t lmid = LM_ID_BASE;
        if (dlinfo(clm, RTLD_DI_LMID, &lmid) == 0 && lmid != LM_ID_BASE) {
            c->use_lmid = 1;
            c->lmid = lmid;
        }
    }
    int base_ns = !c->use_lmid || c->lmid == LM_ID_BASE;
    if (base_ns) {
        c->nbefore = 0;
        c->before = NULL;
        dl_iterate_phdr(lstk__count_cb, c);
        c->before = malloc((c->nbefore + 16) * sizeof *c->before);
        c->nbefore = 0;
        if (c->before != NULL)
            dl_iterate_phdr(lstk__count_cb, c);
    }

    if (lstk__real_dlopen == NULL || lstk__real_dlmopen == NULL) {
        /* a static program: there is no libc dlopen to call */
        snprintf(lstk__dl_err, sizeof lstk__dl_err, "linkstack: dlopen is "
                 "not available in a statically linked program");
        lstk__dl_err_set = 1;
        c->handle = NULL;
        free(c->before);
        return NULL;
    }
    uintptr_t guard0 = lstk__guard_get();
    c->handle = c->use_lmid ? lstk__real_dlmopen(c->lmid, file, c->mode)
                            : lstk__real_dlopen(file, c->mode);
    int libgcc_ss = lstk__guard_get() != guard0;
    lstk__guard_set(guard0);

    if (c->handle != NULL) {
        struct lstk__verdict v = { msg, sizeof msg, 0, c->handle,
                                   lstk__debug_zone ? LSTK__RESERVE - lstk__debug_zone : 0 };
        if (libgcc_ss)
            lstk__refuse(&v, "linkstack: loading %s ran libgcc's split-stack "
                         "start-up, which takes over the stack guard: an "
                         "object it loaded carries libgcc's __morestack, "
                         "not liblinkstack's; link every object compiled "
                         "with the plugin with $(pkg-config --libs "
                         "linkstack)", c->file ? c->file : "the program");
        else if (base_ns && c->before != NULL) {
            struct lstk__new_scan s = { c, &v };
            dl_iterate_phdr(lstk__new_cb, &s);
        } else {
            lstk__check_namespace(c->handle, &v);
        }
        if (v.refused) {
            dlclose(c->handle);
            c->handle = NULL;
            memcpy(lstk__dl_err, msg, sizeof lstk__dl_err);
            lstk__dl_err_set = 1;
        }
    }
    free(c->before);
    return NULL;
}

static void *lstk__dl_call(struct lstk__dl_call *c)
{
    if (lstk__guard_get() != 0)
        lstk__on_sys(lstk__dl_run, c);
    else
        lstk__dl_run(c);
    return c->handle;
}

LSTK_EXPORT void *dlopen(const char *file, int mode)
{
    struct lstk__dl_call c = { .file = file, .mode = mode,
                               .caller = __builtin_return_address(0) };
    return lstk__dl_call(&c);
}

LSTK_EXPORT void *dlmopen(Lmid_t lmid, const char *file, int mode)
{
    struct lstk__dl_call c = { .file = file, .mode = mode, .use_lmid = 1,
                               .lmid = lmid,
                               .caller = __builtin_return_address(0) };
    return lstk__dl_call(&c);
}

LSTK_EXPORT char *dlerror(void)
{
    if (lstk__dl_err_set) {
        lstk__dl_err_set = 0;
        if (lstk__real_dlerror != NULL)
            lstk__real_dlerror(); /* what libc kept is older */
        return lstk__dl_err;
    }
    if (lstk__real_dlerror == NULL)
        return NULL;
    return lstk__real_dlerror();
}

void lstk__notice(const char *fmt, ...)
{
    static const char prefix[] = "linkstack: ";
    char buf[512];
    va_list ap;
    memcpy(buf, prefix, sizeof prefix - 1);
    va_start(ap, fmt);
    int n = vsnprintf(buf + sizeof prefix - 1, sizeof buf - sizeof prefix,
                      fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    n += sizeof prefix - 1;
    if ((size_t)n > sizeof buf - 2)
        n = sizeof buf - 2;
    buf[n++] = '\n';
    long rc = syscall(SYS_write, 2, buf, (size_t)n);
    (void)rc;
}
