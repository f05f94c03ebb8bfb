/* analysis.cc: the per-function records and the call sites (analysis.h).  */

#include "compat.h"
#include "budgets.h"
#include "analysis.h"

vec<lstk_fn *> lstk_fns;

/* Names some compiled function called before they were compiled (it
   counted them at R).  GCC drops a function's call edges once it is
   compiled, so the call graph no longer shows such callers.  */
static hash_set<nofree_string_hash> *lstk_pending_names;

void
lstk_note_pending (const char *name)
{
  if (!lstk_pending_names)
    lstk_pending_names = new hash_set<nofree_string_hash> (64);
  if (!lstk_pending_names->contains (name))
    lstk_pending_names->add (xstrdup (name));
}

bool
lstk_called_pending_p (const char *name)
{
  return lstk_pending_names && lstk_pending_names->contains (name);
}

/* Records by assembler name.  Keys and records live as long as cc1: a
   unit has at most a few thousand functions.  */
static hash_map<nofree_string_hash, lstk_fn *> *lstk_fn_table;

const char *
lstk_decl_name (tree decl)
{
  const char *name = IDENTIFIER_POINTER (DECL_ASSEMBLER_NAME (decl));

  return name[0] == '*' ? name + 1 : name;
}

lstk_fn *
lstk_fn_lookup (const char *name)
{
  if (!lstk_fn_table)
    return NULL;
  lstk_fn **p = lstk_fn_table->get (name);
  return p ? *p : NULL;
}

/* The .su line's prefix for the current function: what -fstack-usage
   prints before the size (print_decl_identifier, toplev.cc's
   output_stack_usage_1), captured in a string.  */
static const char *
lstk_su_prefix (tree decl)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);

  if (!f)
    return xstrdup (lstk_decl_name (decl));
  print_decl_identifier (f, decl,
			 PRINT_DECL_ORIGIN | PRINT_DECL_NAME);
  fclose (f);
  char *s = xstrdup (buf);
  free (buf);
  return s;
}

lstk_fn *
lstk_fn_get (function *fun)
{
  const char *name = lstk_decl_name (fun->decl);
  lstk_fn *rec = lstk_fn_lookup (name);

  if (rec)
    return rec;
  if (!lstk_fn_table)
    lstk_fn_table = new hash_map<nofree_string_hash, lstk_fn *> (64);
  rec = XCNEW (lstk_fn);
  rec->name = xstrdup (name);
  rec->decl = fun->decl;
  rec->print_name = xstrdup (lang_hooks.decl_printable_name (fun->decl, 2));
  rec->loc = DECL_SOURCE_LOCATION (fun->decl);
  rec->su_prefix = lstk_su_prefix (fun->decl);
  rec->checked = true;
  rec->su_kind = "static";
  rec->calls = vNULL;
  lstk_fn_table->put (rec->name, rec);
  lstk_fns.safe_push (rec);
  return rec;
}

/* The symbol a CALL_P INSN calls, or NULL for an indirect call.  */
rtx
lstk_call_symbol (rtx_insn *insn)
{
  rtx call = get_call_rtx_from (insn);
  rtx addr;

  if (!call || !MEM_P (XEXP (call, 0)))
    return NULL_RTX;
  addr = XEXP (XEXP (call, 0), 0);
  return SYMBOL_REF_P (addr) ? addr : NULL_RTX;
}

/* True if INSN is a split-stack prologue's call to __morestack (no body
   calls it).  */
static bool
lstk_prologue_call_p (rtx_insn *insn)
{
  rtx sym = lstk_call_symbol (insn);

  return sym && strcmp (XSTR (sym, 0), "__morestack") == 0;
}

/* True if NAME is reserved for the implementation (C11 7.1.3): "__x" or
   "_X".  Code the compiler or the C library calls by such names (__cxa_*,
   _Unwind_*, __stack_chk_fail, __tls_get_addr, libgcc helpers) is never
   the user's, so never instrumented.  */
static bool
lstk_reserved_name_p (const char *name)
{
  return name[0] == '_' && (name[1] == '_' || ISUPPER (name[1]));
}

/* True if DECL (may be NULL), a function not defined in this unit and
   called by the symbol NAME, is code the plugin cannot see: it was
   declared by the compiler or in a system header, is a library built-in,
   is a C library function (libc-names.txt, whatever declared it), has a
   budget, or bears a reserved name.  Anything else is taken to be the
   user's, compiled with the plugin in another unit.  */
static bool
lstk_uninstrumented_p (tree decl, const char *name)
{
  /* The symbol's own name is reserved only when there is no declaration
     to ask: a C++ symbol (_Z...) is the mangled name of an ordinary
     function.  */
  if (lstk_budget_known_p (name) || (!decl && lstk_reserved_name_p (name))
      || lstk_libc_name_p (name))
    return true;
  if (!decl || TREE_CODE (decl) != FUNCTION_DECL)
    return true;			/* a libcall: memcpy, __divti3 ...  */
  if (DECL_WEAK (decl))
    return true;			/* resolved to anything, or nothing */
  if (fndecl_built_in_p (decl)
      || DECL_IS_UNDECLARED_BUILTIN (decl)
      || DECL_ARTIFICIAL (decl))
    return true;
  if (DECL_NAME (decl)
      && lstk_reserved_name_p (IDENTIFIER_POINTER (DECL_NAME (decl))))
    return true;
  location_t loc = DECL_SOURCE_LOCATION (decl);
  return loc <= BUILTINS_LOCATION || in_system_header_at (loc);
}

/* True if DECL's definition in this unit is the one every call to it
   runs, whatever else is linked or loaded: not weak (a strong definition
   elsewhere wins), not interposable (-fPIC, default visibility: the
   executable or an earlier library may define the name too; see
   decl_binds_to_current_def_p, varasm.cc).  COMDAT is handled by the
   caller: it is weak, and any unit's copy may be the one kept.  */
static bool
lstk_body_runs_p (tree decl)
{
  return !DECL_WEAK (decl) && decl_binds_to_current_def_p (decl);
}

/* Make CALL a call into code whose stack use is not proven: the guarded
   request G (budgets.h).  */
static void
lstk_call_guarded (lstk_call *call)
{
  call->kind = call->name ? LSTK_CALLEE_EXTERNAL : LSTK_CALLEE_INDIRECT;
  call->budget = lstk_budget_guarded ();
}

/* Make CALL a call to the uninstrumented function NAME: its proven budget
   if the table has one, else the guarded request.  */
static void
lstk_call_external (lstk_call *call, const char *name)
{
  call->kind = LSTK_CALLEE_EXTERNAL;
  call->budget = lstk_budget_for (name);
}

/* Fill CALL's kind, name and budget for the CALL_P INSN of the function
   named SELF.  The rule of issue 9: a decision may rest on a body only if
   that body is the one that runs (doc/plugin.md, "Which body runs").  */
static void
lstk_classify_call (rtx_insn *insn, const char *self, lstk_call *call)
{
  rtx sym = lstk_call_symbol (insn);

  call->name = NULL;
  if (!sym)
    {
      lstk_call_guarded (call);		/* through a pointer */
      return;
    }

  /* The symbol, not DECL_NAME: __builtin_memset's symbol is memset, and
     the runtime's lstk_* functions are known by their symbols.  */
  const char *name = XSTR (sym, 0);
  if (name[0] == '*')
    name++;
  call->name = name;
  /* A checked entry of a function of this unit (cold_calls.cc): a
     checked callee, named after the function it enters.  */
  if (lstk_fn *h = lstk_cold_stub_target (name))
    {
      call->kind = LSTK_CALLEE_CHECKED;
      call->name = h->name;
      return;
    }
  /* A call through a pointer by the unit's guarded entry: its check
     asks for G.  */
  if (lstk_guarded_entry_p (name))
    {
      call->kind = LSTK_CALLEE_GUARDED_ENTRY;
      call->name = NULL;
      return;
    }
  if (startswith (name, "__morestack"))
    {
      /* Only __morestack_allocate_stack_space is called from a body (for
	 alloca); the prologue's own call to __morestack is skipped by
	 lstk_collect_calls.  */
      call->kind = LSTK_CALLEE_DYNALLOC;
      call->budget = lstk_budget_guarded ();
      return;
    }

  /* external= wins over everything, the budgets table included (B6: a
     replacement malloc is no glibc malloc).  It names functions as
     written in the source; the symbol is accepted too (C++: mangled).  */
  tree decl = SYMBOL_REF_DECL (sym);
  if (lstk_budget_listed_external_p (name)
      || (decl && DECL_NAME (decl)
	  && lstk_budget_listed_external_p (IDENTIFIER_POINTER
					    (DECL_NAME (decl)))))
    {
      lstk_call_guarded (call);
      return;
    }
  if (!decl || TREE_CODE (decl) != FUNCTION_DECL)
    {
      lstk_call_external (call, name);	/* a libcall: memcpy, __divti3 */
      return;
    }

  /* An ifunc runs whatever its resolver returns, at run time: a proven
     budget covers every variant, anything else is guarded.  */
  if (lookup_attribute ("ifunc", DECL_ATTRIBUTES (decl)))
    {
      lstk_call_external (call, name);
      return;
    }

  /* Follow aliases to the body that will run.  A body in this file gets
     its own split-stack prologue unless it is no_split_stack or naked,
     and is the one that runs only if it binds to the current definition;
     extern inline (gnu_inline) bodies only serve inlining.  */
  cgraph_node *node = cgraph_node::get (decl);
  if (node)
    node = node->ultimate_alias_target ();
  if (node && node->definition && !DECL_EXTERNAL (node->decl))
    {
      const char *target = lstk_decl_name (node->decl);
      lstk_fn *rec = lstk_fn_lookup (target);
      /* no_split_stack is the user's unless the placement put it there
	 (then the function has a record without LSTK_WHY_USER).  */
      bool ours = rec && !(rec->reasons & LSTK_WHY_USER);
      if ((lstk_no_split_stack_p (node->decl) && !ours)
	  || lookup_attribute ("naked", DECL_ATTRIBUTES (node->decl)))
	{
	  lstk_call_guarded (call);	/* the user's: uninstrumented */
	  return;
	}
      call->name = target;
      /* COMDAT (C++ inline functions, templates): the linker keeps one
	 unit's copy, compiled with other inlining, maybe at another -O.
	 Any copy compiled with the plugin costs at most R (checked: 40;
	 unchecked: its region, at most R); this unit's body is never
	 trusted.  (The plugin keeps every COMDAT's check too.)  */
      if (DECL_COMDAT (node->decl) || DECL_COMDAT (decl))
	{
	  call->kind = LSTK_CALLEE_OTHER_UNIT;
	  return;
	}
      /* Weak or interposable: another object's definition may run, maybe
	 libc's, maybe one built without the plugin.  */
      if (!lstk_body_runs_p (decl) || !lstk_body_runs_p (node->decl))
	{
	  lstk_call_guarded (call);
	  return;
	}
      if (strcmp (target, self) == 0)
	{
	  call->kind = LSTK_CALLEE_SELF;
	  return;
	}
      if (rec && rec->done)
	call->kind = rec->checked ? LSTK_CALLEE_CHECKED
				  : LSTK_CALLEE_UNCHECKED;
      else
	call->kind = LSTK_CALLEE_PENDING;
      return;
    }

  /* Not defined here.  A weak reference resolves to anything; a name
     libc exports is libc's whatever declared it (B7); a table line is a
     proven budget; anything the plugin cannot see is guarded.  */
  if (DECL_WEAK (decl))
    lstk_call_guarded (call);
  else if (lstk_uninstrumented_p (decl, name))
    lstk_call_external (call, name);
  else
    call->kind = LSTK_CALLEE_OTHER_UNIT;
}

void
lstk_classify_call_insn (rtx_insn *insn, const char *self, lstk_call *call)
{
  lstk_classify_call (insn, self, call);
  call->loc = INSN_LOCATION (insn);
}

/* True if INSN calls a TLS descriptor (-mtls-dialect=gnu2): not a CALL_P
   insn, but "call *x@TLSCALL(%rax)" runs the dynamic linker's resolver on
   this stack.  i386.md's *tls_dynamic_gnu2_call_64:
     (set (reg:DI ax) (unspec:DI [(symbol_ref "x") (reg:DI ax) (reg sp)]
			       UNSPEC_TLSDESC))
   (the lea that loads the descriptor has the same unspec without sp).  */
static bool
lstk_tlsdesc_call_p (rtx_insn *insn)
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

/* The need of CALL, whose pushed bytes are PUSH.  */
static HOST_WIDE_INT
lstk_call_need (const lstk_call *call, HOST_WIDE_INT push)
{
  HOST_WIDE_INT r = lstk_opts.reserve;

  switch (call->kind)
    {
    case LSTK_CALLEE_CHECKED:
    case LSTK_CALLEE_SELF:
    case LSTK_CALLEE_GUARDED_ENTRY:
      return push + 8 + LSTK_MORESTACK_PUSH;
    case LSTK_CALLEE_UNCHECKED:
      {
	lstk_fn *rec = lstk_fn_lookup (call->name);
	gcc_assert (rec && rec->done && !rec->checked);
	return push + 8 + rec->region;
      }
    case LSTK_CALLEE_PENDING:
    case LSTK_CALLEE_OTHER_UNIT:
      return push + 8 + r;
    case LSTK_CALLEE_EXTERNAL:
    case LSTK_CALLEE_INDIRECT:
    case LSTK_CALLEE_TLSDESC:
      return push + call->budget.bytes + (call->budget.leaf ? 0 : r);
    case LSTK_CALLEE_DYNALLOC:
      return push + 8 + LSTK_DYNALLOC_PUSH;
    }
  gcc_unreachable ();
}

HOST_WIDE_INT
lstk_call_need_of (const lstk_call *call, HOST_WIDE_INT push)
{
  return lstk_call_need (call, push);
}

void
lstk_collect_calls (function *fun, rtx_insn *prologue_call,
		    vec<lstk_call> *calls, HOST_WIDE_INT *push_out)
{
  const char *self = lstk_decl_name (fun->decl);
  HOST_WIDE_INT push = 0;

  calls->truncate (0);
  for (rtx_insn *insn = get_insns (); insn; insn = NEXT_INSN (insn))
    {
      if (!INSN_P (insn))
	continue;

      if (CALL_P (insn) && insn != prologue_call
	  && !lstk_prologue_call_p (insn))
	{
	  lstk_call c;
	  lstk_classify_call (insn, self, &c);
	  c.loc = INSN_LOCATION (insn);
	  calls->safe_push (c);
	}
      else if (NONJUMP_INSN_P (insn) && lstk_tlsdesc_call_p (insn))
	{
	  lstk_call c;
	  /* The dynamic linker's resolver may allocate (malloc): not
	     proven, guarded.  */
	  c.kind = LSTK_CALLEE_TLSDESC;
	  c.name = NULL;
	  c.budget = lstk_budget_guarded ();
	  c.loc = INSN_LOCATION (insn);
	  calls->safe_push (c);
	}

      /* Pushed arguments: REG_ARGS_SIZE notes say, at each push and call,
	 how many bytes of outgoing arguments are on the stack below the
	 frame (dwarf2cfi reads them too).  Their maximum covers deferred
	 pops: with -O2 the arguments of several calls may pile up.  It is
	 used for every call site (a per-site count would be tighter).  */
      rtx note = find_reg_note (insn, REG_ARGS_SIZE, NULL_RTX);
      if (note)
	push = MAX (push, constant_lower_bound (get_args_size (note)));
    }

  /* -pg: x86_function_profiler's call to mcount is no call insn (final
     prints it); mcount runs on this stack.  (-mfentry's __fentry__ runs
     before the check: nothing to reserve there.)  */
  if (crtl->profile)
    {
      lstk_call c;
      c.kind = LSTK_CALLEE_EXTERNAL;
      c.name = "mcount";
      c.budget = lstk_budget_for ("mcount");
      c.loc = DECL_SOURCE_LOCATION (fun->decl);
      calls->safe_push (c);
    }

  /* calls.cc's own record of the pushed bytes (expand_call, when
     flag_stack_usage_info and !ACCUMULATE_OUTGOING_ARGS).  */
  if (fun->su)
    push = MAX (push,
		constant_lower_bound (current_function_pushed_stack_size));

  unsigned i;
  lstk_call *c;
  FOR_EACH_VEC_ELT (*calls, i, c)
    {
      if (c->kind == LSTK_CALLEE_PENDING)
	lstk_note_pending (c->name);
      c->need = lstk_call_need (c, push);
      if (c->kind == LSTK_CALLEE_EXTERNAL && c->name)
	lstk_budget_note_use (c->name, c->budget);
    }
  *push_out = push;
}

HOST_WIDE_INT
lstk_calls_n (const vec<lstk_call> &calls)
{
  HOST_WIDE_INT n = LSTK_RED_ZONE;
  unsigned i;
  lstk_call *c;

  FOR_EACH_VEC_ELT (calls, i, c)
    n = MAX (n, c->need);
  return n;
}

unsigned
lstk_calls_reasons (const vec<lstk_call> &calls)
{
  unsigned why = 0;
  unsigned i;
  lstk_call *c;

  FOR_EACH_VEC_ELT (calls, i, c)
    switch (c->kind)
      {
      case LSTK_CALLEE_SELF:
	why |= LSTK_WHY_RECURSION;
	break;
      case LSTK_CALLEE_PENDING:
	why |= LSTK_WHY_PENDING;
	break;
      case LSTK_CALLEE_OTHER_UNIT:
	why |= LSTK_WHY_OTHER_UNIT;
	break;
      case LSTK_CALLEE_INDIRECT:
      case LSTK_CALLEE_TLSDESC:
	why |= LSTK_WHY_INDIRECT;
	break;
      case LSTK_CALLEE_EXTERNAL:
	/* A measured leaf (memcpy) may sit under an unchecked function;
	   anything else needs R below it, so a check above it.  */
	if (!c->budget.leaf || !c->budget.measured)
	  why |= LSTK_WHY_EXTERNAL;
	break;
      case LSTK_CALLEE_DYNALLOC:
	why |= LSTK_WHY_DYNAMIC;
	break;
      default:
	break;
      }
  return why;
}

HOST_WIDE_INT
lstk_realign_slack (void)
{
  /* With stack realignment the prologue rounds rsp down to the alignment
     ("and $-32, %rsp"), beyond the frame size it reports.  */
  if (crtl->stack_realign_needed || crtl->stack_realign_tried)
    return MAX (crtl->stack_alignment_needed, crtl->max_used_stack_slot_alignment)
	   / BITS_PER_UNIT;
  return 0;
}

bool
lstk_has_asm_p (void)
{
  for (rtx_insn *insn = get_insns (); insn; insn = NEXT_INSN (insn))
    {
      if (!NONDEBUG_INSN_P (insn))
	continue;
      subrtx_iterator::array_type array;
      FOR_EACH_SUBRTX (iter, array, PATTERN (insn), ALL)
	{
	  const_rtx x = *iter;
	  const char *templ;
	  if (GET_CODE (x) == ASM_INPUT)
	    templ = XSTR (x, 0);
	  else if (GET_CODE (x) == ASM_OPERANDS)
	    templ = ASM_OPERANDS_TEMPLATE (x);
	  else
	    continue;
	  /* An empty template (a compiler barrier) uses no stack.  */
	  for (const char *p = templ; *p; p++)
	    if (!ISSPACE (*p))
	      return true;
	}
    }
  return false;
}

const char *
lstk_reasons_text (unsigned why)
{
  static const struct { unsigned bit; const char *text; } names[] =
  {
    { LSTK_WHY_CHECK_ALL, "check=all" },
    { LSTK_WHY_VARARGS, "varargs" },
    { LSTK_WHY_DYNAMIC, "dynamic" },
    { LSTK_WHY_RECURSION, "recursion" },
    { LSTK_WHY_INDIRECT, "indirect" },
    { LSTK_WHY_EXTERNAL, "external" },
    { LSTK_WHY_PENDING, "not yet compiled" },
    { LSTK_WHY_OTHER_UNIT, "other unit" },
    { LSTK_WHY_ASM, "asm" },
    { LSTK_WHY_DEPTH, "depth" },
    { LSTK_WHY_USER, "no_split_stack" },
    { LSTK_WHY_COMDAT, "comdat" },
    { LSTK_WHY_NAKED, "naked" },
  };
  static char buf[256];

  buf[0] = '\0';
  for (size_t i = 0; i < ARRAY_SIZE (names); i++)
    if (why & names[i].bit)
      {
	if (buf[0])
	  strcat (buf, ", ");
	strcat (buf, names[i].text);
      }
  return buf;
}

const char *
lstk_callee_kind_word (enum lstk_callee_kind k)
{
  switch (k)
    {
    case LSTK_CALLEE_CHECKED: return "checked";
    case LSTK_CALLEE_UNCHECKED: return "unchecked";
    case LSTK_CALLEE_SELF: return "self";
    case LSTK_CALLEE_PENDING: return "unit";
    case LSTK_CALLEE_OTHER_UNIT: return "other-unit";
    case LSTK_CALLEE_EXTERNAL: return "external";
    case LSTK_CALLEE_INDIRECT: return "indirect";
    case LSTK_CALLEE_TLSDESC: return "tlsdesc";
    case LSTK_CALLEE_DYNALLOC: return "alloca";
    case LSTK_CALLEE_GUARDED_ENTRY: return "guarded-entry";
    }
  return "?";
}

