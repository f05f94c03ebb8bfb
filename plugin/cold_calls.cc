/* cold_calls.cc: a checked entry for a deep callee called on a cold path.

   A function F that would fit the reserve but for one rarely taken call
   to a deep unchecked function H of this unit (D(F) > R only through
   that call) keeps a check on every entry, although the deep path runs
   on few of them.  Instead, the call can go to a checked entry of H: a
   stub that performs the check H does not have, asking for H's region,
   and jumps to H:

	H.lstk_checked:
		lea	-T(%rsp), %r11		T = max (D(H) - R, 0)
		cmp	%fs:0x70, %r11
		jb	1f
		jmp	H			check passed: D(H) <= T + R free
	1:	mov	$T, %r10d
		mov	$ARGS, %r11d		H's incoming stack-argument bytes
		call	__morestack
		ret				the ret stub
		jmp	H			the body, on the new chunk

   For F, a call to the stub is a call to a checked callee (c = 40), so F
   may go without a check; the check runs only when the cold call does.
   The stub is exactly a split-stack prologue whose body is H: on the new
   chunk H runs as __morestack's callee, returns to it, and __morestack
   returns to the ret stub, which returns to F (the same protocol as every
   checked function, gcc-notes 2).  No stack is used by the stub itself,
   so its CFI is the entry's (CFA = rsp + 8) throughout.

   When (lstk_cold_calls_try, from the placement):
     - F's only reason for a check is its depth;
     - the calls that push it over R go to unchecked functions of this
       unit (compiled, not left to their callers: maxpath.cc), and with
       them counted as checked callees F's region fits R;
     - they run less than once per entry of F together, on GCC's estimated
       profile (bb counts): otherwise the check would run more often than
       the one it replaces;
     - with -fipa-ra, F's register allocation assumed that a call to H
       clobbers only what H clobbers; the stub also clobbers r11, the
       flags and, on its slow path, what __morestack may (rcx, r8-r11 ...),
       so H must already count as clobbering every call-clobbered
       register.
   The call insns are redirected to the stub's symbol (local, no PLT);
   the stubs are written at the unit's end (lstk_cold_calls_emit).

   A rarely taken call through a pointer is the same case with the
   guarded request: the caller would ask for G + R on every entry (the
   guarded path, doc/plugin.md), for a call it seldom makes.  Such a call
   goes to the unit's guarded entry instead, with the target in rax:

	lstk.guarded_call:
		lea	-G(%rsp), %r11
		cmp	%fs:0x70, %r11
		jb	1f
		jmp	*%rax			passes only on a guarded chunk
	1:	mov	$G, %r10d		a guarded chunk (G >= G')
		xor	%r11d, %r11d
		call	__morestack
		ret
		jmp	*%rax			__morestack preserves rax

   rax is free at a call through a prototyped, non-variadic pointer (only
   variadic calls pass %al), and the call insn is made to use it, so that
   no later pass deletes the move.  Only calls whose arguments all go in
   registers (the entry copies no stack arguments), of the default ABI,
   without retpolines (-mindirect-branch), qualify.
   doc/plugin.md, "Checked entries for cold calls", has the proof.  */

#include "compat.h"
#include "budgets.h"
#include "analysis.h"

/* Stubs by their symbol; the value is the record of the function they
   enter.  */
static hash_map<nofree_string_hash, lstk_fn *> *lstk_stubs;
/* The stubs in the order they were made (emitted in that order).  */
static vec<const char *> lstk_stub_names;

lstk_fn *
lstk_cold_stub_target (const char *name)
{
  if (!lstk_stubs)
    return NULL;
  lstk_fn **p = lstk_stubs->get (name);
  return p ? *p : NULL;
}

/* The stub symbol for H, made on first use.  */
static rtx
lstk_cold_stub_symbol (lstk_fn *h)
{
  char *name = concat (h->name, ".lstk_checked", NULL);

  if (!lstk_stubs)
    lstk_stubs = new hash_map<nofree_string_hash, lstk_fn *> (16);
  if (!lstk_stubs->get (name))
    {
      lstk_stubs->put (name, h);
      lstk_stub_names.safe_push (name);
    }
  else
    {
      const char *kept = name;
      for (const char *n : lstk_stub_names)
	if (strcmp (n, name) == 0)
	  kept = n;
      free (name);
      name = CONST_CAST (char *, kept);
    }
  rtx sym = gen_rtx_SYMBOL_REF (Pmode, ggc_strdup (name));
  SYMBOL_REF_FLAGS (sym) = SYMBOL_FLAG_LOCAL | SYMBOL_FLAG_FUNCTION;
  return sym;
}

/* True if the register allocation of a caller of H assumed that a call
   to H clobbers every call-clobbered register (what the stub's slow path
   may do).  */
static bool
lstk_cold_clobbers_all_p (lstk_fn *h)
{
  if (!flag_ipa_ra)
    return true;
  cgraph_rtl_info *info = cgraph_node::rtl_info (h->decl);
  if (!info)
    return true;
  return hard_reg_set_subset_p (this_target_hard_regs->x_regs_invalidated_by_call,
				info->function_used_regs);
}

/* The symbol of the unit's guarded entry.  */
#define LSTK_GUARDED_ENTRY "lstk.guarded_call"
static bool lstk_guarded_entry_used;

bool
lstk_guarded_entry_p (const char *name)
{
  return strcmp (name, LSTK_GUARDED_ENTRY) == 0;
}

/* True if FNTYPE, the type of a call through a pointer, passes every
   argument in registers under the SysV ABI and nothing in rax: a
   prototype, not variadic, no attributes (ms_abi, regparm ...), at most 6
   integer or pointer arguments and at most 8 float or double ones.  */
static bool
lstk_cold_register_args_p (tree fntype)
{
  if (!fntype || !FUNC_OR_METHOD_TYPE_P (fntype) || !prototype_p (fntype)
      || stdarg_p (fntype) || TYPE_ATTRIBUTES (fntype))
    return false;
  int ints = 0, sses = 0;
  /* A returned aggregate may need a hidden pointer argument.  */
  if (AGGREGATE_TYPE_P (TREE_TYPE (fntype)))
    ints++;
  for (tree a = TYPE_ARG_TYPES (fntype); a && a != void_list_node;
       a = TREE_CHAIN (a))
    {
      tree t = TREE_VALUE (a);
      if (INTEGRAL_TYPE_P (t) || POINTER_TYPE_P (t))
	{
	  if (TYPE_PRECISION (t) > 64)
	    return false;
	  ints++;
	}
      else if (SCALAR_FLOAT_TYPE_P (t)
	       && (TYPE_MODE (t) == SFmode || TYPE_MODE (t) == DFmode))
	sses++;
      else
	return false;
    }
  return ints <= 6 && sses <= 8;
}

/* The target address of the call through a pointer INSN if it can go to
   the guarded entry, else NULL.  */
static rtx
lstk_cold_indirect_target (rtx_insn *insn)
{
  if (ix86_indirect_branch != indirect_branch_keep)
    return NULL_RTX;
  rtx call = get_call_rtx_from (insn);
  if (!call || !MEM_P (XEXP (call, 0)))
    return NULL_RTX;
  rtx mem = XEXP (call, 0);
  rtx addr = XEXP (mem, 0);
  if (SYMBOL_REF_P (addr) || !MEM_EXPR (mem)
      || !lstk_cold_register_args_p (TREE_TYPE (MEM_EXPR (mem))))
    return NULL_RTX;
  /* Nothing the call uses may live in rax, r10 (a static chain) or r11.  */
  for (rtx u = CALL_INSN_FUNCTION_USAGE (insn); u; u = XEXP (u, 1))
    {
      rtx x = XEXP (u, 0);
      if (GET_CODE (x) == USE && REG_P (XEXP (x, 0))
	  && (REGNO (XEXP (x, 0)) == AX_REG || REGNO (XEXP (x, 0)) == R10_REG
	      || REGNO (XEXP (x, 0)) == R11_REG))
	return NULL_RTX;
    }
  return addr;
}

/* The call symbol's slot in call insn INSN (to replace), or NULL.  */
static rtx *
lstk_cold_symbol_slot (rtx_insn *insn)
{
  rtx call = get_call_rtx_from (insn);
  if (!call || !MEM_P (XEXP (call, 0))
      || !SYMBOL_REF_P (XEXP (XEXP (call, 0), 0)))
    return NULL;
  return &XEXP (XEXP (call, 0), 0);
}

bool
lstk_cold_calls_try (function *fun, HOST_WIDE_INT a, HOST_WIDE_INT push,
		     unsigned why)
{
  const HOST_WIDE_INT r = lstk_opts.reserve;
  const char *self = lstk_decl_name (fun->decl);

  if (lstk_opts.no_cold_calls
      || (why & ~(LSTK_WHY_DEPTH | LSTK_WHY_INDIRECT)) != 0)
    return false;
  profile_count entry = ENTRY_BLOCK_PTR_FOR_FN (fun)->count;
  if (!entry.initialized_p () || entry.nonzero_p () == false)
    return false;

  auto_vec<rtx_insn *> cold;
  HOST_WIDE_INT n = LSTK_RED_ZONE;
  sreal runs = 0;
  for (rtx_insn *insn = get_insns (); insn; insn = NEXT_INSN (insn))
    {
      if (!CALL_P (insn))
	continue;
      lstk_call c;
      lstk_classify_call_insn (insn, self, &c);
      if (c.kind == LSTK_CALLEE_EXTERNAL && !c.name)
	return false;
      HOST_WIDE_INT need = lstk_call_need_of (&c, push);
      if (a + need + lstk_realign_slack () <= r)
	{
	  n = MAX (n, need);
	  continue;
	}
      /* A call through a pointer can go to the guarded entry.  */
      if (c.kind == LSTK_CALLEE_INDIRECT && !c.name)
	{
	  if (!lstk_cold_indirect_target (insn) || !BLOCK_FOR_INSN (insn))
	    return false;
	  profile_count count = BLOCK_FOR_INSN (insn)->count;
	  if (!count.initialized_p ())
	    return false;
	  runs += count.to_sreal_scale (entry);
	  n = MAX (n, push + 8 + LSTK_MORESTACK_PUSH);
	  cold.safe_push (insn);
	  continue;
	}
      /* Over R: only a deep unchecked callee of this unit can move.  */
      lstk_fn *h = c.kind == LSTK_CALLEE_UNCHECKED && c.name
		   ? lstk_fn_lookup (c.name) : NULL;
      if (!h || h->maxpath || !lstk_cold_clobbers_all_p (h)
	  || !lstk_cold_symbol_slot (insn) || !BLOCK_FOR_INSN (insn))
	return false;
      profile_count count = BLOCK_FOR_INSN (insn)->count;
      if (!count.initialized_p ())
	return false;
      runs += count.to_sreal_scale (entry);
      n = MAX (n, push + 8 + LSTK_MORESTACK_PUSH);
      cold.safe_push (insn);
    }
  if (cold.is_empty () || runs >= 1
      || a + n + lstk_realign_slack () > r)
    return false;

  unsigned i;
  rtx_insn *insn;
  auto_vec<rtx_insn *> moves;
  bool ok = true;
  FOR_EACH_VEC_ELT (cold, i, insn)
    {
      rtx target = lstk_cold_indirect_target (insn);
      if (target)
	{
	  /* rax = the target, then "call lstk.guarded_call".  */
	  rtx ax = gen_rtx_REG (DImode, AX_REG);
	  rtx call = get_call_rtx_from (insn);
	  if (!REG_P (target) || REGNO (target) != AX_REG)
	    {
	      rtx_insn *mv = emit_insn_before (gen_rtx_SET (ax, copy_rtx (target)),
					       insn);
	      INSN_LOCATION (mv) = INSN_LOCATION (insn);
	      moves.safe_push (mv);
	      if (recog_memoized (mv) < 0)
		ok = false;
	    }
	  rtx sym = gen_rtx_SYMBOL_REF (Pmode, LSTK_GUARDED_ENTRY);
	  SYMBOL_REF_FLAGS (sym) = SYMBOL_FLAG_LOCAL | SYMBOL_FLAG_FUNCTION;
	  validate_change (insn, &XEXP (XEXP (call, 0), 0), sym, true);
	  continue;
	}
      lstk_call c;
      lstk_classify_call_insn (insn, self, &c);
      lstk_fn *h = lstk_fn_lookup (c.name);
      validate_change (insn, lstk_cold_symbol_slot (insn),
		       lstk_cold_stub_symbol (h), true);
    }
  if (!ok || !apply_change_group ())
    {
      cancel_changes (0);
      for (rtx_insn *mv : moves)
	delete_insn (mv);
      return false;
    }
  /* The calls use rax now: no pass may take the move for dead.  */
  FOR_EACH_VEC_ELT (cold, i, insn)
    {
      rtx sym = lstk_call_symbol (insn);
      if (sym && lstk_guarded_entry_p (XSTR (sym, 0)))
	{
	  rtx use = gen_rtx_USE (VOIDmode, gen_rtx_REG (DImode, AX_REG));
	  CALL_INSN_FUNCTION_USAGE (insn)
	    = gen_rtx_EXPR_LIST (VOIDmode, use,
				 CALL_INSN_FUNCTION_USAGE (insn));
	  df_insn_rescan (insn);
	  lstk_guarded_entry_used = true;
	}
    }
  if (dump_file)
    fprintf (dump_file, ";; %s: %u cold call%s (%.2f per entry) to "
	     "checked entries\n", function_name (fun), cold.length (),
	     cold.length () == 1 ? "" : "s", runs.to_double ());
  return true;
}

void
lstk_cold_calls_emit (void)
{
  if ((lstk_stub_names.is_empty () && !lstk_guarded_entry_used)
      || !asm_out_file || flag_wpa)
    return;
  switch_to_section (text_section);
  if (lstk_guarded_entry_used)
    {
      HOST_WIDE_INT g = lstk_opts.external_reserve;
      fprintf (asm_out_file,
	       "\t.p2align 4\n"
	       "\t.type\t" LSTK_GUARDED_ENTRY ", @function\n"
	       LSTK_GUARDED_ENTRY ":\n"
	       "\t.cfi_startproc\n"
	       "\tleaq\t-" HOST_WIDE_INT_PRINT_DEC "(%%rsp), %%r11\n"
	       "\tcmpq\t%%fs:%d, %%r11\n"
	       "\tjb\t.Llstk_guarded_grow\n"
	       "\tjmp\t*%%rax\n"
	       ".Llstk_guarded_grow:\n"
	       "\tmovl\t$" HOST_WIDE_INT_PRINT_DEC ", %%r10d\n"
	       "\txorl\t%%r11d, %%r11d\n"
	       "\tcall\t__morestack\n"
	       "\tret\n"
	       "%s"
	       "\tjmp\t*%%rax\n"
	       "\t.cfi_endproc\n"
	       "\t.size\t" LSTK_GUARDED_ENTRY ", .-" LSTK_GUARDED_ENTRY "\n",
	       g, TARGET_THREAD_SPLIT_STACK_OFFSET, g,
	       (flag_cf_protection & CF_BRANCH) ? "\tendbr64\n" : "");
    }
  for (const char *name : lstk_stub_names)
    {
      lstk_fn *h = *lstk_stubs->get (name);
      HOST_WIDE_INT t = MAX (h->region - lstk_opts.reserve, 0);
      /* What the stub's check stands for was verified when H was done:
	 T + R >= D(H).  */
      gcc_assert (h->done && !h->checked && t <= 0x7fffffff);
      fprintf (asm_out_file,
	       "\t.p2align 4\n"
	       "\t.type\t%s, @function\n"
	       "%s:\n"
	       "\t.cfi_startproc\n"
	       "\tleaq\t-" HOST_WIDE_INT_PRINT_DEC "(%%rsp), %%r11\n"
	       "\tcmpq\t%%fs:%d, %%r11\n"
	       "\tjb\t.Llstk_cold_%s\n"
	       "\tjmp\t%s\n"
	       ".Llstk_cold_%s:\n"
	       "\tmovl\t$" HOST_WIDE_INT_PRINT_DEC ", %%r10d\n"
	       "\tmovl\t$" HOST_WIDE_INT_PRINT_DEC ", %%r11d\n"
	       "\tcall\t__morestack\n"
	       "\tret\n"
	       "%s"
	       "\tjmp\t%s\n"
	       "\t.cfi_endproc\n"
	       "\t.size\t%s, .-%s\n",
	       name, name, t, TARGET_THREAD_SPLIT_STACK_OFFSET, name,
	       h->name, name, t, h->args_size,
	       (flag_cf_protection & CF_BRANCH) ? "\tendbr64\n" : "",
	       h->name, name, name);
    }
}
