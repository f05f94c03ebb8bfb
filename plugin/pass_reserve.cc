/* pass_reserve.cc: make a function's stack check ask for what its callees
   cannot ask for themselves.

   GCC's split-stack check covers the function's own frame, A bytes, and
   nothing below it.  That is enough when every callee checks for itself.
   Two kinds of stack use below the frame go unchecked:

     E_ext   a call into code the plugin cannot see runs on what is left
	     of the chunk: a function not defined in this file (or defined
	     weak, or an ifunc), one listed in external=, one with
	     no_split_stack, any call through a pointer, and two calls that
	     are no call insns: a TLS descriptor (-mtls-dialect=gnu2) and
	     mcount (-pg).  Each gets its budget (budgets.cc):
	     external-reserve= bytes, 16 KiB by default, or a smaller
	     measured one (lstk_* = 512); E_ext is the largest.
     E_push  outgoing arguments pushed at a call site (without
	     -maccumulate-outgoing-args, x86-64's default) are not part of
	     GCC's frame size: they are written below it before the callee
	     can check anything.

   This pass adds E = E_ext + E_push to the request: the check compares
   rsp - (A + E) with the guard, and a failed check asks __morestack for
   A + E bytes (in r10).  (E_ext + E_push bounds max over call sites of
   "arguments pushed there + the callee's budget"; a per-site maximum would
   be tighter.  Later work.)

   Why right after "pro_and_epilogue": that pass emits the split-stack
   prologue (function.cc, make_split_prologue_seq ->
   ix86_expand_split_stack_prologue) and computes the final frame; it also
   fills cfun->su (output_stack_usage, when flag_stack_usage_info is on).
   Later passes move or rewrite the prologue's insns (bb-reorder; the
   splitters turn "r10 = 0" into "xor %r10d, %r10d").  Before it, there
   is no prologue to patch.

   The prologue at this point, small frame (A < SPLIT_STACK_AVAILABLE =
   256: the guard always leaves 256 bytes below it), from a GCC 12.2 dump:

     (insn 66 4 67 2 (set (reg:CC 17 flags)
	     (compare:CC (reg/f:DI 7 sp)
		 (mem/u/c:DI (const_int 112 [0x70]) [0  S8 A8 AS1]))) -1)
     (jump_insn 67 66 83 2 (set (pc)
	     (if_then_else (geu (reg:CC 17 flags) (const_int 0 [0]))
		 (label_ref 72)
		 (pc))) -1)
     (insn 68 83 69 3 (set (reg:DI 38 r10) (const_int 216 [0xd8])) -1)
     (insn 69 68 70 3 (set (reg:DI 39 r11) (const_int 0 [0])) -1)
     (call_insn 70 69 71 3 (call (mem:QI (symbol_ref:DI ("__morestack")))
	     (const_int 8 [0x8])) -1 ...)

   AS1 is ADDR_SPACE_SEG_FS: the mem is %fs:0x70, the guard in glibc's
   tcbhead_t.__private_ss (TARGET_THREAD_SPLIT_STACK_OFFSET).  The large
   form (A >= 256) computes the frame's bottom into the scratch r11 first:

     (insn (set (reg:DI 39 r11)
		(plus:DI (reg/f:DI 7 sp) (const_int -5016))) -1)
     (insn (set (reg:CC 17 flags)
		(compare:CC (reg:DI 39 r11) (mem/u/c:DI (const_int 112) AS1))))
     ...

   Patch, small form:  insert "r11 = sp - (A+E)" before the compare and
		       compare r11 instead of sp;
	  large form:  "r11 = sp - A" becomes "r11 = sp - (A+E)";
	  both:        "r10 = A" becomes "r10 = A+E".
   r11 is free at entry: it is the split prologue's own scratch, never an
   argument register.  A varargs function gets its overflow-area pointer
   in r11 *after* the branch (fast path: "r11 = sp + 8"; __morestack path:
   "r11 = bp + 24"), so the inserted r11 is dead by then.  A static chain
   arrives in r10, but the prologue copies it to rax before loading A.
   A function whose frame does not fit an imm32 uses "r11 = -A;
   r11 += sp"; A + E must fit an imm32 or the compile fails.

   Any other shape is not patched: it is reported as an internal error,
   never silently left unpatched (an unpatched prologue is a stack
   overflow waiting for a caller of printf on a small chunk).  */

#include "compat.h"
#include "budgets.h"

/* The split-stack prologue insns of a function.  */
struct lstk_reserve_prologue
{
  /* Large form: r11 = sp + -A.  NULL in the small form.  */
  rtx_insn *lea;
  /* flags = compare (sp or r11, guard).  */
  rtx_insn *compare;
  /* r10 = A, on the way to __morestack.  */
  rtx_insn *r10;
  /* The call to __morestack.  */
  rtx_insn *call;
  /* A: the bytes of frame the prologue asks for.  */
  HOST_WIDE_INT allocate;
};

/* What lstk_reserve_match found.  */
enum lstk_reserve_shape
{
  LSTK_SHAPE_OK,		/* small or large form: patchable */
  LSTK_SHAPE_HUGE,		/* A does not fit an imm32 */
  LSTK_SHAPE_UNKNOWN		/* anything else */
};

/* True if X is (reg:DI REGNO).  */
static bool
lstk_reserve_reg_p (rtx x, unsigned int regno)
{
  return REG_P (x) && REGNO (x) == regno && GET_MODE (x) == DImode;
}

/* True if X is the guard: (mem:DI (const_int 0x70)) in the %fs space.  */
static bool
lstk_reserve_guard_p (rtx x)
{
  return (MEM_P (x)
	  && GET_MODE (x) == DImode
	  && MEM_ADDR_SPACE (x) == ADDR_SPACE_SEG_FS
	  && CONST_INT_P (XEXP (x, 0))
	  && INTVAL (XEXP (x, 0)) == TARGET_THREAD_SPLIT_STACK_OFFSET);
}

/* If INSN is (set (reg:DI REGNO) SRC) return SRC, else NULL.  */
static rtx
lstk_reserve_set_of (rtx_insn *insn, unsigned int regno)
{
  rtx pat;

  if (!insn || !NONJUMP_INSN_P (insn))
    return NULL_RTX;
  pat = PATTERN (insn);
  if (GET_CODE (pat) != SET || !lstk_reserve_reg_p (SET_DEST (pat), regno))
    return NULL_RTX;
  return SET_SRC (pat);
}

/* True if INSN is (set (reg:CC flags) (compare:CC (reg:DI REGNO) guard)).  */
static bool
lstk_reserve_compare_p (rtx_insn *insn, unsigned int regno)
{
  rtx pat, src;

  if (!insn || !NONJUMP_INSN_P (insn))
    return false;
  pat = PATTERN (insn);
  if (GET_CODE (pat) != SET
      || !REG_P (SET_DEST (pat))
      || REGNO (SET_DEST (pat)) != FLAGS_REG)
    return false;
  src = SET_SRC (pat);
  return (GET_CODE (src) == COMPARE
	  && lstk_reserve_reg_p (XEXP (src, 0), regno)
	  && lstk_reserve_guard_p (XEXP (src, 1)));
}

/* The symbol a CALL_P INSN calls, or NULL for an indirect call.  */
static rtx
lstk_reserve_call_symbol (rtx_insn *insn)
{
  rtx call = get_call_rtx_from (insn);
  rtx addr;

  if (!call || !MEM_P (XEXP (call, 0)))
    return NULL_RTX;
  addr = XEXP (XEXP (call, 0), 0);
  return SYMBOL_REF_P (addr) ? addr : NULL_RTX;
}

/* True if SYM names libgcc's (or linkstack's) split-stack runtime: the
   prologue's call, __morestack_allocate_stack_space for alloca, ...
   They are the growth path, not calls of the function's body.  */
static bool
lstk_reserve_morestack_p (rtx sym)
{
  return sym && startswith (XSTR (sym, 0), "__morestack");
}

/* The next non-debug insn after INSN, skipping notes; stops (returns the
   label) at a code label, which no prologue contains before its call.  */
static rtx_insn *
lstk_reserve_next (rtx_insn *insn)
{
  for (insn = NEXT_INSN (insn); insn; insn = NEXT_INSN (insn))
    if (NONDEBUG_INSN_P (insn) || LABEL_P (insn))
      return insn;
  return NULL;
}

/* Find the split-stack prologue at the start of the current function and
   fill P.  It is the first thing in the insn stream: make_split_prologue_seq
   puts it on the entry edge, which shrink-wrapping does not move.  */
static enum lstk_reserve_shape
lstk_reserve_match (struct lstk_reserve_prologue *p)
{
  rtx_insn *insn;
  rtx src;

  memset (p, 0, sizeof *p);
  for (insn = get_insns (); insn && !NONDEBUG_INSN_P (insn);
       insn = NEXT_INSN (insn))
    ;

  /* Large form: (set (reg r11) (plus (reg sp) (const_int -A))).  */
  src = lstk_reserve_set_of (insn, R11_REG);
  if (src)
    {
      if (GET_CODE (src) == PLUS
	  && XEXP (src, 0) == stack_pointer_rtx
	  && CONST_INT_P (XEXP (src, 1)))
	{
	  p->lea = insn;
	  insn = lstk_reserve_next (insn);
	}
      else if (CONST_INT_P (src))
	/* (set r11 (const_int -A)) (set r11 (plus r11 sp)): A >= 2^31.  */
	return LSTK_SHAPE_HUGE;
      else
	return LSTK_SHAPE_UNKNOWN;
    }

  if (!lstk_reserve_compare_p (insn, p->lea ? R11_REG : STACK_POINTER_REGNUM))
    return LSTK_SHAPE_UNKNOWN;
  p->compare = insn;

  insn = lstk_reserve_next (insn);
  if (!insn || !any_condjump_p (insn))
    return LSTK_SHAPE_UNKNOWN;

  /* The fallthrough path: [rax = r10 (static chain)], r10 = A,
     r11 = incoming stack-argument bytes, in some order, then the call.  */
  for (insn = lstk_reserve_next (insn); insn && !CALL_P (insn);
       insn = lstk_reserve_next (insn))
    {
      if (LABEL_P (insn) || JUMP_P (insn))
	return LSTK_SHAPE_UNKNOWN;
      src = lstk_reserve_set_of (insn, R10_REG);
      if (src)
	{
	  if (!CONST_INT_P (src) || p->r10)
	    return LSTK_SHAPE_UNKNOWN;
	  p->r10 = insn;
	  p->allocate = INTVAL (src);
	}
    }
  if (!insn || !p->r10)
    return LSTK_SHAPE_UNKNOWN;

  rtx sym = lstk_reserve_call_symbol (insn);
  if (!sym || strcmp (XSTR (sym, 0), "__morestack") != 0)
    return LSTK_SHAPE_UNKNOWN;
  p->call = insn;

  /* Both forms name A twice: they must agree.  */
  if (p->lea && -INTVAL (XEXP (SET_SRC (PATTERN (p->lea)), 1)) != p->allocate)
    return LSTK_SHAPE_UNKNOWN;
  if (p->allocate < 0)
    return LSTK_SHAPE_UNKNOWN;
  return LSTK_SHAPE_OK;
}

/* The symbol name SYM refers to, without the '*' that marks a name given
   with asm ("...") (emitted verbatim).  */
static const char *
lstk_reserve_symbol_name (rtx sym)
{
  const char *name = XSTR (sym, 0);

  return name[0] == '*' ? name + 1 : name;
}

/* The budget of the call INSN: 0 if the callee checks for itself (it is
   defined in this file with a split-stack prologue), else the bytes it may
   use below the call.  Sets *NAME to the callee's symbol (NULL for an
   indirect call).  */
static HOST_WIDE_INT
lstk_reserve_call_budget (rtx_insn *insn, const char **name)
{
  rtx sym = lstk_reserve_call_symbol (insn);
  tree decl;

  *name = NULL;
  if (!sym)
    return lstk_budget_for (NULL);	/* through a pointer */

  /* The symbol, not DECL_NAME: __builtin_memset's symbol is memset, and
     the runtime's lstk_* functions are known by their symbols.  */
  *name = lstk_reserve_symbol_name (sym);
  if (lstk_reserve_morestack_p (sym))
    return 0;
  decl = SYMBOL_REF_DECL (sym);
  if (decl && TREE_CODE (decl) == FUNCTION_DECL)
    {
      cgraph_node *node = cgraph_node::get (decl);

      /* external= names functions as written in the source; accept the
	 symbol too (C++: mangled).  */
      if (lstk_budget_listed_external_p (*name)
	  || (DECL_NAME (decl)
	      && lstk_budget_listed_external_p (IDENTIFIER_POINTER
						(DECL_NAME (decl)))))
	return lstk_budget_for (*name);

      /* An ifunc runs whatever its resolver returns, at run time.  */
      if (lookup_attribute ("ifunc", DECL_ATTRIBUTES (decl)))
	return lstk_budget_for (*name);

      /* Follow aliases to the body that will run.  A body in this file
	 gets its own split-stack prologue unless it is no_split_stack,
	 and is the one that runs unless:
	   - it is extern inline (gnu_inline): it only serves inlining,
	     calls go to the external definition;
	   - it is weak (not COMDAT): a strong definition elsewhere, maybe
	     compiled without the plugin, replaces it at link time.
	 A COMDAT copy (C++ inline function, template) counts as ours: all
	 copies are the same code, compiled the same way as long as every
	 object that has one uses the plugin.  Likewise an interposable
	 definition (-fPIC, default visibility).  */
      if (node)
	node = node->ultimate_alias_target ();
      if (node
	  && node->definition
	  && !DECL_EXTERNAL (node->decl)
	  && !((DECL_WEAK (decl) && !DECL_COMDAT (decl))
	       || (DECL_WEAK (node->decl) && !DECL_COMDAT (node->decl)))
	  && !lstk_no_split_stack_p (node->decl))
	return 0;
    }
  /* A declared-only function, or a libcall GCC emitted by itself
     (memcpy for a block move, __divti3, ...: no decl).  */
  return lstk_budget_for (*name);
}

/* True if INSN calls a TLS descriptor (-mtls-dialect=gnu2): not a CALL_P
   insn, but "call *x@TLSCALL(%rax)" runs the dynamic linker's resolver on
   this stack.  i386.md's *tls_dynamic_gnu2_call_64:
     (set (reg:DI ax) (unspec:DI [(symbol_ref "x") (reg:DI ax) (reg sp)]
			       UNSPEC_TLSDESC))
   (the lea that loads the descriptor has the same unspec without sp).  */
static bool
lstk_reserve_tlsdesc_call_p (rtx_insn *insn)
{
  subrtx_iterator::array_type array;

  FOR_EACH_SUBRTX (iter, array, PATTERN (insn), NONCONST)
    {
      const_rtx x = *iter;

      if (GET_CODE (x) == UNSPEC && XINT (x, 1) == UNSPEC_TLSDESC)
	for (int i = 0; i < XVECLEN (x, 0); i++)
	  if (XVECEXP (x, 0, i) == stack_pointer_rtx)
	    return true;
    }
  return false;
}

/* Print the prologue insns of P to the dump file.  */
static void
lstk_reserve_dump_prologue (const struct lstk_reserve_prologue *p,
			    const char *when)
{
  if (!dump_file || !(dump_flags & TDF_DETAILS))
    return;
  fprintf (dump_file, ";; prologue %s:\n", when);
  if (p->lea)
    print_rtl_single (dump_file, p->lea);
  else if (PREV_INSN (p->compare)
	   && lstk_reserve_set_of (PREV_INSN (p->compare), R11_REG))
    print_rtl_single (dump_file, PREV_INSN (p->compare));
  print_rtl_single (dump_file, p->compare);
  print_rtl_single (dump_file, p->r10);
}

/* Rewrite prologue P to ask for WANT = A + E bytes.  Returns false, having
   changed nothing that matters, if GCC does not recognize the result.  */
static bool
lstk_reserve_patch (struct lstk_reserve_prologue *p, HOST_WIDE_INT want)
{
  rtx_insn *lea = NULL;

  if (p->lea)
    validate_change (p->lea, &XEXP (SET_SRC (PATTERN (p->lea)), 1),
		     GEN_INT (-want), true);
  else
    {
      /* r11 = sp - WANT, the same RTL GCC uses for the large form, which
	 the *lea<mode> pattern of i386.md matches (no flags clobber).  */
      rtx r11 = gen_rtx_REG (DImode, R11_REG);
      lea = emit_insn_before (gen_rtx_SET (r11,
					   plus_constant (DImode,
							  stack_pointer_rtx,
							  -want)),
			      p->compare);
      INSN_LOCATION (lea) = INSN_LOCATION (p->compare);
      if (recog_memoized (lea) < 0)
	{
	  delete_insn (lea);
	  return false;
	}
      validate_change (p->compare, &XEXP (SET_SRC (PATTERN (p->compare)), 0),
		       r11, true);
    }
  validate_change (p->r10, &SET_SRC (PATTERN (p->r10)), GEN_INT (want), true);

  if (!apply_change_group ())
    {
      if (lea)
	delete_insn (lea);
      return false;
    }
  return true;
}

/* Kinds of uninstrumented code a function calls.  */
enum lstk_callee_kind
{
  LSTK_CALLEE_NAMED,		/* a function, by its symbol */
  LSTK_CALLEE_INDIRECT,		/* through a pointer */
  LSTK_CALLEE_TLSDESC		/* a TLS descriptor's resolver */
};

/* What a function needs below its frame: E = ext + push.  */
struct lstk_reserve_need
{
  /* E_ext: the largest budget of the uninstrumented code it calls ...  */
  HOST_WIDE_INT ext;
  /* ... which is of this kind, for notes and dumps.  */
  enum lstk_callee_kind kind;
  /* The callee's symbol, for LSTK_CALLEE_NAMED.  */
  const char *name;
  /* E_push: the most bytes of outgoing arguments pushed at once.  */
  HOST_WIDE_INT push;
};

/* Account in NEED for uninstrumented code of BUDGET bytes, of KIND (and
   NAME).  */
static void
lstk_reserve_need_callee (struct lstk_reserve_need *need, HOST_WIDE_INT budget,
			  enum lstk_callee_kind kind, const char *name)
{
  if (budget <= need->ext)
    return;
  need->ext = budget;
  need->kind = kind;
  need->name = name;
}

/* Walk the current function's insns (FUN's) and fill NEED.  PROLOGUE_CALL
   is the prologue's own call to __morestack (NULL if none was found).  */
static void
lstk_reserve_compute_need (function *fun, rtx_insn *prologue_call,
			   struct lstk_reserve_need *need)
{
  bool details = dump_file && (dump_flags & TDF_DETAILS);

  memset (need, 0, sizeof *need);
  for (rtx_insn *insn = get_insns (); insn; insn = NEXT_INSN (insn))
    {
      if (!INSN_P (insn))
	continue;

      if (CALL_P (insn) && insn != prologue_call)
	{
	  const char *name;
	  HOST_WIDE_INT b = lstk_reserve_call_budget (insn, &name);

	  if (details)
	    fprintf (dump_file, ";; call insn %d to %s: budget "
		     HOST_WIDE_INT_PRINT_DEC "\n",
		     INSN_UID (insn), name ? name : "(indirect)", b);
	  lstk_reserve_need_callee (need, b,
				    name ? LSTK_CALLEE_NAMED
				    : LSTK_CALLEE_INDIRECT,
				    name);
	}
      else if (NONJUMP_INSN_P (insn) && lstk_reserve_tlsdesc_call_p (insn))
	{
	  HOST_WIDE_INT b = lstk_budget_for (NULL);

	  if (details)
	    fprintf (dump_file, ";; insn %d calls a TLS descriptor: budget "
		     HOST_WIDE_INT_PRINT_DEC "\n", INSN_UID (insn), b);
	  lstk_reserve_need_callee (need, b,
				    LSTK_CALLEE_TLSDESC,
				    NULL);
	}

      /* E_push: REG_ARGS_SIZE notes say, at each push and call, how many
	 bytes of outgoing arguments are on the stack below the frame
	 (dwarf2cfi reads them too).  Their maximum covers deferred pops:
	 with -O2 the arguments of several calls may pile up.  */
      rtx note = find_reg_note (insn, REG_ARGS_SIZE, NULL_RTX);
      if (note)
	need->push = MAX (need->push,
			  constant_lower_bound (get_args_size (note)));
    }

  /* -pg: x86_function_profiler's call to mcount is no call insn (final
     prints it); mcount runs on this stack.  (-mfentry's __fentry__ runs
     before the check: nothing to reserve there.)  */
  if (crtl->profile)
    lstk_reserve_need_callee (need, lstk_budget_for ("mcount"),
			      LSTK_CALLEE_NAMED, "mcount");

  /* calls.cc's own record of the pushed bytes (expand_call, when
     flag_stack_usage_info and !ACCUMULATE_OUTGOING_ARGS); the larger
     of the two counts.  */
  if (fun->su)
    {
      HOST_WIDE_INT pushed
	= constant_lower_bound (current_function_pushed_stack_size);

      if (details)
	fprintf (dump_file, ";; pushed arguments: " HOST_WIDE_INT_PRINT_DEC
		 " by REG_ARGS_SIZE, " HOST_WIDE_INT_PRINT_DEC " by cfun->su\n",
		 need->push, pushed);
      need->push = MAX (need->push, pushed);
    }
}

/* Tell the user (verbose) how FUN's request grew from ALLOCATE to WANT.  */
static void
lstk_reserve_inform (function *fun, const struct lstk_reserve_need *need,
		     HOST_WIDE_INT allocate, HOST_WIDE_INT want)
{
  location_t loc = DECL_SOURCE_LOCATION (fun->decl);

  if (want == allocate)
    inform (loc, "linkstack: %qD: stack request not enlarged", fun->decl);
  else if (need->ext == 0)
    inform (loc, "linkstack: %qD: stack request enlarged from %wd to %wd "
	    "bytes (%wd of pushed arguments)",
	    fun->decl, allocate, want, need->push);
  else if (need->kind == LSTK_CALLEE_NAMED)
    inform (loc, "linkstack: %qD: stack request enlarged from %wd to %wd "
	    "bytes (%wd for a call to %qs, %wd of pushed arguments)",
	    fun->decl, allocate, want, need->ext, need->name, need->push);
  else if (need->kind == LSTK_CALLEE_INDIRECT)
    inform (loc, "linkstack: %qD: stack request enlarged from %wd to %wd "
	    "bytes (%wd for an indirect call, %wd of pushed arguments)",
	    fun->decl, allocate, want, need->ext, need->push);
  else
    inform (loc, "linkstack: %qD: stack request enlarged from %wd to %wd "
	    "bytes (%wd for a TLS descriptor call, %wd of pushed arguments)",
	    fun->decl, allocate, want, need->ext, need->push);
}

namespace {

const pass_data lstk_reserve_pass_data =
{
  RTL_PASS,		/* type */
  "lstk_reserve",	/* name (-fdump-rtl-lstk_reserve) */
  OPTGROUP_NONE,	/* optinfo_flags */
  TV_NONE,		/* tv_id */
  PROP_rtl,		/* properties_required */
  0,			/* properties_provided */
  0,			/* properties_destroyed */
  0,			/* todo_flags_start */
  0,			/* todo_flags_finish */
};

class lstk_reserve_pass : public rtl_opt_pass
{
public:
  lstk_reserve_pass (gcc::context *ctxt)
    : rtl_opt_pass (lstk_reserve_pass_data, ctxt)
  {}

  bool gate (function *) final override { return flag_split_stack != 0; }
  unsigned int execute (function *fun) final override;
  opt_pass *clone () final override
  {
    return new lstk_reserve_pass (m_ctxt);
  }
};

unsigned int
lstk_reserve_pass::execute (function *fun)
{
  struct lstk_reserve_prologue p;
  struct lstk_reserve_need need;
  location_t loc = DECL_SOURCE_LOCATION (fun->decl);
  HOST_WIDE_INT want;

  /* No prologue was emitted: nothing to enlarge.  Such a function is
     uninstrumented; its callers account for it (lstk_reserve_call_budget).  */
  if (lstk_no_split_stack_p (fun->decl))
    return 0;

  enum lstk_reserve_shape shape = lstk_reserve_match (&p);
  lstk_reserve_compute_need (fun, p.call, &need);
  want = p.allocate + need.ext + need.push;

  if (dump_file)
    fprintf (dump_file, ";; %s: prologue %s, allocate " HOST_WIDE_INT_PRINT_DEC
	     ", static size " HOST_WIDE_INT_PRINT_DEC ", E_ext "
	     HOST_WIDE_INT_PRINT_DEC ", E_push " HOST_WIDE_INT_PRINT_DEC
	     ", request " HOST_WIDE_INT_PRINT_DEC "\n",
	     function_name (fun),
	     shape == LSTK_SHAPE_OK ? "matched"
	     : shape == LSTK_SHAPE_HUGE ? "huge" : "not recognised",
	     p.allocate, fun->su ? (HOST_WIDE_INT) fun->su->static_stack_size
				 : (HOST_WIDE_INT) -1,
	     need.ext, need.push, want);

  /* Nothing below the frame: GCC's prologue is right as it is, whatever
     its shape.  */
  if (need.ext + need.push == 0)
    {
      if (lstk_opts.verbose)
	lstk_reserve_inform (fun, &need, p.allocate, want);
      return 0;
    }

  /* r10 is loaded with "movl $imm32" and r11 with "lea -imm32(%rsp)".  */
  if (shape == LSTK_SHAPE_HUGE || want > 0x7fffffff)
    {
      error_at (loc, "linkstack: the stack request of %qD does not fit in "
		"32 bits", fun->decl);
      return 0;
    }

  if (shape == LSTK_SHAPE_OK)
    lstk_reserve_dump_prologue (&p, "before");
  if (shape != LSTK_SHAPE_OK || !lstk_reserve_patch (&p, want))
    {
      error_at (loc, "linkstack: internal error: unrecognised split-stack "
		"prologue in %qD", fun->decl);
      return 0;
    }
  lstk_reserve_dump_prologue (&p, "after");

  if (lstk_opts.verbose)
    lstk_reserve_inform (fun, &need, p.allocate, want);
  return 0;
}

} // anon namespace

rtl_opt_pass *
lstk_make_pass_reserve (gcc::context *ctxt)
{
  return new lstk_reserve_pass (ctxt);
}
