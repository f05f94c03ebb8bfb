/* external-reserve=0: nothing is added for external calls; pushed
   arguments still are.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-external-reserve=0" } */
/* { lstk-request calls_puts +0 } */
/* { lstk-request push20 +112 } */

extern int puts (const char *);
extern long many (long a, long b, long c, long d, long e, long f, long g,
		  long h, long i, long j, long k, long l, long m, long n,
		  long o, long p, long q, long r, long s, long t);

int calls_puts (void) { return puts ("x") + 1; }

long
push20 (long x)
{
  return many (x, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
	       18, 19);
}
