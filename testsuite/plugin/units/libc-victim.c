/* The libc findings of issue 9 (B1, B2, B4, B5) in the victim shape
   (victim.h): each libc call made at every depth below a guard on 1 KiB
   threads, compiled for reserve=256 against the build tree's budgets
   table and run with LINKSTACK_DEBUG=1.  Their stack use is not proven
   (no line in the table, or too deep), so the calls take the guarded
   path; the result (a hash of the output and the return value) must
   equal the same work on the main stack.  Built once per finding:
   -DFINDING=1, 2, 4 or 5.
     B1  strstr with a needle over 256 bytes (the two-way long-needle path)
     B2  snprintf ("%.15000f", x)
     B4  snprintf through a function pointer; vsnprintf ("%Lf", LDBL_MAX)
     B5  regcomp of 60 nested groups  */
#include <float.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static unsigned long
hash (const char *s, long r)
{
  unsigned long h = 1469598103934665603ul ^ (unsigned long) r;
  for (; *s; s++)
    h = (h ^ (unsigned char) *s) * 1099511628211ul;
  return h;
}

#if FINDING == 1
__attribute__ ((noinline)) static long
finding (void)
{
  static char hay[1400], needle[300];
  for (int k = 0; k < 299; k++)
    needle[k] = (char) ('a' + k % 7 % 2);
  for (int k = 0; k < 1399; k++)
    hay[k] = (char) ('a' + k % 5 % 2);
  memcpy (hay + 1000, needle, 299);
  const char *p = strstr (hay, needle);
  return p ? p - hay : -1;
}
#elif FINDING == 2
__attribute__ ((noinline)) static long
finding (void)
{
  char buf[64];
  volatile double x = 1.0 / 3.0;
  int r = snprintf (buf, sizeof buf, "%.15000f", x);
  return (long) (hash (buf, r) >> 1); /* >= 0: < 0 means failure */
}
#elif FINDING == 4
int (*volatile fmt_fp) (char *, size_t, const char *, ...) = snprintf;

__attribute__ ((noinline)) static int
vfmt (char *buf, size_t n, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  int r = vsnprintf (buf, n, fmt, ap);
  va_end (ap);
  return r;
}

__attribute__ ((noinline)) static long
finding (void)
{
  char buf[64];
  int r = fmt_fp (buf, sizeof buf, "%.5000f", 2.0 / 7.0);
  unsigned long h = hash (buf, r);
  r = vfmt (buf, sizeof buf, "%Lf", LDBL_MAX);
  return (long) ((h ^ hash (buf, r)) >> 1);
}
#elif FINDING == 5
__attribute__ ((noinline)) static long
finding (void)
{
  char pat[130];
  int o = 0;
  for (int k = 0; k < 60; k++)
    pat[o++] = '(';
  pat[o++] = 'a';
  for (int k = 0; k < 60; k++)
    pat[o++] = ')';
  pat[o] = 0;
  regex_t re;
  regmatch_t m[61];
  int r = regcomp (&re, pat, REG_EXTENDED);
  if (r != 0)
    return -100 - r;
  r = regexec (&re, "xxa", 61, m, 0);
  long v = r == 0 ? m[60].rm_so * 1000 + m[0].rm_eo : -1;
  regfree (&re);
  return v;
}
#else
#error "FINDING must be 1, 2, 4 or 5"
#endif

/* The libc call once per depth, from the deepest frame of each walk (n
   == 1): every offset below the guard, without 80 000 calls.  */
#define VICTIM(n) ((n) == 1 ? finding () : (long) (n))
#include "victim.h"

int
main (void)
{
  long want = finding ();
  if (want < 0)
    {
      printf ("not ok - B%d: the main-stack call fails (%ld)\n", FINDING, want);
      return 1;
    }
  char what[64];
  snprintf (what, sizeof what, "B%d: the libc call equals the main stack's", FINDING);
  return victim_run (what);
}
