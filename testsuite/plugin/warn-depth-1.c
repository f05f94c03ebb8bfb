/* warn-depth=N: a worst-case depth through the call graph of more than N
   bytes, with the deepest path in a note.  Functions whose depth has no
   bound (recursion, unknown code) are the business of warn-recursion and
   the report.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-warn-depth=1000" } */
/* { lstk-message "warn-depth-1.c:[0-9]+:[0-9]+: note: linkstack: the deepest path is top -> middle -> bottom" } */

volatile int sink;

__attribute__ ((noipa)) int
bottom (int i) /* { lstk-warning "linkstack: 'bottom' may use [0-9]+ bytes of stack through its callees, more than 1000" } */
{
  volatile char b[1200];
  b[i] = 1;
  return b[2];
}

__attribute__ ((noipa)) int
middle (int i) /* { lstk-warning "linkstack: 'middle' may use [0-9]+ bytes" } */
{
  int r = bottom (i);
  sink = r;
  return r + 1;
}

int
top (int i) /* { lstk-warning "linkstack: 'top' may use [0-9]+ bytes" } */
{
  int r = middle (i);
  sink = r;
  return r;
}

int shallow (int i) { return i + 1; }
