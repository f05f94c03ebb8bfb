/* pass_reserve.cc: measure the exact frame, verify the placement, and
   make each stack check ask for what lies below its frame.

   GCC's split-stack check covers the function's own frame, A bytes, and
   nothing below it: the small form (A < 256) checks "rsp >= guard", the
   large form "rsp - A >= guard".  Below the frame, before the next check
   runs, the function's region D = A + N is used (analysis.h): pushed
   arguments, return addresses, the callees it calls without a check in
   between (unchecked functions of this unit, whose regions are known;
   code the plugin cannot see, with its budget and R below it), and the
   pushes of a failed check in a checked callee.  The runtime keeps R
   bytes free below every guard.  So a check "rsp - T >= guard" makes the
   region safe iff D <= T + R.  This pass computes D from the exact frame
   and patches the check to T = max (A, D - R) when the natural threshold
   (0 or A) is smaller than D - R.  Functions the placement left unchecked must have D <= R:
   a larger D is a broken assumption, reported as an internal error that
   names the function, never left in the output.

   The r10 value (what __morestack allocates for the body on the new
   chunk) becomes T as well, so the body finds T bytes above the new
   guard too.

   alloca/VLA: GCC's space check before each dynamic allocation compares
   "rsp - size" with the guard and, if it passes, moves rsp down there;
   after it only R bytes are known to be free below rsp.  When the
   function's calls need more (N > R), each space check is patched to
   demand N - R bytes more; the heap path leaves rsp where the prologue's
   check put it.

   Why right after "pro_and_epilogue": that pass emits the split-stack
   prologue (function.cc, make_split_prologue_seq ->
   ix86_expand_split_stack_prologue) and computes the final frame; it also
   fills cfun->su (output_stack_usage, when flag_stack_usage_info is on).
   Later passes move or rewrite the prologue's insns (bb-reorder; the
   splitters turn "r10 = 0" into "xor %r10d, %r10d").  Before it, there
   is no prologue to patch.  lstk_verify (pass_verify.cc) checks, just
   before final, that no later pass added a call or a push.

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
#include "analysis.h"

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

  rtx sym = lstk_call_symbol (insn);
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

/* Rewrite prologue P to check "rsp - THRESHOLD >= guard" and ask
   __morestack for WANT bytes.  Returns false, having changed nothing that
   matters, if GCC does not recognize the result.  */
static bool
lstk_reserve_patch (struct lstk_reserve_prologue *p, HOST_WIDE_INT threshold,
		    HOST_WIDE_INT want)
{
  rtx_insn *lea = NULL;

  if (p->lea)
    validate_change (p->lea, &XEXP (SET_SRC (PATTERN (p->lea)), 1),
		     GEN_INT (-threshold), true);
  else
    {
      /* r11 = sp - THRESHOLD, the same RTL GCC uses for the large form,
	 which the *lea<mode> pattern of i386.md matches (no flags
	 clobber).  */
      rtx r11 = gen_rtx_REG (DImode, R11_REG);
      lea = emit_insn_before (gen_rtx_SET (r11,
					   plus_constant (DImode,
							  stack_pointer_rtx,
							  -threshold)),
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

/* Emit "REG = REG + DELTA" (a lea: no flags clobber) before or after
   INSN.  Returns false if GCC does not recognize it.  */
static bool
lstk_reserve_emit_adjust (rtx reg, HOST_WIDE_INT delta, rtx_insn *insn,
			  bool after)
{
  rtx set = gen_rtx_SET (reg, plus_constant (DImode, reg, delta));
  rtx_insn *adj = after ? emit_insn_after (set, insn)
			: emit_insn_before (set, insn);
  INSN_LOCATION (adj) = INSN_LOCATION (insn);
  if (recog_memoized (adj) < 0)
    {
      delete_insn (adj);
      return false;
    }
  return true;
}

/* Make every alloca/VLA space check of the current function other than
   the prologue's compare (PROLOGUE_COMPARE, may be NULL) demand EXTRA more
   bytes.  explow.cc's allocate_dynamic_stack_space emits, through i386.md's
   split_stack_space_check expander:

     (set (reg:DI X) (minus:DI (reg sp) (reg size)))   X = the new sp
     (set (reg:CC flags) (compare:CC (reg:DI X) (mem:DI (const_int 0x70) AS1)))
     (set (pc) (if_then_else (geu flags 0) (label_ref available) (pc)))

   X stays live (it becomes rsp on the "available" path), so the compare
   is wrapped: "X -= EXTRA" before it and "X += EXTRA" after it, two leas
   that leave the flags alone.  Returns the number of checks patched, or
   -1 if one had another shape.  */
static int
lstk_reserve_patch_space_checks (rtx_insn *prologue_compare,
				 HOST_WIDE_INT extra)
{
  int n = 0;

  for (rtx_insn *insn = get_insns (); insn; insn = NEXT_INSN (insn))
    {
      if (insn == prologue_compare || !NONJUMP_INSN_P (insn))
	continue;
      rtx pat = PATTERN (insn);
      if (GET_CODE (pat) != SET
	  || !REG_P (SET_DEST (pat))
	  || REGNO (SET_DEST (pat)) != FLAGS_REG
	  || GET_CODE (SET_SRC (pat)) != COMPARE
	  || !lstk_reserve_guard_p (XEXP (SET_SRC (pat), 1)))
	continue;
      rtx x = XEXP (SET_SRC (pat), 0);
      if (!REG_P (x) || GET_MODE (x) != DImode
	  || REGNO (x) == STACK_POINTER_REGNUM)
	return -1;
      if (!lstk_reserve_emit_adjust (x, -extra, insn, false)
	  || !lstk_reserve_emit_adjust (x, extra, insn, true))
	return -1;
      n++;
    }
  return n;
}

/* Bytes the prologue pushes outside the frame that the split-stack
   request counts, but inside the .su size.  A realigned frame whose
   incoming arguments are on the stack uses a DRAP register (a pointer to
   them, kept across the "and $-ALIGN, %rsp"); when that register is
   callee-saved (r13: a tail call or a static chain forbids a call-clobbered
   one, find_drap_reg of i386.cc) the prologue pushes it *before* the
   realignment:
       push %r13; lea 16(%rsp), %r13; and $-64, %rsp; push -8(%r13) ...
   ix86_expand_prologue adds that push (and a static chain pushed on the
   stack) to the .su size, but ix86_expand_split_stack_prologue asks for
   frame.stack_pointer_offset only, which starts after it.  (That was
   issue 9's E1: "asks for 16 bytes but its frame is 24 bytes".)  The
   accounting keeps the .su size, the larger: every byte is counted.  */
static HOST_WIDE_INT
lstk_reserve_drap_push (void)
{
  HOST_WIDE_INT extra = 0;

  if (!stack_realign_drap)
    return 0;
  if (ix86_static_chain_on_stack)
    extra += UNITS_PER_WORD;
  if (crtl->drap_reg
      && !fixed_regs[REGNO (crtl->drap_reg)]
      && !this_target_hard_regs->x_call_used_regs[REGNO (crtl->drap_reg)])
    extra += UNITS_PER_WORD;
  return extra;
}

/* Tell the user (verbose) how FUN's check was set.  */
static void
lstk_reserve_inform (function *fun, const lstk_fn *rec, HOST_WIDE_INT natural)
{
  location_t loc = DECL_SOURCE_LOCATION (fun->decl);

  if (rec->threshold == natural)
    inform (loc, "linkstack: %qD: stack request not enlarged (frame %wd, "
	    "%wd deep with what it calls before the next check)",
	    fun->decl, rec->allocate, rec->region);
  else
    inform (loc, "linkstack: %qD: stack request enlarged from %wd to %wd "
	    "bytes (frame %wd, %wd deep with what it calls before the next "
	    "check, reserve %wd)",
	    fun->decl, natural, rec->threshold, rec->allocate, rec->region,
	    lstk_opts.reserve);
}

/* Fill REC's .su facts for the current function: the size and kind that
   -fstack-usage would print (toplev.cc, output_stack_usage_1).  */
static void
lstk_reserve_su (function *fun, lstk_fn *rec)
{
  HOST_WIDE_INT size = fun->su ? fun->su->static_stack_size : 0;
  const char *kind = "static";

  if (!fun->su)
    return;
  HOST_WIDE_INT pushed
    = constant_lower_bound (current_function_pushed_stack_size);
  if (pushed > 0)
    {
      size += pushed;
      kind = "dynamic,bounded";
    }
  if (current_function_allocates_dynamic_stack_space)
    {
      if (current_function_has_unbounded_dynamic_stack_size)
	kind = "dynamic";
      else
	kind = "dynamic,bounded";
      size += current_function_dynamic_stack_size;
    }
  rec->static_size = size;
  rec->su_kind = kind;
  rec->dynamic = fun->calls_alloca
		 || current_function_allocates_dynamic_stack_space;
  rec->unbounded = current_function_has_unbounded_dynamic_stack_size;
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
  location_t loc = DECL_SOURCE_LOCATION (fun->decl);
  lstk_fn *rec = lstk_fn_get (fun);
  HOST_WIDE_INT r = lstk_opts.reserve;

  lstk_reserve_su (fun, rec);
  rec->leaf = crtl->is_leaf;
  /* A = the .su static size minus the return address; for a checked
     function also the r10 of its prologue (compared below, up to the
     DRAP register's push).  A naked function has a .su size of 0.  */
  rec->allocate = fun->su ? MAX (fun->su->static_stack_size - 8, 0) : 0;

  /* The user's no_split_stack: no prologue, nothing to verify; the calls
     are recorded for the report.  */
  if (rec->reasons & LSTK_WHY_USER)
    {
      lstk_collect_calls (fun, NULL, &rec->calls, &rec->push);
      rec->n = lstk_calls_n (rec->calls);
      rec->region = rec->allocate + rec->n + lstk_realign_slack ();
      rec->done = true;
      lstk_report_function (fun, rec);
      return 0;
    }

  enum lstk_reserve_shape shape = LSTK_SHAPE_UNKNOWN;
  if (rec->checked)
    shape = lstk_reserve_match (&p);
  else
    memset (&p, 0, sizeof p);
  lstk_collect_calls (fun, p.call, &rec->calls, &rec->push);
  rec->n = lstk_calls_n (rec->calls);
  rec->region = rec->allocate + rec->n + lstk_realign_slack ();
  rec->ext_reserve = 0;
  {
    unsigned i;
    lstk_call *c;
    FOR_EACH_VEC_ELT (rec->calls, i, c)
      if (c->kind == LSTK_CALLEE_EXTERNAL || c->kind == LSTK_CALLEE_INDIRECT
	  || c->kind == LSTK_CALLEE_TLSDESC)
	rec->ext_reserve = MAX (rec->ext_reserve, c->need);
  }

  if (dump_file)
    fprintf (dump_file, ";; %s: %s, prologue %s, allocate "
	     HOST_WIDE_INT_PRINT_DEC " (placement assumed at most "
	     HOST_WIDE_INT_PRINT_DEC "), static size " HOST_WIDE_INT_PRINT_DEC
	     ", pushed " HOST_WIDE_INT_PRINT_DEC ", N " HOST_WIDE_INT_PRINT_DEC
	     ", region " HOST_WIDE_INT_PRINT_DEC " (assumed at most "
	     HOST_WIDE_INT_PRINT_DEC "), reserve " HOST_WIDE_INT_PRINT_DEC "\n",
	     function_name (fun), rec->checked ? "checked" : "unchecked",
	     !rec->checked ? "none"
	     : shape == LSTK_SHAPE_OK ? "matched"
	     : shape == LSTK_SHAPE_HUGE ? "huge" : "not recognised",
	     rec->allocate, rec->frame_bound,
	     fun->su ? (HOST_WIDE_INT) fun->su->static_stack_size
		     : (HOST_WIDE_INT) -1,
	     rec->push, rec->n, rec->region, rec->region_bound, r);

  if (!rec->checked)
    {
      /* The placement's assumption: the region fits the reserve (for a
	 function its callers cover, the placement's bound: the callers,
	 compiled later, account the exact region).  Checked against the
	 exact frame; a broken one is never silent.  */
      HOST_WIDE_INT limit = rec->maxpath ? MAX (r, rec->region_bound) : r;
      if (rec->region > limit || fun->calls_alloca || !fun->su)
	error_at (loc, "linkstack: internal error: %qD was left without a "
		  "stack check for a region of at most %wd bytes (frame at "
		  "most %wd), but its region is %wd bytes (frame %wd, "
		  "reserve %wd)", fun->decl, rec->region_bound,
		  rec->frame_bound, rec->region, rec->allocate, r);
      rec->threshold = 0;
      rec->request = 0;
      rec->done = true;
      lstk_report_function (fun, rec);
      return 0;
    }

  /* The natural threshold of GCC's check: 0 for the small form (rsp is
     compared), A for the large one.  */
  HOST_WIDE_INT natural = p.lea ? p.allocate : 0;
  HOST_WIDE_INT threshold = rec->region - r;
  rec->threshold = natural;
  rec->request = p.allocate;
  if (shape == LSTK_SHAPE_OK
      && p.allocate + lstk_reserve_drap_push () != rec->allocate)
    error_at (loc, "linkstack: internal error: the split-stack prologue of "
	      "%qD asks for %wd bytes but its frame is %wd bytes", fun->decl,
	      p.allocate, rec->allocate);

  if (threshold > natural)
    {
      HOST_WIDE_INT want = MAX (threshold, rec->allocate);

      /* r10 is loaded with "movl $imm32" and r11 with "lea -imm32(%rsp)".  */
      if (shape == LSTK_SHAPE_HUGE || want > 0x7fffffff)
	{
	  error_at (loc, "linkstack: the stack request of %qD does not fit in "
		    "32 bits", fun->decl);
	  rec->done = true;
	  return 0;
	}
      if (shape == LSTK_SHAPE_OK)
	lstk_reserve_dump_prologue (&p, "before");
      /* The compare uses WANT too: a check that asks for what r10 asks
	 for is simpler to reason about (and to test) than the slightly
	 weaker "rsp - T >= guard" when T < A.  */
      if (shape != LSTK_SHAPE_OK || !lstk_reserve_patch (&p, want, want))
	{
	  error_at (loc, "linkstack: internal error: unrecognised split-stack "
		    "prologue in %qD", fun->decl);
	  rec->done = true;
	  return 0;
	}
      lstk_reserve_dump_prologue (&p, "after");
      rec->threshold = want;
      rec->request = want;
    }
  else if (shape != LSTK_SHAPE_OK && shape != LSTK_SHAPE_HUGE)
    {
      /* Nothing to patch, but a checked function must have a check.  */
      error_at (loc, "linkstack: internal error: unrecognised split-stack "
		"prologue in %qD", fun->decl);
      rec->done = true;
      return 0;
    }

  /* After an alloca only R is known below rsp: make the space checks
     demand what the calls need beyond it.  */
  if (rec->dynamic && rec->n > r)
    {
      int n = lstk_reserve_patch_space_checks (p.compare, rec->n - r);
      if (n < 0)
	error_at (loc, "linkstack: internal error: unrecognised alloca space "
		  "check in %qD", fun->decl);
      else if (dump_file)
	fprintf (dump_file, ";; %d alloca space checks ask for "
		 HOST_WIDE_INT_PRINT_DEC " more bytes\n", n, rec->n - r);
    }

  if (lstk_opts.verbose)
    lstk_reserve_inform (fun, rec, natural);
  rec->done = true;
  lstk_report_function (fun, rec);
  return 0;
}

} // anon namespace

rtl_opt_pass *
lstk_make_pass_reserve (gcc::context *ctxt)
{
  return new lstk_reserve_pass (ctxt);
}
