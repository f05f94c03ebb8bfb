/* Compiled at -O2 (see comdat.h).  */
#include "comdat.h"

volatile int comdat_sink;

int
use_a (int x)
{
  return comdat_f (x) + 3;
}
