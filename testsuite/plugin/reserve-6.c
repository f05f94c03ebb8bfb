/* -mtls-dialect=gnu2: "call *x@TLSCALL(%rax)" is no call insn, but it runs
   the dynamic linker's TLS descriptor resolver on this stack: budgeted like
   an external call.  (The default dialect calls __tls_get_addr: an
   ordinary external call.)  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-check=all" } */
/* { lstk-variants "-O2 -fPIC -mtls-dialect=gnu2 -fplugin-arg-linkstack-check=all" "-O2 -fPIC -fplugin-arg-linkstack-check=all" } */
/* { lstk-request get +65536 } */
/* { lstk-request no_tls +0 } */

__thread int tv;

int get (void) { return tv; }
int no_tls (int x) { return x + 1; }
