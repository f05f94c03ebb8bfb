/* guarded-overflow.c: a call that no budget bounds runs on a guarded chunk
   and goes 4 MiB deep: the runtime must stop it with a message naming the
   function (testsuite/rt/guarded-fault.sh), even when the program has a SIGSEGV
   handler of its own (argument "handler").  With the argument "shallow",
   the same call goes only 512 KiB deep and returns.  With "header", one
   stray byte is written over the `next` field of the chunk's header (a
   sparse overflow): that faults too. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linkstack.h"

void deep_unchecked(size_t bytes);

__attribute__((noinline)) static void touch(volatile char *p)
{
    p[0]++;
}

/* A frame of over G' (64 KiB): this function runs on a guarded chunk. */
static int stray;

__attribute__((noinline)) static long on_guarded(size_t depth)
{
    volatile char pad[70000];
    pad[0] = 0;
    touch(pad);
    if (stray) {
        uintptr_t guard;
        __asm__ volatile("movq %%fs:0x70, %0" : "=r"(guard));
        /* the header's `next`: 64 + R below the guard, then 8 up */
        *(volatile char *)(guard - lstk_reserve() - 64 + 8) = 1;
    } else {
        deep_unchecked(depth);
    }
    return pad[0];
}

static void *entry(void *arg)
{
    return (void *)on_guarded((size_t)arg);
}

static void on_segv(int sig)
{
    (void)sig;
    write(2, "handler\n", 8);
    _exit(3);
}

int main(int argc, char **argv)
{
    void *r = NULL;
    int shallow = argc > 1 && strcmp(argv[1], "shallow") == 0;
    stray = argc > 1 && strcmp(argv[1], "header") == 0;
    if (argc > 1 && strcmp(argv[1], "handler") == 0)
        signal(SIGSEGV, on_segv);
    size_t depth = shallow ? (size_t)512 << 10 : (size_t)4 << 20;
    if (lstk_stack_run(1024, entry, (void *)depth, &r) != 0 || r != (void *)1)
        return 1;
    puts("returned");
    return 0;
}
