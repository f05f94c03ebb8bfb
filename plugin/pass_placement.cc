/* pass_placement.cc: decide, per function, whether it keeps a stack check.

   With flag_split_stack on, "pro_and_epilogue" (function.cc,
   thread_prologue_and_epilogue_insns -> make_split_prologue_seq) gives
   every function a split-stack prologue, unless the function carries the
   no_split_stack attribute.  So the one lever a plugin has is that
   attribute, and it must be set before pro_and_epilogue runs.  This pass
   sits immediately before it because that is the latest point, and the
   latest point knows the most:
     - the function is fully optimized: inlining is done (a call inlined
       away is no call) and registers are allocated, so the call sites
       and the callee-saved registers are final;
     - get_frame_size () is final; the saved registers, the alignment
       padding and the outgoing-argument area are added by the prologue
       itself, so this pass works with an upper bound of the frame (see
       lstk_placement_frame_bound) and lstk_reserve checks the exact one;
     - at -O1 and up, cgraphunit's expand_all_functions emits callees
       before callers, so most callees' exact regions are already known.
       At -O0 (and -fno-toplevel-reorder) functions come in source order:
       a callee not yet compiled costs R (it will be checked, or unchecked
       with a region of at most R), which forces a check on the caller.

   The rule (analysis.h has the terms, doc/plugin.md the proof): F goes
   without a check only if
     - its region D = A + N (frame, red zone, callees' costs) is at most
       R, so that wherever F is entered with R bytes free below its entry
       (which every caller, checked or not, instrumented or not,
       guarantees), F and everything it calls before the next check fit;
     - it is not varargs: GCC 12's va_start still reads the overflow-area
       pointer the split-stack prologue leaves in r11, and without the
       prologue nothing sets r11 (gcc-notes.md, section 1, "Varargs");
     - it does no alloca/VLA (the size is unknown; and GCC emits the
       alloca space check even without a prologue);
     - it has no non-empty inline asm (its stack use is unknown);
     - it does not call itself; it calls nothing it cannot see but
       proven leaves (memcpy, strlen ...); every callee is compiled
       already.  (Those costs exceed R anyway; the reasons are recorded
       for the report.)
     - it is not COMDAT: another unit's copy may be the one that runs,
       and a decision may never rest on a body that can be replaced
       (doc/plugin.md, "Which body runs").
   One exception to "D <= R": a local function whose every caller is
   compiled after it, in this unit, may leave a larger (bounded) region to
   its callers' checks, which account it (maxpath.cc).  And a function over R only
   through rarely taken calls to deep unchecked functions of this unit
   sends those calls to checked entries of them (cold_calls.cc).
   A naked function gets no check at all (no prologue of any kind).
   Recursion needs no separate rule: in every cycle of the call graph the
   member compiled first sees its successor not yet compiled, so it keeps
   its check; a cycle never runs without one.  */

#include "compat.h"
#include "budgets.h"
#include "analysis.h"

/* The attribute that tells the other passes (and callers' analysis) that
   the plugin, not the user, removed the check; a name with a space
   cannot be written in source.  */
#define LSTK_UNCHECKED_ATTR "linkstack unchecked"

/* An upper bound of the current function's frame A (the bytes the
   prologue will push or subtract, without the return address), computed
   before the prologue exists.  ix86_compute_frame_layout adds to the
   local frame (get_frame_size): the saved callee-saved registers (8 bytes
   each, the frame pointer among them), the outgoing-argument area when
   arguments are accumulated, and padding to the stack alignment; the red
   zone only takes bytes away.  lstk_reserve compares the bound with the
   exact frame.  */
static HOST_WIDE_INT
lstk_placement_frame_bound (function *fun)
{
  HOST_WIDE_INT a = constant_lower_bound (get_frame_size ());
  HOST_WIDE_INT saved = 8;		/* %rbp, saved or as frame pointer */

  a += constant_lower_bound (crtl->outgoing_args_size);
  for (unsigned regno = 0; regno < FIRST_PSEUDO_REGISTER; regno++)
    if (regno != HARD_FRAME_POINTER_REGNUM
	&& df_regs_ever_live_p (regno)
	&& !fixed_regs[regno]
	&& !this_target_hard_regs->x_call_used_regs[regno])
      saved += GENERAL_REGNO_P (regno) ? 8 : 16;
  a += saved;
  /* The va_arg register save area (6 * 8 + 8 * 16).  */
  if (fun->stdarg)
    a += 176;
  /* Padding: the frame is rounded to the needed alignment.  */
  a += MAX (crtl->stack_alignment_needed / BITS_PER_UNIT, 16);
  return a;
}

/* Make FUN go without a check: give it the no_split_stack attribute, as if
   the user had written it, so that make_split_prologue_seq emits nothing,
   and mark it as the plugin's doing.  tree_cons builds a new list head:
   the attribute list may be shared with other decls and must not be
   modified in place.  */
static void
lstk_placement_drop_check (function *fun)
{
  tree decl = fun->decl;

  gcc_assert (!fun->stdarg);
  tree attrs = tree_cons (get_identifier ("no_split_stack"), NULL_TREE,
			  DECL_ATTRIBUTES (decl));
  DECL_ATTRIBUTES (decl) = tree_cons (get_identifier (LSTK_UNCHECKED_ATTR),
				      NULL_TREE, attrs);
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
  lstk_fn *rec = lstk_fn_get (fun);

  /* A naked function has no prologue at all, and its body (asm) cannot
     be measured: GCC 12 would still put a split-stack check in front of
     it (with a frame of -8 bytes).  It gets none, as if the user had
     written no_split_stack, and its callers treat it as code whose stack
     use is not proven (the guarded request).  */
  bool naked = lookup_attribute ("naked", DECL_ATTRIBUTES (fun->decl));
  if (naked && !lstk_no_split_stack_p (fun->decl))
    DECL_ATTRIBUTES (fun->decl)
      = tree_cons (get_identifier ("no_split_stack"), NULL_TREE,
		   DECL_ATTRIBUTES (fun->decl));

  /* The user's no_split_stack: GCC will emit no check; the plugin does not
     second-guess it (the function must have been written for it).  Its
     callers treat it as uninstrumented code.  */
  if (lstk_no_split_stack_p (fun->decl))
    {
      rec->checked = false;
      rec->reasons = LSTK_WHY_USER | (naked ? LSTK_WHY_NAKED : 0);
      if (dump_file)
	fprintf (dump_file, ";; %s: no_split_stack, left alone\n",
		 function_name (fun));
      if (lstk_opts.verbose)
	inform (DECL_SOURCE_LOCATION (fun->decl),
		"linkstack: %qD has %<no_split_stack%>: no check", fun->decl);
      return 0;
    }

  HOST_WIDE_INT push;
  lstk_collect_calls (fun, NULL, &rec->calls, &push);
  HOST_WIDE_INT a = lstk_placement_frame_bound (fun);
  HOST_WIDE_INT d = a + lstk_calls_n (rec->calls) + lstk_realign_slack ();
  unsigned why = lstk_calls_reasons (rec->calls);

  if (lstk_opts.check == LSTK_CHECK_ALL)
    why |= LSTK_WHY_CHECK_ALL;
  if (fun->stdarg)
    why |= LSTK_WHY_VARARGS;
  if (fun->calls_alloca)
    why |= LSTK_WHY_DYNAMIC;
  if (lstk_has_asm_p ())
    why |= LSTK_WHY_ASM;
  /* COMDAT (C++ inline functions, templates): every unit that uses it
     compiles its own copy, and the linker keeps one of them; what this
     unit proved about its own copy (its region, with this unit's
     inlining and -O) says nothing about the copy that runs.  Every copy
     keeps its check (doc/plugin.md, "Which body runs").  */
  if (DECL_COMDAT (fun->decl))
    why |= LSTK_WHY_COMDAT;
  if (d > lstk_opts.reserve)
    why |= LSTK_WHY_DEPTH;

  rec->args_size = MAX (constant_lower_bound (crtl->args.size), 0);

  /* Over R only through rarely taken calls to deep functions of this
     unit: those calls go to checked entries of them (cold_calls.cc).  */
  if ((why & LSTK_WHY_DEPTH) && lstk_cold_calls_try (fun, a, push, why))
    {
      lstk_collect_calls (fun, NULL, &rec->calls, &push);
      d = a + lstk_calls_n (rec->calls) + lstk_realign_slack ();
      why = lstk_calls_reasons (rec->calls);
      if (d > lstk_opts.reserve)
	why |= LSTK_WHY_DEPTH;
    }

  /* A region over R may be left to the callers' checks when every caller
     is known and compiled after this function (maxpath.cc).  */
  const char *refusal = NULL;
  rec->maxpath = false;
  if (why & LSTK_WHY_DEPTH)
    {
      refusal = lstk_maxpath_refusal (fun, d, why);
      rec->maxpath = refusal == NULL;
    }

  rec->checked = why != 0 && !rec->maxpath;
  rec->reasons = rec->maxpath ? 0 : why;
  rec->frame_bound = a;
  rec->region_bound = d;

  if (dump_file)
    {
      fprintf (dump_file, ";; %s: %s", function_name (fun),
	       rec->checked ? "check" : "no check");
      if (why)
	fprintf (dump_file, " (%s)", lstk_reasons_text (why));
      fprintf (dump_file, "; frame at most " HOST_WIDE_INT_PRINT_DEC
	       ", region at most " HOST_WIDE_INT_PRINT_DEC ", reserve "
	       HOST_WIDE_INT_PRINT_DEC, a, d, lstk_opts.reserve);
      if (rec->maxpath)
	fprintf (dump_file, "; its callers cover its region");
      else if (refusal)
	fprintf (dump_file, "; callers cannot cover it: %s", refusal);
      fputc ('\n', dump_file);
      if (dump_flags & TDF_DETAILS)
	{
	  unsigned i;
	  lstk_call *c;
	  FOR_EACH_VEC_ELT (rec->calls, i, c)
	    fprintf (dump_file, ";;   call to %s (%s): need "
		     HOST_WIDE_INT_PRINT_DEC "\n",
		     c->name ? c->name : "(indirect)",
		     lstk_callee_kind_word (c->kind), c->need);
	}
    }
  if (lstk_opts.verbose)
    {
      if (rec->maxpath)
	inform (DECL_SOURCE_LOCATION (fun->decl),
		"linkstack: %qD needs no stack check: the checks of its callers "
		"cover its region (at most %wd bytes deep, reserve %wd)",
		fun->decl, d, lstk_opts.reserve);
      else if (rec->checked)
	inform (DECL_SOURCE_LOCATION (fun->decl),
		"linkstack: %qD keeps its stack check (%s)", fun->decl,
		lstk_reasons_text (why));
      else
	inform (DECL_SOURCE_LOCATION (fun->decl),
		"linkstack: %qD needs no stack check (at most %wd bytes "
		"deep, reserve %wd)", fun->decl, d, lstk_opts.reserve);
    }

  if (!rec->checked)
    lstk_placement_drop_check (fun);
  return 0;
}

} // anon namespace

rtl_opt_pass *
lstk_make_pass_placement (gcc::context *ctxt)
{
  return new lstk_placement_pass (ctxt);
}
