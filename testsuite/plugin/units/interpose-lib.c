/* A2 of issue 9: in a -fPIC library, bar calls foo through the PLT; the
   library's foo is small, but the executable defines its own, larger foo,
   which the dynamic linker binds every call to (interposition).  */
int
foo (int x)
{
  return x + 1;
}

/* By the old rules bar went unchecked: its frame plus the library's foo
   (a red-zone leaf) fit R.  */
int
bar (int x)
{
  volatile char pad[88];
  pad[x & 31] = (char) x;
  return foo (x + pad[x & 31]) * 2;
}
