/* morestack-stub.S: a test-only __morestack for the plugin's run tests.

   It lets a test program compiled with the plugin run without linkstack's
   runtime (and without libgcc's: defining every split-stack symbol the
   generated code can reference keeps libgcc.a's morestack.o out of the
   link, see gcc-notes.md, section 2, "Overriding __morestack").

   A split-stack prologue whose check fails does

	movl	$REQUEST, %r10d		# bytes wanted (frame + plugin's E)
	xorl	%r11d, %r11d		# bytes of stack arguments
	call	__morestack
	ret				# 1 byte: the "ret stub"
	jmp	.Lbody			# where the body starts

   The stub records r10 and counts the call, then takes the path of
   libgcc's __morestack_non_split when enough stack is left: it adds 1 to
   its return address, skipping the ret stub, and returns, so the body runs
   on the current stack.  Every register but the flags is preserved (rax
   holds a nested function's static chain here).

   Not usable for a varargs function's failed check: its __morestack path
   reads the old arguments through __morestack's own frame (lea 24(%rbp)),
   which this stub does not build.

   C view:
     extern unsigned long morestack_stub_calls;   calls so far
     extern unsigned long morestack_stub_r10;     r10 of the last call  */

	.text

	.globl	__morestack
	.hidden	__morestack
	.type	__morestack, @function
	.align	16
__morestack:
	.cfi_startproc
	movq	%r10, morestack_stub_r10(%rip)	# the request
	incq	morestack_stub_calls(%rip)
	incq	(%rsp)				# skip the ret stub ...
	ret					# ... and run on this stack
	.cfi_endproc
	.size	__morestack, .-__morestack

/* gold turns calls from split-stack code into code without the split-stack
   note into calls to this one; the same behaviour will do.  */
	.globl	__morestack_non_split
	.hidden	__morestack_non_split
	.set	__morestack_non_split, __morestack

/* Referenced only by alloca/VLA (heap fallback) and -mcmodel=large code;
   no test uses them: trap if one does.  */
	.globl	__morestack_allocate_stack_space
	.hidden	__morestack_allocate_stack_space
	.type	__morestack_allocate_stack_space, @function
	.align	16
__morestack_allocate_stack_space:
	.cfi_startproc
	ud2
	.cfi_endproc
	.size	__morestack_allocate_stack_space, .-__morestack_allocate_stack_space

	.globl	__morestack_large_model
	.hidden	__morestack_large_model
	.type	__morestack_large_model, @function
	.align	16
__morestack_large_model:
	.cfi_startproc
	ud2
	.cfi_endproc
	.size	__morestack_large_model, .-__morestack_large_model

	.bss
	.align	8
	.globl	morestack_stub_calls
	.type	morestack_stub_calls, @object
	.size	morestack_stub_calls, 8
morestack_stub_calls:
	.zero	8
	.globl	morestack_stub_r10
	.type	morestack_stub_r10, @object
	.size	morestack_stub_r10, 8
morestack_stub_r10:
	.zero	8

	.section .note.GNU-stack,"",%progbits
