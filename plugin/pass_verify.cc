/* pass_verify.cc: check, just before final, that what lstk_reserve
   accounted for is still what will be emitted.

   lstk_reserve patches the stack check right after pro_and_epilogue; a
   dozen RTL passes run between it and final (csa, peephole2, bb-reorder,
   sched2, mach ...).  None of them is expected to add a call or to push
   more outgoing arguments, but the accounting is only as sound as that
   expectation, so this pass walks the final insn stream again and
   compares: every call's need, the frame size and the pushed bytes must
   be within what the check was set for.  A difference is an internal
   error naming the function.  It also emits the warn-dead= findings,
   now that the frame is final.  */

#include "compat.h"
#include "budgets.h"
#include "analysis.h"

namespace {

const pass_data lstk_verify_pass_data =
{
  RTL_PASS,		/* type */
  "lstk_verify",	/* name */
  OPTGROUP_NONE,	/* optinfo_flags */
  TV_NONE,		/* tv_id */
  0,			/* properties_required: after free_cfg there is no CFG */
  0,			/* properties_provided */
  0,			/* properties_destroyed */
  0,			/* todo_flags_start */
  0,			/* todo_flags_finish */
};

class lstk_verify_pass : public rtl_opt_pass
{
public:
  lstk_verify_pass (gcc::context *ctxt)
    : rtl_opt_pass (lstk_verify_pass_data, ctxt)
  {}

  bool gate (function *) final override { return flag_split_stack != 0; }
  unsigned int execute (function *fun) final override;
  opt_pass *clone () final override { return new lstk_verify_pass (m_ctxt); }
};

unsigned int
lstk_verify_pass::execute (function *fun)
{
  lstk_fn *rec = lstk_fn_lookup (lstk_decl_name (fun->decl));

  /* No record: an error stopped the function early.  */
  if (!rec || !rec->done || seen_error ())
    return 0;

  vec<lstk_call> calls = vNULL;
  HOST_WIDE_INT push;
  lstk_collect_calls (fun, NULL, &calls, &push);
  HOST_WIDE_INT n = lstk_calls_n (calls);
  HOST_WIDE_INT a = fun->su ? fun->su->static_stack_size - 8 : 0;
  calls.release ();

  if (dump_file)
    fprintf (dump_file, ";; %s: final N " HOST_WIDE_INT_PRINT_DEC
	     " (accounted " HOST_WIDE_INT_PRINT_DEC "), pushed "
	     HOST_WIDE_INT_PRINT_DEC " (accounted " HOST_WIDE_INT_PRINT_DEC
	     "), frame " HOST_WIDE_INT_PRINT_DEC " (accounted "
	     HOST_WIDE_INT_PRINT_DEC ")\n", function_name (fun), n, rec->n,
	     push, rec->push, a, rec->allocate);

  if (!(rec->reasons & LSTK_WHY_USER)
      && (n > rec->n || push > rec->push || a != rec->allocate))
    error_at (DECL_SOURCE_LOCATION (fun->decl),
	      "linkstack: internal error: %qD changed after its stack check "
	      "was set: calls need %wd bytes below the frame (accounted %wd), "
	      "%wd bytes of pushed arguments (accounted %wd), frame %wd "
	      "(accounted %wd)", fun->decl, n, rec->n, push, rec->push, a,
	      rec->allocate);

  if (lstk_opts.warn_dead >= 0)
    lstk_dead_warn (fun, rec);
  return 0;
}

} // anon namespace

rtl_opt_pass *
lstk_make_pass_verify (gcc::context *ctxt)
{
  return new lstk_verify_pass (ctxt);
}
