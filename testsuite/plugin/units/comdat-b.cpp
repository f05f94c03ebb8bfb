/* Compiled at -O0 (see comdat.h).  use_b's frame is large enough that
   use_b and an unchecked copy of comdat_f together reach below R, small
   enough that use_b would stay unchecked if comdat_f cost 40.  */
#include "comdat.h"

int
use_b (int x)
{
  volatile char pad[80];
  pad[x & 63] = (char) x;
  return comdat_f (x + pad[x & 63]);
}
