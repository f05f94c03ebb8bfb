/*
 * driver.c: runs a csmith program's main (renamed csmith_main with
 * -Dmain=csmith_main) on a linked stack whose first chunk is 1 KiB, and
 * returns its status.  Compiled with the plugin like the program.
 */
#include <stdint.h>
#include <stdio.h>

#include <linkstack.h>

extern int csmith_main(void);

static void *run(void *arg)
{
    (void)arg;
    return (void *)(intptr_t)csmith_main();
}

int main(void)
{
    void *r = NULL;
    int rc = lstk_stack_run(1024, run, NULL, &r);
    if (rc != 0) {
        fprintf(stderr, "lstk_stack_run: %d\n", rc);
        return 100;
    }
    return (int)(intptr_t)r;
}
