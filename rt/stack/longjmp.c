/*
 * longjmp.c: jumps out of deep recursion leave a correct guard.
 *
 * A longjmp from a frame on chunk D to a frame on an earlier chunk T of
 * the same stack bypasses every __morestack return, so the guard would
 * still describe D and the chunks between would be lost.  The runtime's
 * longjmp family (taking precedence over libc's) finds T from the target
 * stack pointer in the jmp_buf, releases the chunks after T (keeping one
 * cached, as a return would) and points the guard at T, then does libc's
 * jump.  That work runs on the OS thread's system stack, since it frees
 * the chunk the caller is running on.  Off linked stacks (guard 0) the
 * calls go straight to libc.
 *
 * glibc keeps rsp in the jmp_buf mangled with the thread's pointer guard
 * (%fs:0x30): rol 0x11 after xor.  That is glibc's x86-64 ABI; the test
 * suite covers it.
 *
 * __longjmp_chk (what longjmp becomes under _FORTIFY_SOURCE) compares the
 * target with the current rsp as if the stack were contiguous, which
 * across chunks is meaningless: on a linked stack it is served like
 * siglongjmp.
 */
#define _GNU_SOURCE 1
#include "config.h"

#include <dlfcn.h>
#include <setjmp.h>

#include "stack/stack.h"

typedef void (*lstk__jumpfn)(struct __jmp_buf_tag *, int);

/* In a dynamic link, dlsym finds libc's.  In a -static one there is no
   dlsym, and glibc's own entry point is linked only if something asks for
   it: linkstack.pc's Libs.private does (-Wl,-u,__libc_siglongjmp). */
extern void __libc_siglongjmp(struct __jmp_buf_tag *, int)
    __attribute__((weak, __noreturn__));

static lstk__jumpfn lstk__real_jump;
static lstk__jumpfn lstk__real_jump_chk;

static lstk__jumpfn lstk__resolve(const char *name, lstk__jumpfn fallback)
{
    lstk__jumpfn fn = (lstk__jumpfn)dlsym(RTLD_NEXT, name);
    if (fn == NULL)
        fn = fallback;
    if (fn == NULL)
        lstk__fatal("cannot find libc's %s (a -static link needs "
                    "-Wl,-u,__libc_siglongjmp, see linkstack.pc)", name);
    return fn;
}

static inline lstk__jumpfn lstk__jump(void)
{
    lstk__jumpfn fn = __atomic_load_n(&lstk__real_jump, __ATOMIC_RELAXED);
    if (lstk__slow(fn == NULL)) {
        fn = lstk__resolve("siglongjmp", __libc_siglongjmp);
        __atomic_store_n(&lstk__real_jump, fn, __ATOMIC_RELAXED);
    }
    return fn;
}

/* Resolved when the first linked stack is made (lstk__global_init), since
   dlsym needs far more stack than a chunk has; later only read. */
void lstk__longjmp_init(void)
{
    lstk__jumpfn jump = lstk__jump();
    /* A -static program has no dlsym: fortified longjmp off linked stacks
       then loses only its check. */
    lstk__jumpfn chk = (lstk__jumpfn)dlsym(RTLD_NEXT, "__longjmp_chk");
    __atomic_store_n(&lstk__real_jump_chk, chk ? chk : jump, __ATOMIC_RELAXED);
}

/* The stack pointer a jmp_buf restores (glibc x86-64: __jmpbuf[6]). */
static inline uintptr_t lstk__jmpbuf_sp(struct __jmp_buf_tag *env)
{
    uintptr_t v = (uintptr_t)env->__jmpbuf[6];
    uintptr_t pointer_guard;
    __asm__("movq %%fs:0x30, %0" : "=r"(pointer_guard));
    v = (v >> 0x11) | (v << (64 - 0x11));
    return v ^ pointer_guard;
}

struct lstk__jump_args {
    struct __jmp_buf_tag *env;
    int val;
    uintptr_t guard;
    lstk__jumpfn jump;
};

/* A signal handler runs with the guard at 0 (signal.c); when it jumps
   back onto the linked stack it interrupted (guard SIG_GUARD), the jump is
   served as one from that stack.  Returns SIG_GUARD when SP is on one of
   its chunks, else 0 (a jump within the handler's own stack).  O(chunks):
   a jump is no hot path. */
static uintptr_t lstk__handler_target(uintptr_t sig_guard, uintptr_t sp)
{
    lstk__sig_guard = 0; /* the handler is left either way */
    for (const struct lstk__chunk *c = lstk__guard_chunk(sig_guard);
         c != NULL && c->canary == lstk__canary_secret; c = c->prev)
        if (sp > (uintptr_t)c + LSTK__CHUNK_HDR && sp <= (uintptr_t)c + c->size)
            return sig_guard;
    return 0;
}

static void *lstk__jump_on_sys(void *arg)
{
    /* A copy: ARG lives on a chunk that lstk__unwind_to may unmap. */
    struct lstk__jump_args a = *(struct lstk__jump_args *)arg;
    uintptr_t guard = lstk__unwind_to(a.guard, lstk__jmpbuf_sp(a.env));
    if (lstk__slow(lstk__san)) /* [issue 12] ASan: sanitizer.c */
        lstk__san_landed(guard);
    lstk__guard_set(guard);
    a.jump(a.env, a.val);
    __builtin_unreachable();
}

static __attribute__((__noreturn__)) void lstk__longjmp(struct __jmp_buf_tag *env,
                                                    int val)
{
    lstk__jumpfn jump = lstk__jump();
    uintptr_t guard = lstk__guard_get();
    if (guard == 0 && lstk__sig_guard != 0) /* [issue 9] from a handler */
        guard = lstk__handler_target(lstk__sig_guard, lstk__jmpbuf_sp(env));
    if (guard != 0) {
        struct lstk__jump_args a = { env, val, guard, jump };
        lstk__on_sys(lstk__jump_on_sys, &a);
    }
    jump(env, val);
    __builtin_unreachable();
}

LSTK_EXPORT void longjmp(jmp_buf env, int val)
{
    lstk__longjmp(env, val);
}

LSTK_EXPORT void _longjmp(jmp_buf env, int val)
{
    lstk__longjmp(env, val);
}

LSTK_EXPORT void siglongjmp(sigjmp_buf env, int val)
{
    lstk__longjmp(env, val);
}

LSTK_EXPORT void __longjmp_chk(struct __jmp_buf_tag *env, int val)
{
    if (lstk__guard_get() != 0)
        lstk__longjmp(env, val);
    lstk__jumpfn chk = __atomic_load_n(&lstk__real_jump_chk, __ATOMIC_RELAXED);
    if (chk == NULL) {
        lstk__longjmp_init();
        chk = __atomic_load_n(&lstk__real_jump_chk, __ATOMIC_RELAXED);
    }
    chk(env, val);
    __builtin_unreachable();
}
