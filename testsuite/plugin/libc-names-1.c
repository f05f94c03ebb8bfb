/* B7 of issue 9: a libc function declared by hand, not through its
   system header, is still libc's (libc-names.txt): dlopen has no proven
   budget, so the call takes the guarded request; strlen keeps its proven
   leaf budget.  A function of the user's, declared the same way, is taken
   to be compiled with the plugin in another unit (cost R: its return
   address and R below the frame, 8 more than plain -fsplit-stack asks).  */
/* { lstk-do compile } */
/* { lstk-check opens } */
/* { lstk-request opens +65536 } */
/* { lstk-no-check measures } */
/* { lstk-check calls_mine } */
/* { lstk-request calls_mine +8 } */
/* { lstk-bad-args "-fplugin-arg-linkstack-libc-names=/nonexistent" "cannot read the libc names file '/nonexistent'" } */

void *dlopen (const char *file, int mode);
unsigned long strlen (const char *s);
int mine (int x);

__attribute__ ((noipa)) void *opens (const char *f) { return dlopen (f, 2); }
__attribute__ ((noipa)) unsigned long measures (const char *s) { return strlen (s); }
__attribute__ ((noipa)) int calls_mine (int x) { return mine (x) + 1; }
