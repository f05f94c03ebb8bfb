/* -fplugin-arg-linkstack-* arguments: a bad one is a GCC error that names
   it and says what is accepted, and the compile fails; good ones compile.  */
/* { lstk-do compile } */
/* { lstk-options "-O2 -fplugin-arg-linkstack-check=all -fplugin-arg-linkstack-external-reserve=65536 -fplugin-arg-linkstack-external=foo,bar -fplugin-arg-linkstack-external=baz" } */
/* { lstk-check f } */
/* { lstk-bad-args "-fplugin-arg-linkstack-bogus=1" "error: linkstack: unknown argument '-fplugin-arg-linkstack-bogus=1'; accepted keys: check=all\|needed, reserve=N, external-reserve=N, external=NAME\[,NAME\.\.\.\], budgets=FILE, libc-names=FILE, report, " } */
/* { lstk-bad-args "-fplugin-arg-linkstack-bogus" "error: linkstack: unknown argument '-fplugin-arg-linkstack-bogus'; accepted keys: check=all\|needed, " } */
/* { lstk-bad-args "-fplugin-arg-linkstack-external-reserve=abc" "error: linkstack: invalid argument '-fplugin-arg-linkstack-external-reserve=abc': expected a decimal number of bytes from 65536 \(the runtime's smallest guarded request\) to 1048576" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-external-reserve=4096" "error: linkstack: invalid argument '-fplugin-arg-linkstack-external-reserve=4096': expected a decimal number of bytes from 65536" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-libc-names=/nonexistent/libc-names.txt" "error: linkstack: cannot read the libc names file '/nonexistent/libc-names.txt'" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-libc-names" "error: linkstack: invalid argument '-fplugin-arg-linkstack-libc-names': expected a file name" } */
/* { lstk-bad-args "-fstack-check" "error: linkstack: '-fstack-check' is not supported: it probes the stack below the frame" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-external-reserve=-5" "error: linkstack: invalid argument '-fplugin-arg-linkstack-external-reserve=-5': expected a decimal" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-external-reserve=99999999999" "error: linkstack: invalid argument '-fplugin-arg-linkstack-external-reserve=99999999999': expected a decimal" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-external-reserve=1048577" "invalid argument '-fplugin-arg-linkstack-external-reserve=1048577'" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-external-reserve" "error: linkstack: invalid argument '-fplugin-arg-linkstack-external-reserve': expected a decimal" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-check=maybe" "error: linkstack: invalid argument '-fplugin-arg-linkstack-check=maybe': accepted values: all, needed" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-check" "error: linkstack: invalid argument '-fplugin-arg-linkstack-check': a value is required; accepted values: all, needed" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-verbose=yes" "error: linkstack: invalid argument '-fplugin-arg-linkstack-verbose=yes': takes no value" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-external=a,,b" "error: linkstack: invalid argument '-fplugin-arg-linkstack-external=a,,b': expected a comma-separated list of function names" } */
/* { lstk-bad-args "-fplugin-arg-linkstack-external=" "invalid argument '-fplugin-arg-linkstack-external=': expected a comma-separated list" } */

int f (int x) { return x + 1; }
