/* Callers that cover their callee: refused when a caller is compiled
   first.  With -fno-toplevel-reorder (and at -O0) GCC emits functions in
   source order, so caller() is compiled before deep() and counted it at
   R ("not yet compiled"); deep() must then fit R by itself, or keep its
   check, which it does.  -fplugin-arg-linkstack-no-maxpath turns the rule
   off.  */
/* { lstk-do compile } */
/* { lstk-variants "-O2 -fno-toplevel-reorder" "-O2 -fplugin-arg-linkstack-no-maxpath" } */
/* { lstk-check deep deep2 } */
/* { lstk-dump lstk_placement 'deep: check .*callers cannot cover it: (a caller compiled already|no-maxpath)' } */

extern void fill (char *);

static int deep (int n);
static int deep2 (int n);

int
caller (int n)
{
  return deep (n) + deep2 (n);
}

static __attribute__ ((noinline)) int
deep (int n)
{
  char buf[512];
  fill (buf);
  return buf[n & 511];
}

static __attribute__ ((noinline)) int
deep2 (int n)
{
  char buf[520];
  fill (buf);
  return buf[n & 511] + 1;
}
