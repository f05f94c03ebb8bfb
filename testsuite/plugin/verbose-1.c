/* -fplugin-arg-linkstack-verbose: one note per function and decision,
   with the function's location, in GCC's own style.  noisy calls puts
   (external: 65536 + R below it) with a sibling call, from a frame of 0
   bytes; pushes pushes 112 bytes of arguments for many, which needs 128
   (its red zone): 112 + 8 + 128 + its own frame fits R exactly.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-verbose" } */
/* { lstk-message "verbose-1.c:[0-9]+:[0-9]+: note: linkstack: .quiet. needs no stack check \(at most [0-9]+ bytes deep, reserve 384\)" } */
/* { lstk-message "note: linkstack: .noisy. keeps its stack check \(external, depth\)" } */
/* { lstk-message "note: linkstack: .noisy.: stack request enlarged from 0 to 65536 bytes \(frame 0, 65920 deep with what it calls before the next check, reserve 384\)" } */
/* { lstk-message "note: linkstack: .nosplit. has .no_split_stack.: no check" } */
/* { lstk-message "note: linkstack: .indirect. keeps its stack check \(indirect, depth\)" } */
/* { lstk-message "note: linkstack: .indirect.: stack request enlarged from 0 to [0-9]+ bytes" } */
/* { lstk-message "note: linkstack: .pushes. needs no stack check \(at most 384 bytes deep, reserve 384\)" } */
/* { lstk-message "note: linkstack: .checked.: stack request not enlarged \(frame [0-9]+, [0-9]+ deep with what it calls before the next check\)" } */

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

/* A check that fits as it is: recursion, small frame.  */
int
checked (int n)
{
  volatile int x = n;
  return n > 0 ? checked (n - 1) + x : 0;
}
