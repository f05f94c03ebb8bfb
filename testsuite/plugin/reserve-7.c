/* -pg: the call to mcount is printed by final, not an insn; mcount runs on
   this stack all the same.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -pg" } */
/* { lstk-request f +65536 } */

int f (int x) { return x + 1; }
