/*
 * callon_x86_64_sysv_elf_gas.S: run a function on another stack.
 *
 * void *lstk__call_on(void *sp, uintptr_t guard, void *(*fn)(void *), void *arg)
 *     rdi = sp (16-aligned top of the stack to use), rsi = guard for it
 *     (0 for a stack that must never grow, such as the system stack),
 *     rdx = fn, rcx = arg.  Returns fn(arg) in rax.
 *
 * The old guard is kept in rbx (callee-saved, so fn preserves it) and the
 * old rsp in rbp; both are restored when fn returns.  The CFA stays
 * rbp-based while fn runs, so gdb and libunwind walk from fn's frames on
 * the other stack back into the caller's frames on this one.
 *
 *     old stack:   16(%rbp) caller's frame
 *                   8(%rbp) return address
 *                   0(%rbp) saved rbp
 *                  -8(%rbp) saved rbx
 */
#include "stack/stack.h"

#ifdef __CET__
# include <cet.h>
#else
# define _CET_ENDBR
#endif

        .text
        .globl  lstk__call_on
        .hidden lstk__call_on
        .type   lstk__call_on, @function
        .align  16
lstk__call_on:
        .cfi_startproc
        _CET_ENDBR
        pushq   %rbp
        .cfi_def_cfa_offset 16
        .cfi_offset %rbp, -16
        movq    %rsp, %rbp
        .cfi_def_cfa_register %rbp
        pushq   %rbx
        .cfi_offset %rbx, -24
        movq    %fs:LSTK__GUARD_SLOT, %rbx
        movq    %rdi, %rsp              /* onto the other stack */
        movq    %rsi, %fs:LSTK__GUARD_SLOT
        movq    %rcx, %rdi
        call    *%rdx
        leaq    -8(%rbp), %rsp          /* back */
        movq    %rbx, %fs:LSTK__GUARD_SLOT
        popq    %rbx
        .cfi_restore %rbx
        popq    %rbp
        .cfi_def_cfa %rsp, 8
        .cfi_restore %rbp
        ret
        .cfi_endproc
        .size   lstk__call_on, . - lstk__call_on

        .section .note.GNU-stack, "", @progbits
