/* Callers that cover their callee (plugin/maxpath.cc): a static function
   whose region exceeds R goes without a check when every caller is
   compiled after it, in this unit, and calls it at least once per entry;
   each caller's check then asks for the callee's whole region.  A chain
   of such functions moves the check to the first caller that is not
   local.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-report" } */
/* { lstk-no-check deep } */
/* { lstk-no-check middle } */
/* { lstk-check entry_loop entry_once entry_chain } */
/* { lstk-json "\"symbol\": \"deep\".*" } */
/* { lstk-json "\"callers_cover\": true" } */
/* entry_once: frame 8 + 8 + deep's region (at most 2048) - R: more than
   plain -fsplit-stack's 0 (small form).  */
/* { lstk-asm entry_once 'leaq +-[0-9]+\(%rsp\), *%r11' } */

extern void fill (char *);

/* 512 bytes of frame: over R (384) by itself.  */
static __attribute__ ((noinline)) int
deep (int n)
{
  char buf[512];
  fill (buf);
  return buf[n & 511];
}

/* A chain: middle is covered by entry_chain, deep by middle.  */
static __attribute__ ((noinline)) int
middle (int n)
{
  char buf[64];
  fill (buf);
  return deep (n) + buf[n & 63];
}

int
entry_loop (int n)
{
  int s = 0;
  for (int i = 0; i < n; i++)
    s += deep (i);
  return s;
}

int
entry_once (int n)
{
  return deep (n) + 1;
}

int
entry_chain (int n)
{
  return middle (n) * 2;
}
