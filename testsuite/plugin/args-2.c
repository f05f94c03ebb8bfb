/* The arguments of the analysis: every malformed value is a GCC error
   that names the argument and says what is accepted.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-check=needed -fplugin-arg-linkstack-reserve=512 -fplugin-arg-linkstack-report -fplugin-arg-linkstack-warn-frame=100000 -fplugin-arg-linkstack-warn-depth=100000 -fplugin-arg-linkstack-warn-dead=100000 -fplugin-arg-linkstack-warn-recursion -fplugin-arg-linkstack-warn-dynamic" } */
/* { lstk-no-check f } */
/* { lstk-bad-args "-fplugin-arg-linkstack-reserve=abc" "error: linkstack: invalid argument '-fplugin-arg-linkstack-reserve=abc': expected a decimal number of bytes from 64 to 65536" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-reserve=63" "error: linkstack: invalid argument '-fplugin-arg-linkstack-reserve=63': expected a decimal number of bytes from 64 to 65536" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-reserve=65537" "invalid argument '-fplugin-arg-linkstack-reserve=65537'" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-reserve" "invalid argument '-fplugin-arg-linkstack-reserve': expected a decimal" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-reserve=-1" "invalid argument '-fplugin-arg-linkstack-reserve=-1'" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-report=yes" "error: linkstack: invalid argument '-fplugin-arg-linkstack-report=yes': takes no value" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-warn-frame" "error: linkstack: invalid argument '-fplugin-arg-linkstack-warn-frame': expected a decimal number of bytes from 0 to 1048576" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-warn-frame=1k" "invalid argument '-fplugin-arg-linkstack-warn-frame=1k': expected a decimal" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-warn-depth=" "invalid argument '-fplugin-arg-linkstack-warn-depth=': expected a decimal" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-warn-dead=0" "invalid argument '-fplugin-arg-linkstack-warn-dead=0': expected a decimal number of bytes from 1 to 1048576" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-warn-recursion=1" "invalid argument '-fplugin-arg-linkstack-warn-recursion=1': takes no value" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-warn-dynamic=yes" "invalid argument '-fplugin-arg-linkstack-warn-dynamic=yes': takes no value" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-warn-all=2" "invalid argument '-fplugin-arg-linkstack-warn-all=2': takes no value" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-budgets" "invalid argument '-fplugin-arg-linkstack-budgets': expected a file name" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-budgets=/nonexistent/budgets.txt" "error: linkstack: cannot read the budgets file '/nonexistent/budgets.txt'" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-budgets=$srcdir/budgets-bad.txt" "error: linkstack: .*budgets-bad.txt:4: malformed budget line; expected 'NAME BYTES \[leaf\]'" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-check=some" "invalid argument '-fplugin-arg-linkstack-check=some': accepted values: all, needed" } */

int f (int x) { return x + 1; }
