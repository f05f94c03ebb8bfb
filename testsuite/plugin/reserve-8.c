/* E1 of issue 9: a 64-byte-aligned local, stack arguments and a tail call.
   The realigned frame needs a DRAP register (a pointer to the incoming
   stack arguments), and with a tail call it must be callee-saved (r13),
   so the prologue pushes it before realigning: 8 bytes that the .su size
   counts and the split-stack request does not.  It used to be an internal
   error ("asks for 184 bytes but its frame is 192 bytes"); the accounting
   keeps the larger .su size.  The program runs it on 1 KiB stacks at
   every depth.  */
/* { lstk-do rt-run } */
/* { lstk-variants "-O1" "-O2" "-O3" "-Os" } */
/* { lstk-options "-fplugin-arg-linkstack-reserve=256" } */
/* { lstk-env "LINKSTACK_DEBUG=1" } */
/* { lstk-check f2 } */

#include <stdint.h>
#include <stdio.h>
#include <linkstack.h>

volatile long sink;

__attribute__ ((noinline)) long
callee (long a, long b, long c, long d, long e, long g, long h, long i)
{
  return a + b + c + d + e + g + h + i;
}

__attribute__ ((noinline)) void
use (long x)
{
  sink = x;
}

__attribute__ ((noinline)) long
f2 (long a, long b, long c, long d, long e, long g, long h, long i)
{
  volatile char buf[64] __attribute__ ((aligned (64)));
  buf[0] = (char) a;
  use (buf[0]);
  return callee (a, b, c, d, e, g, h, i);
}

__attribute__ ((noinline)) static long
down (int n)
{
  volatile char b[24];
  b[0] = (char) n;
  if (n == 0)
    return 0;
  return down (n - 1) + f2 (n, 1, 2, 3, 4, 5, 6, 7) + b[0];
}

static void *
body (void *arg)
{
  return (void *) (intptr_t) down ((int) (intptr_t) arg);
}

int
main (void)
{
  int fails = 0;
  for (int n = 1; n <= 120; n++)
    {
      void *r = NULL;
      if (lstk_stack_run (1024, body, (void *) (intptr_t) n, &r) != 0
	  || r != body ((void *) (intptr_t) n))
	fails++;
    }
  printf ("%s - realigned frame with stack arguments and a tail call at "
	  "every depth\n", fails ? "not ok" : "ok");
  return 0;
}
