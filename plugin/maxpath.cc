/* maxpath.cc: callers that cover their callee (Capriccio's MaxPath).

   The plain rule (pass_placement.cc) leaves a function F unchecked only
   if its region D(F) fits the reserve R, because a caller that does not
   know F (another unit, libc calling back, a call through a pointer) only
   guarantees R below F's entry.  A function whose every caller is known
   needs no such guarantee: if each caller's own accounting already counts
   F's whole region below the call (need = pushed + 8 + D(F), which is
   what lstk_call_need charges for a compiled, unchecked callee), the
   caller's check (or, up the chain, its callers' checks) asks for it.  So
   F may go unchecked with D(F) > R when

     - F is local (cgraph_node::local_p: not visible outside the unit or,
       under LTO, outside the program; address never taken; no `used',
       no constructor or destructor, not used from another partition), has
       no aliases and no thunks: every call to it is a direct call that
       the call graph records;
     - no caller is compiled yet: a caller compiled before F counted it as
       "not compiled yet", c = R (at -O1 and up callees come first, so
       this refuses cycles and -O0's source order).  GCC drops the call
       edges of a function once it is emitted, so the call graph shows
       only the callers still to come; the compiled ones are found in the
       names they called before those were compiled
       (lstk_called_pending_p);
     - every caller is the plugin's to check: not the user's
       no_split_stack or naked (those get no accounting of their calls);
     - D(F) <= LSTK_MAXPATH_MAX: the callers' checks grow by what F needs
       beyond R; a region that includes the guarded request G (an
       unproven call) stays checked in F, where the guarded chunk is
       taken only when F runs;
     - F has no reason for a check other than its depth and callees that
       cost a bounded amount (not compiled yet, other units, proven
       budgets);
     - the move pays: each caller calls F at least once per entry on
       GCC's estimated profile (the caller's check then runs no more often
       than F's would have), or the caller keeps a check anyway (it makes
       a call through a pointer, which is never bounded).

   The decision rests on what later functions will do, so it is checked
   twice more: lstk_reserve allows an unchecked region above R only for
   these functions (up to the placement's bound), and at the unit's end
   lstk_maxpath_verify finds every call to such a function among the
   compiled functions' call sites and requires that it was accounted with
   F's region (kind "unchecked"), and that F is still local.  A broken
   assumption is an internal error naming both functions, never silent.
   doc/plugin.md, "Callers that cover their callee", has the proof.  */

#include "compat.h"
#include "budgets.h"
#include "analysis.h"

/* The function a call edge's caller will be compiled as: an inline clone
   is part of the function it was inlined into.  */
static cgraph_node *
lstk_maxpath_compiled_caller (cgraph_edge *e)
{
  return e->caller->inlined_to ? e->caller->inlined_to : e->caller;
}

/* True if calls to F, from caller node CALLER (a function compiled in
   this unit), pay for a check in CALLER rather than in F (see above).  */
static bool
lstk_maxpath_pays_p (cgraph_node *caller, cgraph_edge *e)
{
  if (caller->indirect_calls)
    return true;
  return e->sreal_frequency () >= 1;
}

/* Why FUN (its record REC, the placement's region bound D) cannot rely on
   its callers, or NULL if it can.  */
const char *
lstk_maxpath_refusal (function *fun, HOST_WIDE_INT d, unsigned why)
{
  const unsigned bounded = (LSTK_WHY_DEPTH | LSTK_WHY_PENDING
			    | LSTK_WHY_OTHER_UNIT | LSTK_WHY_EXTERNAL);

  if (lstk_opts.no_maxpath)
    return "no-maxpath";
  if (why & ~bounded)
    return "other reasons";
  if (d > LSTK_MAXPATH_MAX)
    return "region over the maxpath limit";
  if (symtab->first_asm_symbol ())
    return "the unit has top-level asm";

  /* A compiled caller has no edges left (GCC drops them once a function
     is emitted): its calls to FUN were recorded as "not compiled yet".  */
  if (lstk_called_pending_p (lstk_decl_name (fun->decl)))
    return "a caller compiled already";

  cgraph_node *node = cgraph_node::get (fun->decl);
  if (!node || node->inlined_to || node->thunk || node->has_aliases_p ()
      || !node->local_p () || !node->callers)
    return "not local";
  if (lookup_attribute ("noipa", DECL_ATTRIBUTES (fun->decl)))
    return "noipa";

  for (cgraph_edge *e = node->callers; e; e = e->next_caller)
    {
      cgraph_node *caller = lstk_maxpath_compiled_caller (e);
      if (caller == node)
	return "recursion";
      if (caller->thunk || !caller->definition
	  || DECL_EXTERNAL (caller->decl) || caller->in_other_partition)
	return "a caller compiled elsewhere";
      if (lstk_no_split_stack_p (caller->decl)
	  || lookup_attribute ("naked", DECL_ATTRIBUTES (caller->decl)))
	return "a caller without the plugin's check";
      if (lstk_fn_lookup (lstk_decl_name (caller->decl)))
	return "a caller compiled already";
      if (!lstk_maxpath_pays_p (caller, e))
	return "a caller calls it less than once per entry";
    }
  return NULL;
}

void
lstk_maxpath_verify (void)
{
  unsigned i, k;
  lstk_fn *g;
  lstk_call *c;

  FOR_EACH_VEC_ELT (lstk_fns, i, g)
    {
      if (g->maxpath)
	{
	  cgraph_node *node = cgraph_node::get (g->decl);
	  if (!node || !node->local_p () || node->has_aliases_p ())
	    error_at (g->loc, "linkstack: internal error: %qD was left "
		      "without a check for its callers to cover, but it is "
		      "no longer local to the unit", g->decl);
	}
      FOR_EACH_VEC_ELT (g->calls, k, c)
	{
	  lstk_fn *f = c->name ? lstk_fn_lookup (c->name) : NULL;
	  if (f && f->maxpath && f != g
	      && (c->kind != LSTK_CALLEE_UNCHECKED
		  || c->need < 8 + f->region))
	    error_at (g->loc, "linkstack: internal error: %qD calls %qD, "
		      "which was left without a check for its callers to "
		      "cover, but the call was accounted as %s with %wd "
		      "bytes (its region is %wd)", g->decl, f->decl,
		      lstk_callee_kind_word (c->kind), c->need, f->region);
	}
    }
}
