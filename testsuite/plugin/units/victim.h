/* The victim shape of issue 9: VICTIM (x) called at every depth below a
   guard, on threads whose first chunk is 1 KiB.  Recursions of several
   frame sizes walk every 8-byte offset from the guard; each level calls
   the victim.  The sum must equal the same work on the main stack; with
   LINKSTACK_DEBUG=1 and objects compiled for reserve=256, any write into
   the bottom of the reserve aborts with a message.  */
#include <stdint.h>
#include <stdio.h>
#include <linkstack.h>

#define VICTIM_RECURSE(name, pad)					\
  __attribute__ ((noinline)) static long				\
  name (int n)								\
  {									\
    volatile char b[pad];						\
    b[0] = (char) n;							\
    if (n == 0)								\
      return 0;								\
    long r = name (n - 1) + VICTIM (n);					\
    return r + b[0];							\
  }
VICTIM_RECURSE (victim_rec8, 8)
VICTIM_RECURSE (victim_rec24, 24)
VICTIM_RECURSE (victim_rec40, 40)
VICTIM_RECURSE (victim_rec56, 56)

static void *
victim_body (void *arg)
{
  int n = (int) (intptr_t) arg;
  return (void *) (intptr_t) (victim_rec8 (n) + victim_rec24 (n)
			      + victim_rec40 (n) + victim_rec56 (n));
}

/* Runs the victim at depths 1..200; prints one TAP-like line.  */
static int
victim_run (const char *what)
{
  int fails = 0;
  for (int n = 1; n <= 200; n++)
    {
      void *r = NULL;
      int rc = lstk_stack_run (1024, victim_body, (void *) (intptr_t) n, &r);
      if (rc != 0 || r != victim_body ((void *) (intptr_t) n))
	fails++;
    }
  printf ("%s - %s at every depth on 1 KiB stacks\n", fails ? "not ok" : "ok",
	  what);
  return fails != 0;
}
