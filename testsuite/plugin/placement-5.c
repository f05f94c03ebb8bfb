/* external=NAME: a function of this file that is called as uninstrumented
   code (it may be replaced, say, by a version built without the plugin):
   its callers take the guarded request (G, external-reserve=, default
   65536) plus R and keep their checks.  An alloca/VLA function that calls such code also gets its alloca
   space check patched: after "rsp -= size" only R is known to be free, so
   the check asks for the rest (lea around the compare).  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-external=replaceable" } */
/* { lstk-no-check replaceable } */
/* { lstk-check caller } */
/* { lstk-request caller +65536 } */
/* { lstk-check vla_ext } */
/* { lstk-asm vla_ext "leaq -655[0-9][0-9]\(%r[a-z0-9]+\), %r[a-z0-9]+" } */
/* { lstk-asm vla_ext "cmpq %fs:112, %r[a-z0-9]+" } */
/* { lstk-asm vla_ext "leaq 655[0-9][0-9]\(%r[a-z0-9]+\), %r[a-z0-9]+" } */

__attribute__ ((noipa)) int replaceable (int x) { return x + 1; }

__attribute__ ((noipa)) int caller (int x) { return replaceable (x) * 2; }

extern int puts (const char *);

__attribute__ ((noipa)) int
vla_ext (int n)
{
  char buf[n];
  __builtin_memset (buf, 'a', n);
  buf[n - 1] = 0;
  return puts (buf);
}
