/* The budgets table: a measured budget replaces external-reserve=; a
   "leaf" budget (no callback into other code) needs no R below it, so a
   function that calls only measured leaves can go unchecked.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-report" } */
/* { lstk-no-check copy } */
/* { lstk-check print } */
/* { lstk-request print +2048 } */
/* { lstk-check print_unknown } */
/* { lstk-request print_unknown +65536 } */
/* { lstk-json "\"callee\": \"snprintf\", \"kind\": \"external\", \"need\": 2432, \"budget\": 2048, \"measured\": true, \"leaf\": false" } */

#include <stdio.h>
#include <string.h>

/* memcpy: 32 bytes, leaf (budgets-test.txt).  */
__attribute__ ((noipa)) void copy (char *d, const char *s, size_t n) { memcpy (d, s, n); }

/* snprintf: 2048, not a leaf: 2048 + R below the frame.  */
__attribute__ ((noipa)) int print (char *d, int x) { return snprintf (d, 16, "%d", x); }

/* puts is not in the table: external-reserve=.  */
__attribute__ ((noipa)) int print_unknown (const char *s) { return puts (s); }
