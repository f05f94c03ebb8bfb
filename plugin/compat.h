/* compat.h: the one place the linkstack plugin includes GCC's headers.

   GCC's plugin headers are GCC's own internal headers, installed as they
   are (Debian: gcc-12-plugin-dev, under `gcc -print-file-name=plugin`).
   They have no stable API and they depend on one another in an order that
   GCC's own sources follow by convention: gcc-plugin.h first (it pulls in
   config.h, system.h, coretypes.h, backend.h and tm.h), then the tree and
   pass manager headers, then RTL.  Every plugin file includes this header
   and no GCC header of its own (but linkstack.cc, for plugin-version.h),
   so a GCC upgrade is handled here.

   The version floor and ceiling are one: GCC 12.  The RTL shapes the
   reserve pass matches (pass_reserve.cc) were checked against GCC 12.2's
   ix86_expand_split_stack_prologue only; another GCC must be re-verified
   (gcc-notes.md, section 5) before this #error is relaxed.

   The second half declares what the plugin's files share: the options
   given with -fplugin-arg-linkstack-*, and the pass factories (GCC keeps
   its own factories in tree-pass.h the same way).  */

#ifndef LSTK_PLUGIN_COMPAT_H
#define LSTK_PLUGIN_COMPAT_H

/* gcc-plugin.h must come first: it includes GCC's config.h and system.h,
   which every other GCC header assumes.  (Its #include "config.h" finds
   GCC's config.h, next to it, never linkstack's: a quoted include looks in
   the including file's own directory first.)  */
#include "gcc-plugin.h"
#include "bversion.h"

#if BUILDING_GCC_MAJOR != 12
#error "linkstack's plugin is written for GCC 12 (see plugin/compat.h)"
#endif

#include "tree.h"
#include "tree-pass.h"
#include "context.h"
#include "function.h"
#include "basic-block.h"
#include "rtl.h"
#include "memmodel.h"		/* before emit-rtl.h: enum memmodel */
#include "emit-rtl.h"
#include "tm_p.h"
#include "insn-config.h"	/* before recog.h: MAX_RECOG_OPERANDS */
#include "recog.h"
#include "cgraph.h"
#include "stringpool.h"
#include "attribs.h"
#include "diagnostic-core.h"
#include "dumpfile.h"
#include "print-rtl.h"
#include "rtl-iter.h"
#include "intl.h"
#include "gimple.h"
#include "gimple-iterator.h"
#include "gimple-walk.h"
#include "ssa.h"
#include "cfganal.h"
#include "print-tree.h"
#include "output.h"
#include "langhooks.h"
#include "diagnostic.h"
#include "hash-map.h"
#include "df.h"
#include "regs.h"
#include "varasm.h"		/* decl_binds_to_current_def_p */
#include "sreal.h"		/* cgraph_edge::sreal_frequency (maxpath.cc) */

/* The plugin reads x86-64 registers and the TCB slot of GCC's i386
   back end; it cannot be built against another target's headers.  */
#if !defined (R10_REG) || !defined (R11_REG) || !defined (FLAGS_REG) \
    || !defined (TARGET_THREAD_SPLIT_STACK_OFFSET)
#error "linkstack's plugin needs GCC's x86-64 GNU/Linux plugin headers"
#endif

/* ------------------------------------------------------------------------
   Declarations shared by the plugin's files.
   ------------------------------------------------------------------------ */

/* Values of -fplugin-arg-linkstack-check=.  */
enum lstk_check_mode
{
  /* The default: a function goes without a check when the placement can
     prove that its worst case fits the reserve R (pass_placement.cc).  */
  LSTK_CHECK_NEEDED,
  /* Every function keeps GCC's split-stack check.  */
  LSTK_CHECK_ALL
};

/* What the -fplugin-arg-linkstack-* arguments asked for; filled by
   plugin_init (linkstack.cc) and read-only afterwards.  The external=
   names and the per-callee budgets live in budgets.cc.  */
struct lstk_options
{
  /* check=: which functions keep a check.  */
  enum lstk_check_mode check;
  /* reserve=: R, the bytes the runtime keeps free below every guard
     (rt/stack/stack.h, LSTK__RESERVE; lstk_reserve () at run time).  */
  HOST_WIDE_INT reserve;
  /* external-reserve=: G, the guarded request.  A call into code whose
     stack use is not proven (external without a proven budget, external=,
     indirect, weak, interposable, naked) makes the caller's check ask
     for G + R below its frame: more than any unguarded chunk offers, so
     the code runs on a guarded chunk (budgets.h).  Never below the
     runtime's threshold G'.  */
  HOST_WIDE_INT external_reserve;
  /* budgets=: the budgets table to read (NULL: the default places).  */
  const char *budgets_file;
  /* libc-names=: the list of libc function names (NULL: the default
     places).  */
  const char *libc_names_file;
  /* report: write <base>.lsu and <base>.lsu.json.  */
  bool report;
  /* warn-frame=, warn-depth=, warn-dead=: thresholds in bytes, -1 = off.  */
  HOST_WIDE_INT warn_frame;
  HOST_WIDE_INT warn_depth;
  HOST_WIDE_INT warn_dead;
  /* warn-recursion, warn-dynamic.  */
  bool warn_recursion;
  bool warn_dynamic;
  /* verbose: one note (inform) per function and decision.  */
  bool verbose;
  /* no-maxpath: every unchecked function's region fits R by itself; no
     local function relies on its callers' checks (maxpath.cc).  */
  bool no_maxpath;
  /* no-cold-calls: no call is redirected to a checked entry
     (cold_calls.cc).  */
  bool no_cold_calls;
};

extern struct lstk_options lstk_opts;

/* Default, lower and upper bound of external-reserve= (G, bytes).  The
   default is the contract's LSTK_GUARDED_REQUEST; the lower bound is the
   runtime's G' (the smallest __morestack request it serves with a
   guarded chunk), copied from rt/ at build time when rt/ defines it
   (plugin/Local.mk).  */
#ifndef LSTK_GUARDED_REQUEST_DEFAULT
#define LSTK_GUARDED_REQUEST_DEFAULT 65536
#endif
#ifndef LSTK_GUARDED_MIN
#define LSTK_GUARDED_MIN 65536
#endif
#define LSTK_EXTERNAL_RESERVE_DEFAULT LSTK_GUARDED_REQUEST_DEFAULT
#define LSTK_EXTERNAL_RESERVE_MAX 1048576

/* Bounds of reserve= (bytes).  The default is the runtime's own
   LSTK__RESERVE, copied from rt/stack/stack.h at build time (Local.mk).  */
#define LSTK_RESERVE_MIN 64
#define LSTK_RESERVE_MAX 65536

/* Thresholds that warn-all uses for the warnings that take one.  */
#define LSTK_WARN_ALL_FRAME 512
#define LSTK_WARN_ALL_DEPTH 8192
#define LSTK_WARN_ALL_DEAD 256

/* True if DECL carries the no_split_stack attribute: GCC emits no
   split-stack prologue for it (make_split_prologue_seq, function.cc).  */
static inline bool
lstk_no_split_stack_p (tree decl)
{
  return lookup_attribute ("no_split_stack", DECL_ATTRIBUTES (decl))
	 != NULL_TREE;
}

/* Link and load failures for builds that would run unprotected
   (link_guards.cc): a reference only the plugin at an LTO link satisfies
   (from PLUGIN_START_UNIT), and the definitions (at the unit's end).  */
extern void lstk_lto_guard_start_unit (void);
extern void lstk_link_guards_finish_unit (void);

/* The passes, one per file; linkstack.cc registers them.  */
extern rtl_opt_pass *lstk_make_pass_placement (gcc::context *ctxt);
extern rtl_opt_pass *lstk_make_pass_reserve (gcc::context *ctxt);
extern rtl_opt_pass *lstk_make_pass_verify (gcc::context *ctxt);
extern gimple_opt_pass *lstk_make_pass_dead (gcc::context *ctxt);
extern gimple_opt_pass *lstk_make_pass_refuse (gcc::context *ctxt);

#endif /* LSTK_PLUGIN_COMPAT_H */
