/* reasons-b.c: the other unit of reasons-a.c's call_other.  */
__attribute__((noipa)) int other_unit(int x) { return x + 5; }
