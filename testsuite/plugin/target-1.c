/* Only x86-64 LP64 code is supported: -m32 and -mx32 are errors (checked
   when the compile starts, once the target options are final).  Skipped
   when the compiler cannot compile for the ABI at all.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-check=all" } */
/* { lstk-bad-args "-m32" "error: linkstack: only the x86-64 LP64 ABI is supported, not '-m32'" } */
/* { lstk-bad-args "-mx32" "error: linkstack: only the x86-64 LP64 ABI is supported, not '-mx32'" } */
/* { lstk-bad-args "-mcmodel=large" "error: linkstack: '-mcmodel=large' is not supported" } */
/* { lstk-check f } */

int f (int x) { return x + 1; }
