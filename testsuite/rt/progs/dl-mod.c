/* dl-mod.c: a module compiled with the plugin, loaded by dl-host
   (testsuite/rt/loader.sh); modfn recurses through small frames, so on a
   1 KiB stack it crosses chunk boundaries. */
__attribute__((noinline)) static int down(int n)
{
    volatile char pad[64];
    pad[0] = (char)n;
    return n == 0 ? 0 : down(n - 1) + 1 + pad[0] - (char)n;
}

int modfn(int n)
{
    return down(n) + 2;
}
