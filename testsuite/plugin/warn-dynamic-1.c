/* warn-dynamic: alloca and variable-length arrays of unbounded size, at
   the function, with a note where the stack is allocated.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-warn-dynamic" } */

extern void use (char *);

void
vla (int n) /* { lstk-warning "linkstack: 'vla' allocates stack of unbounded size \(alloca or a variable-length array\): its depth has no bound" } */
{
  char buf[n]; /* { lstk-note "linkstack: allocated here" } */
  use (buf);
}

void
with_alloca (int n) /* { lstk-warning "linkstack: 'with_alloca' allocates stack of unbounded size" } */
{
  char *p = __builtin_alloca (n); /* { lstk-note "linkstack: allocated here" } */
  use (p);
}

void
fixed (void)
{
  char buf[64];
  use (buf);
}
