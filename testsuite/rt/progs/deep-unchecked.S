/*
 * deep-unchecked.S: code the plugin never saw, with a stack use no budget
 * bounds (as glibc's printf with a huge precision, or a replacement malloc).
 *
 *   void deep_unchecked(size_t bytes);
 *
 * Touches BYTES below its stack pointer, one 4 KiB page at a time (as
 * -fstack-clash-protection code does), then returns.
 */
        .text
        .globl  deep_unchecked
        .type   deep_unchecked, @function
        .align  16
deep_unchecked:
        .cfi_startproc
        movq    %rsp, %rax
        .cfi_def_cfa_register %rax
1:      subq    $4096, %rsp
        orq     $0, (%rsp)
        subq    $4096, %rdi
        ja      1b
        movq    %rax, %rsp
        .cfi_def_cfa_register %rsp
        ret
        .cfi_endproc
        .size   deep_unchecked, . - deep_unchecked

        .section .note.GNU-stack, "", @progbits
