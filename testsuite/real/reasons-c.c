/* reasons-c.c, compiled at -O0 (source order): later comes before
   the function it calls, which is not compiled yet when it is placed.  */
__attribute__((noipa)) int later_callee(int x);
__attribute__((noipa)) int later(int x) { return later_callee(x) + 1; }
__attribute__((noipa)) int later_callee(int x) { return x * 2; }
