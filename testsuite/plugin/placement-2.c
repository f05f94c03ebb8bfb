/* Placement at -O0: GCC emits functions in source order, so a caller is
   compiled before a callee defined after it.  That callee's region is not
   known yet: it costs R (it will be checked, or unchecked with a region of
   at most R), which makes the caller's region exceed R: a check, for the
   reason "not yet compiled".  A caller defined after its callee knows the
   callee's exact region.  Correct, if it elides little.  */
/* { lstk-do compile } */
/* { lstk-options "-O0 -fplugin-arg-linkstack-report" } */
/* { lstk-no-check early_leaf } */
/* { lstk-no-check after_leaf } */
/* { lstk-check before_late } */
/* { lstk-no-check late_leaf } */
/* { lstk-json "\"name\": \"before_late\".*" } */
/* { lstk-json "\"reasons\": \[\"pending\", \"depth\"\]" } */
/* { lstk-lsu ":before_late\t[0-9]+\tstatic\tchecked\t[0-9]+\t0$" } */

int late_leaf (int x);

int early_leaf (int x) { return x + 1; }

/* Defined after early_leaf: compiled after it, knows its region.  */
int after_leaf (int x) { return early_leaf (x) * 2; }

/* Compiled before late_leaf.  */
int before_late (int x) { return late_leaf (x) * 3; }

int late_leaf (int x) { return x - 1; }
