/* B6 of issue 9: a replacement allocator, built without the plugin, with
   a frame far larger than glibc malloc's budget.  A bump allocator over a
   static arena; free is a no-op.  */
#include <stddef.h>
#include <string.h>

static char arena[1 << 24];
static size_t used;

void *
malloc (size_t n)
{
  volatile char scratch[2048];	/* far deeper than glibc's malloc */
  memset ((char *) scratch, 0, sizeof scratch);
  n = (n + 15) & ~(size_t) 15;
  if (used + n > sizeof arena)
    return NULL;
  void *p = arena + used + scratch[7];
  used += n;
  return p;
}

void
free (void *p)
{
  (void) p;
}

void *
calloc (size_t n, size_t m)
{
  void *p = malloc (n * m);
  if (p)
    memset (p, 0, n * m);
  return p;
}

void *
realloc (void *p, size_t n)
{
  void *q = malloc (n);
  if (q && p)
    memcpy (q, p, n);
  return q;
}
