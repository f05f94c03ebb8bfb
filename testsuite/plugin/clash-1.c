/* C2 of issue 9: -fstack-clash-protection is accepted.  It probes only
   memory the function has just allocated (page by page within its frame
   or its alloca block), never below it, so the accounting stands; the
   split-stack check comes first, before any probe.  Frames of several
   pages and VLAs run on 1 KiB stacks at every depth, in debug mode.
   (-fstack-check, which probes below the frame, is refused: args-1.c.)  */
/* { lstk-do rt-run } */
/* { lstk-variants "-O0 -fstack-clash-protection" "-O2 -fstack-clash-protection" } */
/* { lstk-options "-fplugin-arg-linkstack-reserve=256" } */
/* { lstk-env "LINKSTACK_DEBUG=1" } */
/* { lstk-check big vla } */

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linkstack.h>

__attribute__ ((noinline)) int
big (int i)
{
  volatile char b[9000];
  b[i] = (char) i;
  b[8999] = 1;
  return b[i] + b[8999];
}

__attribute__ ((noinline)) int
vla (int n)
{
  volatile char b[n];
  b[0] = 1;
  b[n - 1] = 2;
  return b[0] + b[n - 1];
}

__attribute__ ((noinline)) static long
down (int n)
{
  volatile char pad[24];
  pad[0] = (char) n;
  if (n == 0)
    return 0;
  return down (n - 1) + big (n & 63) + vla (100 + 97 * n) + pad[0];
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
  for (int n = 1; n <= 60; n++)
    {
      void *r = NULL;
      if (lstk_stack_run (1024, body, (void *) (intptr_t) n, &r) != 0
	  || r != body ((void *) (intptr_t) n))
	fails++;
    }
  printf ("%s - stack clash probes on 1 KiB stacks at every depth\n",
	  fails ? "not ok" : "ok");
  return 0;
}
