/* reserve=N: R is what the runtime keeps free below each guard; the
   plugin's default is the runtime's own (384).  A smaller R leaves fewer
   functions unchecked and makes a small-frame check ask for what its
   region needs beyond R; a larger one leaves more unchecked.  The object
   records its R (.note.linkstack, checked by the runtime at start).  */
/* This file: R = 1024, where neither function needs a check (calls200
   with frame200 below it is at most 464 bytes deep).  placement-3.c: the
   same code with R = 64, where both keep theirs.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-reserve=1024" } */
/* { lstk-s "^ \.section \.note\.linkstack,\"a\",@note" } */
/* { lstk-s "^ \.long 1024 +# R, bytes below the guard" } */
/* { lstk-no-check frame200 } */
/* { lstk-no-check calls200 } */

volatile int sink;

/* A 200-byte frame in a leaf: 200 + 128 of red zone + 8.  */
__attribute__ ((noipa)) int
frame200 (int i)
{
  volatile char b[200];
  b[i] = 1;
  return b[3];
}

__attribute__ ((noipa)) int
calls200 (int i)
{
  volatile char b[200];
  b[i] = 1;
  int r = frame200 (b[2]);
  sink = r;
  return b[1];
}

/* The note is emitted at the end of the file; this "function" holds the
   assembly after the last one for lstk-asm.  */
int f256 (void) { return 0; }

