/* analysis.h: what the plugin knows about each function it compiles.

   The three RTL passes share one record per function (struct lstk_fn),
   keyed by assembler name:

     lstk_placement (before pro_and_epilogue)  decides checked/unchecked
	from an upper bound of the frame (the prologue is not there yet) and
	the call sites; creates the record.
     lstk_reserve   (after pro_and_epilogue)   recomputes everything with
	the exact frame, verifies the placement's assumption, patches the
	check (and the alloca space checks) to cover what lies below the
	frame, and publishes the function's region for its callers.
     lstk_verify    (before final)             walks the final insns once
	more: no call, push or frame may have appeared since.

   The unit's end (report.cc) computes worst-case depths through the call
   graph, warns, and writes the reports.  See doc/plugin.md for the proof
   that the accounting below is sound.

   Terms, all in bytes, for a function F entered with stack pointer S (S
   points at F's return address):
     A      F's frame: what its prologue subtracts or pushes (r10; the
	    .su static size minus the return address).
     need   of a call site: how far below F's frame bottom the call can
	    write before some check runs: pushed arguments + return address
	    + the callee's cost c (below its own entry).
     N      max (LSTK_RED_ZONE, max need over F's call sites).
     D      F's region, A + N (+ realignment slack): how far below S
	    F and its unchecked callees write, before any new chunk.
   Costs c: a checked callee writes at most LSTK_MORESTACK_PUSH bytes
   below its entry (a failed check: __morestack's pushes) and its own
   check covers the rest; an unchecked callee writes its region; a callee
   not compiled yet (or in another unit, or COMDAT: any unit's copy may
   run) at most R (it will be checked, or unchecked with a region of at
   most R); uninstrumented code its proven budget, plus R unless it is a
   leaf; code whose stack use is not proven (no budget, external=,
   indirect, weak or interposable definitions, naked) the guarded request
   G plus R (budgets.h).  Only a body that is the one that runs (static,
   or binding to the current definition, not COMDAT) is ever analysed for
   a caller.

   A function goes unchecked only if D <= R.  A checked function's check
   must guarantee D <= T + R, where the check is "S - T >= guard"; it is
   patched to T = D - R when its natural threshold (0 for frames under 256
   bytes, A for larger ones) is smaller.  */

#ifndef LSTK_PLUGIN_ANALYSIS_H
#define LSTK_PLUGIN_ANALYSIS_H

/* Bytes below rsp that a leaf may use without moving rsp (the x86-64 red
   zone; GCC uses at most 120 of it).  Counted for every function.  */
#define LSTK_RED_ZONE 128
/* Bytes a failed check writes below the checking function's entry: the
   return address of "call __morestack" and the 32 bytes __morestack
   pushes before it leaves the chunk (rt/stack/x86_64/morestack_*.S).  */
#define LSTK_MORESTACK_PUSH 40
/* Bytes __morestack_allocate_stack_space writes below its return
   address before it moves to the system stack (push %rbp).  */
#define LSTK_DYNALLOC_PUSH 8
/* SPLIT_STACK_AVAILABLE of i386.cc (not in the plugin headers): frames
   under this size get the small form of the check (rsp >= guard).  */
#define LSTK_SPLIT_STACK_AVAILABLE 256

/* The most a local function's region may be when its callers' checks
   cover it instead of its own (maxpath.cc): a few times R, far below the
   guarded request G, so that a caller's check grows by a bounded amount
   and a guarded request stays with the function that makes the unproven
   call.  */
#define LSTK_MAXPATH_MAX 2048

/* What a call site calls.  */
enum lstk_callee_kind
{
  LSTK_CALLEE_CHECKED,		/* compiled here, checked: c = 40 */
  LSTK_CALLEE_UNCHECKED,	/* compiled here, unchecked: c = its region */
  LSTK_CALLEE_SELF,		/* the function itself (it is checked) */
  LSTK_CALLEE_PENDING,		/* defined here, not compiled yet: c = R */
  LSTK_CALLEE_OTHER_UNIT,	/* instrumented, defined elsewhere: c = R */
  LSTK_CALLEE_EXTERNAL,		/* uninstrumented, by name: its budget */
  LSTK_CALLEE_INDIRECT,		/* through a pointer */
  LSTK_CALLEE_TLSDESC,		/* a TLS descriptor's resolver */
  LSTK_CALLEE_DYNALLOC,		/* __morestack_allocate_stack_space */
  LSTK_CALLEE_GUARDED_ENTRY	/* through a pointer, by the unit's
				   guarded entry (cold_calls.cc): c = 40 */
};

/* One call site (or a call that is no call insn: TLS descriptor,
   mcount).  */
struct lstk_call
{
  enum lstk_callee_kind kind;
  /* The callee's assembler name; NULL for indirect and TLS calls.  */
  const char *name;
  /* Bytes the call can write below the caller's frame bottom.  */
  HOST_WIDE_INT need;
  /* For uninstrumented callees: their budget.  */
  struct lstk_budget budget;
  location_t loc;
};

/* Why a function keeps its check (a bit set; the report lists them).  */
enum lstk_reason
{
  LSTK_WHY_CHECK_ALL = 1 << 0,	/* check=all */
  LSTK_WHY_VARARGS = 1 << 1,	/* fun->stdarg (gcc-notes 1) */
  LSTK_WHY_DYNAMIC = 1 << 2,	/* alloca/VLA */
  LSTK_WHY_RECURSION = 1 << 3,	/* calls itself, or a cycle member */
  LSTK_WHY_INDIRECT = 1 << 4,	/* calls through a pointer */
  LSTK_WHY_EXTERNAL = 1 << 5,	/* calls uninstrumented code */
  LSTK_WHY_PENDING = 1 << 6,	/* calls a function not compiled yet */
  LSTK_WHY_OTHER_UNIT = 1 << 7,	/* calls an instrumented function
				   defined in another unit */
  LSTK_WHY_ASM = 1 << 8,	/* inline asm: unknown stack use */
  LSTK_WHY_DEPTH = 1 << 9,	/* region over R */
  LSTK_WHY_USER = 1 << 10,	/* (unchecked) user's no_split_stack */
  LSTK_WHY_COMDAT = 1 << 11,	/* COMDAT: another unit's copy may run,
				   compiled with its own view */
  LSTK_WHY_NAKED = 1 << 12	/* (unchecked, with LSTK_WHY_USER) naked:
				   no prologue of any kind */
};

/* Everything known about one function.  */
struct lstk_fn
{
  /* Assembler name (the key) and the name as printed in reports.  */
  const char *name;
  /* The FUNCTION_DECL, kept alive by the symbol table to the unit's end;
     for %qD in the unit's end warnings.  */
  tree decl;
  const char *print_name;
  /* DECL_SOURCE_LOCATION and the .su "file:line:col:name" prefix.  */
  location_t loc;
  const char *su_prefix;
  /* Placement: the decision and its assumption.  */
  bool checked;
  unsigned reasons;
  HOST_WIDE_INT frame_bound;	/* upper bound of A before the prologue */
  HOST_WIDE_INT region_bound;	/* D assumed by the placement */
  HOST_WIDE_INT args_size;	/* incoming stack-argument bytes (what
				   __morestack copies for its entry) */
  bool maxpath;			/* unchecked with D > R: every caller is
				   compiled later here and covers D
				   (maxpath.cc) */
  /* After the prologue (exact).  */
  bool done;
  HOST_WIDE_INT allocate;	/* A */
  HOST_WIDE_INT static_size;	/* .su bytes column */
  const char *su_kind;		/* static | dynamic | dynamic,bounded */
  bool dynamic;			/* alloca/VLA */
  bool unbounded;		/* ... of unbounded size */
  bool leaf;			/* crtl->is_leaf */
  HOST_WIDE_INT push;		/* most bytes of arguments pushed */
  HOST_WIDE_INT n;		/* N */
  HOST_WIDE_INT region;		/* D */
  HOST_WIDE_INT threshold;	/* T: the check is "S - T >= guard" */
  HOST_WIDE_INT request;	/* r10 after patching (checked only) */
  HOST_WIDE_INT ext_reserve;	/* most need of an uninstrumented callee */
  vec<lstk_call> calls;
  /* End of unit: worst-case depth through the call graph.  */
  int depth_state;		/* 0 new, 1 on the DFS stack, 2 done */
  HOST_WIDE_INT depth;
  unsigned unbounded_why;	/* LSTK_WHY_* that made it unbounded */
  const char *deepest;		/* callee on the deepest path, or NULL */
  /* Cycle id (0: none) for warn-recursion.  */
  int scc;
};

/* The record of the function named NAME, or NULL.  */
extern lstk_fn *lstk_fn_lookup (const char *name);
/* The record of FUN's function, created if needed.  */
extern lstk_fn *lstk_fn_get (function *fun);
/* Every record, in the order the functions were compiled.  */
extern vec<lstk_fn *> lstk_fns;

/* Record that a compiled function called NAME before NAME was compiled
   (a call of kind LSTK_CALLEE_PENDING); and ask whether one did.  */
extern void lstk_note_pending (const char *name);
extern bool lstk_called_pending_p (const char *name);

/* The assembler name of DECL, without a leading '*'.  */
extern const char *lstk_decl_name (tree decl);

/* Walk the current function's insns (FUN's), skipping PROLOGUE_CALL (the
   split-stack prologue's own call to __morestack, or NULL), and collect
   its call sites into *CALLS and its most pushed bytes into *PUSH.  */
extern void lstk_collect_calls (function *fun, rtx_insn *prologue_call,
				vec<lstk_call> *calls, HOST_WIDE_INT *push);

/* Classify the CALL_P INSN of the function named SELF into *CALL (kind,
   name, budget, location; not its need).  */
extern void lstk_classify_call_insn (rtx_insn *insn, const char *self,
				     lstk_call *call);

/* The need of CALL when PUSH bytes of arguments are pushed.  */
extern HOST_WIDE_INT lstk_call_need_of (const lstk_call *call,
					HOST_WIDE_INT push);

/* N for CALLS (each need already includes the pushed bytes).  */
extern HOST_WIDE_INT lstk_calls_n (const vec<lstk_call> &calls);

/* The LSTK_WHY_* bits that CALLS force.  */
extern unsigned lstk_calls_reasons (const vec<lstk_call> &calls);

/* Bytes of realignment a frame may add (0 without stack realignment).  */
extern HOST_WIDE_INT lstk_realign_slack (void);

/* True if the current function contains inline asm.  */
extern bool lstk_has_asm_p (void);

/* Warn about FUN's dead-at-a-call findings (warn-dead=; pass_dead.cc),
   from the late pass: the frame is final.  */
extern void lstk_dead_warn (function *fun, lstk_fn *rec);

/* The worst-case depth of the function NAME through the call graph known
   so far; *BOUNDED is false if it is unbounded or unknown.  */
extern HOST_WIDE_INT lstk_report_depth_now (const char *name, bool *bounded);

/* Warnings that need only the function itself (warn-frame=,
   warn-dynamic), from lstk_reserve.  */
extern void lstk_report_function (function *fun, lstk_fn *rec);

/* The unit's end: depths, warnings, reports, the .note.linkstack.  */
extern void lstk_report_finish_unit (void);

/* Why the function being placed, FUN, with region bound D and reasons
   WHY, cannot leave its region to its callers' checks; NULL if it can
   (maxpath.cc).  */
extern const char *lstk_maxpath_refusal (function *fun, HOST_WIDE_INT d,
					 unsigned why);

/* Cold calls (cold_calls.cc): if FUN (frame bound A, pushed bytes PUSH,
   reasons WHY) exceeds R only through calls, taken less than once per
   entry, to deep unchecked functions of this unit, redirect them to
   checked entries of those functions and return true (FUN's calls must
   then be collected again).  */
extern bool lstk_cold_calls_try (function *fun, HOST_WIDE_INT a,
				 HOST_WIDE_INT push, unsigned why);
/* The function whose checked entry is the symbol NAME, or NULL.  */
extern lstk_fn *lstk_cold_stub_target (const char *name);
/* True if NAME is the unit's guarded entry (cold_calls.cc).  */
extern bool lstk_guarded_entry_p (const char *name);
/* The unit's end: write the checked entries used.  */
extern void lstk_cold_calls_emit (void);

/* The unit's end: every call to a function left to its callers was
   accounted with its region (maxpath.cc); internal errors otherwise.  */
extern void lstk_maxpath_verify (void);

/* The word for a callee kind in dumps and reports ("checked" ...).  */
extern const char *lstk_callee_kind_word (enum lstk_callee_kind kind);

/* Short text for a reason bit set ("recursion, external").  */
extern const char *lstk_reasons_text (unsigned reasons);

/* The symbol a CALL_P INSN calls, or NULL for an indirect call.  */
rtx lstk_call_symbol (rtx_insn *insn);

#endif /* LSTK_PLUGIN_ANALYSIS_H */
