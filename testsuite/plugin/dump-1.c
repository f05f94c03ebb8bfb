/* The passes explain themselves in their RTL dumps (-details).  GCC 12
   reads -fdump-* switches before plugins register their passes, so only
   -fdump-rtl-all[-details] reaches them: files <base>.NNNr.lstk_placement
   and <base>.NNNr.lstk_reserve.  */
/* { lstk-do compile } */
/* { lstk-options "-O2" } */
/* { lstk-dump lstk_placement ";; calls_puts: check \(check=all\); frame so far [0-9]+ bytes" } */
/* { lstk-dump lstk_reserve ";; call insn [0-9]+ to puts: budget 16384" } */
/* { lstk-dump lstk_reserve ";; calls_puts: prologue matched, allocate [0-9]+, static size [0-9]+, E_ext 16384, E_push 0, request [0-9]+" } */
/* { lstk-dump lstk_reserve ";; prologue after:" } */
/* { lstk-dump lstk_reserve "\(set \(reg:DI 39 r11\)" } */
/* { lstk-dump lstk_reserve ";; leaf: prologue matched, allocate 0, static size 8, E_ext 0, E_push 0, request 0" } */

extern int puts (const char *);

int calls_puts (void) { return puts ("x") + 1; }
int leaf (int x) { return x * 2; }
