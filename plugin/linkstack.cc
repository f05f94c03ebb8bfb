/* linkstack.cc: GCC 12 plugin entry point of linkstack.

   linkstack runs threads on small linked stacks: chains of chunks that grow
   when a function's split-stack check fails (the runtime, rt/, implements
   __morestack).  GCC's -fsplit-stack emits the check; this plugin turns it
   on without the driver knowing (so no --wrap=pthread_create and no
   libgcc split-stack runtime is linked) and adjusts it:

     lstk_dead       (GIMPLE, after "optimized"; warn-dead= only)
	finds large locals that are dead at a call; pass_dead.cc.
     lstk_placement  (RTL, just before "pro_and_epilogue")
	decides per function whether it needs a check: only when its worst
	case provably fits the reserve R does it go without one
	(check=needed, the default); pass_placement.cc.
     lstk_reserve    (RTL, just after "pro_and_epilogue")
	verifies the decision with the exact frame and makes the check ask
	for what lies below the frame (unchecked callees, code the plugin
	cannot see, pushed arguments); pass_reserve.cc.
     lstk_verify     (RTL, just before "final")
	checks that no later pass changed what the check was set for;
	pass_verify.cc.
     lstk_refuse     (GIMPLE, after "optimized")
	errors for what linked stacks cannot run: trampolines,
	__builtin_setjmp/__builtin_longjmp, nonlocal goto; pass_refuse.cc.
   The placement has two helpers: maxpath.cc (local functions whose
   callers' checks cover them) and cold_calls.cc (checked entries for
   rarely taken deep calls).  At the end of the unit, maxpath.cc verifies
   every call to a function its callers cover, cold_calls.cc writes the
   checked entries, report.cc computes worst-case depths, warns,
   writes the reports and the object's notes (R, G, the proven budgets
   used); link_guards.cc makes an LTO link without the plugin, or a link
   without liblinkstack, fail with a symbol's name.  analysis.h holds
   the shared records and terms; doc/plugin.md the design and its proof.

   Usage:
     gcc -fplugin=/path/to/linkstack.so [-fplugin-arg-linkstack-KEY[=VALUE]]
   with the keys listed in lstk_plugin_help below.

   Debugging:
     -fplugin-arg-linkstack-verbose   a note per function
     -fdump-rtl-all-details           among the RTL dumps, <base>.NNNr.
				      lstk_placement (the decisions),
				      lstk_reserve (exact sizes, the
				      prologue before and after) and
				      lstk_verify, next to
				      pro_and_epilogue (GCC's prologue)
   GCC 12 reads -fdump-rtl-<pass> switches before it loads plugins, so
   -fdump-rtl-lstk_reserve-details is refused as an unknown option; only
   the "all" form reaches a plugin's pass.  (Newer GCC sources handle the
   dump switches after loading the plugins.)

   GCC's headers come in through compat.h only.  The facts about GCC 12's
   split-stack code this plugin relies on were verified and written down
   in the team's gcc-notes.md (sections 1, 3 and 5).  */

#include "compat.h"
#include "budgets.h"
#include "analysis.h"
/* plugin-version.h defines (static) gcc_version, the version this plugin
   was built against; include it in this file only.  */
#include "plugin-version.h"

#ifndef LSTK_PLUGIN_VERSION
#define LSTK_PLUGIN_VERSION "unknown"
#endif

/* GCC refuses to load a plugin that does not define this symbol.  */
int plugin_is_GPL_compatible;

#ifndef LSTK_RESERVE_DEFAULT
#error "LSTK_RESERVE_DEFAULT (the runtime's LSTK__RESERVE) must be defined"
#endif

struct lstk_options lstk_opts =
{
  LSTK_CHECK_NEEDED,			/* check */
  LSTK_RESERVE_DEFAULT,			/* reserve */
  LSTK_EXTERNAL_RESERVE_DEFAULT,	/* external_reserve */
  NULL,					/* budgets_file */
  NULL,					/* libc_names_file */
  false,				/* report */
  -1, -1, -1,				/* warn_frame, warn_depth, warn_dead */
  false, false,				/* warn_recursion, warn_dynamic */
  false,				/* verbose */
  false,				/* no_maxpath */
  false					/* no_cold_calls */
};

/* The keys, for error messages (one line) and for --help (one per line).  */
#define LSTK_KEYS \
  "check=all|needed, reserve=N, external-reserve=N, " \
  "external=NAME[,NAME...], budgets=FILE, libc-names=FILE, report, " \
  "warn-frame=N, " \
  "warn-depth=N, warn-recursion, warn-dynamic, warn-dead=N, warn-all, " \
  "verbose, no-maxpath, no-cold-calls"

#define LSTK_STR_1(x) #x
#define LSTK_STR(x) LSTK_STR_1 (x)

static const char lstk_plugin_help[] =
  "-fplugin-arg-linkstack-check=all|needed\n"
  "    needed (the default): a function keeps its split-stack check unless\n"
  "    its worst case provably fits the reserve; all: every function does\n"
  "-fplugin-arg-linkstack-reserve=N\n"
  "    R, the bytes the runtime keeps free below each guard (64..65536,\n"
  "    default " LSTK_STR (LSTK_RESERVE_DEFAULT) ", the runtime's "
  "lstk_reserve ()); recorded in the object\n"
  "-fplugin-arg-linkstack-external-reserve=N\n"
  "    G, the guarded request (" LSTK_STR (LSTK_GUARDED_MIN) "..1048576, "
  "default " LSTK_STR (LSTK_GUARDED_REQUEST_DEFAULT) "):\n"
  "    a call into code whose stack use is not proven (no proven budget,\n"
  "    external=, indirect, weak, interposable) runs on a guarded chunk;\n"
  "    its caller asks for G bytes plus the reserve; recorded in the object\n"
  "-fplugin-arg-linkstack-external=NAME[,NAME...]\n"
  "    treat these functions as unproven code even if defined here or\n"
  "    listed in the budgets table (the guarded path)\n"
  "-fplugin-arg-linkstack-budgets=FILE\n"
  "    the table of proven stack budgets (default: budgets.txt next to\n"
  "    the plugin, then the installed one)\n"
  "-fplugin-arg-linkstack-libc-names=FILE\n"
  "    the names the C library exports (default: libc-names.txt next to\n"
  "    the budgets table, then the plugin, then the installed one)\n"
  "-fplugin-arg-linkstack-report\n"
  "    write <base>.lsu and <base>.lsu.json next to the object\n"
  "-fplugin-arg-linkstack-warn-frame=N\n"
  "    warn about frames of more than N bytes\n"
  "-fplugin-arg-linkstack-warn-depth=N\n"
  "    warn about worst-case stack depths of more than N bytes\n"
  "-fplugin-arg-linkstack-warn-recursion\n"
  "    warn about recursion, naming the cycle's members\n"
  "-fplugin-arg-linkstack-warn-dynamic\n"
  "    warn about alloca and variable-length arrays of unbounded size\n"
  "-fplugin-arg-linkstack-warn-dead=N\n"
  "    warn about locals of N bytes or more that are dead at a call but\n"
  "    stay in the frame while the callee runs\n"
  "-fplugin-arg-linkstack-warn-all\n"
  "    all warnings: frame 512, depth 8192, dead 256 unless given\n"
  "-fplugin-arg-linkstack-verbose\n"
  "    a note for each function: check kept or dropped, request\n"
  "-fplugin-arg-linkstack-no-maxpath\n"
  "    every function without a check fits the reserve by itself: no\n"
  "    local function leaves its depth to its callers' checks\n"
  "-fplugin-arg-linkstack-no-cold-calls\n"
  "    no rarely taken call goes to a checked entry of a deep callee";

static struct plugin_info lstk_plugin_info =
{
  LSTK_PLUGIN_VERSION,
  lstk_plugin_help
};

/* Name of the plugin as the user spelled it in -fplugin= (the file name
   without .so); -fplugin-arg-<this>-KEY reaches us.  */
static const char *lstk_plugin_name = "linkstack";

/* Report argument KEY (with VALUE, NULL if none) as malformed; WHAT says
   what was expected.  Returns false, for the parser's convenience.  */
static bool
lstk_arg_error (const char *key, const char *value, const char *what)
{
  if (value)
    error ("linkstack: invalid argument %<-fplugin-arg-%s-%s=%s%>: %s",
	   lstk_plugin_name, key, value, what);
  else
    error ("linkstack: invalid argument %<-fplugin-arg-%s-%s%>: %s",
	   lstk_plugin_name, key, what);
  return false;
}

/* check=all|needed.  VALUE is NULL when no '=' was given.  */
static bool
lstk_parse_check (const char *key, const char *value)
{
  if (value == NULL || *value == '\0')
    return lstk_arg_error (key, value, G_("a value is required; accepted "
					   "values: all, needed"));
  if (strcmp (value, "all") == 0)
    lstk_opts.check = LSTK_CHECK_ALL;
  else if (strcmp (value, "needed") == 0)
    lstk_opts.check = LSTK_CHECK_NEEDED;
  else
    return lstk_arg_error (key, value, G_("accepted values: all, needed"));
  return true;
}

/* A decimal number of bytes from MIN to MAX into *OUT: digits only (no
   sign, no suffix).  WHAT is the message for anything else.  */
static bool
lstk_parse_bytes (const char *key, const char *value, HOST_WIDE_INT min,
		  HOST_WIDE_INT max, HOST_WIDE_INT *out, const char *what)
{
  HOST_WIDE_INT n = 0;

  if (value == NULL || *value == '\0')
    return lstk_arg_error (key, value, what);
  for (const char *p = value; *p; p++)
    {
      if (!ISDIGIT (*p))
	return lstk_arg_error (key, value, what);
      n = n * 10 + (*p - '0');
      /* Stop before N can overflow: long strings of digits are out of
	 range anyway.  */
      if (n > max)
	return lstk_arg_error (key, value, what);
    }
  if (n < min)
    return lstk_arg_error (key, value, what);
  *out = n;
  return true;
}

/* external=NAME[,NAME...]: no empty names.  */
static bool
lstk_parse_external (const char *key, const char *value)
{
  const char *what = G_("expected a comma-separated list of function names");

  if (value == NULL || *value == '\0')
    return lstk_arg_error (key, value, what);
  for (const char *p = value; *p; p++)
    if ((p == value || p[-1] == ',') && (*p == ','))
      return lstk_arg_error (key, value, what);
  if (value[strlen (value) - 1] == ',')
    return lstk_arg_error (key, value, what);

  char *list = xstrdup (value);
  for (char *name = strtok (list, ","); name; name = strtok (NULL, ","))
    lstk_budget_add_external (name);
  free (list);
  return true;
}

/* A flag: no value.  */
static bool
lstk_parse_flag (const char *key, const char *value, bool *out)
{
  if (value != NULL)
    return lstk_arg_error (key, value, G_("takes no value"));
  *out = true;
  return true;
}

/* Parse every -fplugin-arg-linkstack-* argument in INFO.  Reports each bad
   one (so a user sees all mistakes at once) and returns false if any.  */
static bool
lstk_parse_args (const struct plugin_name_args *info)
{
  bool ok = true;
  bool warn_all = false;
  const char *nbytes = G_("expected a decimal number of bytes from 0 to "
			  "1048576");

  for (int i = 0; i < info->argc; i++)
    {
      const char *key = info->argv[i].key;
      const char *value = info->argv[i].value;

      if (strcmp (key, "check") == 0)
	ok &= lstk_parse_check (key, value);
      else if (strcmp (key, "reserve") == 0)
	ok &= lstk_parse_bytes (key, value, LSTK_RESERVE_MIN, LSTK_RESERVE_MAX,
				&lstk_opts.reserve,
				G_("expected a decimal number of bytes from "
				   "64 to 65536"));
      else if (strcmp (key, "external-reserve") == 0)
	ok &= lstk_parse_bytes (key, value, LSTK_GUARDED_MIN,
				LSTK_EXTERNAL_RESERVE_MAX,
				&lstk_opts.external_reserve,
				G_("expected a decimal number of bytes from "
				   LSTK_STR (LSTK_GUARDED_MIN) " (the "
				   "runtime's smallest guarded request) to "
				   "1048576"));
      else if (strcmp (key, "external") == 0)
	ok &= lstk_parse_external (key, value);
      else if (strcmp (key, "budgets") == 0)
	{
	  if (value == NULL || *value == '\0')
	    ok &= lstk_arg_error (key, value, G_("expected a file name"));
	  else
	    lstk_opts.budgets_file = value;
	}
      else if (strcmp (key, "libc-names") == 0)
	{
	  if (value == NULL || *value == '\0')
	    ok &= lstk_arg_error (key, value, G_("expected a file name"));
	  else
	    lstk_opts.libc_names_file = value;
	}
      else if (strcmp (key, "report") == 0)
	ok &= lstk_parse_flag (key, value, &lstk_opts.report);
      else if (strcmp (key, "warn-frame") == 0)
	ok &= lstk_parse_bytes (key, value, 0, LSTK_EXTERNAL_RESERVE_MAX,
				&lstk_opts.warn_frame, nbytes);
      else if (strcmp (key, "warn-depth") == 0)
	ok &= lstk_parse_bytes (key, value, 0, LSTK_EXTERNAL_RESERVE_MAX,
				&lstk_opts.warn_depth, nbytes);
      else if (strcmp (key, "warn-dead") == 0)
	ok &= lstk_parse_bytes (key, value, 1, LSTK_EXTERNAL_RESERVE_MAX,
				&lstk_opts.warn_dead,
				G_("expected a decimal number of bytes from "
				   "1 to 1048576"));
      else if (strcmp (key, "warn-recursion") == 0)
	ok &= lstk_parse_flag (key, value, &lstk_opts.warn_recursion);
      else if (strcmp (key, "warn-dynamic") == 0)
	ok &= lstk_parse_flag (key, value, &lstk_opts.warn_dynamic);
      else if (strcmp (key, "warn-all") == 0)
	ok &= lstk_parse_flag (key, value, &warn_all);
      else if (strcmp (key, "verbose") == 0)
	ok &= lstk_parse_flag (key, value, &lstk_opts.verbose);
      else if (strcmp (key, "no-maxpath") == 0)
	ok &= lstk_parse_flag (key, value, &lstk_opts.no_maxpath);
      else if (strcmp (key, "no-cold-calls") == 0)
	ok &= lstk_parse_flag (key, value, &lstk_opts.no_cold_calls);
      else
	{
	  if (value)
	    error ("linkstack: unknown argument %<-fplugin-arg-%s-%s=%s%>; "
		   "accepted keys: %s", lstk_plugin_name, key, value, LSTK_KEYS);
	  else
	    error ("linkstack: unknown argument %<-fplugin-arg-%s-%s%>; "
		   "accepted keys: %s", lstk_plugin_name, key, LSTK_KEYS);
	  ok = false;
	}
    }

  /* warn-all: every warning; a threshold given on its own wins.  */
  if (warn_all)
    {
      if (lstk_opts.warn_frame < 0)
	lstk_opts.warn_frame = LSTK_WARN_ALL_FRAME;
      if (lstk_opts.warn_depth < 0)
	lstk_opts.warn_depth = LSTK_WARN_ALL_DEPTH;
      if (lstk_opts.warn_dead < 0)
	lstk_opts.warn_dead = LSTK_WARN_ALL_DEAD;
      lstk_opts.warn_recursion = true;
      lstk_opts.warn_dynamic = true;
    }
  return ok;
}

/* PLUGIN_START_UNIT: the command line has been fully processed (the
   target's option_override hook ran in process_options), so the ABI is
   known here and not yet in plugin_init.  */
static void
lstk_start_unit (void *gcc_data ATTRIBUTE_UNUSED,
		 void *user_data ATTRIBUTE_UNUSED)
{
  /* The reserve pass reads frame sizes and pushed-argument sizes from
     cfun->su, which allocate_struct_function only creates when this flag
     is on.  It is -fstack-usage's "compute" half: no .su file is written
     unless -fstack-usage was given too.  */
  flag_stack_usage_info = 1;

  /* The RTL patterns, the TCB slot (%fs:0x70) and the runtime are those of
     x86-64 LP64.  -m32 uses %gs:0x30 and 32-bit registers; -mx32 uses
     %fs:0x40.  */
  if (!TARGET_64BIT || !TARGET_LP64)
    error ("linkstack: only the x86-64 LP64 ABI is supported, not %qs",
	   TARGET_64BIT ? "-mx32" : "-m32");
  else
    gcc_assert (TARGET_THREAD_SPLIT_STACK_OFFSET == 0x70);

  /* The large code model calls __morestack_large_model through a register
     with r10 = (args << 32) | frame, a prologue shape the reserve pass does
     not patch (and the runtime does not provide).  GCC 12 itself ICEs on
     -fsplit-stack with -mforce-indirect-call.  */
  if (ix86_cmodel == CM_LARGE || ix86_cmodel == CM_LARGE_PIC)
    error ("linkstack: %qs is not supported", "-mcmodel=large");
  if (flag_force_indirect_call)
    error ("linkstack: %qs is not supported", "-mforce-indirect-call");

  /* -fstack-check probes pages below the frame (up to STACK_CHECK_PROTECT
     beyond it) before the function uses them: writes the accounting does
     not count, under unchecked functions too (C2 of issue 9).  */
  if (flag_stack_check != NO_STACK_CHECK)
    error ("linkstack: %qs is not supported: it probes the stack below "
	   "the frame, where the linked stack has no room it did not count; "
	   "linked stacks catch overflows with their own checks", "-fstack-check");

  lstk_lto_guard_start_unit ();
}

/* PLUGIN_FINISH_UNIT: every function of the unit has been compiled (and
   the assembly file is still open): depths, warnings, reports, note.  */
static void
lstk_finish_unit (void *gcc_data ATTRIBUTE_UNUSED,
		  void *user_data ATTRIBUTE_UNUSED)
{
  if (!seen_error ())
    lstk_maxpath_verify ();
  if (!seen_error ())
    lstk_cold_calls_emit ();
  lstk_report_finish_unit ();
  if (!seen_error ())
    lstk_link_guards_finish_unit ();
}

/* Register PASS at REFERENCE (its first instance), before or after.  */
static void
lstk_register_pass (opt_pass *pass, const char *reference,
		    enum pass_positioning_ops where)
{
  struct register_pass_info info;

  info.pass = pass;
  info.reference_pass_name = reference;
  info.ref_pass_instance_number = 1;
  info.pos_op = where;
  register_callback (lstk_plugin_name, PLUGIN_PASS_MANAGER_SETUP, NULL,
		     &info);
}

int
plugin_init (struct plugin_name_args *info,
	     struct plugin_gcc_version *version)
{
  lstk_plugin_name = info->base_name;

  /* The plugin uses GCC's internal data structures: it must run in the
     very GCC it was compiled against.  */
  if (!plugin_default_version_check (version, &gcc_version))
    {
      error ("linkstack: this plugin was built for GCC %s (%s) but is "
	     "loaded by GCC %s (%s); rebuild it with this compiler",
	     gcc_version.basever, gcc_version.datestamp,
	     version->basever, version->datestamp);
      return 1;
    }

  if (!lstk_parse_args (info))
    return 1;
  if (!lstk_budget_load (lstk_opts.budgets_file, info->full_name)
      || !lstk_libc_names_load (lstk_opts.libc_names_file, info->full_name))
    return 1;

  /* The same as -fsplit-stack on the cc1 command line, but the driver does
     not see it: it adds no --wrap=pthread_create, so libgcc's split-stack
     runtime stays out of the link and linkstack's takes its place.  Set
     here, before process_options, which validates it for the target.  */
  global_options.x_flag_split_stack = 1;

  /* [issue 12] AddressSanitizer's alloca/VLA redzones end with
     __asan_allocas_unpoison (the alloca's address, the stack pointer
     restored), which clears the shadow between the two as if the block
     were on the same stack.  Here an alloca that does not fit its chunk is
     a heap block (__morestack_allocate_stack_space), anywhere below the
     chunk: terabytes of shadow.  So the plugin turns those redzones off
     (--param asan-instrument-allocas=0); ASan still checks every other
     access, and the heap block has malloc's redzones.  Before
     process_options, which copies it into the default optimization
     node.  */
  if (flag_sanitize & SANITIZE_ADDRESS)
    param_asan_protect_allocas = 0;

  register_callback (lstk_plugin_name, PLUGIN_INFO, NULL, &lstk_plugin_info);
  register_callback (lstk_plugin_name, PLUGIN_START_UNIT, lstk_start_unit,
		     NULL);
  register_callback (lstk_plugin_name, PLUGIN_FINISH_UNIT, lstk_finish_unit,
		     NULL);

  /* Placement must run before pro_and_epilogue: that pass emits the
     split-stack prologue unless the function has the no_split_stack
     attribute, so the attribute has to be decided by then.  */
  lstk_register_pass (lstk_make_pass_placement (g), "pro_and_epilogue",
		      PASS_POS_INSERT_BEFORE);
  /* The reserve pass must see the prologue: right after the pass that
     emits it, before later passes (peephole2, bb-reorder) reshape it.  */
  lstk_register_pass (lstk_make_pass_reserve (g), "pro_and_epilogue",
		      PASS_POS_INSERT_AFTER);
  /* The last look before final prints the insns: nothing the check was
     set for may have changed since.  */
  lstk_register_pass (lstk_make_pass_verify (g), "final",
		      PASS_POS_INSERT_BEFORE);
  /* What the linked stacks cannot run (trampolines, __builtin_setjmp,
     nonlocal goto) is refused on the lowered GIMPLE: nested functions
     are lowered by then and the setjmp builtins not yet expanded.  */
  lstk_register_pass (lstk_make_pass_refuse (g), "optimized",
		      PASS_POS_INSERT_AFTER);
  /* The dead-local analysis reads GIMPLE once it is fully optimized: what
     is still in memory there will be in the frame.  */
  lstk_register_pass (lstk_make_pass_dead (g), "optimized",
		      PASS_POS_INSERT_AFTER);
  return 0;
}
