/* Whole-program mode (lto.sh): a_calls calls functions of b.c.  Compiled
   unit by unit they are instrumented code of another unit (cost R, so
   a_calls keeps its check); with -flto -flto-partition=one and the plugin
   on the link line, one ltrans compiles the whole program, callees first,
   and a_calls is proved to fit the reserve.  */
#include <stdint.h>
#include <stdio.h>
#include <linkstack.h>
extern int b_leaf (int);
extern int b_mid (int);
__attribute__((noinline)) int a_calls (int x) { return b_mid (x) + b_leaf (x) + 1; }
static void *body (void *arg) { return (void *) (intptr_t) a_calls ((int) (intptr_t) arg); }
int main (void) { void *r; lstk_stack_run (1024, body, (void *) 3, &r); printf ("%s - result %ld\n", (long) (intptr_t) r == 3*3+1 + 3*3+1 + 1 ? "ok" : "not ok", (long)(intptr_t) r); return 0; }
