/* budgets.cc: stack budgets of uninstrumented callees (see budgets.h).  */

#include "compat.h"
#include "budgets.h"

/* The built-in budgets, matched on a name prefix.  The linkstack runtime
   guarantees (include/linkstack.h) that none of its lstk_* entry points
   uses more than 512 bytes of the caller's stack: the ones that need more
   switch to a stack of their own first.  */
struct lstk_budget_entry
{
  const char *prefix;
  HOST_WIDE_INT bytes;
};

static const struct lstk_budget_entry lstk_budget_builtin[] =
{
  { "lstk_", 512 },
};

/* Names given with external=; few, so a vector and a linear search.
   Allocated with the heap, never freed: they live as long as cc1.  */
static vec<const char *> lstk_budget_externals;

void
lstk_budget_add_external (const char *name)
{
  lstk_budget_externals.safe_push (xstrdup (name));
}

bool
lstk_budget_listed_external_p (const char *name)
{
  unsigned i;
  const char *n;

  FOR_EACH_VEC_ELT (lstk_budget_externals, i, n)
    if (strcmp (n, name) == 0)
      return true;
  return false;
}

HOST_WIDE_INT
lstk_budget_for (const char *name)
{
  if (name != NULL)
    {
      for (size_t i = 0; i < ARRAY_SIZE (lstk_budget_builtin); i++)
	if (startswith (name, lstk_budget_builtin[i].prefix))
	  return lstk_budget_builtin[i].bytes;
      /* Seam: a budgets file (measured by scripts/) is looked up here.  */
    }
  /* Unknown code, or a call through a pointer: the user's default.  */
  return lstk_opts.external_reserve;
}
