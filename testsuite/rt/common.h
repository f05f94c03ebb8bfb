/*
 * common.h: helpers for the runtime tests.  The tests are compiled with the
 * plugin, so every function here has a stack check.
 */
#ifndef LSTK_TEST_COMMON_H
#define LSTK_TEST_COMMON_H

#include <stdint.h>

#include "linkstack.h"

/* The guard slot (0 off linked stacks) and the stack pointer. */
static inline uintptr_t test_guard(void)
{
    uintptr_t g;
    __asm__ volatile("movq %%fs:0x70, %0" : "=r"(g));
    return g;
}

static inline uintptr_t test_sp(void)
{
    uintptr_t sp;
    __asm__ volatile("movq %%rsp, %0" : "=r"(sp));
    return sp;
}

static inline lstk_stats_t test_stats(void)
{
    lstk_stats_t s;
    lstk_stats(&s);
    return s;
}

/* Keeps the compiler from merging or eliding frames and locals. */
__attribute__((noinline)) static void test_touch(volatile char *p)
{
    p[0]++;
}

#endif
