/* report.cc: what the plugin tells: worst-case depths through the call
   graph, warnings, the per-unit reports, and the reserve note.

   Worst-case depth of F ("depth"), in bytes below the caller's stack
   pointer at the call (so F's own return address included), ignoring
   chunk boundaries: F's .su size, plus the deepest of its callees, where
     - a function compiled in this unit counts its own depth;
     - uninstrumented code counts its budget if it was measured, else the
       depth is unbounded ("external");
     - a call through a pointer or a TLS descriptor is unbounded
       ("indirect"), a function of another unit unbounded ("external":
       scripts/linkstack-report resolves it across a build);
     - a function that can reach a cycle of the call graph is unbounded
       ("recursion"); alloca/VLA of unbounded size too ("dynamic");
     - a leaf's red zone counts 128 bytes.

   The report (report argument): <base>.lsu next to the object, with the
   columns of GCC's .su file followed by three more:
     file:line:col:name TAB bytes TAB static|dynamic|dynamic,bounded
       TAB checked|unchecked TAB depth|unbounded(why,...) TAB reserve
   where reserve is the external reserve X of the function's check (the
   most an uninstrumented callee needs below the frame, R included), and
   the same facts as JSON in <base>.lsu.json, with the call sites.  <base>
   is the base name GCC gives .su files (the object's name without .o).

   Every object also gets notes, .note.linkstack (name "linkstack"):
   type 1, the R it was compiled for (4 bytes); type 2, the guarded
   request G it assumed (4 bytes); type 3, the proven budgets its code
   relies on (strings: "libc:<build-id of the libc they were proven on>",
   then "L:name" for libc, "R:name" for the runtime).  The runtime reads
   them at start (rt/stack/debug.c) and at every dlopen: an object that assumes more reserve
   than it keeps, a G below its own threshold, or a budget whose name
   resolves elsewhere than where it was proven is refused.  */

#include "compat.h"
#include "budgets.h"
#include "analysis.h"

/* Types of the notes.  1: a 32-bit R; 2: a 32-bit G (the guarded
   request); 3: NUL-terminated strings, "libc:<hex build-id>" then
   "L:<name>" for each libc budget and "R:<name>" for each runtime budget
   the object's code relies on.  */
#define LSTK_NOTE_RESERVE 1
#define LSTK_NOTE_GUARDED 2
#define LSTK_NOTE_BUDGETS 3

/* Generation of the depth computation (records carry the generation of
   their depth_state).  */
static unsigned lstk_depth_generation;
static hash_map<nofree_string_hash, unsigned> *lstk_depth_gen;

/* The record a call edge CALL leads to, or NULL.  */
static lstk_fn *
lstk_report_callee (const lstk_call *c)
{
  switch (c->kind)
    {
    case LSTK_CALLEE_CHECKED:
    case LSTK_CALLEE_UNCHECKED:
    case LSTK_CALLEE_PENDING:
    case LSTK_CALLEE_SELF:
      return c->name ? lstk_fn_lookup (c->name) : NULL;
    default:
      return NULL;
    }
}

/* Depth of F (see above), memoized per generation; FINAL: the unit is
   done (a missing record is then no pending function).  */
static void
lstk_depth (lstk_fn *f, bool final)
{
  unsigned *g = lstk_depth_gen->get (f->name);
  if (g && *g == lstk_depth_generation && f->depth_state)
    return;
  lstk_depth_gen->put (f->name, lstk_depth_generation);
  f->depth_state = 1;
  f->unbounded_why = 0;
  f->deepest = NULL;

  HOST_WIDE_INT sub = f->leaf ? LSTK_RED_ZONE : 0;
  unsigned why = 0;
  if (!f->done)
    why |= LSTK_WHY_PENDING;
  if (f->unbounded)
    why |= LSTK_WHY_DYNAMIC;

  unsigned i;
  lstk_call *c;
  FOR_EACH_VEC_ELT (f->calls, i, c)
    {
      HOST_WIDE_INT d = 0;
      lstk_fn *callee = lstk_report_callee (c);

      switch (c->kind)
	{
	case LSTK_CALLEE_SELF:
	  why |= LSTK_WHY_RECURSION;
	  continue;
	case LSTK_CALLEE_CHECKED:
	case LSTK_CALLEE_UNCHECKED:
	case LSTK_CALLEE_PENDING:
	  if (!callee)
	    {
	      why |= final ? LSTK_WHY_EXTERNAL : LSTK_WHY_PENDING;
	      continue;
	    }
	  if (callee->depth_state == 1)
	    {
	      unsigned *cg = lstk_depth_gen->get (callee->name);
	      if (cg && *cg == lstk_depth_generation)
		{
		  why |= LSTK_WHY_RECURSION;
		  continue;
		}
	    }
	  lstk_depth (callee, final);
	  if (callee->unbounded_why)
	    {
	      why |= callee->unbounded_why;
	      continue;
	    }
	  d = callee->depth;
	  break;
	case LSTK_CALLEE_OTHER_UNIT:
	  why |= LSTK_WHY_EXTERNAL;
	  continue;
	case LSTK_CALLEE_EXTERNAL:
	  if (!c->budget.measured)
	    {
	      why |= LSTK_WHY_EXTERNAL;
	      continue;
	    }
	  d = c->budget.bytes;
	  break;
	case LSTK_CALLEE_INDIRECT:
	case LSTK_CALLEE_TLSDESC:
	case LSTK_CALLEE_GUARDED_ENTRY:
	  why |= LSTK_WHY_INDIRECT;
	  continue;
	case LSTK_CALLEE_DYNALLOC:
	  d = 8 + LSTK_DYNALLOC_PUSH;
	  break;
	}
      if (d > sub)
	{
	  sub = d;
	  f->deepest = c->name;
	}
    }
  f->depth = f->static_size + sub;
  f->unbounded_why = why;
  f->depth_state = 2;
}

/* Start a new generation of depths.  */
static void
lstk_depth_begin (void)
{
  if (!lstk_depth_gen)
    lstk_depth_gen = new hash_map<nofree_string_hash, unsigned> (64);
  lstk_depth_generation++;
  unsigned i;
  lstk_fn *f;
  FOR_EACH_VEC_ELT (lstk_fns, i, f)
    f->depth_state = 0;
}

HOST_WIDE_INT
lstk_report_depth_now (const char *name, bool *bounded)
{
  lstk_fn *f = lstk_fn_lookup (name);

  *bounded = false;
  if (!f || !f->done)
    return -1;
  lstk_depth_begin ();
  lstk_depth (f, false);
  *bounded = f->unbounded_why == 0;
  return f->depth;
}

/* --- recursion: strongly connected components (Tarjan) ---------------- */

static int lstk_scc_index, lstk_scc_count;
static vec<lstk_fn *> lstk_scc_stack;
static hash_map<nofree_string_hash, int> *lstk_scc_low, *lstk_scc_num;
static hash_set<nofree_string_hash> *lstk_scc_on;

static void
lstk_scc_visit (lstk_fn *f)
{
  lstk_scc_num->put (f->name, lstk_scc_index);
  lstk_scc_low->put (f->name, lstk_scc_index);
  lstk_scc_index++;
  lstk_scc_stack.safe_push (f);
  lstk_scc_on->add (f->name);

  unsigned i;
  lstk_call *c;
  bool self = false;
  FOR_EACH_VEC_ELT (f->calls, i, c)
    {
      if (c->kind == LSTK_CALLEE_SELF)
	{
	  self = true;
	  continue;
	}
      lstk_fn *g = lstk_report_callee (c);
      if (!g)
	continue;
      if (!lstk_scc_num->get (g->name))
	{
	  lstk_scc_visit (g);
	  int *lf = lstk_scc_low->get (f->name);
	  *lf = MIN (*lf, *lstk_scc_low->get (g->name));
	}
      else if (lstk_scc_on->contains (g->name))
	{
	  int *lf = lstk_scc_low->get (f->name);
	  *lf = MIN (*lf, *lstk_scc_num->get (g->name));
	}
    }

  if (*lstk_scc_low->get (f->name) == *lstk_scc_num->get (f->name))
    {
      auto_vec<lstk_fn *> members;
      lstk_fn *g;
      do
	{
	  g = lstk_scc_stack.pop ();
	  lstk_scc_on->remove (g->name);
	  members.safe_push (g);
	}
      while (g != f);
      if (members.length () > 1 || self)
	{
	  int id = ++lstk_scc_count;
	  unsigned j;
	  FOR_EACH_VEC_ELT (members, j, g)
	    g->scc = id;
	}
    }
}

static void
lstk_scc_compute (void)
{
  lstk_scc_low = new hash_map<nofree_string_hash, int> (64);
  lstk_scc_num = new hash_map<nofree_string_hash, int> (64);
  lstk_scc_on = new hash_set<nofree_string_hash> (64);
  /* Numbers start at 1: 0 is "unvisited" for get () == NULL.  */
  lstk_scc_index = 1;
  unsigned i;
  lstk_fn *f;
  FOR_EACH_VEC_ELT (lstk_fns, i, f)
    if (!lstk_scc_num->get (f->name))
      lstk_scc_visit (f);
}

/* --- warnings ------------------------------------------------------------ */

void
lstk_report_function (function *fun, lstk_fn *rec)
{
  if (lstk_opts.warn_frame >= 0 && rec->static_size > lstk_opts.warn_frame)
    warning_at (DECL_SOURCE_LOCATION (fun->decl), 0,
		"linkstack: the frame of %qD is %wd bytes, more than %wd",
		fun->decl, rec->static_size, lstk_opts.warn_frame);

  if (lstk_opts.warn_dynamic && rec->unbounded)
    {
      auto_diagnostic_group grp;
      if (warning_at (DECL_SOURCE_LOCATION (fun->decl), 0,
		      "linkstack: %qD allocates stack of unbounded size "
		      "(alloca or a variable-length array): its depth has no "
		      "bound", fun->decl))
	{
	  unsigned i;
	  lstk_call *c;
	  FOR_EACH_VEC_ELT (rec->calls, i, c)
	    if (c->kind == LSTK_CALLEE_DYNALLOC)
	      inform (c->loc, "linkstack: allocated here");
	}
    }
}

/* The deepest path from F, as "f -> g -> h", into BUF.  */
static void
lstk_path_text (lstk_fn *f, char *buf, size_t size)
{
  size_t len = 0;
  int hops = 0;

  buf[0] = '\0';
  while (f && hops++ < 64)
    {
      int n = snprintf (buf + len, size - len, "%s%s", len ? " -> " : "",
			f->print_name);
      if (n < 0 || (size_t) n >= size - len)
	break;
      len += n;
      if (!f->deepest)
	break;
      lstk_fn *g = lstk_fn_lookup (f->deepest);
      if (!g)
	{
	  snprintf (buf + len, size - len, " -> %s", f->deepest);
	  break;
	}
      f = g;
    }
}

static void
lstk_warn_depths (void)
{
  unsigned i;
  lstk_fn *f;
  char path[1024];

  if (lstk_opts.warn_depth < 0)
    return;
  FOR_EACH_VEC_ELT (lstk_fns, i, f)
    if (f->done && !f->unbounded_why && f->depth > lstk_opts.warn_depth)
      {
	auto_diagnostic_group grp;
	if (warning_at (f->loc, 0, "linkstack: %qD may use %wd bytes of stack "
			"through its callees, more than %wd", f->decl,
			f->depth, lstk_opts.warn_depth))
	  if (f->deepest)
	    {
	      lstk_path_text (f, path, sizeof path);
	      inform (f->loc, "linkstack: the deepest path is %s", path);
	    }
      }
}

static void
lstk_warn_recursion (void)
{
  if (!lstk_opts.warn_recursion)
    return;
  for (int id = 1; id <= lstk_scc_count; id++)
    {
      auto_vec<lstk_fn *> members;
      unsigned i;
      lstk_fn *f;
      FOR_EACH_VEC_ELT (lstk_fns, i, f)
	if (f->scc == id)
	  members.safe_push (f);
      if (members.is_empty ())
	continue;
      /* Report at the member that comes first in the source.  */
      lstk_fn *first = members[0];
      FOR_EACH_VEC_ELT (members, i, f)
	if (f->loc < first->loc)
	  first = f;

      char list[1024];
      size_t len = 0;
      list[0] = '\0';
      FOR_EACH_VEC_ELT (members, i, f)
	{
	  int n = snprintf (list + len, sizeof list - len, "%s%s",
			    len ? ", " : "", f->print_name);
	  if (n < 0 || (size_t) n >= sizeof list - len)
	    break;
	  len += n;
	}

      auto_diagnostic_group grp;
      bool warned;
      if (members.length () == 1)
	warned = warning_at (first->loc, 0, "linkstack: %qD is recursive: "
			     "its stack depth has no bound", first->decl);
      else
	warned = warning_at (first->loc, 0, "linkstack: %qD is part of a "
			     "recursive cycle of %d functions (%s): their "
			     "stack depth has no bound", first->decl,
			     (int) members.length (), list);
      if (!warned)
	continue;
      /* One note per edge of the cycle.  */
      FOR_EACH_VEC_ELT (members, i, f)
	{
	  unsigned j;
	  lstk_call *c;
	  FOR_EACH_VEC_ELT (f->calls, j, c)
	    {
	      lstk_fn *g = lstk_report_callee (c);
	      if (g && g->scc == id)
		inform (c->loc, "linkstack: %qD calls %qD here", f->decl,
			g->decl);
	    }
	}
    }
}

/* --- the report files ---------------------------------------------------- */

/* Write S as a JSON string to F.  */
static void
lstk_json_string (FILE *f, const char *s)
{
  fputc ('"', f);
  for (; s && *s; s++)
    {
      unsigned char ch = *s;
      if (ch == '"' || ch == '\\')
	fprintf (f, "\\%c", ch);
      else if (ch < 0x20)
	fprintf (f, "\\u%04x", ch);
      else
	fputc (ch, f);
    }
  fputc ('"', f);
}

/* The reasons of WHY as a JSON array of words.  */
static void
lstk_json_reasons (FILE *f, unsigned why)
{
  static const struct { unsigned bit; const char *word; } words[] =
  {
    { LSTK_WHY_CHECK_ALL, "check=all" }, { LSTK_WHY_VARARGS, "varargs" },
    { LSTK_WHY_DYNAMIC, "dynamic" }, { LSTK_WHY_RECURSION, "recursion" },
    { LSTK_WHY_INDIRECT, "indirect" }, { LSTK_WHY_EXTERNAL, "external" },
    { LSTK_WHY_PENDING, "pending" }, { LSTK_WHY_OTHER_UNIT, "other-unit" },
    { LSTK_WHY_ASM, "asm" }, { LSTK_WHY_DEPTH, "depth" },
    { LSTK_WHY_USER, "no_split_stack" }, { LSTK_WHY_COMDAT, "comdat" },
    { LSTK_WHY_NAKED, "naked" },
  };
  bool first = true;
  fputc ('[', f);
  for (size_t i = 0; i < ARRAY_SIZE (words); i++)
    if (why & words[i].bit)
      {
	fprintf (f, "%s\"%s\"", first ? "" : ", ", words[i].word);
	first = false;
      }
  fputc (']', f);
}

/* The unbounded reasons of the depth column: "recursion,external".  */
static void
lstk_lsu_unbounded (FILE *f, unsigned why)
{
  static const struct { unsigned bit; const char *word; } words[] =
  {
    { LSTK_WHY_RECURSION, "recursion" }, { LSTK_WHY_INDIRECT, "indirect" },
    { LSTK_WHY_EXTERNAL, "external" }, { LSTK_WHY_DYNAMIC, "dynamic" },
    { LSTK_WHY_PENDING, "external" },
  };
  bool first = true;
  unsigned printed = 0;
  fputs ("unbounded(", f);
  for (size_t i = 0; i < ARRAY_SIZE (words); i++)
    if ((why & words[i].bit) && !(printed & (1u << (words[i].word[0] - 'a'))))
      {
	fprintf (f, "%s%s", first ? "" : ",", words[i].word);
	printed |= 1u << (words[i].word[0] - 'a');
	first = false;
      }
  fputc (')', f);
}

/* The base name of the report files: what GCC uses for .su files.  */
static char *
lstk_report_base (void)
{
  const char *base = aux_base_name ? aux_base_name : dump_base_name;
  if (!base)
    base = main_input_filename ? main_input_filename : "linkstack";
  char *b = xstrdup (base);
  /* dump_base_name keeps the source's extension.  */
  if (!aux_base_name)
    {
      char *dot = strrchr (b, '.');
      char *slash = strrchr (b, '/');
      if (dot && (!slash || dot > slash))
	*dot = '\0';
    }
  return b;
}

static void
lstk_write_reports (void)
{
  char *base = lstk_report_base ();
  char *lsu = concat (base, ".lsu", NULL);
  char *json = concat (base, ".lsu.json", NULL);
  FILE *f = fopen (lsu, "w");
  FILE *j = f ? fopen (json, "w") : NULL;

  if (!f || !j)
    {
      error ("linkstack: cannot write the report %qs: %m", f ? json : lsu);
      if (f)
	fclose (f);
      free (lsu);
      free (json);
      free (base);
      return;
    }

  fprintf (j, "{\n  \"version\": 1,\n  \"unit\": ");
  lstk_json_string (j, main_input_filename);
  fprintf (j, ",\n  \"object\": ");
  lstk_json_string (j, base);
  fprintf (j, ",\n  \"reserve\": " HOST_WIDE_INT_PRINT_DEC
	   ",\n  \"external_reserve\": " HOST_WIDE_INT_PRINT_DEC
	   ",\n  \"check\": \"%s\",\n  \"functions\": [",
	   lstk_opts.reserve, lstk_opts.external_reserve,
	   lstk_opts.check == LSTK_CHECK_ALL ? "all" : "needed");

  unsigned i;
  lstk_fn *fn;
  bool first = true;
  FOR_EACH_VEC_ELT (lstk_fns, i, fn)
    {
      if (!fn->done)
	continue;
      /* .lsu */
      fprintf (f, "%s\t" HOST_WIDE_INT_PRINT_DEC "\t%s\t%s\t", fn->su_prefix,
	       fn->static_size, fn->su_kind,
	       fn->checked ? "checked" : "unchecked");
      if (fn->unbounded_why)
	lstk_lsu_unbounded (f, fn->unbounded_why);
      else
	fprintf (f, HOST_WIDE_INT_PRINT_DEC, fn->depth);
      fprintf (f, "\t" HOST_WIDE_INT_PRINT_DEC "\n", fn->ext_reserve);

      /* JSON */
      expanded_location xl = expand_location (fn->loc);
      fprintf (j, "%s\n    {\"name\": ", first ? "" : ",");
      first = false;
      lstk_json_string (j, fn->print_name);
      fprintf (j, ", \"symbol\": ");
      lstk_json_string (j, fn->name);
      fprintf (j, ", \"file\": ");
      lstk_json_string (j, xl.file);
      fprintf (j, ", \"line\": %d, \"column\": %d,\n     \"bytes\": "
	       HOST_WIDE_INT_PRINT_DEC ", \"kind\": \"%s\", \"checked\": %s, "
	       "\"reasons\": ", xl.line, xl.column, fn->static_size,
	       fn->su_kind, fn->checked ? "true" : "false");
      lstk_json_reasons (j, fn->reasons);
      fprintf (j, ", \"callers_cover\": %s", fn->maxpath ? "true" : "false");
      fprintf (j, ",\n     \"frame\": " HOST_WIDE_INT_PRINT_DEC
	       ", \"region\": " HOST_WIDE_INT_PRINT_DEC
	       ", \"threshold\": " HOST_WIDE_INT_PRINT_DEC
	       ", \"request\": " HOST_WIDE_INT_PRINT_DEC
	       ", \"external_reserve\": " HOST_WIDE_INT_PRINT_DEC
	       ", \"leaf\": %s, \"depth\": ",
	       fn->allocate, fn->region, fn->threshold, fn->request,
	       fn->ext_reserve, fn->leaf ? "true" : "false");
      if (fn->unbounded_why)
	fprintf (j, "null");
      else
	fprintf (j, HOST_WIDE_INT_PRINT_DEC, fn->depth);
      fprintf (j, ", \"unbounded\": ");
      lstk_json_reasons (j, fn->unbounded_why);
      fprintf (j, ", \"deepest\": ");
      if (fn->deepest)
	lstk_json_string (j, fn->deepest);
      else
	fprintf (j, "null");
      fprintf (j, ", \"cycle\": %d,\n     \"calls\": [", fn->scc);
      unsigned k;
      lstk_call *c;
      FOR_EACH_VEC_ELT (fn->calls, k, c)
	{
	  expanded_location cl = expand_location (c->loc);
	  fprintf (j, "%s{\"callee\": ", k ? ", " : "");
	  if (c->name)
	    lstk_json_string (j, c->name);
	  else
	    fprintf (j, "null");
	  fprintf (j, ", \"kind\": \"%s\", \"need\": " HOST_WIDE_INT_PRINT_DEC,
		   lstk_callee_kind_word (c->kind), c->need);
	  if (c->kind == LSTK_CALLEE_EXTERNAL || c->kind == LSTK_CALLEE_INDIRECT
	      || c->kind == LSTK_CALLEE_TLSDESC)
	    fprintf (j, ", \"budget\": " HOST_WIDE_INT_PRINT_DEC
		     ", \"measured\": %s, \"leaf\": %s", c->budget.bytes,
		     c->budget.measured ? "true" : "false",
		     c->budget.leaf ? "true" : "false");
	  fprintf (j, ", \"line\": %d}", cl.line);
	}
      fprintf (j, "]}");
    }
  fprintf (j, "\n  ]\n}\n");
  fclose (f);
  fclose (j);
  free (lsu);
  free (json);
  free (base);
}

/* The head of one .note.linkstack entry of TYPE with DESCSZ bytes of
   descriptor; WHAT is the comment.  */
static void
lstk_emit_note_head (int type, size_t descsz, const char *what)
{
  fprintf (asm_out_file,
	   "\t.p2align\t2\n"
	   "\t.long\t10\t\t# name size: \"linkstack\" and its NUL\n"
	   "\t.long\t%lu\t\t# descriptor size\n"
	   "\t.long\t%d\t\t# type: %s\n"
	   "\t.asciz\t\"linkstack\"\n"
	   "\t.p2align\t2\n", (unsigned long) descsz, type, what);
}

/* The notes: see the file's head.  */
static void
lstk_emit_note (void)
{
  if (!asm_out_file)
    return;
  fprintf (asm_out_file, "\t.section\t.note.linkstack,\"a\",@note\n");
  lstk_emit_note_head (LSTK_NOTE_RESERVE, 4, "the reserve R");
  fprintf (asm_out_file, "\t.long\t" HOST_WIDE_INT_PRINT_DEC
	   "\t\t# R, bytes below the guard\n", lstk_opts.reserve);
  lstk_emit_note_head (LSTK_NOTE_GUARDED, 4, "the guarded request G");
  fprintf (asm_out_file, "\t.long\t" HOST_WIDE_INT_PRINT_DEC
	   "\t\t# G, bytes\n", lstk_opts.external_reserve);

  /* The proven budgets used: "libc:<build-id>", then "L:name"/"R:name",
     each NUL-terminated.  */
  vec<const char *> names = lstk_budget_used_names ();
  const char *id = lstk_budget_libc_build_id ();
  size_t size = strlen ("libc:") + strlen (id) + 1;
  unsigned i;
  const char *n;
  FOR_EACH_VEC_ELT (names, i, n)
    size += strlen (n) + 1;
  lstk_emit_note_head (LSTK_NOTE_BUDGETS, size,
		       "the proven budgets this object relies on");
  fprintf (asm_out_file, "\t.asciz\t\"libc:%s\"\n", id);
  FOR_EACH_VEC_ELT (names, i, n)
    fprintf (asm_out_file, "\t.asciz\t\"%s\"\n", n);
  fprintf (asm_out_file, "\t.p2align\t2\n\t.text\n");
  names.release ();
}

void
lstk_report_finish_unit (void)
{
  if (seen_error ())
    return;
  if (!flag_wpa)
    lstk_emit_note ();
  if (lstk_fns.is_empty ())
    {
      if (lstk_opts.report && !flag_wpa && !in_lto_p)
	lstk_write_reports ();
      return;
    }
  lstk_scc_compute ();
  lstk_depth_begin ();
  unsigned i;
  lstk_fn *f;
  FOR_EACH_VEC_ELT (lstk_fns, i, f)
    lstk_depth (f, true);
  lstk_warn_depths ();
  lstk_warn_recursion ();
  if (lstk_opts.report)
    lstk_write_reports ();
}
