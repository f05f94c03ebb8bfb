/* Pushed arguments count below the frame.  calls_puts makes a call whose
   stack use is not proven (puts has no proven budget): G (65536) + R.
   many is declared here and defined elsewhere, so taken to be compiled with the plugin too: its cost is R (checked or
   not, it needs at most R below its entry), and push20 asks for its frame
   plus 112 bytes of arguments plus the return address.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-check=all" } */
/* { lstk-request calls_puts +65536 } */
/* { lstk-request push20 +120 } */

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
