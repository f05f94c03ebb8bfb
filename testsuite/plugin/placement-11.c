/* The guarded entry for cold calls through pointers (plugin/cold_calls.cc):
   a function whose only reason for a check is a rarely taken call
   through a pointer (the guarded request G on every entry) goes without a
   check; the call goes to lstk.guarded_call with the target in rax, whose
   check asks for G.  Refused: a call through a pointer on every entry, a
   variadic pointer (%al is an argument), a call with stack arguments (the
   entry copies none).  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-report" } */
/* { lstk-no-check rare_cb rare_del } */
/* { lstk-check every_time variadic stack_args } */
/* { lstk-asm rare_cb '(call|jmp) +lstk\.guarded_call' } */
/* { lstk-asm rare_del '(call|jmp) +lstk\.guarded_call' } */
/* { lstk-asm every_time 'call +\*' } */
/* { lstk-s '^lstk\.guarded_call:' } */
/* { lstk-s '^ +leaq +-65536\(%rsp\), %r11' } */
/* { lstk-s '^ +movl +\$65536, %r10d' } */
/* { lstk-s '^ +jmp +\*%rax' } */
/* { lstk-json "\"kind\": \"guarded-entry\"" } */

struct ops
{
  int (*cb) (void *, int);
  void (*del) (void *);
  int (*log) (const char *, ...);
  long (*many) (long, long, long, long, long, long, long, long);
};

int
rare_cb (struct ops *o, void *p, int n)
{
  if (__builtin_expect (n == 7, 0))
    return o->cb (p, n);
  return n * 3;
}

void
rare_del (struct ops *o, void *p, int n)
{
  if (__builtin_expect (n < 0, 0))
    o->del (p);
}

int
every_time (struct ops *o, void *p, int n)
{
  return o->cb (p, n) + 1;
}

int
variadic (struct ops *o, int n)
{
  if (__builtin_expect (n == 7, 0))
    return o->log ("%d", n);
  return n;
}

long
stack_args (struct ops *o, long n)
{
  if (__builtin_expect (n == 7, 0))
    return o->many (n, n, n, n, n, n, n, n);
  return n;
}
