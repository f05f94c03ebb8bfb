/* Corrupts the canary of a linked chunk, then returns across it: the
   runtime must print "linkstack: corrupted stack chunk ..." and abort. */
#include <stdint.h>
#include "../common.h"

static int corrupted;

static long dive(long n)
{
    volatile char pad[64];
    pad[0] = 1;
    test_touch(pad);
    if (n == 0 || (!corrupted && test_guard() != 0 && n < 500)) {
        /* The header sits just below the reserve: canary at +56. */
        uint64_t *canary = (uint64_t *)(test_guard() - 384 - 64 + 56);
        if (!corrupted) {
            *canary ^= 0xdeadbeef;
            corrupted = 1;
        }
        return 0;
    }
    return dive(n - 1) + pad[0] - 1;
}

static void *entry(void *arg)
{
    return (void *)dive((long)arg);
}

int main(void)
{
    void *r;
    lstk_stack_run(1024, entry, (void *)1000L, &r);
    return 0; /* not reached */
}
