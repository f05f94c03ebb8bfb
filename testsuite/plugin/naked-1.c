/* E2 of issue 9: a naked function gets no check (GCC would put one in
   front of its asm, with a frame of -8 bytes), and its callers treat it as
   code whose stack use is not proven: the guarded request G.  */
/* { lstk-do compile } */
/* { lstk-variants "-O0 -fplugin-arg-linkstack-report" "-O2 -fplugin-arg-linkstack-report" } */
/* { lstk-no-check nk } */
/* { lstk-check call_nk } */
/* { lstk-request call_nk +65536 } */
/* The report names why it has none (bench/analysis/callshare.py reads it).  */
/* { lstk-json "\"checked\": false, \"reasons\": \[\"no_split_stack\", \"naked\"\]" } */

__attribute__ ((naked)) int
nk (void)
{
  __asm__ ("movl $7, %eax\n\tret");
}

int
call_nk (void)
{
  return nk () + 1;
}
