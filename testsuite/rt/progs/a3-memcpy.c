/* a3-memcpy.c: the program's own memcpy (see a3-main.c), deliberately
   using far more stack than glibc's. */
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n)
{
    volatile char bounce[4096];
    char *d = dst;
    const char *s = src;
    for (size_t i = 0; i < n; i++) {
        bounce[i % sizeof bounce] = s[i];
        d[i] = bounce[i % sizeof bounce];
    }
    return dst;
}
