/* reserve=256: a small frame whose region exceeds R gets a check that
   asks for what lies beyond R (GCC's small form compares rsp alone: the
   frame would start up to 248 bytes below the guard).  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-reserve=256" } */
/* { lstk-check calls200 } */
/* { lstk-asm calls200 "leaq -[0-9]+\(%rsp\), %r11" } */
/* { lstk-request calls200 +0 } */
/* { lstk-s "^ \.long 256 +# R, bytes below the guard" } */

volatile int sink;

__attribute__ ((noipa)) int
frame200 (int i)
{
  volatile char b[200];
  b[i] = 1;
  return b[3];
}

/* frame200 is checked (its estimated region exceeds 256): 40 bytes below
   its entry; calls200's own frame of about 216 bytes, plus 8 + 40 and the
   red zone floor: about 344 > 256, so the check becomes
   "rsp - frame >= guard" (r10 unchanged: +0).  */
__attribute__ ((noipa)) int
calls200 (int i)
{
  volatile char b[200];
  b[i] = 1;
  int r = frame200 (b[2]);
  sink = r;
  return b[1];
}
