/* Linked -static against liblinkstack.a (testsuite/rt/static.sh): VLA,
   alloca and longjmp code must link without any of libgcc's split-stack
   objects, and run. */
#include <stdio.h>
#include <string.h>
#include <setjmp.h>
#include "linkstack.h"
static jmp_buf jb;
__attribute__((noinline)) static long vla(long n) { char b[n]; memset(b, 3, n); return b[n-1]; }
static long rec(long n) { volatile char pad[64]; pad[0] = 1; if (n == 0) { if (vla(100000) != 3) return -1000000; longjmp(jb, 1); } return rec(n-1) + pad[0]; }
static void *entry(void *a) { if (setjmp(jb)) return (void*)7L; return (void*)rec((long)a); }
int main(void) { void *r; int rc = lstk_stack_run(0, entry, (void*)20000L, &r); printf("%d %ld\n", rc, (long)r); return !(rc == 0 && (long)r == 7); }
