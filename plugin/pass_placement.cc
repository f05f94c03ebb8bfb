/* pass_placement.cc: decide, per function, whether it keeps a stack check.

   With flag_split_stack on, "pro_and_epilogue" (function.cc,
   thread_prologue_and_epilogue_insns -> make_split_prologue_seq) gives
   every function a split-stack prologue, unless the function carries the
   no_split_stack attribute.  So the one lever a plugin has is that
   attribute, and it must be set before pro_and_epilogue runs.  This pass
   sits immediately before it because that is the latest point, and the
   latest point knows the most:
     - the function is fully optimized: inlining is done (a call inlined
       away needs no budget) and registers are allocated;
     - get_frame_size () is final (the saved registers are added by the
       prologue itself, so the exact size is only known in the next pass);
     - at -O1 and up, cgraphunit's expand_all_functions emits callees
       before callers, so most callees' exact sizes are already known.
       At -O0 (and -fno-toplevel-reorder) functions come in source order:
       a callee not yet compiled must count as unknown.

   A function may go without a check only if everything below its frame is
   bounded and fits the runtime's reserve R (LSTK__RESERVE in rt/internal.h)
   below the guard: its own frame plus the red zone, plus its callees' worst
   case, with no recursion, no alloca/VLA, no varargs, no call the plugin
   cannot see.  That analysis is issue "selective placement"; it plugs in
   at lstk_placement_needs_check.  Version 1 answers "check" for every
   function (check=all), so this pass changes nothing yet.

   Never put no_split_stack on a varargs function (fun->stdarg): GCC 12's
   va_start still reads the overflow-area pointer the split-stack prologue
   leaves in r11, and without the prologue nothing sets r11
   (gcc-notes.md, section 1, "Varargs").  */

#include "compat.h"

/* Whether FUN must keep its split-stack check.  Sets *REASON to a short
   phrase for notes and dumps ("check=all", "varargs", ...).  This is the
   seam for selective placement: it will answer false when the function's
   worst case fits the reserve.  */
bool
lstk_placement_needs_check (function *fun, const char **reason)
{
  /* A varargs function cannot lose its prologue (see above); whatever
     placement decides later, this stays first.  */
  if (fun->stdarg)
    {
      *reason = "varargs";
      return true;
    }

  switch (lstk_opts.check)
    {
    case LSTK_CHECK_ALL:
      *reason = "check=all";
      return true;
    }
  gcc_unreachable ();
}

/* Make FUN go without a check: give it the no_split_stack attribute, as if
   the user had written it, so that make_split_prologue_seq emits nothing.
   tree_cons builds a new list head: the attribute list may be shared with
   other decls and must not be modified in place.  */
static void
lstk_placement_drop_check (function *fun)
{
  tree decl = fun->decl;

  gcc_assert (!fun->stdarg);
  DECL_ATTRIBUTES (decl) = tree_cons (get_identifier ("no_split_stack"),
				      NULL_TREE, DECL_ATTRIBUTES (decl));
}

namespace {

const pass_data lstk_placement_pass_data =
{
  RTL_PASS,		/* type */
  "lstk_placement",	/* name (-fdump-rtl-lstk_placement) */
  OPTGROUP_NONE,	/* optinfo_flags */
  TV_NONE,		/* tv_id */
  PROP_rtl,		/* properties_required */
  0,			/* properties_provided */
  0,			/* properties_destroyed */
  0,			/* todo_flags_start */
  0,			/* todo_flags_finish */
};

class lstk_placement_pass : public rtl_opt_pass
{
public:
  lstk_placement_pass (gcc::context *ctxt)
    : rtl_opt_pass (lstk_placement_pass_data, ctxt)
  {}

  /* The gate is asked before execute for each function: nothing to decide
     when no split-stack prologue will be emitted at all.  */
  bool gate (function *) final override { return flag_split_stack != 0; }
  unsigned int execute (function *fun) final override;
  opt_pass *clone () final override
  {
    return new lstk_placement_pass (m_ctxt);
  }
};

unsigned int
lstk_placement_pass::execute (function *fun)
{
  const char *reason = NULL;

  /* The user's no_split_stack: GCC will emit no check; the plugin does not
     second-guess it (the function must have been written for it).  */
  if (lstk_no_split_stack_p (fun->decl))
    {
      if (dump_file)
	fprintf (dump_file, ";; %s: no_split_stack, left alone\n",
		 function_name (fun));
      if (lstk_opts.verbose)
	inform (DECL_SOURCE_LOCATION (fun->decl),
		"linkstack: %qD has %<no_split_stack%>: no check", fun->decl);
      return 0;
    }

  bool check = lstk_placement_needs_check (fun, &reason);

  if (dump_file)
    fprintf (dump_file, ";; %s: %s (%s); frame so far " HOST_WIDE_INT_PRINT_DEC
	     " bytes\n",
	     function_name (fun), check ? "check" : "no check", reason,
	     constant_lower_bound (get_frame_size ()));
  if (lstk_opts.verbose)
    inform (DECL_SOURCE_LOCATION (fun->decl),
	    check ? G_("linkstack: %qD keeps its stack check (%s)")
		  : G_("linkstack: %qD needs no stack check (%s)"),
	    fun->decl, reason);

  if (!check)
    lstk_placement_drop_check (fun);
  return 0;
}

} // anon namespace

rtl_opt_pass *
lstk_make_pass_placement (gcc::context *ctxt)
{
  return new lstk_placement_pass (ctxt);
}
