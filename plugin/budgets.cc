/* budgets.cc: stack budgets of uninstrumented callees (see budgets.h).

   The budgets file is a text table, one function a line:

     # comment
     #!libc BUILD-ID PATH
     NAME BYTES [leaf]
     #!runtime liblinkstack
     NAME BYTES [leaf]

   "#!libc" (or "!libc") names the C library the libc lines were proven on (its GNU
   build-id in hex, then its path); NAME is the symbol (memcpy, read,
   lstk_yield ...); BYTES a decimal number, the most stack the function
   can use below its call site (the return address included); "leaf"
   marks a function that never runs instrumented code on the caller's
   stack (no R below it).  Lines after "#!libc" are libc's, proven from its
   machine code; lines after "#!runtime" (plugin/Local.mk puts it before
   the runtime's own tables) and every lstk_* name are the runtime's; in a
   table without directives, leaf lines are libc's and the others the
   runtime's.  The object's note says which ("L:"/"R:", budgets.h), and
   the runtime checks that each name resolves there.  The last line for a
   name wins.  The build
   writes it; `make install` puts it in $(pkgdatadir)/budgets.txt.

   Where the plugin looks when budgets= is not given, first found wins:
     <directory of linkstack.so>/budgets.txt
     <directory of linkstack.so>/../budgets.txt   (a build tree: .libs/)
     LSTK_BUDGETS_DIR/budgets.txt                  ($(pkgdatadir))
   With none there, every uninstrumented callee takes the guarded path:
   safe, only slower.  libc-names.txt is looked for next to the table,
   then in the same places; without it the compile stops (it is what tells
   a C library function from the user's own).  */

#include "compat.h"
#include "budgets.h"

/* The built-in budgets, matched on a name prefix, for names the budgets
   file has no line for (its lines win: the runtime's measured per-call
   budgets, rt/thread/thread-budgets.txt and rt/io/io-budgets.txt, proven by
   painted-stack tests).  The linkstack runtime guarantees
   (include/linkstack.h) that none of its lstk_* entry points uses more
   than 512 bytes of the caller's stack: the ones that need more switch to
   a stack of their own first.  Not leaves: lstk_once runs the caller's
   init routine, lstk_exit key destructors.  */
struct lstk_budget_entry
{
  const char *prefix;
  HOST_WIDE_INT bytes;
};

static const struct lstk_budget_entry lstk_budget_builtin[] =
{
  { "lstk_", 512 },
};

/* Names given with external=; few, so a vector and a linear search.
   Allocated with the heap, never freed: they live as long as cc1.  */
static vec<const char *> lstk_budget_externals;

/* The budgets file, by name.  */
static hash_map<nofree_string_hash, lstk_budget> *lstk_budget_table;
static const char *lstk_budget_path;
/* Its "!libc" build-id, or "".  */
static const char *lstk_budget_libc_id = "";

/* The libc names (libc-names.txt), or NULL.  */
static hash_set<nofree_string_hash> *lstk_libc_names;

/* Proven budgets the unit's code relies on: "L:name" / "R:name".  */
static hash_set<nofree_string_hash> *lstk_budget_used;

void
lstk_budget_add_external (const char *name)
{
  lstk_budget_externals.safe_push (xstrdup (name));
}

bool
lstk_budget_listed_external_p (const char *name)
{
  unsigned i;
  const char *n;

  FOR_EACH_VEC_ELT (lstk_budget_externals, i, n)
    if (strcmp (n, name) == 0)
      return true;
  return false;
}

/* Parse the budgets file F, named PATH.  */
static bool
lstk_budget_parse (FILE *f, const char *path)
{
  char line[512];
  int lineno = 0;
  bool ok = true;

  lstk_budget_table = new hash_map<nofree_string_hash, lstk_budget> (256);
  enum { SECTION_NONE, SECTION_LIBC, SECTION_RUNTIME } section = SECTION_NONE;
  while (fgets (line, sizeof line, f))
    {
      char name[256], flag[32];
      long long bytes;
      int n;

      lineno++;
      char *p = line;
      while (ISSPACE (*p))
	p++;
      /* "#!libc", "#!runtime" (comments to parsers that predate them) or
	 "!libc", "!runtime".  */
      if (startswith (p, "#!libc") || startswith (p, "#!runtime"))
	p++;
      if (startswith (p, "!runtime"))
	{
	  section = SECTION_RUNTIME;
	  continue;
	}
      else if (*p == '#' || *p == '\0')
	continue;
      if (*p == '!')
	{
	  char id[256], where[256];
	  if (sscanf (p, "!libc %255s %255s", id, where) != 2
	      || strspn (id, "0123456789abcdefABCDEF") != strlen (id))
	    {
	      error ("linkstack: %s:%d: malformed directive; expected "
		     "%<#!libc BUILD-ID PATH%> with BUILD-ID in hex", path,
		     lineno);
	      ok = false;
	    }
	  else
	    lstk_budget_libc_id = xstrdup (id);
	  section = SECTION_LIBC;
	  continue;
	}
      flag[0] = '\0';
      n = sscanf (p, "%255s %lld %31s", name, &bytes, flag);
      if (n < 2 || bytes < 0 || bytes > LSTK_EXTERNAL_RESERVE_MAX
	  || (n == 3 && strcmp (flag, "leaf") != 0))
	{
	  error ("linkstack: %s:%d: malformed budget line; expected "
		 "%<NAME BYTES [leaf]%> with BYTES from 0 to 1048576",
		 path, lineno);
	  ok = false;
	  continue;
	}
      lstk_budget b;
      b.bytes = bytes;
      b.leaf = n == 3;
      b.measured = true;
      b.runtime = (section == SECTION_RUNTIME || startswith (name, "lstk_")
		   || (section == SECTION_NONE && !b.leaf));
      lstk_budget_table->put (xstrdup (name), b);
    }
  return ok;
}

bool
lstk_budget_load (const char *file, const char *plugin_path)
{
  if (file)
    {
      FILE *f = fopen (file, "r");
      if (!f)
	{
	  error ("linkstack: cannot read the budgets file %qs: %m", file);
	  return false;
	}
      lstk_budget_path = xstrdup (file);
      bool ok = lstk_budget_parse (f, file);
      fclose (f);
      return ok;
    }

  /* The default places.  */
  char *dir = xstrdup (plugin_path ? plugin_path : "");
  char *slash = strrchr (dir, '/');
  const char *cands[3];
  char *own = NULL, *up = NULL;
  int n = 0;

  if (slash)
    {
      *slash = '\0';
      own = concat (dir, "/budgets.txt", NULL);
      up = concat (dir, "/../budgets.txt", NULL);
      cands[n++] = own;
      cands[n++] = up;
    }
#ifdef LSTK_BUDGETS_DIR
  cands[n++] = LSTK_BUDGETS_DIR "/budgets.txt";
#endif
  bool ok = true;
  for (int i = 0; i < n; i++)
    {
      FILE *f = fopen (cands[i], "r");
      if (!f)
	continue;
      lstk_budget_path = xstrdup (cands[i]);
      ok = lstk_budget_parse (f, cands[i]);
      fclose (f);
      break;
    }
  free (own);
  free (up);
  free (dir);
  return ok;
}

const char *
lstk_budget_file (void)
{
  return lstk_budget_path;
}

/* The built-in entry for NAME, or NULL.  */
static const struct lstk_budget_entry *
lstk_budget_builtin_for (const char *name)
{
  for (size_t i = 0; i < ARRAY_SIZE (lstk_budget_builtin); i++)
    if (startswith (name, lstk_budget_builtin[i].prefix))
      return &lstk_budget_builtin[i];
  return NULL;
}

bool
lstk_budget_known_p (const char *name)
{
  return (lstk_budget_builtin_for (name) != NULL
	  || (lstk_budget_table && lstk_budget_table->get (name) != NULL));
}

/* [issue 12] Whether this unit is built for a sanitizer whose run-time
   library intercepts libc functions.  */
static bool
lstk_budget_sanitized_p (void)
{
  return (flag_sanitize & (SANITIZE_ADDRESS | SANITIZE_HWADDRESS
			   | SANITIZE_THREAD | SANITIZE_LEAK)) != 0;
}

struct lstk_budget
lstk_budget_for (const char *name)
{
  struct lstk_budget b;

  /* [issue 12] Under AddressSanitizer, ThreadSanitizer or
     LeakSanitizer, the sanitizer's run-time library interposes its own
     definitions of libc names (memcpy, read, malloc ...), before libc's and
     the linkstack runtime's: no measured line is the body that runs, so
     only the runtime's own lstk_* names keep theirs.  */
  if (name != NULL && lstk_budget_sanitized_p () && !startswith (name, "lstk_"))
    return lstk_budget_guarded ();
  if (name != NULL)
    {
      if (lstk_budget_table)
	if (lstk_budget *t = lstk_budget_table->get (name))
	  return *t;
      const struct lstk_budget_entry *e = lstk_budget_builtin_for (name);
      if (e)
	{
	  b.bytes = e->bytes;
	  b.leaf = false;
	  b.measured = true;
	  b.runtime = true;
	  return b;
	}
    }
  /* Unknown code, or a call through a pointer: the guarded path.  */
  return lstk_budget_guarded ();
}

struct lstk_budget
lstk_budget_guarded (void)
{
  struct lstk_budget b;

  b.bytes = lstk_opts.external_reserve;
  b.leaf = false;
  b.measured = false;
  b.runtime = false;
  return b;
}

void
lstk_budget_note_use (const char *name, struct lstk_budget b)
{
  if (!b.measured)
    return;
  if (!lstk_budget_used)
    lstk_budget_used = new hash_set<nofree_string_hash> (64);
  char *key = concat (b.runtime ? "R:" : "L:", name, NULL);
  if (lstk_budget_used->add (key))
    free (key);
}

/* qsort order of C strings.  */
static int
lstk_budget_strcmp (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

vec<const char *>
lstk_budget_used_names (void)
{
  vec<const char *> v = vNULL;

  if (lstk_budget_used)
    for (hash_set<nofree_string_hash>::iterator it
	   = lstk_budget_used->begin (); it != lstk_budget_used->end (); ++it)
      v.safe_push (*it);
  v.qsort (lstk_budget_strcmp);
  return v;
}

const char *
lstk_budget_libc_build_id (void)
{
  return lstk_budget_libc_id;
}

/* Read the libc names from F, one a line ('#' comments).  */
static void
lstk_libc_names_parse (FILE *f)
{
  char line[512];

  lstk_libc_names = new hash_set<nofree_string_hash> (4096);
  while (fgets (line, sizeof line, f))
    {
      char *p = line;
      while (ISSPACE (*p))
	p++;
      if (*p == '#' || *p == '\0')
	continue;
      char *e = p;
      while (*e && !ISSPACE (*e))
	e++;
      *e = '\0';
      lstk_libc_names->add (xstrdup (p));
    }
}

bool
lstk_libc_names_load (const char *file, const char *plugin_path)
{
  if (file)
    {
      FILE *f = fopen (file, "r");
      if (!f)
	{
	  error ("linkstack: cannot read the libc names file %qs: %m", file);
	  return false;
	}
      lstk_libc_names_parse (f);
      fclose (f);
      return true;
    }

  /* Next to the budgets table, then the places of the table.  */
  auto_vec<char *> cands;
  if (lstk_budget_path)
    {
      char *dir = xstrdup (lstk_budget_path);
      char *slash = strrchr (dir, '/');
      if (slash)
	*slash = '\0';
      cands.safe_push (concat (slash ? dir : ".", "/libc-names.txt", NULL));
      free (dir);
    }
  char *dir = xstrdup (plugin_path ? plugin_path : "");
  char *slash = strrchr (dir, '/');
  if (slash)
    {
      *slash = '\0';
      cands.safe_push (concat (dir, "/libc-names.txt", NULL));
      cands.safe_push (concat (dir, "/../libc-names.txt", NULL));
    }
  free (dir);
#ifdef LSTK_BUDGETS_DIR
  cands.safe_push (xstrdup (LSTK_BUDGETS_DIR "/libc-names.txt"));
#endif
  unsigned i;
  char *c;
  FOR_EACH_VEC_ELT (cands, i, c)
    {
      FILE *f = lstk_libc_names ? NULL : fopen (c, "r");
      if (f)
	{
	  lstk_libc_names_parse (f);
	  fclose (f);
	}
    }
  /* Without the list, a C library function the user declared by hand
     (not in a system header) would be taken for the user's own,
     instrumented code, and its caller would leave it only R: unsound, so
     the compile stops.  */
  bool found = lstk_libc_names != NULL;
  if (!found)
    {
      error ("linkstack: cannot find the list of C library names "
	     "(libc-names.txt); give %<-fplugin-arg-linkstack-libc-names=FILE%>"
	     " or reinstall linkstack");
      FOR_EACH_VEC_ELT (cands, i, c)
	inform (UNKNOWN_LOCATION, "linkstack: looked for %qs", c);
    }
  FOR_EACH_VEC_ELT (cands, i, c)
    free (c);
  return found;
}

bool
lstk_libc_name_p (const char *name)
{
  return lstk_libc_names && lstk_libc_names->contains (name);
}
