#include "comdat.h"
extern int use_a (int x);
extern int use_b (int x);
#define VICTIM(x) (use_b (x) + use_a (x))
#include "victim.h"

int
main ()
{
  return victim_run ("C++ inline function with copies in two units");
}
