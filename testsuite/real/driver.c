/*
 * driver.c: runs a real program's main (compiled with -Dmain=real_main) on
 * a linked stack whose first chunk is 1 KiB, with the program's arguments,
 * and returns its status.  Compiled with the plugin like the program, so
 * the differential tests of testsuite/real/ run SQLite's shell and Lua's
 * interpreter on chunks that grow from the smallest size the runtime
 * takes: every check the plugin left out is relied on there.  With
 * REAL_STATS=FILE it writes the runtime's growth events, peak chunks and
 * peak bytes there at the end.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <linkstack.h>

extern int real_main(int argc, char **argv);

struct args {
    int argc;
    char **argv;
};

static void *run(void *p)
{
    struct args *a = p;
    return (void *)(intptr_t)real_main(a->argc, a->argv);
}

int main(int argc, char **argv)
{
    struct args a = { argc, argv };
    void *r = NULL;
    int rc = lstk_stack_run(1024, run, &a, &r);
    if (rc != 0) {
        fprintf(stderr, "driver: lstk_stack_run: %d\n", rc);
        return 100;
    }
    /* flushed here, on the system stack, like exit() after main */
    fflush(stdout);
    /* REAL_STATS=FILE: the runtime's counters, for lib.sh to see that the
       program did run on linked chunks, and grew them */
    const char *stats = getenv("REAL_STATS");
    lstk_stats_t st;
    FILE *f;
    if (stats && lstk_stats(&st) == 0 && (f = fopen(stats, "w")) != NULL) {
        fprintf(f, "%llu %llu %llu\n", (unsigned long long)st.grow_events,
                (unsigned long long)st.chunks_peak,
                (unsigned long long)st.bytes_peak);
        fclose(f);
    }
    return (int)(intptr_t)r;
}
