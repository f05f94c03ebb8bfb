/* pass_refuse.cc: refuse, with an error, what linked stacks cannot run.

   Three constructs move the stack pointer, or run code, in ways neither
   the split-stack checks nor the runtime can follow (D2 and D3 of
   issue 9):

     - a trampoline (the address of a nested function that uses its
       parent's variables): GCC writes the trampoline's code into the
       parent's frame and jumps to it; stack chunks are not executable
       (and must not be), so the call faults;
     - __builtin_setjmp / __builtin_longjmp: the jump restores the stack
       pointer saved in the buffer, maybe on an older chunk, but leaves the
       guard (%fs:0x70) and the runtime's current chunk at the deeper one:
       the next checks compare against the wrong chunk, then overrun it.
       (The C library's setjmp/longjmp are intercepted by liblinkstack,
       which restores both: use them.)
     - a nonlocal goto (from a nested function to a label of its parent):
       the same stale guard.

   Each is an error at the construct, naming it and the way out.  The pass
   runs on GIMPLE after "optimized", in cc1 and in lto1 alike (a construct
   optimized away is no error): nested functions are lowered into
   __builtin_init_trampoline and __builtin_nonlocal_goto calls by then,
   __builtin_setjmp into __builtin_setjmp_setup, and none of them is
   expanded yet.  */

#include "compat.h"

/* The nested function whose trampoline CALL (__builtin_init_trampoline
   (tramp, &fn, chain)) initialises, or NULL.  */
static tree
lstk_refuse_tramp_fn (gcall *call)
{
  tree fn = gimple_call_arg (call, 1);

  if (TREE_CODE (fn) == ADDR_EXPR
      && TREE_CODE (TREE_OPERAND (fn, 0)) == FUNCTION_DECL)
    return TREE_OPERAND (fn, 0);
  return NULL_TREE;
}

namespace {

const pass_data lstk_refuse_pass_data =
{
  GIMPLE_PASS,		/* type */
  "lstk_refuse",	/* name */
  OPTGROUP_NONE,	/* optinfo_flags */
  TV_NONE,		/* tv_id */
  PROP_cfg,		/* properties_required */
  0,			/* properties_provided */
  0,			/* properties_destroyed */
  0,			/* todo_flags_start */
  0,			/* todo_flags_finish */
};

class lstk_refuse_pass : public gimple_opt_pass
{
public:
  lstk_refuse_pass (gcc::context *ctxt)
    : gimple_opt_pass (lstk_refuse_pass_data, ctxt)
  {}

  bool gate (function *) final override { return flag_split_stack != 0; }
  unsigned int execute (function *fun) final override;
  opt_pass *clone () final override { return new lstk_refuse_pass (m_ctxt); }
};

unsigned int
lstk_refuse_pass::execute (function *fun)
{
  basic_block bb;

  FOR_EACH_BB_FN (bb, fun)
    for (gimple_stmt_iterator gsi = gsi_start_bb (bb); !gsi_end_p (gsi);
	 gsi_next (&gsi))
      {
	gcall *call = dyn_cast <gcall *> (gsi_stmt (gsi));
	if (!call)
	  continue;
	location_t loc = gimple_location (call);
	if (gimple_call_builtin_p (call, BUILT_IN_INIT_TRAMPOLINE)
	    || gimple_call_builtin_p (call, BUILT_IN_INIT_HEAP_TRAMPOLINE))
	  {
	    tree fn = lstk_refuse_tramp_fn (call);
	    if (fn)
	      error_at (loc, "linkstack: taking the address of the nested "
			"function %qD needs a trampoline on the stack, and "
			"linked stacks are not executable; make %qD a "
			"top-level function and pass what it uses from %qD "
			"explicitly", fn, fn, fun->decl);
	    else
	      error_at (loc, "linkstack: this nested function needs a "
			"trampoline on the stack, and linked stacks are not "
			"executable");
	  }
	else if (gimple_call_builtin_p (call, BUILT_IN_SETJMP_SETUP))
	  error_at (loc, "linkstack: %<__builtin_setjmp%> is not supported: "
		    "a %<__builtin_longjmp%> back from another stack chunk "
		    "would leave the stack guard of that chunk in place; use "
		    "%<setjmp%> and %<longjmp%>, which liblinkstack handles");
	else if (gimple_call_builtin_p (call, BUILT_IN_LONGJMP))
	  error_at (loc, "linkstack: %<__builtin_longjmp%> is not supported: "
		    "jumping back from another stack chunk would leave that "
		    "stack guard of that chunk in place; use %<setjmp%> and "
		    "%<longjmp%>, which liblinkstack handles");
	else if (gimple_call_builtin_p (call, BUILT_IN_NONLOCAL_GOTO))
	  error_at (loc, "linkstack: a nonlocal %<goto%> out of a nested "
		    "function is not supported: jumping back from another "
		    "stack chunk would leave the stack guard of that chunk in "
		    "place; return a status instead, or use %<setjmp%> and "
		    "%<longjmp%>, which liblinkstack handles");
      }
  return 0;
}

} // anon namespace

gimple_opt_pass *
lstk_make_pass_refuse (gcc::context *ctxt)
{
  return new lstk_refuse_pass (ctxt);
}
