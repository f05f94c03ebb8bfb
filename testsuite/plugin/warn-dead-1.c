/* warn-dead=N: a local of N bytes or more that is dead at a call but
   stays in the frame while the callee runs: the variable, its size, the
   call, the callee's depth, and the fix.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-warn-dead=256" } */
/* { lstk-message "note: linkstack: move the code that uses 'buf' into a function of its own \(a narrower scope, whose frame is gone before the call\), or allocate it on the heap" } */

extern void fill (char *, int);
extern int sum (const char *, int);

volatile int sink;

__attribute__ ((noipa)) int
deep (int n)
{
  volatile char b[2000];
  b[n] = 1;
  return b[3];
}

int
wasteful (int n)
{
  char buf[1024]; /* { lstk-warning "linkstack: 'buf' \(1024 bytes\) is dead at the call to 'deep' but stays in the frame of 'wasteful' while the callee runs, up to [0-9]+ bytes deep" } */
  fill (buf, n);
  int s = sum (buf, n);
  return s + deep (n); /* { lstk-note "linkstack: the call to 'deep' is here" } */
}

/* Still used after the call: nothing to say.  */
int
needed (int n)
{
  char buf[1024];
  fill (buf, n);
  int d = deep (n);
  return d + sum (buf, n);
}

/* Small: under the threshold.  */
int
small (int n)
{
  char buf[64];
  fill (buf, n);
  int s = sum (buf, n);
  return s + deep (n);
}

/* The address escapes into memory: may be used anywhere.  */
char *stash;
int
escapes (int n)
{
  char buf[1024];
  stash = buf;
  fill (buf, n);
  int s = sum (buf, n);
  s += deep (n);
  stash = 0;
  return s;
}
