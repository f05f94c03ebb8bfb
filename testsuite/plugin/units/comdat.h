/* A1 of issue 9: one inline function, two units, two views of it.  g is
   defined after f, so at -O0 (source order) b.cpp compiles f before g: f
   calls a function not compiled yet and keeps its check, and use_b, after
   f, counts a checked callee.  a.cpp at -O2 compiles g first and, by the
   old rules, left f unchecked with a region close to R.  The linker keeps
   one copy of each: a.cpp's when a.o comes first.  */
#ifndef COMDAT_H
#define COMDAT_H

extern volatile int comdat_sink;

__attribute__ ((noinline)) inline int comdat_g (int x);

__attribute__ ((noinline)) inline int
comdat_f (int x)
{
  volatile char b[96];
  b[x & 63] = (char) x;
  b[95] = (char) x;
  return comdat_g (x + b[x & 63] - b[95]) + 1;
}

__attribute__ ((noinline)) inline int
comdat_g (int x)
{
  volatile char b[96];		/* most of the red zone */
  b[0] = (char) x;
  b[95] = (char) x;
  return b[0] + b[95] - x + 2;
}

#endif
