/* D3 of issue 9: __builtin_longjmp alone (its __builtin_setjmp in another
   unit) is refused too.  */
/* { lstk-do compile } */
/* { lstk-error "error: linkstack: '__builtin_longjmp' is not supported" } */

extern void *buf[5];

void
lj (void)
{
  __builtin_longjmp (buf, 1);
}
