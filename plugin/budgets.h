/* budgets.h: how much stack a call into code the plugin cannot see may use.

   A function compiled with the plugin either checks, in its split-stack
   prologue, that its frame fits on the current chunk, or is proved to fit
   in what its callers guarantee (pass_placement.cc).  Code compiled
   without the plugin (libc, other libraries, functions named in
   external=, calls through pointers) does no check: it runs on whatever is
   left below the caller's frame.  Its "budget" is the number of bytes it
   may use there, its return address included; the caller's prologue asks
   for it (pass_reserve.cc).

   Sources of budgets, first match wins:
     1. a built-in table: lstk_* = the linkstack runtime's API, 512 bytes
	(include/linkstack.h promises it);
     2. the budgets table, a text file measured by scripts/measure-budgets
	on this machine's glibc (see doc/plugin.md for its format), read
	from budgets=FILE or else from the default places;
     3. external-reserve=N for everything else (16384 by default).

   A budget may be marked "leaf": the function never calls back into
   other code (memcpy, strlen, sin ...).  Code it cannot call back needs
   no room for instrumented code below it, so a leaf's caller reserves
   the budget alone; for any other uninstrumented callee the caller
   reserves the budget plus R, because a callback (a qsort comparator, a
   printf hook) runs instrumented code at the bottom of the budget.  */

#ifndef LSTK_PLUGIN_BUDGETS_H
#define LSTK_PLUGIN_BUDGETS_H

/* One budget.  */
struct lstk_budget
{
  /* Bytes below the call site, the return address included.  */
  HOST_WIDE_INT bytes;
  /* Never calls back into other code: no R below it.  */
  bool leaf;
  /* From the built-in table or the budgets file (bounded, measured); false
     for the external-reserve= default (unknown code).  */
  bool measured;
};

/* Record NAME (from external=NAME[,NAME...]) as uninstrumented.  */
extern void lstk_budget_add_external (const char *name);

/* True if NAME was listed in external=.  */
extern bool lstk_budget_listed_external_p (const char *name);

/* Read the budgets table: FILE if not NULL (a missing or malformed file is
   an error), else the first of the default places that exists (see
   budgets.cc), PLUGIN_PATH being the plugin's own file name.  Returns
   false after reporting an error.  */
extern bool lstk_budget_load (const char *file, const char *plugin_path);

/* The file the table was read from, or NULL.  */
extern const char *lstk_budget_file (void);

/* True if NAME has an entry in the built-in table or the budgets file.  */
extern bool lstk_budget_known_p (const char *name);

/* The budget of a call to the uninstrumented function NAME; NAME is NULL
   for an indirect call.  */
extern struct lstk_budget lstk_budget_for (const char *name);

#endif /* LSTK_PLUGIN_BUDGETS_H */
