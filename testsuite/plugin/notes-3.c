/* The notes an object carries for the runtime's checks (issue 9, contract
   item 3): type 2, the guarded request G it assumed; type 3, the proven
   budgets its code relies on, after the build-id of the libc they were
   proven on: "L:" for libc, "R:" for the runtime (lstk_* names and the
   lines after "#!runtime", leaf or not: read).  Only budgets
   used are listed (strlen is in the table, never called); a name given
   with external= is no proven budget (malloc).  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-budgets=$srcdir/budgets-libc.txt -fplugin-arg-linkstack-external=malloc" } */
/* { lstk-s "^ \.long 2 +# type: the guarded request G" } */
/* { lstk-s "^ \.long 65536 +# G, bytes" } */
/* { lstk-s "^ \.long 3 +# type: the proven budgets this object relies on" } */
/* { lstk-s "^ \.asciz \"libc:0123456789abcdef0123456789abcdef01234567\"" } */
/* { lstk-s "^ \.asciz \"L:memcpy\"" } */
/* { lstk-s "^ \.asciz \"R:lstk_yield\"" } */
/* { lstk-s "^ \.asciz \"R:read\"" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-budgets=$srcdir/budgets-bad-2.txt" "budgets-bad-2.txt:1: malformed directive; expected '#!libc BUILD-ID PATH' with BUILD-ID in hex" } */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern int lstk_yield (void);

__attribute__ ((noipa)) void copy (char *d, const char *s, size_t n) { memcpy (d, s, n); }
__attribute__ ((noipa)) int yields (void) { return lstk_yield (); }
__attribute__ ((noipa)) void *alloc (size_t n) { return malloc (n); }
__attribute__ ((noipa)) long reads (int fd, void *b) { return read (fd, b, 1); }
