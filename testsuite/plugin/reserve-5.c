/* A frame of 2 GiB or more: GCC's own prologue already uses the
   "movabs $-A, %r11; add %rsp, %r11" form; the request cannot grow.  */
/* { lstk-do compile } */
/* { lstk-options "-O2" } */
/* { lstk-error "error: linkstack: the stack request of 'over_limit' does not fit in 32 bits" } */

extern int puts (const char *);

int
over_limit (int i)
{
  volatile char buf[0x90000000UL];
  buf[i] = 0;
  return puts ((const char *) buf);
}
