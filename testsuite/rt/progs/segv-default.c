/* segv-default.c: a NULL dereference on a linked stack, no handler: the
   program dies of SIGSEGV as it would without linkstack, with no
   linkstack message (testsuite/rt/guarded-fault.sh).  With an argument, the
   program installs SIG_DFL itself first. */
#include <signal.h>
#include <stddef.h>

#include "linkstack.h"

static int *volatile nowhere;

static void *entry(void *arg)
{
    (void)arg;
    return (void *)(long)*nowhere;
}

int main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        signal(SIGSEGV, SIG_DFL);
    lstk_stack_run(1024, entry, NULL, NULL);
    return 0;
}
