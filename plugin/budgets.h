/* budgets.h: how much stack a call into code the plugin cannot see may use.

   A function compiled with the plugin either checks, in its split-stack
   prologue, that its frame fits on the current chunk, or is proved to fit
   in what its callers guarantee (pass_placement.cc).  Code compiled
   without the plugin (libc, other libraries, functions named in
   external=, calls through pointers) does no check: it runs on whatever is
   left below the caller's frame.  Its "budget" is the number of bytes it
   may use there, its return address included; the caller's prologue asks
   for it (pass_reserve.cc).

   A budget is either PROVEN or GUARDED:
     - proven: a line of the budgets table: a libc function whose bound
       was read from its machine code over every IFUNC variant and which
       never calls out of libc (after "#!libc"), or a function of the
       linkstack runtime (its lstk_* API, its libc-name wrappers such as
       read; after "#!runtime"), proven by painted-stack tests.  The object
       records every proven budget it used (.note.linkstack type 3: "L:"
       libc, "R:" runtime) and the runtime refuses to run it unless each
       name resolves into the libc the table was proven on, or into
       liblinkstack (rt/).  Built in: lstk_* = 512 (include/linkstack.h).
     - guarded: everything else (no table line; a name listed in
       external=, which always wins over the table; calls through
       pointers; definitions that another object can replace).  The
       caller asks for G bytes (external-reserve=, default 65536) plus R:
       no unguarded chunk ever offers that much, so the check passes only
       on a guarded chunk (an inaccessible region below it turns an
       overflow into a linkstack: message) and a failed check asks
       __morestack for at least G, which the runtime serves with a guarded
       chunk (contract of issue 9, item 2).  The object records G
       (.note.linkstack type 2); the runtime refuses an object whose G is
       below its own threshold.

   A budget may be marked "leaf": the function never calls back into
   other code.  Code it cannot call back needs no room for instrumented
   code below it, so a leaf's caller reserves the budget alone; for any
   other uninstrumented callee the caller reserves the budget plus R,
   because a callback (a qsort comparator, a signal handler) runs
   instrumented code at the bottom of the budget.

   libc-names.txt (libc-names=FILE, else next to the budgets table): every
   function name the C library exports.  A call to such a name that this
   unit does not define is a call into libc, whatever declared it (B7 of
   issue 9: a hand-written prototype of dlopen is no instrumented code).  */

#ifndef LSTK_PLUGIN_BUDGETS_H
#define LSTK_PLUGIN_BUDGETS_H

/* One budget.  */
struct lstk_budget
{
  /* Bytes below the call site, the return address included.  */
  HOST_WIDE_INT bytes;
  /* Never calls back into other code: no R below it.  */
  bool leaf;
  /* From the built-in table or the budgets file (proven); false for a
     guarded call (BYTES is then G).  */
  bool measured;
  /* A budget of the linkstack runtime ("R:" in the note), not of libc
     ("L:"): the lstk_* names, the lines after "#!runtime", and, in a
     table without directives, the lines without "leaf".  */
  bool runtime;
};

/* The guarded budget: G bytes, not a leaf (callbacks need R below).  */
extern struct lstk_budget lstk_budget_guarded (void);

/* Record NAME (from external=NAME[,NAME...]) as uninstrumented.  */
extern void lstk_budget_add_external (const char *name);

/* True if NAME was listed in external=.  */
extern bool lstk_budget_listed_external_p (const char *name);

/* Read the budgets table: FILE if not NULL (a missing or malformed file is
   an error), else the first of the default places that exists (see
   budgets.cc), PLUGIN_PATH being the plugin's own file name.  Returns
   false after reporting an error.  */
extern bool lstk_budget_load (const char *file, const char *plugin_path);

/* The file the table was read from, or NULL.  */
extern const char *lstk_budget_file (void);

/* True if NAME has an entry in the built-in table or the budgets file.  */
extern bool lstk_budget_known_p (const char *name);

/* The budget of a call to the uninstrumented function NAME: its proven
   budget, or the guarded one; NAME is NULL for an indirect call.  */
extern struct lstk_budget lstk_budget_for (const char *name);

/* Record that the code generated for this unit relies on NAME's proven
   budget B (for the .note.linkstack type 3).  */
extern void lstk_budget_note_use (const char *name, struct lstk_budget b);

/* The names recorded by lstk_budget_note_use, each prefixed "L:" (a libc
   leaf) or "R:" (the runtime), sorted; and the libc build-id the table
   was proven on ("" if the table names none).  */
extern vec<const char *> lstk_budget_used_names (void);
extern const char *lstk_budget_libc_build_id (void);

/* Read the list of libc function names: FILE if not NULL (an error if
   it cannot be read), else libc-names.txt next to the budgets table or in
   the default places; with none found, no name counts as libc's by this
   list (declarations in system headers still do).  */
extern bool lstk_libc_names_load (const char *file, const char *plugin_path);

/* True if NAME is a function exported by the C library (the list).  */
extern bool lstk_libc_name_p (const char *name);

#endif /* LSTK_PLUGIN_BUDGETS_H */
