/* The debug mode catches a broken invariant: with external-reserve=0 the
   plugin believes that hog (no_split_stack, so uninstrumented) needs no
   stack, but its 400-byte frame runs below the reserve the code was
   compiled for (256).  LINKSTACK_DEBUG=1 finds the paint broken when the
   chunk is left and stops the program with a message.  */
/* { lstk-do rt-run } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-reserve=256 -fplugin-arg-linkstack-external-reserve=0" } */
/* { lstk-env "LINKSTACK_DEBUG=1" } */
/* { lstk-exit 134 } */
/* { lstk-output "linkstack: debug: a frame wrote [0-9]+ bytes below the guard of chunk 0x[0-9a-f]+ \(stack 0x[0-9a-f]+\), where code compiled for a reserve of 256 bytes must never write \(ARCHITECTURE.md, invariants 1-3\)" } */

#include <stdint.h>
#include <linkstack.h>

volatile int sink;

__attribute__ ((noinline, no_split_stack)) int
hog (int x)
{
  volatile char b[400];
  b[0] = (char) x;
  b[399] = (char) x;
  return b[0] + b[399];
}

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
