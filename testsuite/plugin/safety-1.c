/* Safety on 1 KiB stacks, with the runtime's debug mode: compiled for a
   reserve of 256 bytes, so the bottom 128 bytes of every chunk's reserve
   (384) must never be written; LINKSTACK_DEBUG=1 paints them and aborts
   if a chunk comes back with the paint broken (rt/stack/debug.c).  Recursions
   of several frame sizes walk every offset from the guard; at each level
   they call unchecked helpers (leaves, chains), measured C library leaves
   and non-leaves, and code through pointers.  Both orders of compilation
   (-O0: callers first).  */
/* { lstk-do rt-run } */
/* { lstk-variants "-O0" "-O2" } */
/* { lstk-options "-fplugin-arg-linkstack-reserve=256" } */
/* { lstk-env "LINKSTACK_DEBUG=1" } */

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linkstack.h>

volatile int sink;

__attribute__ ((noinline)) static int
leaf (int x)
{
  volatile char b[96];		/* red zone and frame */
  b[x & 63] = (char) x;
  return b[x & 63] + 1;
}

__attribute__ ((noinline)) static int
chain2 (int x)
{
  volatile char b[40];
  b[0] = (char) x;
  int r = leaf (x + b[0]);
  sink = r;
  return r;
}

__attribute__ ((noinline)) static int
chain1 (int x)
{
  volatile char b[24];
  b[0] = (char) x;
  int r = chain2 (x) + leaf (x);
  sink = r;
  return r;
}

__attribute__ ((noinline)) static size_t
uses_libc (const char *s)
{
  char buf[48];
  memcpy (buf, s, 16);
  buf[16] = 0;
  return strlen (buf);
}

__attribute__ ((noinline)) static int
formats (int x)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%d", x);
  return (int) strlen (buf);
}

static int (*volatile through) (int) = chain1;

#define RECURSE(name, pad)						\
  __attribute__ ((noinline)) static long				\
  name (int n)								\
  {									\
    volatile char b[pad];						\
    b[0] = (char) n;							\
    if (n == 0)								\
      return 0;								\
    long r = name (n - 1);						\
    r += chain1 (n) + leaf (n) + (long) uses_libc ("0123456789abcdef"); \
    if (n % 16 == 0)							\
      r += formats (n) + through (n);					\
    sink = (int) r;							\
    return r + b[0];							\
  }
RECURSE (rec8, 8)
RECURSE (rec24, 24)
RECURSE (rec40, 40)
RECURSE (rec56, 56)
RECURSE (rec72, 72)
RECURSE (rec88, 88)
RECURSE (rec104, 104)
RECURSE (rec120, 120)

static void *
body (void *arg)
{
  long n = (long) (intptr_t) arg;
  long s = rec8 (n) + rec24 (n) + rec40 (n) + rec56 (n) + rec72 (n)
	   + rec88 (n) + rec104 (n) + rec120 (n);
  return (void *) (intptr_t) s;
}

int
main (void)
{
  long expect = -1;
  int fails = 0;

  for (long n = 1; n <= 300; n += 7)
    {
      void *r = NULL;
      int rc = lstk_stack_run (1024, body, (void *) (intptr_t) n, &r);
      /* The same work on the big main stack gives the same sum.  */
      expect = (long) (intptr_t) body ((void *) (intptr_t) n);
      if (rc != 0 || (long) (intptr_t) r != expect)
	fails++;
    }
  printf ("%s - recursions of 8 frame sizes on 1 KiB stacks agree with "
	  "the main stack\n", fails ? "not ok" : "ok");
  lstk_stats_t st;
  lstk_stats (&st);
  printf ("%s - the stacks grew (%llu growth events)\n",
	  st.grow_events > 100 ? "ok" : "not ok",
	  (unsigned long long) st.grow_events);
  return 0;
}
