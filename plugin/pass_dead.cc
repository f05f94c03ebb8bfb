/* pass_dead.cc: locals that are dead at a call but still in the frame
   (warn-dead=N).

   A function's frame is allocated once, at entry, and holds every local
   that lives in memory until the function returns.  A large buffer used
   only before a deep call therefore stays on the stack while the callee
   runs: the thread's stack must hold both.  Moving the buffer's code into
   a function of its own (its frame is popped before the call) or onto the
   heap makes the path shallower; on a linked stack that is memory saved
   in every thread that takes the path.

   This GIMPLE pass runs after "optimized", when what remains in memory
   will be in the frame: for each local of at least N bytes that is not a
   register (an array, an addressable aggregate), it looks for calls at
   which the variable is dead: no statement reachable after the call
   mentions it, or a pointer derived from its address (copies, casts,
   pointer arithmetic of &VAR).  A variable whose address is stored to
   memory may be used anywhere, so it is never reported; an address
   passed to a call is taken to be used by that call only (the usual
   case; a callee that keeps it makes this a false report).  Calls to
   built-in functions are skipped: GCC often expands them inline, and the
   library ones are shallow.

   The findings wait for lstk_verify (pass_verify.cc), which warns with
   the callee's worst-case depth once the frame is final.  */

#include "compat.h"
#include "budgets.h"
#include "analysis.h"

/* One finding, with strings only: no tree survives the GIMPLE pass.  */
struct lstk_dead_finding
{
  const char *var;
  location_t var_loc;
  HOST_WIDE_INT size;
  location_t call_loc;
  const char *callee;		/* assembler name, NULL if indirect */
};

/* Findings by function (assembler name).  */
static hash_map<nofree_string_hash, vec<lstk_dead_finding> *> *lstk_dead_map;

/* State of one variable's search.  */
struct lstk_dead_var
{
  tree var;
  /* SSA names whose value derives from &VAR.  */
  hash_set<tree> *derived;
  bool escaped;
};

/* walk_tree callback: DATA is an lstk_dead_var; stop (return non-NULL)
   at a mention of the variable or of a derived name.  */
static tree
lstk_dead_mention_1 (tree *tp, int *walk_subtrees, void *data)
{
  lstk_dead_var *dv = (lstk_dead_var *) data;
  tree t = *tp;

  if (t == dv->var)
    return t;
  if (TREE_CODE (t) == SSA_NAME)
    {
      *walk_subtrees = 0;
      return dv->derived->contains (t) ? t : NULL_TREE;
    }
  if (TYPE_P (t))
    *walk_subtrees = 0;
  return NULL_TREE;
}

/* True if T mentions the variable of DV.  */
static bool
lstk_dead_mentions (tree t, lstk_dead_var *dv)
{
  return t && walk_tree_without_duplicates (&t, lstk_dead_mention_1, dv);
}

/* True if STMT mentions the variable of DV (a clobber does not count: it
   ends the variable's life).  */
static bool
lstk_dead_stmt_mentions (gimple *stmt, lstk_dead_var *dv)
{
  if (is_gimple_debug (stmt) || gimple_clobber_p (stmt))
    return false;
  for (unsigned i = 0; i < gimple_num_ops (stmt); i++)
    if (lstk_dead_mentions (gimple_op (stmt, i), dv))
      return true;
  return false;
}

/* True if basic block BB mentions DV's variable, in a statement or PHI.  */
static bool
lstk_dead_bb_mentions (basic_block bb, lstk_dead_var *dv)
{
  for (gphi_iterator pi = gsi_start_phis (bb); !gsi_end_p (pi);
       gsi_next (&pi))
    {
      gphi *phi = pi.phi ();
      for (unsigned i = 0; i < gimple_phi_num_args (phi); i++)
	if (lstk_dead_mentions (gimple_phi_arg_def (phi, i), dv))
	  return true;
    }
  for (gimple_stmt_iterator si = gsi_start_bb (bb); !gsi_end_p (si);
       gsi_next (&si))
    if (lstk_dead_stmt_mentions (gsi_stmt (si), dv))
      return true;
  return false;
}

/* Find the SSA names derived from &VAR (a fixpoint over the function) and
   whether the address escapes into memory.  */
static void
lstk_dead_derive (function *fun, lstk_dead_var *dv)
{
  bool changed = true;
  basic_block bb;

  while (changed)
    {
      changed = false;
      FOR_EACH_BB_FN (bb, fun)
	{
	  for (gphi_iterator pi = gsi_start_phis (bb); !gsi_end_p (pi);
	       gsi_next (&pi))
	    {
	      gphi *phi = pi.phi ();
	      tree res = gimple_phi_result (phi);
	      if (dv->derived->contains (res))
		continue;
	      for (unsigned i = 0; i < gimple_phi_num_args (phi); i++)
		if (lstk_dead_mentions (gimple_phi_arg_def (phi, i), dv))
		  {
		    dv->derived->add (res);
		    changed = true;
		    break;
		  }
	    }
	  for (gimple_stmt_iterator si = gsi_start_bb (bb); !gsi_end_p (si);
	       gsi_next (&si))
	    {
	      gimple *stmt = gsi_stmt (si);
	      if (!is_gimple_assign (stmt))
		continue;
	      tree lhs = gimple_assign_lhs (stmt);
	      if (TREE_CODE (lhs) == SSA_NAME)
		{
		  if (dv->derived->contains (lhs)
		      || !POINTER_TYPE_P (TREE_TYPE (lhs)))
		    continue;
		  for (unsigned i = 1; i < gimple_num_ops (stmt); i++)
		    if (lstk_dead_mentions (gimple_op (stmt, i), dv))
		      {
			dv->derived->add (lhs);
			changed = true;
			break;
		      }
		}
	      else if (gimple_assign_single_p (stmt))
		{
		  /* A store of the address (or a derived pointer) itself.  */
		  tree rhs = gimple_assign_rhs1 (stmt);
		  if ((TREE_CODE (rhs) == ADDR_EXPR
		       && lstk_dead_mentions (rhs, dv))
		      || (TREE_CODE (rhs) == SSA_NAME
			  && dv->derived->contains (rhs)))
		    dv->escaped = true;
		}
	    }
	}
    }
}

/* True if a statement reachable after the one at SI (in its block BB)
   mentions DV's variable.  */
static bool
lstk_dead_used_after (basic_block bb, gimple_stmt_iterator si,
		      lstk_dead_var *dv)
{
  for (gsi_next (&si); !gsi_end_p (si); gsi_next (&si))
    if (lstk_dead_stmt_mentions (gsi_stmt (si), dv))
      return true;

  auto_vec<basic_block> work;
  auto_bitmap seen;
  edge e;
  edge_iterator ei;

  FOR_EACH_EDGE (e, ei, bb->succs)
    work.safe_push (e->dest);
  while (!work.is_empty ())
    {
      basic_block b = work.pop ();
      if (!bitmap_set_bit (seen, b->index))
	continue;
      if (lstk_dead_bb_mentions (b, dv))
	return true;
      FOR_EACH_EDGE (e, ei, b->succs)
	work.safe_push (e->dest);
    }
  return false;
}

namespace {

const pass_data lstk_dead_pass_data =
{
  GIMPLE_PASS,		/* type */
  "lstk_dead",		/* name */
  OPTGROUP_NONE,	/* optinfo_flags */
  TV_NONE,		/* tv_id */
  PROP_cfg | PROP_ssa,	/* properties_required */
  0,			/* properties_provided */
  0,			/* properties_destroyed */
  0,			/* todo_flags_start */
  0,			/* todo_flags_finish */
};

class lstk_dead_pass : public gimple_opt_pass
{
public:
  lstk_dead_pass (gcc::context *ctxt)
    : gimple_opt_pass (lstk_dead_pass_data, ctxt)
  {}

  bool gate (function *) final override
  {
    return lstk_opts.warn_dead >= 0 && flag_split_stack;
  }
  unsigned int execute (function *fun) final override;
  opt_pass *clone () final override { return new lstk_dead_pass (m_ctxt); }
};

unsigned int
lstk_dead_pass::execute (function *fun)
{
  unsigned ix;
  tree var;
  vec<lstk_dead_finding> *out = NULL;

  FOR_EACH_LOCAL_DECL (fun, ix, var)
    {
      if (!VAR_P (var) || TREE_STATIC (var) || DECL_EXTERNAL (var)
	  || is_gimple_reg (var) || DECL_HARD_REGISTER (var)
	  || !DECL_SIZE_UNIT (var) || !tree_fits_uhwi_p (DECL_SIZE_UNIT (var)))
	continue;
      HOST_WIDE_INT size = tree_to_uhwi (DECL_SIZE_UNIT (var));
      if (size < lstk_opts.warn_dead)
	continue;

      hash_set<tree> derived;
      lstk_dead_var dv = { var, &derived, false };
      lstk_dead_derive (fun, &dv);
      if (dv.escaped)
	continue;

      basic_block bb;
      FOR_EACH_BB_FN (bb, fun)
	for (gimple_stmt_iterator si = gsi_start_bb (bb); !gsi_end_p (si);
	     gsi_next (&si))
	  {
	    gimple *stmt = gsi_stmt (si);
	    if (!is_gimple_call (stmt) || gimple_call_internal_p (stmt))
	      continue;
	    tree fndecl = gimple_call_fndecl (stmt);
	    if (fndecl && fndecl_built_in_p (fndecl))
	      continue;
	    if (lstk_dead_stmt_mentions (stmt, &dv)
		|| lstk_dead_used_after (bb, si, &dv))
	      continue;
	    if (!out)
	      {
		if (!lstk_dead_map)
		  lstk_dead_map = new hash_map<nofree_string_hash,
					       vec<lstk_dead_finding> *> (16);
		out = new vec<lstk_dead_finding> ();
		*out = vNULL;
		lstk_dead_map->put (xstrdup (lstk_decl_name (fun->decl)),
				    out);
	      }
	    lstk_dead_finding f;
	    f.var = xstrdup (DECL_NAME (var)
			     ? IDENTIFIER_POINTER (DECL_NAME (var))
			     : "<anonymous>");
	    f.var_loc = DECL_SOURCE_LOCATION (var);
	    f.size = size;
	    f.call_loc = gimple_location (stmt);
	    f.callee = fndecl ? xstrdup (lstk_decl_name (fndecl)) : NULL;
	    out->safe_push (f);
	  }
    }
  return 0;
}

} // anon namespace

void
lstk_dead_warn (function *fun, lstk_fn *rec)
{
  vec<lstk_dead_finding> **p
    = lstk_dead_map ? lstk_dead_map->get (rec->name) : NULL;

  if (!p)
    return;
  vec<lstk_dead_finding> *v = *p;

  /* One warning per variable: at the call with the deepest callee.  */
  for (unsigned i = 0; i < v->length (); i++)
    {
      const lstk_dead_finding &f = (*v)[i];
      bool dup = false;
      for (unsigned j = 0; j < i; j++)
	if ((*v)[j].var_loc == f.var_loc && !strcmp ((*v)[j].var, f.var))
	  dup = true;
      if (dup)
	continue;

      const lstk_dead_finding *best = &f;
      HOST_WIDE_INT best_depth = -1;
      bool best_bounded = true;
      for (unsigned j = i; j < v->length (); j++)
	{
	  const lstk_dead_finding &g = (*v)[j];
	  if (g.var_loc != f.var_loc || strcmp (g.var, f.var))
	    continue;
	  bool bounded = false;
	  HOST_WIDE_INT d = g.callee ? lstk_report_depth_now (g.callee,
							      &bounded) : -1;
	  if (!bounded)
	    d = HOST_WIDE_INT_MAX;
	  if (d > best_depth)
	    {
	      best = &g;
	      best_depth = d;
	      best_bounded = bounded;
	    }
	}

      auto_diagnostic_group grp;
      const char *callee = best->callee ? best->callee : "(indirect)";
      bool warned;
      if (best_bounded)
	warned = warning_at (best->var_loc, 0,
			     "linkstack: %qs (%wd bytes) is dead at the call "
			     "to %qs but stays in the frame of %qD while the "
			     "callee runs, up to %wd bytes deep",
			     best->var, best->size, callee, fun->decl,
			     best_depth);
      else
	warned = warning_at (best->var_loc, 0,
			     "linkstack: %qs (%wd bytes) is dead at the call "
			     "to %qs but stays in the frame of %qD while the "
			     "callee runs, to an unknown depth",
			     best->var, best->size, callee, fun->decl);
      if (warned)
	{
	  inform (best->call_loc, "linkstack: the call to %qs is here",
		  callee);
	  inform (best->var_loc, "linkstack: move the code that uses %qs "
		  "into a function of its own (a narrower scope, whose frame "
		  "is gone before the call), or allocate it on the heap",
		  best->var);
	}
    }
}

gimple_opt_pass *
lstk_make_pass_dead (gcc::context *ctxt)
{
  return new lstk_dead_pass (ctxt);
}
