/* The plugin's default reserve is the runtime's: an object compiled
   without reserve= runs, and records lstk_reserve ().  */
/* { lstk-do rt-run } */
/* { lstk-options "-O2" } */
/* { lstk-s "^ \.long 384 +# R, bytes below the guard" } */

#include <stdio.h>
#include <linkstack.h>

int
main (void)
{
  printf ("%s - the runtime keeps %zu bytes, the plugin's default\n",
	  lstk_reserve () == 384 ? "ok" : "not ok", lstk_reserve ());
  return 0;
}
