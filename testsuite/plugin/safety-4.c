/* Safety of checked entries for cold calls (plugin/cold_calls.cc), on
   1 KiB stacks with the runtime's debug mode: compiled for a reserve of
   256 bytes, so the bottom 128 bytes of every chunk's reserve (384) must
   never be written (rt/stack/debug.c paints and verifies them).  mid_a
   and mid_b have no check of their own: their one deep call is marked
   unlikely, so it goes through the callee's checked entry, whose check
   fails at the offsets the recursions (checked) walk past the guard and
   grows the stack there (with stack arguments to copy, for deep_args).
   The calls do run: the unlikely branch is taken on every third level.
   mid_c's rare call through a pointer (to a plugin-compiled function
   with a 3000-byte frame, or to libc's strlen) goes through the unit's
   guarded entry, which moves to a guarded chunk.  */
/* { lstk-do rt-run } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-reserve=256" } */
/* { lstk-env "LINKSTACK_DEBUG=1" } */
/* { lstk-no-check deep deep_args mid_a mid_b } */
/* { lstk-asm mid_a 'call +deep\.lstk_checked' } */
/* { lstk-asm mid_b 'call +deep_args\.lstk_checked' } */
/* { lstk-no-check mid_c } */
/* { lstk-asm mid_c '(call|jmp) +lstk\.guarded_call' } */

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linkstack.h>

volatile int sink;

/* Writes its whole frame, lowest byte last; strlen clobbers every
   call-clobbered register as far as its callers know.  */
__attribute__ ((noinline)) static int
deep (int x)
{
  volatile char b[96];
  for (int i = 95; i >= 0; i--)
    b[i] = (char) (1 + ((x + i) & 63));
  b[95] = 0;
  return (int) strlen ((const char *) b) + b[x & 63];
}

/* Eight register arguments and two on the stack.  */
__attribute__ ((noinline)) static long
deep_args (long a, long b, long c, long d, long e, long f, long g, long h)
{
  volatile char buf[64];
  for (int i = 63; i >= 0; i--)
    buf[i] = (char) (1 + ((a + i) & 63));
  buf[63] = 0;
  return (long) strlen ((const char *) buf) + a + 2 * b + 3 * c + 4 * d
	 + 5 * e + 6 * f + 7 * g + 8 * h;
}

/* Fit R but for the deep call, taken on every third level.  */
__attribute__ ((noinline)) static long
mid_a (int n)
{
  volatile char b[72];
  for (int i = 0; i < 72; i++)
    b[i] = (char) (n + i);
  long r = b[(n + 1) & 63];
  if (__builtin_expect (n % 3 == 0, 0))
    r += deep (n);
  return r;
}

__attribute__ ((noinline)) static long
mid_b (int n)
{
  volatile char b[56];
  for (int i = 0; i < 56; i++)
    b[i] = (char) (n - i);
  long r = b[(n + 1) & 31];
  if (__builtin_expect (n % 3 == 0, 0))
    r += deep_args (n, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 7);
  return r;
}

__attribute__ ((noinline)) static long
big_frame (const char *s)
{
  volatile char b[3000];
  for (int i = 2999; i >= 0; i--)
    b[i] = s[i & 7];
  return b[0] + b[2999];
}

static size_t (*volatile pick[2]) (const char *) = {
  (size_t (*) (const char *)) big_frame, strlen };

__attribute__ ((noinline)) static long
mid_c (int n)
{
  volatile char b[40];
  for (int i = 0; i < 40; i++)
    b[i] = (char) (n + i);
  long r = b[(n + 1) & 31];
  if (__builtin_expect (n % 3 == 0, 0))
    r += (long) pick[n & 1] ("abcdefg");
  return r;
}

#define RECURSE(name, pad, mid)						\
  __attribute__ ((noinline)) long					\
  name (int n)								\
  {									\
    volatile char b[pad];						\
    b[0] = (char) n;							\
    if (n == 0)								\
      return 0;								\
    long r = name (n - 1) + mid (n);					\
    sink = (int) r;							\
    return r + b[0];							\
  }
RECURSE (rec_a8, 8, mid_a)
RECURSE (rec_a40, 40, mid_a)
RECURSE (rec_b24, 24, mid_b)
RECURSE (rec_b56, 56, mid_b)
RECURSE (rec_c16, 16, mid_c)

static void *
body (void *arg)
{
  long n = (long) (intptr_t) arg;
  long s = rec_a8 (n) + rec_a40 (n) + rec_b24 (n) + rec_b56 (n)
	   + rec_c16 (n);
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
  printf ("%s - recursions whose cold calls go through checked entries "
	  "agree with the main stack\n", fails ? "not ok" : "ok");
  lstk_stats_t st;
  lstk_stats (&st);
  printf ("%s - the stacks grew (%llu growth events)\n",
	  st.grow_events > 100 ? "ok" : "not ok",
	  (unsigned long long) st.grow_events);
  return 0;
}
