/* warn-frame=N: a frame of more than N bytes (the .su size), at the
   function, in GCC's format.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-warn-frame=256" } */

__attribute__ ((noipa)) int
small (int i)
{
  volatile char b[100];
  b[i] = 1;
  return b[2];
}

__attribute__ ((noipa)) int
large (int i) /* { lstk-warning "linkstack: the frame of 'large' is [0-9]+ bytes, more than 256" } */
{
  volatile char b[1000];
  b[i] = 1;
  return b[2];
}
