/* Built against an installed linkstack with pkg-config only: the plugin
   must be active (the recursion grows through __morestack) and the
   runtime found at run time. */
#include <linkstack.h>
#include <stdio.h>

static long rec(long n)
{
    volatile char pad[64];
    pad[0] = 1;
    return n == 0 ? 0 : rec(n - 1) + pad[0];
}

static void *entry(void *arg)
{
    return (void *)rec((long)arg);
}

int main(void)
{
    void *r = NULL;
    lstk_stats_t s;
    if (lstk_stack_run(0, entry, (void *)100000L, &r) != 0 || (long)r != 100000)
        return 1;
    lstk_stats(&s);
    printf("installed linkstack: 100000 levels, %llu chunk allocations\n",
           (unsigned long long)s.chunk_allocs);
    return s.chunk_allocs > 10 ? 0 : 1;
}
