/*
 * switch_x86_64_sysv_elf_gas.S: user-thread context switch, thread entry
 * and thread exit for x86-64, System V psABI, ELF, GNU as.
 *
 * C prototypes (rt/thread/thread.h):
 *   void *lstk__ctx_switch(void **save, void *to, void *msg);
 *            rdi = where to store the suspended context's sp
 *            rsi = sp of the context to resume (a frame this file built)
 *            rdx = value the resumed context sees as its return value
 *   noreturn void lstk__ctx_exit(void *sys_top, void *(*fn)(void *), void *arg);
 *            rdi = top of this OS thread's system stack
 *            rsi = function run there; returns the sp of the context to resume
 *            rdx = its argument
 *   void lstk__thread_entry(void);     never called: a new thread's first
 *            "return address", with r12 = FN, r13 = ARG, rbx = the TCB
 *
 * What a switch saves, and why only that.  A switch is a call: the caller
 * has already spilled every caller-saved register, so the psABI leaves us
 * the callee-saved ones (rbx, rbp, r12-r15), the stack pointer, and the two
 * pieces of floating-point *control* state that the psABI declares
 * callee-saved: MXCSR's control bits and the x87 control word (a thread
 * that changes its rounding mode must not change its neighbours').  The
 * split-stack guard in %fs:0x70 is per stack, so it travels with rsp.
 * issue 11: so does errno, which glibc keeps per OS thread (at
 * lstk__errno_tpoff from the thread pointer): a thread resumed on another
 * OS thread finds its guard and its errno, not that OS thread's.  The
 * frame, pushed on the suspended thread's own stack (sp points at 0):
 *
 *     +0   guard       +8  errno (4) | x87 CW (2) | MXCSR low half (2)
 *     +16  r15   +24 r14   +32 r13   +40 r12   +48 rbx   +56 rbp
 *     +64  return address                       +72  caller's frame
 *
 * MXCSR's upper half is reserved (0), so 16 bits of it are kept, passing
 * through errno's slot (stmxcsr/ldmxcsr take 32 bits; nothing is written
 * below rsp, which the budgets would count): the frame stays 72 bytes.
 *
 * (the offsets are rt/thread/thread.h's LSTK__CTX_*, asserted against its C struct.)
 *
 * Why it is fast (about the cost of a call and return, ARCHITECTURE.md):
 * 9 stores, 10 loads, no syscall, no signal-mask change (libgcc's
 * __morestack spends two syscalls there), and the resume ends with
 * `pop %rcx; jmp *%rcx` instead of `ret`.  A `ret` is predicted from the
 * return stack buffer, whose top is the call made by *this* context, so it
 * would mispredict on every switch; the indirect jump is predicted by the
 * branch target buffer, which learns the usual partner.
 *
 * CFI.  Both stacks hold the same frame layout, so one set of rules holds
 * across the instruction that changes rsp: before it the CFA describes the
 * suspending context, after it the resuming one.  gdb and libunwind can
 * therefore step through the switch.  A suspended thread is unwound (see
 * backtrace.c) from its frame: rip = +64, rsp = +72, rbx.. from their slots.
 *
 * Signals.  Between the store of rsp and the store of the guard the two
 * disagree for two instructions; a handler that interrupts there runs on
 * the sigaltstack that the runtime installs on every OS thread, so it
 * never depends on either.
 *
 * CET: `pop; jmp` to a return address is not shadow-stack clean and return
 * addresses carry no endbr64, so this object must not claim IBT/SHSTK: it
 * emits no .note.gnu.property (it does not include <cet.h>), which keeps
 * the process's CET off.  The entry points still start with endbr64 when
 * the compiler is asked for it, so they stay valid indirect targets.
 *
 * Rejected: saving into the TCB (grows the TCB by 64 bytes per thread and
 * gains nothing, the stack line is hot anyway); swapcontext (a
 * sigprocmask syscall per switch); saving the whole FP environment with
 * fxsave/xsave (hundreds of bytes, and the psABI does not ask for it).
 */
#include "thread/thread.h"
#include "stack/stack.h"

#if defined(__CET__) && (__CET__ & 1)
#define LSTK__ENDBR endbr64
#else
#define LSTK__ENDBR
#endif

	.text

/* void *lstk__ctx_switch(void **save, void *to, void *msg)
   int lstk__ctx_switch_int(void **save, void *to, long msg): the same code */
	.globl	lstk__ctx_switch
	.hidden	lstk__ctx_switch
	.type	lstk__ctx_switch, @function
	.globl	lstk__ctx_switch_int
	.hidden	lstk__ctx_switch_int
	.type	lstk__ctx_switch_int, @function
	.align	16
lstk__ctx_switch:
lstk__ctx_switch_int:
	.cfi_startproc
	LSTK__ENDBR
	/* CFA = rsp + 8, return address at CFA - 8 (the CIE's rules). */
	pushq	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbp, 0
	pushq	%rbx
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %rbx, 0
	pushq	%r12
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r12, 0
	pushq	%r13
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r13, 0
	pushq	%r14
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r14, 0
	pushq	%r15
	.cfi_adjust_cfa_offset 8
	.cfi_rel_offset %r15, 0
	subq	$16, %rsp			/* guard, errno, FP control words */
	.cfi_adjust_cfa_offset 16
	/* CFA = rsp + 72 from here to .Lrestore's pops, on either stack. */
	stmxcsr	LSTK__CTX_ERRNO(%rsp)		/* rounding, masks, FTZ/DAZ ... */
	movzwl	LSTK__CTX_ERRNO(%rsp), %eax	/* (errno's slot, for a moment) */
	movw	%ax, LSTK__CTX_MXCSR(%rsp)	/* ... its defined low half */
	fnstcw	LSTK__CTX_X87CW(%rsp)		/* x87 precision and rounding */
	movq	%fs:LSTK__GUARD_SLOT, %rax
	movq	%rax, LSTK__CTX_GUARD(%rsp)	/* the guard of our chunk */
	movq	lstk__errno_tpoff(%rip), %rcx
	movl	%fs:(%rcx), %eax
	movl	%eax, LSTK__CTX_ERRNO(%rsp)	/* this thread's errno */
	movq	%rsp, (%rdi)			/* publish our frame */
	movq	%rsi, %rsp			/* now on the resumed stack */
.Lrestore:
	/* Entered here by lstk__ctx_exit too, with rsp = a switch frame and
	   rdx = the resumed context's return value. */
	movq	LSTK__CTX_GUARD(%rsp), %rax
	movq	%rax, %fs:LSTK__GUARD_SLOT	/* its chunk's guard (or 0) */
	movq	lstk__errno_tpoff(%rip), %rcx
	movl	LSTK__CTX_ERRNO(%rsp), %eax
	movl	%eax, %fs:(%rcx)		/* its errno, on this OS thread */
	movzwl	LSTK__CTX_MXCSR(%rsp), %eax
	movl	%eax, LSTK__CTX_ERRNO(%rsp)	/* errno is restored: its slot */
	ldmxcsr	LSTK__CTX_ERRNO(%rsp)		/* holds MXCSR for ldmxcsr */
	fldcw	LSTK__CTX_X87CW(%rsp)
	addq	$16, %rsp
	.cfi_adjust_cfa_offset -16
	popq	%r15
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r15
	popq	%r14
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r14
	popq	%r13
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r13
	popq	%r12
	.cfi_adjust_cfa_offset -8
	.cfi_restore %r12
	popq	%rbx
	.cfi_adjust_cfa_offset -8
	.cfi_restore %rbx
	popq	%rbp
	.cfi_adjust_cfa_offset -8
	.cfi_restore %rbp
	movq	%rdx, %rax			/* the message, as return value */
	popq	%rcx				/* return address; CFA = rsp */
	.cfi_adjust_cfa_offset -8
	.cfi_register %rip, %rcx
	jmp	*%rcx				/* not ret: see the file head */
	.cfi_endproc
	.size	lstk__ctx_switch, .-lstk__ctx_switch
	.size	lstk__ctx_switch_int, .-lstk__ctx_switch_int

/*
 * noreturn void lstk__ctx_exit(void *sys_top, void *(*fn)(void *), void *arg)
 *
 * A dying thread cannot free the chunks it is running on, so it moves to
 * the system stack first, lets FN free them and pick the next thread, and
 * resumes that thread through .Lrestore.  Nothing is left on the system
 * stack that anyone returns to, which is why this one-way switch from the
 * system stack is safe.
 */
	.globl	lstk__ctx_exit
	.hidden	lstk__ctx_exit
	.type	lstk__ctx_exit, @function
	.align	16
lstk__ctx_exit:
	.cfi_startproc
	LSTK__ENDBR
	movq	%rdi, %rsp			/* the old stack is abandoned */
	.cfi_undefined %rip			/* ... so unwinding ends here */
	movq	$0, %fs:LSTK__GUARD_SLOT	/* off the linked stacks */
	xorl	%ebp, %ebp
	movq	%rdx, %rdi
	call	*%rsi				/* rax = the next context's sp */
	movq	%rax, %rsp
	xorl	%edx, %edx			/* it sees NULL from its switch */
	jmp	.Lrestore
	.cfi_endproc
	.size	lstk__ctx_exit, .-lstk__ctx_exit

/*
 * lstk__thread_entry: a new thread's first instruction, reached from
 * .Lrestore's jmp with rsp = the top of its base chunk (16-aligned), the
 * guard of that chunk already in %fs:0x70, and r12 = FN, r13 = ARG, rbx =
 * the TCB from the hand-built frame.  FN is compiled with the plugin, so it
 * grows the stack on its own.  The return address column is undefined:
 * gdb, libunwind and _Unwind_Backtrace stop here cleanly.
 */
	.globl	lstk__thread_entry
	.hidden	lstk__thread_entry
	.type	lstk__thread_entry, @function
	.align	16
lstk__thread_entry:
	.cfi_startproc
	.cfi_undefined %rip
	LSTK__ENDBR
	xorl	%ebp, %ebp			/* ends frame-pointer walks too */
	movq	%r13, %rdi
	call	*%r12				/* result = FN(ARG) */
	movq	%rbx, %rdi
	movq	%rax, %rsi
	call	lstk__thread_finish		/* never returns */
	ud2
	.cfi_endproc
	.size	lstk__thread_entry, .-lstk__thread_entry

	.section .note.GNU-stack,"",%progbits
