/* A nonlocal goto out of a nested function: the same stale guard as
   __builtin_longjmp.  Refused.  */
/* { lstk-do compile } */
/* { lstk-error "error: linkstack: a nonlocal 'goto' out of a nested function is not supported" } */

extern void walk (int n);

int
search (int n)
{
  __label__ found;
  void check (int x) { if (x == n) goto found; }
  for (int i = 0; i < 10; i++)
    check (i);
  return 0;
found:
  return 1;
}
