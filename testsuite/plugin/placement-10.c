/* Checked entries for cold calls (plugin/cold_calls.cc): a function that
   fits the reserve but for a rarely taken call to a deep unchecked
   function of this unit goes without a check; that call goes to
   deep.lstk_checked, a stub with the check deep does not have, asking for
   deep's region.  Refused: the call runs once per entry or more (the check
   would run more often), the callee's register use is known to be small
   (-fipa-ra: the caller keeps values in registers the stub's slow path
   clobbers), and with -fplugin-arg-linkstack-no-cold-calls.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-report" } */
/* { lstk-no-check deep rarely light } */
/* { lstk-check looping rarely_light } */
/* { lstk-asm rarely 'call +deep\.lstk_checked' } */
/* { lstk-asm looping 'call +deep$' } */
/* { lstk-s '^deep\.lstk_checked:' } */
/* { lstk-s '^ +leaq +-[0-9]+\(%rsp\), %r11' } */
/* { lstk-s '^ +jmp +deep$' } */
/* { lstk-s '^ +\.cfi_startproc' } */
/* { lstk-json "\"callee\": \"deep\", \"kind\": \"checked\"" } */
/* { lstk-dump lstk_placement 'rarely: 1 cold call \(0\.[0-9]+ per entry\) to checked entries' } */

#include <string.h>

/* 200 bytes and a libc call (strlen, a proven leaf: it clobbers every
   call-clobbered register as far as the caller knows).  */
static __attribute__ ((noinline)) int
deep (int n)
{
  volatile char b[200];
  b[n & 127] = (char) n;
  return (int) strlen ((const char *) b);
}

static __attribute__ ((noinline)) int
small (volatile char *p)
{
  return p[3];
}

/* Calls only small, which uses few registers: -fipa-ra lets its callers
   keep values in the others across the call.  */
static __attribute__ ((noinline)) int
light (int n)
{
  volatile char b[180];
  b[n & 127] = (char) n;
  return b[(n + 1) & 127] + small (b);
}


int
rarely (int n)
{
  volatile char b[180];
  b[n & 63] = (char) n;
  if (__builtin_expect (n == 12345, 0))
    n += deep (n);
  return b[n & 31] + small (b);
}

int
looping (int n)
{
  volatile char b[180];
  b[n & 63] = (char) n;
  for (int i = 0; i < n; i++)
    b[i & 63] += deep (i);
  return b[n & 31] + small (b);
}

int
rarely_light (int n)
{
  volatile char b[180];
  b[n & 63] = (char) n;
  if (__builtin_expect (n == 12345, 0))
    n += light (n);
  return b[n & 31] + small (b);
}
