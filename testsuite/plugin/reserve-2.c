/* external-reserve=131072: external and indirect calls get 131072 bytes; the
   built-in budget of lstk_* stays 512.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-check=all -fplugin-arg-linkstack-external-reserve=131072" } */
/* { lstk-request calls_puts +131072 } */
/* { lstk-request calls_indirect +131072 } */
/* { lstk-request calls_lstk +512 } */
/* { lstk-request calls_both +131072 } */

extern int puts (const char *);
extern int lstk_yield (void);

int calls_puts (void) { return puts ("x") + 1; }
int calls_indirect (int (*fn) (int), int x) { return fn (x) + 1; }
int calls_lstk (void) { return lstk_yield () + 1; }
/* The largest budget counts, not the sum.  */
int calls_both (void) { return lstk_yield () + puts ("z"); }
