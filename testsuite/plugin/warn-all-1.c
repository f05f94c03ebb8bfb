/* warn-all: every warning, with thresholds of their own (frame 512,
   depth 8192, dead 256) unless given.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-warn-all -fplugin-arg-linkstack-warn-frame=2000" } */
/* { lstk-message "warn-all-1.c:17:[0-9]+: warning: linkstack: 'frame_big' may use [0-9]+ bytes of stack through its callees, more than 8192" } */

extern void use (char *);

void
frame_ok (void)
{
  char buf[1000];	/* not over 2000, given explicitly */
  use (buf);
}

void
frame_big (void) /* { lstk-warning "linkstack: the frame of 'frame_big' is [0-9]+ bytes, more than 2000" } */
{
  volatile char buf[9000];
  buf[0] = 1;
}

int
rec (int n) /* { lstk-warning "linkstack: 'rec' is recursive" } */
{
  volatile int x = n;
  return n > 0 ? rec (n - 1) * x : 1;
}

void
dyn (int n) /* { lstk-warning "linkstack: 'dyn' allocates stack of unbounded size" } */
{
  char b[n];
  use (b);
}
