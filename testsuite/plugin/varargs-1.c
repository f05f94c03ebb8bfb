/* Varargs and nested functions with patched prologues run correctly,
   with the test stub __morestack.  The varargs function calls vsnprintf
   (request enlarged by the inserted "r11 = sp - request", which must not
   disturb the varargs pointer GCC passes in r11 after the check).  The
   nested function gets its static chain in r10, which its __morestack
   path saves in rax while r10 carries the request.  */
/* { lstk-do run } */
/* { lstk-variants "-O0" "-O2" } */
/* { lstk-request vsum +65536 } */
/* { lstk-request vfmt +65536 } */
/* { lstk-asm vfmt "leaq -[0-9]+\(%rsp\), %r11" } */
/* { lstk-asm vfmt "leaq 8\(%rsp\), %r11" } */
/* GCC itself saves the static chain in rax around __morestack (with or
   without the plugin); what the plugin adds, and what these check, is the
   enlarged request: r11 = sp - request compared with the guard, and a
   request of at least 10000 bytes (snprintf's budget, or the external reserve) loaded into r10
   after the chain was saved, restored after the call.  Without the
   plugin, -fsplit-stack compares rsp and requests the frame (40-56).  */
/* { lstk-asm inner "cmpq %fs:112, %r11" } */
/* { lstk-asm inner "movl [$][1-9][0-9]{4,}, %r10d" } */
/* { lstk-asm inner "movq %r10, %rax" } */
/* { lstk-asm inner "movq %rax, %r10" } */

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "stub.h"

/* Sum of N longs (19 of them below: 20 arguments in all, 14 on the stack);
   calls vsnprintf so that its request is enlarged.  */
__attribute__ ((noipa)) long
vsum (int n, ...)
{
  va_list ap;
  long s = 0;
  char buf[8];

  va_start (ap, n);
  for (int i = 0; i < n; i++)
    s += va_arg (ap, long);
  va_end (ap);
  va_start (ap, n);
  vsnprintf (buf, sizeof buf, "%ld", ap);
  va_end (ap);
  return s + (buf[0] == '1');
}

__attribute__ ((noipa)) int
vfmt (char *out, size_t n, const char *fmt, ...)
{
  va_list ap;
  int r;

  va_start (ap, fmt);
  r = vsnprintf (out, n, fmt, ap);
  va_end (ap);
  return r;
}

static char fmt_out[256];

__attribute__ ((noipa)) long
call_vfmt (long x)
{
  return vfmt (fmt_out, sizeof fmt_out,
	       "%ld %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %s %c %.1f",
	       x, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, "s17",
	       'c', 19.5);
}

__attribute__ ((noipa)) long
call_vsum (long x)
{
  return vsum (19, x, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L,
	       14L, 15L, 16L, 17L, 18L, 19L);
}

/* A nested function using its parent's variable: static chain in r10.  */
__attribute__ ((noipa)) long
outer (long x)
{
  long base = 3 * x;

  __attribute__ ((noipa)) long inner (long y)
  {
    char buf[32];
    snprintf (buf, sizeof buf, "%ld", base + y);
    return strtol (buf, NULL, 10);
  }

  return inner (5);
}

static const char fmt_want[]
  = "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 s17 c 19.5";

int
main (void)
{
  long r;

  morestack_stub_calls = 0;
  r = call_vsum (1);
  STUB_EXPECT (r == 191, "vsum of 19 arguments, guard 0: %ld", r);
  r = call_vfmt (1);
  STUB_EXPECT (r == (long) strlen (fmt_want)
	       && strcmp (fmt_out, fmt_want) == 0,
	       "vfmt with 20 arguments, guard 0: \"%s\"", fmt_out);
  r = outer (4);
  STUB_EXPECT (r == 17, "nested function, guard 0: %ld", r);
  STUB_EXPECT (morestack_stub_calls == 0, "guard 0: no __morestack call");

  /* A guard far below: every check runs and passes; va_start must still
     find the stack arguments.  */
  r = stub_call_with_guard (1 << 20, call_vsum, 1);
  STUB_EXPECT (r == 191 && morestack_stub_calls == 0,
	       "vsum, guard sp-1MiB: %ld, calls %lu", r, morestack_stub_calls);
  memset (fmt_out, 0, sizeof fmt_out);
  r = stub_call_with_guard (1 << 20, call_vfmt, 1);
  STUB_EXPECT (strcmp (fmt_out, fmt_want) == 0 && morestack_stub_calls == 0,
	       "vfmt, guard sp-1MiB: \"%s\", calls %lu", fmt_out,
	       morestack_stub_calls);

  /* The nested function's check fails (its request includes 65536 for
     snprintf), its parent's passes: the static chain must survive the
     trip through __morestack.  */
  r = stub_call_with_guard (1000, outer, 4);
  STUB_EXPECT (r == 17 && morestack_stub_calls == 1
	       && morestack_stub_r10 >= 65536,
	       "nested function through __morestack: %ld, calls %lu, r10 %lu",
	       r, morestack_stub_calls, morestack_stub_r10);

  return stub_failures != 0;
}
