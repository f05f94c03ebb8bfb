/*
 * calls.c: call-heavy code of the everyday kind (no recursion): a word
 * counter that tokenizes text, hashes words into a chained table and
 * keeps statistics, through many small functions, as request parsers and
 * protocol handlers do.  bench/analysis/run counts how many of its dynamic
 * calls run no stack check, and times it plain and with the plugin.
 *
 * Usage: calls [ROUNDS]   prints a checksum
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOINLINE __attribute__((noinline))
#define BUCKETS 4096

struct word {
    struct word *next;
    uint32_t hash;
    uint32_t count;
    char text[24];
};

static struct word *table[BUCKETS];
static struct word pool[8192];
static size_t used;
static uint64_t stats[8];

static const char sample[] =
    "It was the best of times, it was the worst of times, it was the age of "
    "wisdom, it was the age of foolishness, it was the epoch of belief, it "
    "was the epoch of incredulity, it was the season of Light, it was the "
    "season of Darkness, it was the spring of hope, it was the winter of "
    "despair, we had everything before us, we had nothing before us, we were "
    "all going direct to Heaven, we were all going direct the other way. "
    "GET /index.html HTTP/1.1 Host: example.org Accept: text/html 200 OK";

NOINLINE static int is_letter(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

NOINLINE static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

NOINLINE static uint32_t hash_step(uint32_t h, int c)
{
    return (h ^ (uint32_t)c) * 16777619u;
}

NOINLINE static int same(const struct word *w, const char *s, size_t n)
{
    return strlen(w->text) == n && memcmp(w->text, s, n) == 0;
}

NOINLINE static struct word *find(uint32_t h, const char *s, size_t n)
{
    for (struct word *w = table[h % BUCKETS]; w; w = w->next)
        if (w->hash == h && same(w, s, n))
            return w;
    return NULL;
}

NOINLINE static struct word *insert(uint32_t h, const char *s, size_t n)
{
    struct word *w = &pool[used++ % 8192];
    if (n >= sizeof w->text)
        n = sizeof w->text - 1;
    memcpy(w->text, s, n);
    w->text[n] = 0;
    w->hash = h;
    w->count = 0;
    w->next = table[h % BUCKETS];
    table[h % BUCKETS] = w;
    return w;
}

NOINLINE static void count_len(size_t n)
{
    stats[n < 8 ? n : 7]++;
}

NOINLINE static void add_word(const char *s, size_t n, uint32_t h)
{
    struct word *w = find(h, s, n);
    if (!w)
        w = insert(h, s, n);
    w->count++;
    count_len(n);
}

NOINLINE static size_t scan(const char *text, size_t len)
{
    char buf[32];
    size_t words = 0, n = 0;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i <= len; i++) {
        int c = i < len ? text[i] : ' ';
        if (is_letter(c)) {
            if (n < sizeof buf)
                buf[n++] = (char)lower(c);
            h = hash_step(h, lower(c));
        } else if (n) {
            add_word(buf, n, h);
            words++;
            n = 0;
            h = 2166136261u;
        }
    }
    return words;
}

NOINLINE static uint64_t checksum(void)
{
    uint64_t s = 0;
    for (size_t b = 0; b < BUCKETS; b++)
        for (struct word *w = table[b]; w; w = w->next)
            s = s * 31 + w->count + w->hash;
    for (int i = 0; i < 8; i++)
        s ^= stats[i] << i;
    return s;
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 20000;
    size_t words = 0;
    for (long r = 0; r < rounds; r++)
        words += scan(sample, sizeof sample - 1);
    printf("words %zu checksum %llx\n", words, (unsigned long long)checksum());
    return 0;
}
