/* D3 of issue 9: __builtin_setjmp/__builtin_longjmp would leave a stale
   guard after a jump back from another chunk: refused, pointing at the
   C library's setjmp/longjmp, which liblinkstack handles.  */
/* { lstk-do compile } */
/* { lstk-error "error: linkstack: '__builtin_setjmp' is not supported: a '__builtin_longjmp' back from another stack chunk would leave the stack guard of that chunk in place; use 'setjmp' and 'longjmp', which liblinkstack handles" } */

void *buf[5];

int
sj (void)
{
  if (__builtin_setjmp (buf))
    return 1;
  return 0;
}
