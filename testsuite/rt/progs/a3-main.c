/* a3-main.c: copies with memcpy, whose budget the plugin takes from the
   libc table; a3-memcpy.c, another unit of the same program, defines
   memcpy itself (issue 9, A3).  The runtime must refuse to start
   (testsuite/rt/loader.sh). */
#include <stdio.h>
#include <string.h>

#include "linkstack.h"

static char src[64] = "a3", dst[64];
static volatile size_t len = sizeof dst; /* a call, not inline moves */

static void *copy(void *arg)
{
    (void)arg;
    memcpy(dst, src, len);
    return dst;
}

int main(void)
{
    void *r = NULL;
    lstk_stack_run(1024, copy, NULL, &r);
    puts(r ? (char *)r : "?");
    return 0;
}
