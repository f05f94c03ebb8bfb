/*
 * graph-prog.c: a known program for graph-report.sh (issue 14): two
 * workers alternate between two yield sites, main joins them; run with
 * LINKSTACK_GRAPH=FILE it leaves its blocking graph in FILE at exit.
 */
#include <stddef.h>

#include "linkstack.h"

#define NOT_TAIL() __asm__ __volatile__("" ::: "memory")

/* Makes the two stages differ, so that GCC does not fold them into one
   function (-fipa-icf): one function is one place. */
static volatile int second_count;

__attribute__((noinline)) static void first_stage(void)
{
    lstk_yield();
    NOT_TAIL();
}

__attribute__((noinline)) static void second_stage(void)
{
    lstk_yield();
    second_count++;
}

static void *worker(void *arg)
{
    for (int i = 0; i < 3; i++) {
        first_stage();
        second_stage();
    }
    return arg;
}

int main(void)
{
    lstk_t x, y;

    if (lstk_create(&x, NULL, worker, NULL) || lstk_create(&y, NULL, worker, NULL))
        return 1;
    return lstk_join(x, NULL) || lstk_join(y, NULL);
}
