/* The reserve pass: a function that calls code the plugin cannot see asks
   for its frame plus that code's budget; pushed outgoing arguments are
   added too.  "lstk-request F +N" compares F's request (r10 before the
   call to __morestack) with the same file compiled with plain
   -fsplit-stack.  Default external-reserve: 65536.  */
/* { lstk-do compile } */
/* { lstk-variants "-O0" "-O2" } */
/* { lstk-options "-fplugin-arg-linkstack-check=all -fplugin-arg-linkstack-external=listed" } */
/* { lstk-request calls_puts +65536 } */
/* { lstk-request big_puts +65536 } */
/* { lstk-request calls_static +0 } */
/* { lstk-request calls_indirect +65536 } */
/* { lstk-request calls_lstk +512 } */
/* { lstk-request calls_nosplit +65536 } */
/* { lstk-request calls_listed +65536 } */
/* { lstk-request tail_puts +65536 } */
/* { lstk-request calls_weak +65536 } */
/* { lstk-request calls_ifunc +65536 } */
/* { lstk-request calls_alias +0 } */
/* { lstk-request push20 +0 } */
/* { lstk-request push20_puts +65648 } */
/* { lstk-request vfmt +65536 } */
/* { lstk-check calls_puts big_puts calls_static calls_indirect calls_lstk calls_nosplit calls_listed push20 vfmt } */
/* { lstk-asm calls_puts "leaq -[0-9]+\(%rsp\), %r11" } */
/* { lstk-asm vfmt "cmpq %fs:112, %r11" } */
/* { lstk-no-check nosplit } */

#include <stdarg.h>
#include <stdio.h>

extern int lstk_yield (void);

int calls_puts (void) { return puts ("x") + 1; }

/* Large form: the "lea -A(%rsp), %r11" constant grows.  */
int
big_puts (int i)
{
  volatile char buf[3000];
  buf[i] = 'a';
  buf[i + 1] = 0;
  return puts ((const char *) buf);
}

__attribute__ ((noipa)) static int twice (int x) { return 2 * x; }
int calls_static (int x) { return twice (x) + 1; }

int calls_indirect (int (*fn) (int), int x) { return fn (x) + 1; }

/* The runtime's API has a built-in budget of 512 bytes.  */
int calls_lstk (void) { return lstk_yield () + 1; }

/* A no_split_stack function does no check: calls to it are uninstrumented.  */
__attribute__ ((noipa, no_split_stack)) int nosplit (int x) { return x + 3; }
int calls_nosplit (int x) { return nosplit (x) + 1; }

/* Defined here, but listed in external=.  */
__attribute__ ((noipa)) int listed (int x) { return x + 4; }
int calls_listed (int x) { return listed (x) + 1; }

/* A weak definition may be replaced at link time by code compiled
   without the plugin.  */
__attribute__ ((noipa, weak)) int weak_fn (int x) { return x + 5; }
int calls_weak (int x) { return weak_fn (x) + 1; }

/* An ifunc runs whatever its resolver picks.  */
static int ifunc_impl (int x) { return x + 6; }
static void *ifunc_resolve (void) { return (void *) ifunc_impl; }
int ifunc_fn (int) __attribute__ ((ifunc ("ifunc_resolve")));
int calls_ifunc (int x) { return ifunc_fn (x) + 1; }

/* An alias of a function of this file is that function.  */
int alias_fn (int) __attribute__ ((alias ("alias_target")));
__attribute__ ((noipa)) int alias_target (int x) { return x + 7; }
int calls_alias (int x) { return alias_fn (x) + 1; }

/* A sibling call runs the callee on this function's entry stack pointer:
   the budget is needed all the same.  */
int tail_puts (const char *s) { return puts (s); }

/* 20 integer arguments: 14 of them are pushed below the frame (8 bytes
   each) at the call, outside GCC's frame size.  push20 needs 112 bytes of
   arguments, 8 of return address and the 40 bytes of a failed check in
   many below its frame of about 216 bytes: 376 fit the reserve R = 384,
   so its check stays as it is (+0).  push20_puts adds puts: 65536 + R
   below the pushed arguments, so 112 + 65536 more than its frame.  */
__attribute__ ((noipa)) static long
many (long a, long b, long c, long d, long e, long f, long g, long h, long i,
      long j, long k, long l, long m, long n, long o, long p, long q, long r,
      long s, long t)
{
  return a + b + c + d + e + f + g + h + i + j + k + l + m + n + o + p + q
	 + r + s + t;
}

long
push20 (long x)
{
  volatile char frame[200];
  frame[x] = 1;
  return many (x, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
	       18, frame[7]);
}

/* Both: pushed arguments plus an external budget.  */
long
push20_puts (long x)
{
  volatile char frame[200];
  frame[x] = 1;
  puts ("y");
  return many (x, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
	       18, frame[7]);
}

/* A varargs function: the inserted "r11 = sp - request" must come before
   the compare, and the varargs pointer (r11 = sp + 8) after it.  */
int
vfmt (char *out, size_t n, const char *fmt, ...)
{
  va_list ap;
  int r;

  va_start (ap, fmt);
  r = vsnprintf (out, n, fmt, ap);
  va_end (ap);
  return r;
}
