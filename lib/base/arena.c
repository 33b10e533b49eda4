/*
 * The arena and string cache of base/arena.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"

#define BLOCK_BYTES (64u * 1024)
#define FIRST_BLOCK_BYTES 2048u

#define ALIGN ATMOS_ARENA_ALIGN

/* n bytes aligned to `align` (1 or ALIGN), from the current block or a new one. */
void *atmos_arena_take(struct atmos_arena *a, size_t n, size_t align)
{
    struct atmos_arena_block *b = a->head;
    size_t at = b ? (b->used + align - 1) & ~(align - 1) : 0;
    if (b == NULL || at > b->size || b->size - at < n) {
        if (n > SIZE_MAX - sizeof(*b) - ALIGN)
            return NULL;
        /* Blocks double from FIRST_BLOCK_BYTES: most files are a few lines, and every page a
         * block touches is a page fault (about 5 us on the bench VM). */
        size_t size = b == NULL               ? FIRST_BLOCK_BYTES
                      : b->size < BLOCK_BYTES ? 2 * b->size
                                              : BLOCK_BYTES;
        if (size > BLOCK_BYTES)
            size = BLOCK_BYTES;
        if (n > size)
            size = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
        struct atmos_arena_block *nb = malloc(sizeof(*nb) + size);
        if (nb == NULL)
            return NULL;
        nb->used = 0;
        nb->size = size;
        /* A large allocation goes behind the current block, which keeps its room. */
        if (b != NULL && n > BLOCK_BYTES) {
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
        at = 0;
    }
    b->used = at + n;
    return b->data + at;
}

char *atmos_arena_strndup(struct atmos_arena *a, const char *s, size_t len)
{
    char *p = len < SIZE_MAX ? atmos_arena_take(a, len + 1, 1) : NULL;
    if (p != NULL) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

void atmos_arena_free(struct atmos_arena *a)
{
    for (struct atmos_arena_block *b = a->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    a->head = NULL;
}

/* All of a string of up to 8 bytes as a word, by two loads that may overlap (the length tells
 * such words apart); of a longer one, its first 8 bytes.  No byte beyond s + len is read. */
static uint64_t word(const char *s, size_t len)
{
    uint64_t w = 0;
    uint32_t lo = 0, hi = 0;
    uint16_t l2 = 0, h2 = 0;
    if (len >= 8) {
        memcpy(&w, s, 8);
    } else if (len >= 4) {
        memcpy(&lo, s, 4);
        memcpy(&hi, s + len - 4, 4);
        w = lo | (uint64_t)hi << 32;
    } else if (len >= 2) {
        memcpy(&l2, s, 2);
        memcpy(&h2, s + len - 2, 2);
        w = l2 | (uint64_t)h2 << 16;
    } else if (len == 1) {
        w = (unsigned char)s[0];
    }
    return w;
}

const char *atmos_arena_intern(struct atmos_arena *a, struct atmos_strcache *c, const char *s,
                               size_t len)
{
    if (c == NULL || len > ATMOS_STRCACHE_MAX)
        return atmos_arena_strndup(a, s, len);
    /* The first and the last 8 bytes: all of a string of up to 16, which then needs no memcmp
     * (names differ at their end: p0-id1, p0-id2...). */
    uint64_t head = word(s, len), tail = len > 8 ? word(s + len - 8, 8) : 0;
    uint64_t h = (head * 0x9E3779B97F4A7C15ull) ^ (tail * 0xC2B2AE3D27D4EB4Full) ^ len;
    unsigned i = (unsigned)(h >> 40) & (ATMOS_STRCACHE_SLOTS - 1);
    if (c->slot[i].s && c->slot[i].len == len && c->slot[i].head == head &&
        c->slot[i].tail == tail && (len <= 16 || memcmp(c->slot[i].s, s, len) == 0))
        return c->slot[i].s;
    char *p = atmos_arena_strndup(a, s, len);
    if (p != NULL)
        c->slot[i] = (typeof(c->slot[i])){p, (unsigned)len, head, tail};
    return p;
}
