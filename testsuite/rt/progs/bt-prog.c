/* For gdb: stops in `bottom` four chunks deep on a linked stack. */
#include "../common.h"

__attribute__((noinline)) void bottom(void)
{
    __asm__ volatile("" ::: "memory");
}

static long descend(long n)
{
    volatile char pad[200];
    pad[0] = 0;
    test_touch(pad);
    if (n == 0) {
        bottom();
        return 0;
    }
    return descend(n - 1) + pad[0];
}

void *gdb_entry(void *arg)
{
    return (void *)descend((long)arg);
}

int main(void)
{
    void *r;
    return lstk_stack_run(1024, gdb_entry, (void *)100L, &r);
}
