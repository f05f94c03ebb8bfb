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
  /* Every function keeps GCC's split-stack check (v1: the only mode).  */
  LSTK_CHECK_ALL
};

/* What the -fplugin-arg-linkstack-* arguments asked for; filled by
   plugin_init (linkstack.cc) and read-only afterwards.  The external=
   names and the per-callee budgets live in budgets.cc.  */
struct lstk_options
{
  /* check=: which functions keep a check.  */
  enum lstk_check_mode check;
  /* external-reserve=: bytes of stack a call into code the plugin cannot
     see (external, indirect, no_split_stack) may use below the call.  */
  HOST_WIDE_INT external_reserve;
  /* verbose: one note (inform) per function and decision.  */
  bool verbose;
};

extern struct lstk_options lstk_opts;

/* Default, and upper bound, of external-reserve= (bytes).  */
#define LSTK_EXTERNAL_RESERVE_DEFAULT 16384
#define LSTK_EXTERNAL_RESERVE_MAX 1048576

/* True if DECL carries the no_split_stack attribute: GCC emits no
   split-stack prologue for it (make_split_prologue_seq, function.cc).  */
static inline bool
lstk_no_split_stack_p (tree decl)
{
  return lookup_attribute ("no_split_stack", DECL_ATTRIBUTES (decl))
	 != NULL_TREE;
}

/* Placement's decision for FUN (pass_placement.cc): true if FUN keeps
   its split-stack check, with a short *REASON for notes and dumps.  */
extern bool lstk_placement_needs_check (function *fun, const char **reason);

/* The passes, one per file; linkstack.cc registers them.  */
extern rtl_opt_pass *lstk_make_pass_placement (gcc::context *ctxt);
extern rtl_opt_pass *lstk_make_pass_reserve (gcc::context *ctxt);

#endif /* LSTK_PLUGIN_COMPAT_H */
