/*
 * morestack_x86_64_sysv_elf_gas.S: the growth path.
 *
 * GCC's split-stack prologue (gcc-notes section 1) compares rsp, or
 * rsp - frame, with the guard in %fs:0x70 and, when it is below, does
 *
 *         movl  $FRAME, %r10d        # bytes the frame needs
 *         movl  $ARGS, %r11d         # bytes of stack arguments to copy
 *         call  __morestack
 *         ret                        # <- __morestack's final ret lands here
 *         jmp   body                 # <- __morestack calls this (RA + 1)
 *
 * __morestack moves onto a chunk with room for FRAME + ARGS, copies the
 * stack arguments, and *calls* the body there.  When the body returns to
 * us, we move back, and our own `ret` lands on the 1-byte `ret` stub, which
 * returns to the body's real caller.  Every call is matched by its return,
 * so the return-stack predictor stays right all the way.
 *
 * Why the common cases are fast (no syscall, no lock, no memory allocation):
 *   - The current chunk is found from the guard alone (guard - GUARD_OFFSET,
 *     see rt/stack/stack.h), not from thread-local state.
 *   - A chunk that was left is kept as the previous chunk's `next`, so a
 *     call that crosses the same boundary again (a "hot split") reuses it:
 *     the grow side is ~10 loads/stores, the release side a canary check
 *     and two stores.
 *   - Only a missing or too small cached chunk, or a chunk that has its own
 *     cached chunk or heap blocks to give back, takes the slow path: a C
 *     function run on this OS thread's system stack (lstk__pool.sys_top).
 *
 * Inputs:   r10 = frame bytes, r11 = stack-argument bytes, rax = static
 *           chain (nested functions), rdi..r9, xmm0..7 = the body's
 *           arguments.  All of these are preserved into the body.
 * Outputs:  the body's results (rax, rdx, xmm0/1, st0/1) and everything
 *           else the body left, except rcx and r8-r11, the scratch
 *           registers common to the SysV and Microsoft ABIs: an ms_abi
 *           function's caller keeps rsi, rdi and xmm6-15 live across the
 *           call (issue 9, D1), and the slow halves save them around C.
 * Stack:    on entry only the reserve below the guard is known to be free
 *           (LSTK__RESERVE, rt/stack/stack.h).  Before leaving the old chunk we
 *           push rbp + 2 registers: 24 bytes (+ our return address).
 *
 * Frame on the old chunk (rbp-based; kept while the body runs):
 *     24(%rbp)  first stack argument of the body (the varargs prologue
 *               reads it from here: `leaq 24(%rbp),%r11` after the stub)
 *     16(%rbp)  return address of the body's caller
 *      8(%rbp)  our return address: the `ret` stub in the body's prologue
 *      0(%rbp)  saved rbp
 *     -8/-16(%rbp)  saved rdi, rsi
 *
 * Signals: the runtime makes every handler run on a per-OS-thread
 * sigaltstack with the guard set to 0 for the handler's duration (rt/stack/signal.c),
 * so a signal at any instruction here neither writes below rsp on a chunk
 * nor sees a half-updated guard.  The order of the stores (rsp, then the
 * guard) therefore matters only to sampling tools; we keep "rsp moves
 * first" so that rsp is never in a chunk that the guard says was left.
 *
 * Unwinding: the CFA is rbp + 24 throughout, i.e. just above the body
 * caller's return address at 16(%rbp), so the standard rules (return
 * address at CFA - 8, caller's rsp = CFA) go from the body straight to its
 * real caller, skipping the ret stub: gdb, libgcc's unwinder and libunwind
 * show one __morestack frame per chunk boundary.  An exception (or forced
 * unwind) leaving the body runs our landing pad, which gives the chunk
 * back and resets the guard before _Unwind_Resume.
 */

#include "stack/stack.h"

#ifdef __CET__
# include <cet.h>
#else
# define _CET_ENDBR
#endif

#define G LSTK__GUARD_OFFSET

        .text

/* ------------------------------------------------------------------------
 * void __morestack(void)  -- see above.
 * ------------------------------------------------------------------------ */
        .globl  __morestack
        .type   __morestack, @function
        .align  16
__morestack:
.LFB_ms:
        .cfi_startproc
        .cfi_personality 0x9b, DW.ref.__gcc_personality_v0
        .cfi_lsda 0x1b, .LLSDA_ms
        /* Unwinders must return from here to the body's caller, skipping
           the ret stub: say the CFA is 16 above rsp, past both return
           addresses.  The return address rule (CFA - 8) then finds the
           body caller's, and the caller's rsp is the CFA. */
        .cfi_def_cfa_offset 16
        _CET_ENDBR
        pushq   %rbp
        .cfi_def_cfa_offset 24
        .cfi_offset %rbp, -24
        movq    %rsp, %rbp
        .cfi_def_cfa_register %rbp      /* CFA = rbp + 24 from here on */
        pushq   %rdi
        pushq   %rsi

        /* The header is found from the guard: fields at offset - G. */
        movq    %fs:LSTK__GUARD_SLOT, %rdi      /* rdi = C + G */
        movq    LSTK__CH_NEXT-G(%rdi), %rsi     /* rsi = cached chunk N */
        testq   %rsi, %rsi
        jz      .Lgrow_slow
        /* N fits if its size >= G + frame + args + slack. */
        leaq    G+LSTK__MORESTACK_SLACK(%r10,%r11), %rdi
        cmpq    LSTK__CH_SIZE(%rsi), %rdi
        ja      .Lgrow_slow

.Lswitch:       /* rsi = the chunk to move to */
        movq    lstk__pool@gottpoff(%rip), %rdi
        incq    %fs:(%rdi)              /* lstk__pool.grow_events++ */
        movq    %rbp, LSTK__CH_FROM(%rsi)       /* where we left: live depth */
        movq    LSTK__CH_SIZE(%rsi), %rdi
        addq    %rsi, %rdi              /* rdi = its top */
        subq    %r11, %rdi
        andq    $-16, %rdi              /* rdi = where the arguments go */
        testq   %r11, %r11
        jnz     .Lcopy_args
.Largs_done:
        movq    %rdi, %rsp              /* onto the new chunk */
        addq    $G, %rsi
        movq    %rsi, %fs:LSTK__GUARD_SLOT
        movq    -8(%rbp), %rdi
        movq    -16(%rbp), %rsi
        movq    8(%rbp), %r10
        addq    $1, %r10                /* the body: just past the ret stub */
.LEHB_ms:
        call    *%r10
.LEHE_ms:
        /* The body returned: rax/rdx, xmm0/1 and st0/1 hold its result.
           Only rcx and r8-r11 are free from here on: they are the scratch
           registers of both the SysV and the Microsoft ABI.  An ms_abi
           caller keeps live values in rsi, rdi and xmm6-15 across its
           calls (issue 9, D1), so none of those may change between the
           body's return and our own. */
        movq    %fs:LSTK__GUARD_SLOT, %rcx      /* rcx = C + G, C = the chunk we leave */
        movq    lstk__canary_secret(%rip), %r8
        cmpq    LSTK__CH_CANARY-G(%rcx), %r8
        jne     .Lcorrupt
        movq    LSTK__CH_NEXT-G(%rcx), %r8
        orq     LSTK__CH_DYN-G(%rcx), %r8
        jnz     .Lrelease_slow
        movq    LSTK__CH_PREV-G(%rcx), %r8
        addq    $G, %r8                 /* r8 = guard of the chunk we return to */
.Lreleased:
        movq    %rbp, %rsp              /* back onto the old chunk */
        movq    %r8, %fs:LSTK__GUARD_SLOT
        .cfi_remember_state
        popq    %rbp
        .cfi_restore %rbp
        .cfi_def_cfa %rsp, 16
        ret                             /* to the ret stub */
        .cfi_restore_state

/* Copy r11 bytes of stack arguments from 24(%rbp) to (%rdi), last word
   first.  r10 and r11 are dead afterwards (the body reloads nothing from
   them; the varargs pointer is recomputed from rbp after the stub). */
.Lcopy_args:
        movq    16(%rbp,%r11), %r10
        movq    %r10, -8(%rdi,%r11)
        subq    $8, %r11
        jnz     .Lcopy_args
        jmp     .Largs_done

/* No usable cached chunk: get one in C on the system stack.  The argument
   registers are saved there (rdi and rsi are already on the old chunk). */
.Lgrow_slow:
        movq    lstk__pool@gottpoff(%rip), %rsi
        movq    %fs:LSTK__POOL_SYS_TOP(%rsi), %rsp   /* onto the system stack */
        /* A load between the switch and the frame keeps them two steps
           for Valgrind (rt/stack/valgrind.c): a switch, then a frame
           that memcheck makes addressable. */
        movq    %fs:LSTK__GUARD_SLOT, %rdi
        subq    $320, %rsp
        movq    %rcx, 176(%rsp)
        subq    $G, %rdi                /* rdi = C */
        movq    %rax, 0(%rsp)
        movq    %rdx, 8(%rsp)
        movq    %r8, 16(%rsp)
        movq    %r9, 24(%rsp)
        movq    %r10, 32(%rsp)
        movq    %r11, 40(%rsp)
        movdqu  %xmm0, 48(%rsp)
        movdqu  %xmm1, 64(%rsp)
        movdqu  %xmm2, 80(%rsp)
        movdqu  %xmm3, 96(%rsp)
        movdqu  %xmm4, 112(%rsp)
        movdqu  %xmm5, 128(%rsp)
        movdqu  %xmm6, 144(%rsp)
        movdqu  %xmm7, 160(%rsp)
        /* xmm8-15 are callee-saved for an ms_abi body, which has not
           saved them yet: the C code below may use them. */
        movdqu  %xmm8, 192(%rsp)
        movdqu  %xmm9, 208(%rsp)
        movdqu  %xmm10, 224(%rsp)
        movdqu  %xmm11, 240(%rsp)
        movdqu  %xmm12, 256(%rsp)
        movdqu  %xmm13, 272(%rsp)
        movdqu  %xmm14, 288(%rsp)
        movdqu  %xmm15, 304(%rsp)
        leaq    LSTK__MORESTACK_SLACK(%r10,%r11), %rsi  /* need */
        movq    8(%rbp), %rdx           /* where: the prologue that asked */
        movq    %rbp, %rcx              /* where C is left (fit.c) */
        call    lstk__grow_slow         /* rdi = C; returns the new chunk */
        movq    %rax, %rsi
        movq    0(%rsp), %rax
        movq    8(%rsp), %rdx
        movq    16(%rsp), %r8
        movq    24(%rsp), %r9
        movq    32(%rsp), %r10
        movq    40(%rsp), %r11
        movdqu  48(%rsp), %xmm0
        movdqu  64(%rsp), %xmm1
        movdqu  80(%rsp), %xmm2
        movdqu  96(%rsp), %xmm3
        movdqu  112(%rsp), %xmm4
        movdqu  128(%rsp), %xmm5
        movdqu  144(%rsp), %xmm6
        movdqu  160(%rsp), %xmm7
        movdqu  192(%rsp), %xmm8
        movdqu  208(%rsp), %xmm9
        movdqu  224(%rsp), %xmm10
        movdqu  240(%rsp), %xmm11
        movdqu  256(%rsp), %xmm12
        movdqu  272(%rsp), %xmm13
        movdqu  288(%rsp), %xmm14
        movdqu  304(%rsp), %xmm15
        movq    176(%rsp), %rcx
        leaq    -16(%rbp), %rsp         /* back onto the old chunk */
        jmp     .Lswitch

/* The chunk we leave has a cached chunk or heap blocks to give back.
   Still on it (rsp = where the arguments were): switch to the system
   stack, keeping the body's results and what an ms_abi caller keeps in
   rsi, rdi and xmm6-15 (the C code may use any of them). */
.Lrelease_slow:
        movq    lstk__pool@gottpoff(%rip), %r8
        movq    %fs:LSTK__POOL_SYS_TOP(%r8), %rsp
        movq    %fs:LSTK__GUARD_SLOT, %r8       /* for Valgrind: see .Lgrow_slow */
        subq    $224, %rsp
        movq    %rax, 0(%rsp)
        movq    %rdx, 8(%rsp)
        movq    %rsi, 16(%rsp)
        movq    %rdi, 24(%rsp)
        movdqu  %xmm0, 32(%rsp)
        movdqu  %xmm1, 48(%rsp)
        movdqu  %xmm6, 64(%rsp)
        movdqu  %xmm7, 80(%rsp)
        movdqu  %xmm8, 96(%rsp)
        movdqu  %xmm9, 112(%rsp)
        movdqu  %xmm10, 128(%rsp)
        movdqu  %xmm11, 144(%rsp)
        movdqu  %xmm12, 160(%rsp)
        movdqu  %xmm13, 176(%rsp)
        movdqu  %xmm14, 192(%rsp)
        movdqu  %xmm15, 208(%rsp)
        leaq    -G(%rcx), %rdi
        call    lstk__release_slow      /* returns the guard to go back to */
        movq    %rax, %r8
        movq    0(%rsp), %rax
        movq    8(%rsp), %rdx
        movq    16(%rsp), %rsi
        movq    24(%rsp), %rdi
        movdqu  32(%rsp), %xmm0
        movdqu  48(%rsp), %xmm1
        movdqu  64(%rsp), %xmm6
        movdqu  80(%rsp), %xmm7
        movdqu  96(%rsp), %xmm8
        movdqu  112(%rsp), %xmm9
        movdqu  128(%rsp), %xmm10
        movdqu  144(%rsp), %xmm11
        movdqu  160(%rsp), %xmm12
        movdqu  176(%rsp), %xmm13
        movdqu  192(%rsp), %xmm14
        movdqu  208(%rsp), %xmm15
        jmp     .Lreleased

.Lcorrupt:
        movq    lstk__pool@gottpoff(%rip), %r8
        movq    %fs:LSTK__POOL_SYS_TOP(%r8), %rsp
        leaq    -G(%rcx), %rdi
        call    lstk__chunk_corrupt     /* does not return */
        ud2

/* Landing pad: an exception or forced unwind leaves the body.  rsp is where
   the arguments were, on the chunk the body started on, which has plenty
   of room; stay on it for _Unwind_Resume (it needs kilobytes), but first
   give the chunk back and point the guard at the chunk our frame is in:
   the handler that will catch runs there or further up. */
.Llanding:
        pushq   %rax                    /* the exception */
        subq    $8, %rsp
        movq    %fs:LSTK__GUARD_SLOT, %rdi
        subq    $G, %rdi
        call    lstk__release_unwind    /* small C, no allocation; room here */
        movq    %rax, %fs:LSTK__GUARD_SLOT
        addq    $8, %rsp
        popq    %rdi
        call    _Unwind_Resume@PLT
        ud2
        .cfi_endproc
        .size   __morestack, . - __morestack

/* The language-specific data area: one call-site entry, the call of the
   body, with a cleanup (action 0) at .Llanding. */
        .section .gcc_except_table, "a", @progbits
        .align  4
.LLSDA_ms:
        .byte   0xff                    /* @LPStart: omitted, = function start */
        .byte   0xff                    /* @TType: none */
        .byte   0x01                    /* call-site entries in uleb128 */
        .uleb128 .LLSDACSE_ms - .LLSDACSB_ms
.LLSDACSB_ms:
        .uleb128 .LEHB_ms - .LFB_ms     /* region start */
        .uleb128 .LEHE_ms - .LEHB_ms    /* region length */
        .uleb128 .Llanding - .LFB_ms    /* landing pad */
        .uleb128 0                      /* action: cleanup */
.LLSDACSE_ms:
        .text

/* ------------------------------------------------------------------------
 * __morestack_large_model: -mcmodel=large calls this with
 * r10 = (argument bytes << 32) | frame bytes.
 * ------------------------------------------------------------------------ */
        .globl  __morestack_large_model
        .type   __morestack_large_model, @function
        .align  16
__morestack_large_model:
        .cfi_startproc
        _CET_ENDBR
        movq    %r10, %r11
        shrq    $32, %r11
        movl    %r10d, %r10d
        jmp     __morestack
        .cfi_endproc
        .size   __morestack_large_model, . - __morestack_large_model

/* ------------------------------------------------------------------------
 * __morestack_non_split: gold redirects to this the prologues of split
 * functions that call code without split-stack notes.  Such a function
 * needs room for what it calls: continue on this chunk when FRAME plus the
 * external reserve fits, otherwise ask __morestack for both.  A varargs
 * body (it reads its arguments through __morestack's frame, recognised by
 * `lea 0x18(%rbp),%r11` = 4c 8d 5d 18 after the stub) always goes through
 * __morestack.
 * ------------------------------------------------------------------------ */
#define LSTK_NON_SPLIT_RESERVE 16384
        .globl  __morestack_non_split
        .type   __morestack_non_split, @function
        .align  16
__morestack_non_split:
        .cfi_startproc
        _CET_ENDBR
        addq    $LSTK_NON_SPLIT_RESERVE, %r10
        pushq   %rax
        .cfi_adjust_cfa_offset 8
        movq    8(%rsp), %rax           /* our return address: the ret stub */
        cmpl    $0xfa1e0ff3, 1(%rax)    /* an endbr64 after the stub (CET)? */
        jne     2f
        addq    $4, %rax
2:      cmpl    $0x185d8d4c, 1(%rax)    /* varargs continuation? */
        je      1f
        movq    %rsp, %rax
        subq    %r10, %rax
        jb      1f
        cmpq    %fs:LSTK__GUARD_SLOT, %rax
        jb      1f
        popq    %rax
        .cfi_adjust_cfa_offset -8
        subq    $LSTK_NON_SPLIT_RESERVE, %r10
        incq    (%rsp)                  /* skip the stub: run the body here */
        ret
1:
        .cfi_adjust_cfa_offset 8
        popq    %rax
        .cfi_adjust_cfa_offset -8
        jmp     __morestack
        .cfi_endproc
        .size   __morestack_non_split, . - __morestack_non_split

/* ------------------------------------------------------------------------
 * void *__morestack_allocate_stack_space(size_t size)
 * alloca/VLA code calls this when SIZE does not fit above the guard; it
 * returns heap memory tied to the current chunk (lstk__dyn_alloc).  Called
 * with little room: do the work on the system stack.
 * ------------------------------------------------------------------------ */
        .globl  __morestack_allocate_stack_space
        .type   __morestack_allocate_stack_space, @function
        .align  16
__morestack_allocate_stack_space:
        .cfi_startproc
        _CET_ENDBR
        pushq   %rbp
        .cfi_def_cfa_offset 16
        .cfi_offset %rbp, -16
        movq    %rsp, %rbp
        .cfi_def_cfa_register %rbp
        leaq    16(%rbp), %rsi          /* the caller's sp */
        movq    lstk__pool@gottpoff(%rip), %rax
        movq    %fs:LSTK__POOL_SYS_TOP(%rax), %rsp
        call    lstk__dyn_alloc
        movq    %rbp, %rsp
        popq    %rbp
        .cfi_def_cfa %rsp, 8
        ret
        .cfi_endproc
        .size   __morestack_allocate_stack_space, . - __morestack_allocate_stack_space

/* The personality routine, referenced through a hidden data word (as GCC
   does for C with -fexceptions), so the reference is PIC-safe. */
        .hidden DW.ref.__gcc_personality_v0
        .weak   DW.ref.__gcc_personality_v0
        .section .data.rel.local.DW.ref.__gcc_personality_v0, "awG", @progbits, DW.ref.__gcc_personality_v0, comdat
        .align  8
        .type   DW.ref.__gcc_personality_v0, @object
        .size   DW.ref.__gcc_personality_v0, 8
DW.ref.__gcc_personality_v0:
        .quad   __gcc_personality_v0

        .section .note.GNU-stack, "", @progbits
