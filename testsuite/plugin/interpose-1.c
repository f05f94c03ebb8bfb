/* A2 of issue 9, in one unit: only a body that binds to this definition is
   analysed for its callers.  Under -fPIC a default-visibility function
   may be interposed (the executable or an earlier library defines the
   name too): its callers take the guarded request.  A static or hidden
   function, or any function of an executable (-fPIE), binds locally.  A
   weak definition may be replaced at link time: guarded as well.  */
/* { lstk-do compile } */
/* { lstk-variants "-O2 -fPIC" "-O2 -fPIE" } */
/* { lstk-check calls_weak } */
/* { lstk-request calls_weak +65536 } */
/* { lstk-no-check calls_hidden } */
/* { lstk-no-check calls_static } */

__attribute__ ((noipa)) int visible (int x) { return x + 1; }
__attribute__ ((noipa, visibility ("hidden"))) int hidden (int x) { return x + 2; }
__attribute__ ((noipa)) static int local (int x) { return x + 3; }
__attribute__ ((noipa, weak)) int replaceable (int x) { return x + 4; }

int calls_visible (int x) { return visible (x) * 2; }
int calls_hidden (int x) { return hidden (x) * 2; }
int calls_static (int x) { return local (x) * 2; }
int calls_weak (int x) { return replaceable (x) * 2; }
