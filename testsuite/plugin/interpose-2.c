/* interpose-1.c's calls_visible: guarded under -fPIC only.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fPIC" } */
/* { lstk-check calls_visible } */
/* { lstk-request calls_visible +65536 } */

__attribute__ ((noipa)) int visible (int x) { return x + 1; }
int calls_visible (int x) { return visible (x) * 2; }
