/* san-race.c: sanitizers.sh's deliberate race, built with -fsanitize=thread
   and the plugin: two linkstack threads increment one counter with nothing
   between them but lstk_yield, a few chunks deep.  ThreadSanitizer must
   report a data race in bump. */
#include <linkstack.h>
#include <stdio.h>

int shared;

static __attribute__((noinline)) void bump(int n)
{
    volatile char pad[32];
    pad[n % 32] = 1;
    if (n)
        bump(n - 1);
    else
        shared++; /* the race */
}

static void *racer(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++) {
        bump(100);
        lstk_yield();
    }
    return NULL;
}

int main(void)
{
    lstk_t t[2];
    for (int i = 0; i < 2; i++)
        lstk_create(&t[i], NULL, racer, NULL);
    for (int i = 0; i < 2; i++)
        lstk_join(t[i], NULL);
    printf("%d\n", shared);
    return 0;
}
