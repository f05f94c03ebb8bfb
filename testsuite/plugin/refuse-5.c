/* Nested functions that need no trampoline (called directly, with their
   static chain in r10) are fine.  */
/* { lstk-do run } */
/* { lstk-variants "-O0" "-O2" } */

#include "stub.h"

int
outer (int k)
{
  __attribute__ ((noinline)) int add (int x) { return x + k; }
  return add (3) + add (4);
}

int
main (void)
{
  STUB_EXPECT (outer (1) == 9, "nested function called directly: %d",
	       outer (1));
  return stub_failures != 0;
}
