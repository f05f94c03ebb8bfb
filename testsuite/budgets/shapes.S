/*
 * shapes.S: small functions of known stack shapes, assembled into a shared
 * object that scripts/prove-budgets analyses (testsuite/budgets/refuse.sh).
 * Each one holds the proof to one rule: a fixed frame is bounded exactly,
 * the red zone and IFUNC variants count, and a non-constant rsp
 * adjustment, an indirect call, recursion, a call through the PLT and an
 * indirect jump that is no jump table, a ret that is no return and a loop
 * that pushes are refused.  Full CFI: the tool
 * finds function extents in .eh_frame, as in libc.
 */
	.text

/* 8 (return address) + 16 (two pushes) + 32: 56 bytes. */
	.globl	fixed_frame
	.type	fixed_frame, @function
fixed_frame:
	.cfi_startproc
	push	%rbx
	.cfi_adjust_cfa_offset 8
	push	%rbp
	.cfi_adjust_cfa_offset 8
	sub	$32, %rsp
	.cfi_adjust_cfa_offset 32
	movq	$0, (%rsp)
	add	$32, %rsp
	.cfi_adjust_cfa_offset -32
	pop	%rbp
	.cfi_adjust_cfa_offset -8
	pop	%rbx
	.cfi_adjust_cfa_offset -8
	ret
	.cfi_endproc
	.size	fixed_frame, .-fixed_frame

/* A leaf using its red zone 120 bytes down: 8 + 120 = 128 bytes. */
	.globl	red_zone
	.type	red_zone, @function
red_zone:
	.cfi_startproc
	movq	%rdi, -120(%rsp)
	ret
	.cfi_endproc
	.size	red_zone, .-red_zone

/* Calls fixed_frame (56) after pushing 8: 8 + 8 + 56 = 72 bytes. */
	.globl	calls_fixed
	.type	calls_fixed, @function
calls_fixed:
	.cfi_startproc
	push	%rbx
	.cfi_adjust_cfa_offset 8
	call	fixed_frame_local
	pop	%rbx
	.cfi_adjust_cfa_offset -8
	ret
	.cfi_endproc
	.size	calls_fixed, .-calls_fixed
	.set	fixed_frame_local, fixed_frame

/* A frame pointer, then realignment to 64 (at most 63 more bytes), then a
   restore through rbp: 8 + 8 + 63 + 64 = 143 bytes. */
	.globl	realigned
	.type	realigned, @function
realigned:
	.cfi_startproc
	push	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_offset %rbp, -16
	mov	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	and	$-64, %rsp
	sub	$64, %rsp
	movq	$0, (%rsp)
	leave
	.cfi_def_cfa %rsp, 8
	ret
	.cfi_endproc
	.size	realigned, .-realigned

/* A switch through a jump table of relative entries in .rodata, as GCC
   emits it; case 1 pushes: 8 + 8 = 16 bytes. */
	.globl	switch_table
	.type	switch_table, @function
switch_table:
	.cfi_startproc
	cmp	$1, %rdi
	ja	3f
	lea	table(%rip), %rdx
	movslq	(%rdx,%rdi,4), %rax
	add	%rdx, %rax
	jmp	*%rax
1:	xor	%eax, %eax
	ret
2:	push	%rbx
	.cfi_adjust_cfa_offset 8
	pop	%rbx
	.cfi_adjust_cfa_offset -8
3:	ret
	.cfi_endproc
	.size	switch_table, .-switch_table
	.section .rodata
	.p2align 2
table:	.long	1b - table
	.long	2b - table
	.text

/* An IFUNC with two variants: the bound is the deeper one's, 8 + 200. */
	.globl	two_variants
	.type	two_variants, @gnu_indirect_function
two_variants:
	.cfi_startproc
	lea	shallow(%rip), %rax
	lea	deep(%rip), %rdx
	test	$1, %edi
	cmovne	%rdx, %rax
	ret
	.cfi_endproc
	.size	two_variants, .-two_variants
shallow:
	.cfi_startproc
	ret
	.cfi_endproc
deep:
	.cfi_startproc
	sub	$200, %rsp
	.cfi_adjust_cfa_offset 200
	add	$200, %rsp
	.cfi_adjust_cfa_offset -200
	ret
	.cfi_endproc

/* alloca: rsp moved by a register. Refused. */
	.globl	alloca_like
	.type	alloca_like, @function
alloca_like:
	.cfi_startproc
	push	%rbp
	.cfi_adjust_cfa_offset 8
	.cfi_offset %rbp, -16
	mov	%rsp, %rbp
	.cfi_def_cfa_register %rbp
	sub	%rdi, %rsp
	leave
	.cfi_def_cfa %rsp, 8
	ret
	.cfi_endproc
	.size	alloca_like, .-alloca_like

/* A callback through a pointer. Refused. */
	.globl	indirect_call
	.type	indirect_call, @function
indirect_call:
	.cfi_startproc
	sub	$8, %rsp
	.cfi_adjust_cfa_offset 8
	call	*%rdi
	add	$8, %rsp
	.cfi_adjust_cfa_offset -8
	ret
	.cfi_endproc
	.size	indirect_call, .-indirect_call

/* Calls itself. Refused. */
	.globl	recursive
	.type	recursive, @function
recursive:
	.cfi_startproc
	test	%rdi, %rdi
	je	1f
	sub	$8, %rsp
	.cfi_adjust_cfa_offset 8
	dec	%rdi
	call	recursive_local
	add	$8, %rsp
	.cfi_adjust_cfa_offset -8
1:	ret
	.cfi_endproc
	.size	recursive, .-recursive
	.set	recursive_local, recursive

/* A call through the PLT: the callee can be interposed. Refused. */
	.globl	calls_plt
	.type	calls_plt, @function
calls_plt:
	.cfi_startproc
	jmp	fixed_frame@PLT
	.cfi_endproc
	.size	calls_plt, .-calls_plt

/* A tail call through a pointer, not a jump table. Refused. */
	.globl	indirect_jump
	.type	indirect_jump, @function
indirect_jump:
	.cfi_startproc
	jmp	*%rdi
	.cfi_endproc
	.size	indirect_jump, .-indirect_jump

/* An indirect jump dressed as a return (push ADDR; ret). Refused. */
	.globl	fake_return
	.type	fake_return, @function
fake_return:
	.cfi_startproc
	push	%rdi
	.cfi_adjust_cfa_offset 8
	ret
	.cfi_endproc
	.size	fake_return, .-fake_return

/* A loop that pushes: the depth has no bound. Refused. */
	.globl	pushes_in_loop
	.type	pushes_in_loop, @function
pushes_in_loop:
	.cfi_startproc
1:	push	%rdi
	dec	%rdi
	jne	1b
	ud2
	.cfi_endproc
	.size	pushes_in_loop, .-pushes_in_loop

	.section .note.GNU-stack,"",@progbits
