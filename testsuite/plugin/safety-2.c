/* The debug mode catches a broken invariant: hog is declared here and
   defined in another unit that the plugin takes for instrumented code
   (cost R), but that unit (here: assembly) was built without it: its
   400-byte frame runs below the reserve the code was compiled for
   (256).  (That is the one assumption the user must uphold: code built
   without the plugin is named with external=, doc/plugin.md.)  LINKSTACK_DEBUG=1 finds the paint broken when the
   chunk is left and stops the program with a message.  */
/* { lstk-do rt-run } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-reserve=256" } */
/* { lstk-env "LINKSTACK_DEBUG=1" } */
/* { lstk-exit 134 } */
/* { lstk-output "linkstack: debug: a frame wrote [0-9]+ bytes below the guard of chunk 0x[0-9a-f]+ \(stack 0x[0-9a-f]+\), where code compiled for a reserve of 256 bytes must never write \(ARCHITECTURE.md, invariants 1-3\)" } */

#include <stdint.h>
#include <linkstack.h>

volatile int sink;

/* int hog (int x): a 400-byte frame written at both ends, no check.  */
__asm__ (".text\n"
	 ".globl hog\n"
	 ".type hog, @function\n"
	 "hog:\n"
	 "\tsubq $400, %rsp\n"
	 "\tmovb %dil, (%rsp)\n"
	 "\tmovb %dil, 399(%rsp)\n"
	 "\tmovsbl (%rsp), %eax\n"
	 "\taddq $400, %rsp\n"
	 "\tret\n"
	 ".size hog, .-hog\n");
extern int hog (int x);

__attribute__ ((noinline)) long
down (int n)
{
  if (n == 0)
    return 0;
  long r = down (n - 1) + hog (n);
  sink = (int) r;
  return r;
}

static void *
body (void *arg)
{
  return (void *) (intptr_t) down ((int) (intptr_t) arg);
}

int
main (void)
{
  for (int n = 1; n < 200; n++)
    lstk_stack_run (1024, body, (void *) (intptr_t) n, NULL);
  return 0;
}
