/* Placement (check=needed, the default), -O2: callees are compiled before
   their callers, so a function knows the exact regions of what it calls.
   A function goes unchecked only if its frame, red zone and unchecked
   callees fit the reserve R = 384 and nothing forces a check.  One function
   per reason a check is forced; the report names the reasons.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-report" } */
/* { lstk-no-check leaf } */
/* { lstk-no-check mid } */
/* { lstk-no-check uses_strlen } */
/* { lstk-no-check calls_checked } */
/* { lstk-check deep_frame } */
/* { lstk-check too_deep } */
/* { lstk-check varargs } */
/* { lstk-check dynamic } */
/* { lstk-check recursive } */
/* { lstk-check cycle_b } */
/* { lstk-no-check cycle_a } */
/* { lstk-check indirect } */
/* { lstk-check external } */
/* { lstk-check other_unit } */
/* { lstk-check has_asm } */
/* { lstk-lsu "placement-1.c:[0-9]+:[0-9]+:leaf\t8\tstatic\tunchecked\t136\t0$" } */
/* { lstk-lsu ":too_deep\t[0-9]+\tstatic\tchecked\t[0-9]+\t0$" } */
/* { lstk-lsu ":uses_strlen\t[0-9]+\tstatic\tunchecked\t[0-9]+\t32$" } */
/* { lstk-json "\"reasons\": \[\"depth\"\]" } */
/* { lstk-json "\"reasons\": \[\"varargs\"\]" } */
/* { lstk-json "\"reasons\": \[\"dynamic\"" } */
/* { lstk-json "\"reasons\": \[\"recursion\"\]" } */
/* { lstk-json "\"name\": \"cycle_b\"" } */
/* { lstk-json "\"reasons\": \[\"pending\", \"depth\"\]" } */
/* { lstk-json "\"reasons\": \[\"indirect\", \"depth\"\]" } */
/* { lstk-json "\"reasons\": \[\"external\", \"depth\"\]" } */
/* { lstk-json "\"reasons\": \[\"other-unit\", \"depth\"\]" } */
/* { lstk-json "\"reasons\": \[\"asm\"\]" } */
/* { lstk-lsu ":recursive\t[0-9]+\tstatic\tchecked\tunbounded\(recursion\)\t0$" } */
/* { lstk-lsu ":indirect\t[0-9]+\tstatic\tchecked\tunbounded\(indirect\)\t65920$" } */
/* { lstk-lsu ":dynamic\t[0-9]+\tdynamic\tchecked\tunbounded\(dynamic\)\t0$" } */

#include <stdarg.h>
#include <string.h>

extern int puts (const char *);
extern int elsewhere (int);	/* defined in another unit, with the plugin */

/* A leaf: 128 bytes of red zone and its return address.  */
__attribute__ ((noipa)) int leaf (int x) { return x * 3 + 1; }

/* Calls only a leaf: 8 + 136 below a small frame.  */
__attribute__ ((noipa)) int mid (int x) { return leaf (x) + leaf (x + 1); }

/* strlen is a measured leaf of the C library (32 bytes in budgets-test.txt):
   no reserve below it, so its caller can go unchecked.  */
__attribute__ ((noipa)) int uses_strlen (const char *s) { return strlen (s); }

/* A frame of its own over R.  */
__attribute__ ((noipa)) int
deep_frame (int i)
{
  volatile char buf[400];
  buf[i] = 1;
  return buf[3];
}

/* Calls deep_frame: a checked callee costs 40 bytes (a failed check), so
   this one fits.  */
__attribute__ ((noipa)) int calls_checked (int i) { return deep_frame (i) + 1; }

/* A chain of unchecked frames that grows over R: the region of the top
   one is its frame plus everything below it.  (sink keeps the calls out
   of tail position.)  */
volatile int sink;

__attribute__ ((noipa)) int
level1 (int i)
{
  volatile char b[100];
  b[i] = 1;
  int r = mid (b[2]);
  sink = r;
  return b[1];
}

__attribute__ ((noipa)) int
too_deep (int i)
{
  volatile char b[100];
  b[i] = 1;
  int r = level1 (b[2]);
  sink = r;
  return b[1];
}

int
varargs (int n, ...)
{
  va_list ap;
  int s = 0;
  va_start (ap, n);
  while (n-- > 0)
    s += va_arg (ap, int);
  va_end (ap);
  return s;
}

__attribute__ ((noipa)) int
dynamic (int n)
{
  volatile char b[n];
  b[0] = 1;
  return b[0];
}

/* Recursion (sink keeps the call out of tail position: GCC would turn a
   tail recursion into a loop).  */
__attribute__ ((noipa)) int
recursive (int n)
{
  if (n <= 0)
    return 0;
  int r = recursive (n - 1);
  sink = r;
  return r + n;
}

/* A cycle: cycle_b is compiled first (callees first; cycle_a is not done
   yet), so it keeps its check; cycle_a then calls a checked function and
   fits the reserve.  Every turn of the cycle passes a check.  */
int cycle_b (int n);
__attribute__ ((noipa)) int
cycle_a (int n)
{
  if (n <= 0)
    return 0;
  int r = cycle_b (n - 1);
  sink = r;
  return 2 * r;
}
__attribute__ ((noipa)) int
cycle_b (int n)
{
  if (n <= 0)
    return 1;
  int r = cycle_a (n - 1);
  sink = r;
  return 3 * r;
}

__attribute__ ((noipa)) int indirect (int (*fn) (int)) { return fn (1) + 1; }

/* puts is not in the budgets table: external-reserve= (65536) + R.  */
__attribute__ ((noipa)) int external (const char *s) { return puts (s) + 1; }

__attribute__ ((noipa)) int other_unit (int x) { return elsewhere (x) + 1; }

__attribute__ ((noipa)) int
has_asm (int x)
{
  __asm__ volatile ("nop");
  return x;
}

int
main (void)
{
  return leaf (1) + mid (2) + uses_strlen ("x") + calls_checked (1)
	 + too_deep (1) + varargs (2, 1, 2) + dynamic (3) + recursive (2)
	 + cycle_a (3) + indirect (leaf) + external ("x") + other_unit (1)
	 + has_asm (1);
}
