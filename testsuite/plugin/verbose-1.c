/* -fplugin-arg-linkstack-verbose: one note per function and decision,
   with the function's location, in GCC's own style.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-verbose" } */
/* { lstk-message "verbose-1.c:[0-9]+:[0-9]+: note: linkstack: .quiet. keeps its stack check \(check=all\)" } */
/* { lstk-message "note: linkstack: .quiet.: stack request not enlarged" } */
/* { lstk-message "note: linkstack: .noisy.: stack request enlarged from [0-9]+ to [0-9]+ bytes \(16384 for a call to .puts., 0 of pushed arguments\)" } */
/* { lstk-message "note: linkstack: .nosplit. has .no_split_stack.: no check" } */
/* { lstk-message "note: linkstack: .indirect.: stack request enlarged from [0-9]+ to [0-9]+ bytes \(16384 for an indirect call, 0 of pushed arguments\)" } */
/* { lstk-message "note: linkstack: .pushes.: stack request enlarged from [0-9]+ to [0-9]+ bytes \(112 of pushed arguments\)" } */

extern int puts (const char *);

int quiet (int x) { return x + 1; }
int noisy (void) { return puts ("hello"); }
__attribute__ ((no_split_stack)) int nosplit (int x) { return x; }
int indirect (int (*fn) (void)) { return fn () + 1; }

__attribute__ ((noipa)) static long
many (long a, long b, long c, long d, long e, long f, long g, long h, long i,
      long j, long k, long l, long m, long n, long o, long p, long q, long r,
      long s, long t)
{
  return a + b + c + d + e + f + g + h + i + j + k + l + m + n + o + p + q
	 + r + s + t;
}

long
pushes (long x)
{
  return many (x, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
	       18, 19);
}
