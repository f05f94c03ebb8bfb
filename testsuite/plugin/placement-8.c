/* Callers that cover their callee: the ways the rule must refuse.  Each
   function below has a region over R (a 512-byte frame) and keeps its own
   check because
     - taken: its address is taken (a call through the pointer knows
       nothing of its region);
     - visible: it is not static (callers in other units count it at R);
     - rare: its one caller calls it less than once per entry (the check
       would run more often in the caller than in the callee);
     - under_user: a caller carries the user's no_split_stack (no check to
       ask for anything);
     - cyc_a, cyc_b: they call each other; GCC compiles cyc_b first,
       which counts cyc_a at R ("not yet compiled") and leaves its own
       region to its callers (cyc_a calls it on every entry); cyc_a then
       sees a caller compiled already and keeps its check: the cycle has
       one, in cyc_a.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-report" } */
/* { lstk-check taken visible rare under_user } */
/* { lstk-check cyc_a } */
/* { lstk-no-check cyc_b } */
/* { lstk-dump lstk_placement 'taken: check .*callers cannot cover it: not local' } */
/* { lstk-dump lstk_placement 'visible: check .*callers cannot cover it: not local' } */
/* { lstk-dump lstk_placement 'rare: check .*callers cannot cover it: a caller calls it less than once per entry' } */
/* { lstk-dump lstk_placement 'under_user: check .*callers cannot cover it: a caller without the plugin.s check' } */
/* { lstk-dump lstk_placement 'cyc_a: check .*callers cannot cover it: a caller compiled already' } */

extern void fill (char *);
extern int cond (void);

static __attribute__ ((noinline)) int
taken (int n)
{
  char buf[512];
  fill (buf);
  return buf[n & 511];
}

int (*taken_ptr) (int) = taken;

int
call_taken (int n)
{
  return taken (n) + 1;
}

__attribute__ ((noinline)) int
visible (int n)
{
  char buf[544];
  fill (buf);
  return buf[n & 511];
}

int
call_visible (int n)
{
  return visible (n) + 1;
}

static __attribute__ ((noinline)) int
rare (int n)
{
  char buf[520];
  fill (buf);
  return buf[n & 511];
}

int
call_rare (int n)
{
  if (__builtin_expect (cond (), 0))
    return rare (n);
  return 0;
}

static __attribute__ ((noinline)) int
under_user (int n)
{
  char buf[528];
  fill (buf);
  return buf[n & 511];
}

__attribute__ ((no_split_stack)) int
call_under_user (int n)
{
  return under_user (n) + 1;
}

static int cyc_b (int n);

/* Calls cyc_b on every entry.  */
static __attribute__ ((noinline)) int
cyc_a (int n)
{
  char buf[512];
  fill (buf);
  return cyc_b (n) + buf[n & 511];
}

static __attribute__ ((noinline)) int
cyc_b (int n)
{
  char buf[536];
  fill (buf);
  return n > 0 ? cyc_a (n - 1) + buf[n & 511] : 0;
}

int
call_cycle (int n)
{
  return cyc_a (n) + cyc_b (n);
}
