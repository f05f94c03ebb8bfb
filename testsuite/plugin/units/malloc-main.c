/* Compiled with a budgets table that gives glibc's malloc a small leaf
   budget, and with -fplugin-arg-linkstack-external=malloc,free: external=
   wins over the table, so the calls take the guarded path.  */
#include <stdlib.h>

__attribute__ ((noinline)) static int
allocates (int x)
{
  char *p = malloc (32);
  if (!p)
    return -1;
  p[0] = (char) x;
  int r = p[0];
  free (p);
  return r;
}

#define VICTIM(x) allocates (x)
#include "victim.h"

int
main (void)
{
  return victim_run ("a replacement malloc named with external=");
}
