/* The executable's foo interposes the library's: deeper, and unchecked
   (a chain of unchecked functions ending in a leaf that fills its red
   zone), so bar plus this foo reach below R (reserve=256).  */
extern int bar (int x);

__attribute__ ((noinline)) static int
foo3 (int x)
{
  volatile char b[96];
  b[0] = (char) x;
  b[95] = (char) x;
  return b[0] + b[95] - x;
}

__attribute__ ((noinline)) static int
foo2 (int x)
{
  volatile int v = foo3 (x);
  return v + 1;
}

__attribute__ ((noinline)) int
foo (int x)
{
  volatile int v = foo2 (x);
  return v;
}

#define VICTIM(x) bar (x)
#include "victim.h"

int
main (void)
{
  return victim_run ("a library call interposed by the executable");
}
