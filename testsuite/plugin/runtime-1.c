/* Patched prologues at run time, with the test stub __morestack
   (morestack-stub.S) and no linkstack runtime.  stub_call_with_guard sets
   the guard K bytes below its stack pointer and calls a probe; the stub
   records whether the probe's check failed and the r10 it passed.

   external-reserve=65536.  probe_ext calls an uninstrumented function (E =
   65536), probe_static only a function of this file (E = 0): the table of
   gcc-notes.md, section 5, then exact boundaries.  A probe's entry
   stack pointer is guard + K - 8, so a request R passes iff K >= R + 8;
   an unpatched small frame (A < 256) compares rsp alone: passes iff K >= 8.  */
/* { lstk-do run } */
/* { lstk-variants "-O0" "-O2" } */
/* { lstk-options "-fplugin-arg-linkstack-check=all -fplugin-arg-linkstack-external-reserve=65536" } */
/* { lstk-request probe_ext +65536 } */
/* { lstk-request probe_static +0 } */
/* { lstk-request probe_big +65536 } */
/* { lstk-request probe_big_static +0 } */
/* { lstk-no-check sink } */

#include "stub.h"

/* Uninstrumented: no check of its own, so its callers reserve for it.  */
__attribute__ ((noipa, no_split_stack)) long sink (long x) { return x + 1; }

__attribute__ ((noipa)) static long twice (long x) { return 2 * x; }

/* The probes call their callee only for x < 0, never in the tests: a
   callee's own check would fail too when the guard is set high, and blur
   what the probe's check did.  The callee still counts for the request
   (and the check sits at entry, whatever shrink-wrapping does).  */
__attribute__ ((noipa)) long
probe_ext (long x)
{
  return x < 0 ? sink (x) : x + 2;
}

__attribute__ ((noipa)) long
probe_static (long x)
{
  return x < 0 ? twice (x) : x + 6;
}

/* Frames of about 1000 bytes: the "lea -A(%rsp), %r11" form.  */
__attribute__ ((noipa)) long
probe_big (long x)
{
  volatile char buf[1000];
  buf[x] = 1;
  return x < 0 ? sink (buf[x]) : buf[x] + x + 1;
}

__attribute__ ((noipa)) long
probe_big_static (long x)
{
  volatile char buf[1000];
  buf[x] = 1;
  return x < 0 ? twice (buf[x]) : buf[x] + x + 1;
}

/* Call FN with guard K; expect a call of the stub or not; return the
   request the stub saw (0 if none).  */
static unsigned long
try_guard (const char *name, long (*fn) (long), long k, int expect_call,
	   long expect_result)
{
  long r = stub_call_with_guard (k, fn, 5);
  unsigned long calls = morestack_stub_calls;
  unsigned long r10 = morestack_stub_r10;

  STUB_EXPECT (calls == (unsigned long) expect_call && r == expect_result,
	       "%s, guard sp-%ld: %s __morestack (calls %lu, r10 %ld), "
	       "result %ld", name, k, expect_call ? "calls" : "no", calls,
	       calls ? (long) r10 : -1L, r);
  return calls ? r10 : 0;
}

/* The request of FN: the r10 of a check that must fail (K = 0).  */
static unsigned long
request_of (const char *name, long (*fn) (long), long expect_result)
{
  return try_guard (name, fn, 0, 1, expect_result);
}

/* K = R + 7 fails, K = R + 8 passes.  */
static void
boundary (const char *name, long (*fn) (long), unsigned long req,
	  long expect_result)
{
  try_guard (name, fn, (long) req + 7, 1, expect_result);
  try_guard (name, fn, (long) req + 8, 0, expect_result);
}

int
main (void)
{
  unsigned long r_ext, r_static, r_big, r_big_static;

  /* The guard is 0 in the main thread (nothing set it): no check fails.  */
  morestack_stub_calls = 0;
  STUB_EXPECT (probe_ext (5) == 7 && probe_big (5) == 7
	       && morestack_stub_calls == 0, "guard 0: no __morestack call");

  /* The requests.  */
  r_ext = request_of ("probe_ext", probe_ext, 7);
  r_static = request_of ("probe_static", probe_static, 11);
  r_big = request_of ("probe_big", probe_big, 7);
  r_big_static = request_of ("probe_big_static", probe_big_static, 7);
  /* Same frames, different callees: the difference is the budget.  */
  STUB_EXPECT (r_ext == r_static + 65536,
	       "probe_ext asks for 65536 more than probe_static (r10 %lu, %lu)",
	       r_ext, r_static);
  STUB_EXPECT (r_big == r_big_static + 65536,
	       "probe_big asks for 65536 more than probe_big_static "
	       "(r10 %lu, %lu)", r_big, r_big_static);
  /* A leaf's red zone may hold up to 128 bytes of its frame.  */
  STUB_EXPECT (r_static < 256, "probe_static asks for a small frame "
	       "(r10 %lu)", r_static);
  STUB_EXPECT (r_big_static >= 1000 - 128 && r_big_static < 1000 + 256,
	       "probe_big_static asks for its 1000-byte frame (r10 %lu)",
	       r_big_static);

  /* The table of gcc-notes section 5.  */
  try_guard ("probe_ext", probe_ext, 1000, 1, 7);
  try_guard ("probe_ext", probe_ext, 60000, 1, 7);
  try_guard ("probe_ext", probe_ext, 70000, 0, 7);
  try_guard ("probe_static", probe_static, 1000, 0, 11);
  try_guard ("probe_static", probe_static, 60000, 0, 11);
  try_guard ("probe_static", probe_static, 70000, 0, 11);

  /* Exact boundaries: the patched compares use the same request as r10.  */
  boundary ("probe_ext", probe_ext, r_ext, 7);
  boundary ("probe_big", probe_big, r_big, 7);
  boundary ("probe_big_static", probe_big_static, r_big_static, 7);
  /* Small unpatched: compares rsp itself, whatever its frame.  */
  try_guard ("probe_static", probe_static, 7, 1, 11);
  try_guard ("probe_static", probe_static, 8, 0, 11);

  return stub_failures != 0;
}
