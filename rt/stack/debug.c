/*
 * debug.c: the reserve each object was compiled for, and the debug mode
 * that checks the plugin's invariants at run time.
 *
 * Reserve notes.  The plugin records in every object the reserve R it
 * assumed below each guard: an ELF note ".note.linkstack", name
 * "linkstack", type 1, a 4-byte descriptor holding R (plugin/report.cc).
 * ld.bfd and gold keep allocated note sections in a PT_NOTE segment, so
 * the runtime finds them in every loaded object with dl_iterate_phdr.  An
 * object compiled for more than this runtime's LSTK__RESERVE could leave
 * a function unchecked whose frames do not fit: the program refuses to
 * start (a constructor, before main) with a message naming the object.
 * Objects loaded later with dlopen are checked by loader.c, which also
 * checks the other note types.
 *
 * Debug mode (LINKSTACK_DEBUG=1 in the environment, read once).  The
 * plugin guarantees (ARCHITECTURE.md, invariants 1 to 3) that nothing
 * ever writes more than R_obj bytes below a guard, where R_obj is the
 * largest reserve any loaded object was compiled for.  When R_obj is
 * smaller than the runtime's R (build the program with
 * -fplugin-arg-linkstack-reserve=256, say), the bottom LSTK__RESERVE -
 * R_obj bytes of every chunk's reserve must stay untouched: the debug mode
 * paints them when a chunk is taken and verifies them whenever a chunk is
 * left (released on return, left downward by a growth, freed with its
 * stack), and lstk__debug_check_guard lets the thread switch verify the
 * chunk a suspended thread is on.  A violation is fatal, with the chunk
 * and the depth of the deepest write.
 *
 * To see every release (the fast path in __morestack never calls C), a
 * chunk in debug mode carries lstk__dyn_sentinel (grow.c) as its heap
 * block list: a block that no frame owns and nothing frees, which sends
 * each release to the slow path.
 */
#define _GNU_SOURCE
#include "config.h"

#include <link.h>
#include <stdlib.h>
#include <string.h>

#include "stack/stack.h"

/* Type of the reserve note (plugin/report.cc). */
#define LSTK__NOTE_RESERVE 1
/* The byte painted below the guards. */
#define LSTK__PAINT 0xa5

size_t lstk__debug_zone;

/* The largest reserve found in an object's note, and that object. */
struct lstk__note_scan {
    size_t max;
    const char *obj;
    size_t objects;
};

static int lstk__note_cb(struct dl_phdr_info *info, size_t size, void *data)
{
    struct lstk__note_scan *scan = data;
    (void)size;

    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE)
            continue;
        const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr);
        const char *end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *n = (const ElfW(Nhdr) *)p;
            const char *name = p + sizeof *n;
            const char *desc = name + ((n->n_namesz + 3) & ~3u);
            const char *next = desc + ((n->n_descsz + 3) & ~3u);
            if (next > end)
                break;
            if (n->n_namesz == 10 && memcmp(name, "linkstack", 10) == 0 &&
                n->n_type == LSTK__NOTE_RESERVE && n->n_descsz == 4) {
                uint32_t r;
                memcpy(&r, desc, sizeof r);
                scan->objects++;
                if (r > scan->max) {
                    scan->max = r;
                    scan->obj = info->dlpi_name;
                }
            }
            p = next;
        }
    }
    return 0;
}

void lstk__debug_init(void)
{
    static int done;
    if (done)
        return;
    done = 1;

    struct lstk__note_scan scan = { 0, NULL, 0 };
    dl_iterate_phdr(lstk__note_cb, &scan);
    if (scan.max > LSTK__RESERVE)
        lstk__fatal("%s was compiled for a reserve of %zu bytes below each "
                    "stack guard, but this runtime keeps %zu "
                    "(lstk_reserve()): rebuild it with "
                    "-fplugin-arg-linkstack-reserve=%zu or less",
                    scan.obj && *scan.obj ? scan.obj : "the program",
                    scan.max, (size_t)LSTK__RESERVE, (size_t)LSTK__RESERVE);

    lstk__loader_check_startup(); /* [issue 9] notes of types 2 and 3 */

    const char *env = getenv("LINKSTACK_DEBUG");
    /* issue 11: "migrate" asks the scheduler to move threads (smp.c), not
       for these checks. */
    if (env != NULL && *env != '\0' && strcmp(env, "0") != 0 &&
        strcmp(env, "migrate") != 0) {
        lstk__debug_zone = scan.objects > 0 ? LSTK__RESERVE - scan.max : 0;
        /* [issue 9, F1] never off without a word */
        if (lstk__debug_zone == 0 && scan.objects == 0)
            lstk__notice("LINKSTACK_DEBUG=%s checks nothing: no loaded "
                         "object was compiled with the plugin", env);
        else if (lstk__debug_zone == 0)
            lstk__notice("LINKSTACK_DEBUG=%s checks nothing: %s was "
                         "compiled for a reserve of %zu bytes, all that this "
                         "runtime keeps; the debug mode needs every object "
                         "compiled with -fplugin-arg-linkstack-reserve=N, N "
                         "below %zu", env,
                         scan.obj && *scan.obj ? scan.obj : "the program",
                         scan.max, (size_t)LSTK__RESERVE);
    }
}

/* The stack layer's start (libc/libc.h: the sequence), before main: a
   program with an object compiled for too large a reserve does not start.
   (lstk__global_init calls lstk__debug_init too, for stacks made before
   the constructors ran; that call also links this file into static
   programs.) */
__attribute__((constructor(LSTK__START_STACK))) static void
lstk__stack_start(void)
{
    lstk__debug_init();
}

void lstk__debug_chunk_new(struct lstk__chunk *c)
{
    memset((char *)c + LSTK__CHUNK_HDR, LSTK__PAINT, lstk__debug_zone);
    c->dyn = &lstk__dyn_sentinel;
}

void lstk__debug_chunk_check(const struct lstk__chunk *c, const char *when)
{
    const unsigned char *z = (const unsigned char *)c + LSTK__CHUNK_HDR;
    for (size_t i = 0; i < lstk__debug_zone; i++) {
        if (z[i] != LSTK__PAINT)
            lstk__fatal("debug: a frame wrote %zu bytes below the guard of "
                        "chunk %p (stack %p), where code compiled for a "
                        "reserve of %zu bytes must never write "
                        "(ARCHITECTURE.md, invariants 1-3); found on %s",
                        (size_t)LSTK__RESERVE - i, (void *)c, c->stack,
                        (size_t)LSTK__RESERVE - lstk__debug_zone, when);
    }
}

void lstk__debug_check_guard(uintptr_t guard)
{
    if (lstk__debug_zone != 0 && guard != 0)
        lstk__debug_chunk_check(lstk__guard_chunk(guard), "a thread switch");
}
