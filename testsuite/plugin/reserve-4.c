/* A request that does not fit a signed 32-bit immediate is an error (GCC
   itself switches to a "movabs" form for frames of 2 GiB and more).  */
/* { lstk-do compile } */
/* { lstk-options "-O2" } */
/* { lstk-error "error: linkstack: the stack request of 'near_limit' does not fit in 32 bits" } */

extern int puts (const char *);

/* The frame fits an imm32, frame + 16384 does not.  (GCC stops compiling
   functions after the first error: one case per file.)  */
int
near_limit (int i)
{
  volatile char buf[0x7fffe000];
  buf[i] = 0;
  return puts ((const char *) buf);
}
