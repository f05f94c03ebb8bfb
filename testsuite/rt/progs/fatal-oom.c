/* Recursion that no memory can hold: the runtime must print
   "linkstack: out of memory for a stack chunk of N bytes ..." and abort. */
#include <sys/resource.h>
#include "../common.h"

static long dive(long n)
{
    volatile char pad[200];
    pad[0] = 1;
    test_touch(pad);
    return n == 0 ? 0 : dive(n - 1) + pad[0] - 1;
}

static void *entry(void *arg)
{
    return (void *)dive((long)arg);
}

int main(void)
{
    struct rlimit rl = { 512u << 20, 512u << 20 };
    setrlimit(RLIMIT_AS, &rl);
    void *r;
    lstk_stack_run(1024, entry, (void *)100000000L, &r);
    return 0; /* not reached */
}
