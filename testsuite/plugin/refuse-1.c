/* D2 of issue 9: a nested function whose address is taken needs a
   trampoline on the stack, and chunks are not executable: refused.  */
/* { lstk-do compile } */
/* { lstk-variants "-O0" "-O2" } */
/* { lstk-error "error: linkstack: taking the address of the nested function 'add' needs a trampoline on the stack, and linked stacks are not executable; make 'add' a top-level function and pass what it uses from 'outer' explicitly" } */

int apply (int (*fn) (int), int x);

int
outer (int k)
{
  int add (int x) { return x + k; }
  return apply (add, 3);
}
