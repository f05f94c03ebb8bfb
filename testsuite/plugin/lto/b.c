/* Whole-program mode (lto.sh): the callees of a.c.  */
__attribute__((noinline)) int b_leaf (int x) { return x * 3 + 1; }
__attribute__((noinline)) int b_mid (int x) { return b_leaf (x); }
