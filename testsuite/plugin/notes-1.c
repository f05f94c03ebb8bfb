/* Each object records the reserve R it was compiled for (.note.linkstack);
   a program with an object that assumes more than the runtime keeps
   (lstk_reserve (), 384) refuses to start, naming the object.  */
/* { lstk-do rt-run } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-reserve=1024" } */
/* { lstk-s "^ \.long 1024 +# R, bytes below the guard" } */
/* { lstk-exit 134 } */
/* { lstk-output "linkstack: the program was compiled for a reserve of 1024 bytes below each stack guard, but this runtime keeps 384 \(lstk_reserve\(\)\): rebuild it with -fplugin-arg-linkstack-reserve=384 or less" } */

#include <stdio.h>

int
main (void)
{
  printf ("not ok - started\n");
  return 0;
}
