/* The passes explain themselves in their RTL dumps (-details).  GCC 12
   reads -fdump-* switches before plugins register their passes, so only
   -fdump-rtl-all[-details] reaches them: files <base>.NNNr.lstk_placement,
   <base>.NNNr.lstk_reserve and <base>.NNNr.lstk_verify.  */
/* { lstk-do compile } */
/* { lstk-options "-O2" } */
/* { lstk-dump lstk_placement ";; calls_puts: check \(external, depth\); frame at most [0-9]+, region at most [0-9]+, reserve 384" } */
/* { lstk-dump lstk_placement ";;   call to puts \(external\): need 65920" } */
/* { lstk-dump lstk_placement ";; leaf: no check; frame at most [0-9]+, region at most [0-9]+, reserve 384" } */
/* { lstk-dump lstk_reserve ";; calls_puts: checked, prologue matched, allocate [0-9]+ \(placement assumed at most [0-9]+\), static size [0-9]+, pushed 0, N 65920, region [0-9]+ \(assumed at most [0-9]+\), reserve 384" } */
/* { lstk-dump lstk_reserve ";; prologue after:" } */
/* { lstk-dump lstk_reserve "\(set \(reg:DI 39 r11\)" } */
/* { lstk-dump lstk_reserve ";; leaf: unchecked, prologue none, allocate 0 \(placement assumed at most [0-9]+\), static size 8, pushed 0, N 128, region 128" } */
/* { lstk-dump lstk_verify ";; calls_puts: final N 65920 \(accounted 65920\), pushed 0 \(accounted 0\)" } */

extern int puts (const char *);

int calls_puts (void) { return puts ("x") + 1; }
int leaf (int x) { return x * 2; }
