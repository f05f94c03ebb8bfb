/* budgets.h: how much stack a call into code the plugin cannot see may use.

   A function compiled with the plugin checks, in its split-stack prologue,
   that its own frame fits on the current chunk.  Code compiled without
   the plugin (libc, other libraries, functions named in external=, calls
   through pointers) does no check: it runs on whatever is left below the
   caller's frame.  Its "budget" is the number of bytes it may use there;
   the reserve pass (pass_reserve.cc) adds the largest budget of a
   function's callees to that function's request.

   Sources of budgets, in order:
     1. a built-in table (lstk_* = the linkstack runtime's API, 512 bytes);
     2. (later) a table read from disk, measured by scripts/;
     3. the external-reserve= value for everything else.  */

#ifndef LSTK_PLUGIN_BUDGETS_H
#define LSTK_PLUGIN_BUDGETS_H

/* Record NAME (from external=NAME[,NAME...]) as uninstrumented.  */
extern void lstk_budget_add_external (const char *name);

/* True if NAME was listed in external=.  */
extern bool lstk_budget_listed_external_p (const char *name);

/* Bytes of stack a call to the uninstrumented function NAME may use below
   the call site (its return address included).  NAME is NULL for an
   indirect call.  */
extern HOST_WIDE_INT lstk_budget_for (const char *name);

#endif /* LSTK_PLUGIN_BUDGETS_H */
