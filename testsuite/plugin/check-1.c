/* check=all: every function defined in a file compiled with the plugin
   keeps GCC's split-stack check: a compare of the stack pointer (or of
   r11 = sp - request) with the guard %fs:112, and a call to __morestack.
   A leaf with no frame, a big frame (large form), main.  */
/* { lstk-do compile } */
/* { lstk-options "-fplugin-arg-linkstack-check=all" } */
/* { lstk-variants "-O0" "-O2" } */
/* { lstk-check leaf } */
/* { lstk-check big } */
/* { lstk-check main } */
/* { lstk-check sum } */
/* { lstk-no-check mine } */
/* { lstk-request leaf +0 } */
/* { lstk-request big +0 } */
/* { lstk-request main +65536 } */

int leaf (int x) { return x * 3 + 1; }

/* A frame over SPLIT_STACK_AVAILABLE (256): the "lea -A(%rsp), %r11" form.  */
int
big (int x)
{
  volatile char buf[5000];
  buf[x] = 1;
  return buf[0] + buf[4999];
}

/* A varargs function keeps its check too (it could never lose it).  */
int
sum (int n, ...)
{
  __builtin_va_list ap;
  int s = 0;
  __builtin_va_start (ap, n);
  while (n-- > 0)
    s += __builtin_va_arg (ap, int);
  __builtin_va_end (ap);
  return s;
}

/* The user's own no_split_stack is respected.  Its callers reserve stack
   for it as for any code that does no check of its own (main: +65536).  */
__attribute__ ((noipa, no_split_stack)) int mine (int x) { return x - 1; }

int
main (void)
{
  return leaf (1) + big (2) + sum (2, 3, 4) + mine (1) - 13;
}
