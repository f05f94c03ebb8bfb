/* stub.h: helpers for the plugin's run tests (linked with morestack-stub.S).

   A test sets the guard (%fs:0x70) to "stack pointer - K", calls a
   function compiled with the plugin, and looks at what the stub
   __morestack saw: whether the function's check failed, and the request
   (r10) it made.  Results are printed as TAP lines without numbers
   ("ok - ...", "not ok - ..."); run.sh numbers them.  */

#ifndef LSTK_TEST_STUB_H
#define LSTK_TEST_STUB_H

#include <stdio.h>

/* Set by morestack-stub.S.  */
extern unsigned long morestack_stub_calls;
extern unsigned long morestack_stub_r10;

static int stub_failures;

#define STUB_EXPECT(cond, ...)				\
  do {							\
    int ok_ = (cond);					\
    printf ("%s - ", ok_ ? "ok" : "not ok");		\
    printf (__VA_ARGS__);				\
    printf ("\n");					\
    if (!ok_)						\
      stub_failures++;					\
  } while (0)

/* no_split_stack: at -O0 this is a call, and its own check would see the
   guard it just set.  */
__attribute__ ((no_split_stack)) static inline void
stub_guard_set (unsigned long guard)
{
  __asm__ volatile ("movq %0, %%fs:0x70" : : "r" (guard) : "memory");
}

/* Call FN (ARG) with the guard K bytes below this function's stack
   pointer at the call, so that FN's entry rsp is guard + K - 8.  Resets
   the stub's record first and the guard to 0 (no check fails) after.
   no_split_stack: this function must not check the guard it sets;
   noinline: the attribute does not survive inlining.  */
__attribute__ ((noinline, no_split_stack)) static long
stub_call_with_guard (long k, long (*fn) (long), long arg)
{
  unsigned long sp;
  long r;

  morestack_stub_calls = 0;
  morestack_stub_r10 = ~0UL;
  __asm__ volatile ("movq %%rsp, %0" : "=r" (sp));
  stub_guard_set (sp - k);
  r = fn (arg);
  stub_guard_set (0);
  return r;
}

#endif /* LSTK_TEST_STUB_H */
