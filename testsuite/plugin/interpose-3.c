/* interpose-1.c's calls_visible: an executable's own definition binds
   locally (-fPIE), the call is analysed.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fPIE" } */
/* { lstk-no-check calls_visible } */

__attribute__ ((noipa)) int visible (int x) { return x + 1; }
int calls_visible (int x) { return visible (x) * 2; }
