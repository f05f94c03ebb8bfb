/* Safety of callers that cover their callee (plugin/maxpath.cc), on
   1 KiB stacks with the runtime's debug mode: compiled for a reserve of
   256 bytes, so the bottom 128 bytes of every chunk's reserve (384) must
   never be written (rt/stack/debug.c paints and verifies them).  Static
   helpers with regions over R (frames of 300 to 700 bytes, a chain of
   two) go without a check; the recursions that call them at every level
   carry checks that ask for the helpers' regions, and walk every offset
   from the guard.  -O2 only: the rule needs callees compiled first.  */
/* { lstk-do rt-run } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-reserve=256" } */
/* { lstk-env "LINKSTACK_DEBUG=1" } */
/* { lstk-no-check big300 big700 outer } */
/* { lstk-check rec8 rec40 rec104 } */

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linkstack.h>

volatile int sink;

/* Writes the whole frame, lowest byte last.  */
#define BIG(name, size)							\
  __attribute__ ((noinline)) static int					\
  name (int x)								\
  {									\
    volatile char b[size];						\
    for (int i = size - 1; i >= 0; i--)					\
      b[i] = (char) (x + i);						\
    return b[x & (size - 1 > 255 ? 255 : size - 1)] + b[0];		\
  }
BIG (big300, 300)
BIG (big700, 700)

/* A chain: outer is covered by its callers, big700 by outer.  */
__attribute__ ((noinline)) static int
outer (int x)
{
  volatile char b[100];
  b[x & 63] = (char) x;
  return big700 (x) + b[x & 63];
}

#define RECURSE(name, pad)						\
  __attribute__ ((noinline)) long					\
  name (int n)								\
  {									\
    volatile char b[pad];						\
    b[0] = (char) n;							\
    long r = big300 (n) + outer (n);					\
    if (n == 0)								\
      return r;								\
    r += name (n - 1);							\
    sink = (int) r;							\
    return r + b[0];							\
  }
RECURSE (rec8, 8)
RECURSE (rec40, 40)
RECURSE (rec104, 104)

static void *
body (void *arg)
{
  long n = (long) (intptr_t) arg;
  long s = rec8 (n) + rec40 (n) + rec104 (n);
  return (void *) (intptr_t) s;
}

int
main (void)
{
  int fails = 0;

  for (long n = 1; n <= 200; n += 3)
    {
      void *r = NULL;
      int rc = lstk_stack_run (1024, body, (void *) (intptr_t) n, &r);
      long expect = (long) (intptr_t) body ((void *) (intptr_t) n);
      if (rc != 0 || (long) (intptr_t) r != expect)
	fails++;
    }
  printf ("%s - recursions over unchecked helpers with regions over R "
	  "agree with the main stack\n", fails ? "not ok" : "ok");
  lstk_stats_t st;
  lstk_stats (&st);
  printf ("%s - the stacks grew (%llu growth events)\n",
	  st.grow_events > 100 ? "ok" : "not ok",
	  (unsigned long long) st.grow_events);
  return 0;
}
