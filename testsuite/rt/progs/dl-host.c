/* dl-host.c: loads a shared object with dlopen, from main or from a
   linked stack with a 1 KiB first chunk, and reports what happened
   (testsuite/rt/loader.sh).  It defines its own memccpy, a libc name, as a
   program may (issue 9, A3).
     dl-host FILE [thread|newns]  ->  "loaded N" or "refused: <dlerror text>"
   (newns: dlmopen into a new namespace). */
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "linkstack.h"

void *memccpy(void *dst, const void *src, int c, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    for (size_t i = 0; i < n; i++) {
        d[i] = s[i];
        if (s[i] == (unsigned char)c)
            return d + i + 1;
    }
    return NULL;
}

static const char *path;
static int newns;

static void *load(void *arg)
{
    (void)arg;
    void *h = newns ? dlmopen(LM_ID_NEWLM, path, RTLD_NOW) : dlopen(path, RTLD_NOW);
    if (h == NULL) {
        printf("refused: %s\n", dlerror());
        if (dlopen(path, RTLD_NOW | RTLD_NOLOAD) != NULL)
            printf("still loaded\n");
        return NULL;
    }
    int (*fn)(int) = (int (*)(int))dlsym(h, "modfn");
    printf("loaded %d\n", fn ? fn(40) : -1);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    path = argv[1];
    newns = argc > 2 && strcmp(argv[2], "newns") == 0;
    if (argc > 2 && strcmp(argv[2], "thread") == 0)
        return lstk_stack_run(1024, load, NULL, NULL);
    load(NULL);
    return 0;
}
