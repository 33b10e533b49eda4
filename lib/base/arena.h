/*
 * A bump allocator freed at once, and a small cache that lets equal short
 * strings share one copy in it.
 *
 * A load makes about ten small allocations per identity (a YAML node, each
 * scalar, each name and kind of the configuration), each with malloc's
 * 16 bytes of overhead and its own free at exit; the same strings ("kind",
 * "aws/permission-set", a provider's name) over and over.  An arena makes
 * them a few 64 KiB blocks, and the cache keeps one copy of each repeated one.
 */
#ifndef ATMOS_ARENA_H
#define ATMOS_ARENA_H

#include <stddef.h>
#include <stdint.h>

/* What the arena's users keep: pointers and unsigned ints. */
#define ATMOS_ARENA_ALIGN 8u

struct atmos_arena_block {
    struct atmos_arena_block *next;
    size_t used, size;
    _Alignas(ATMOS_ARENA_ALIGN) unsigned char data[];
};

struct atmos_arena {
    struct atmos_arena_block *head; /* NULL: empty; zero-initialised is ready to use */
};

/* n bytes aligned to align (1, or ATMOS_ARENA_ALIGN), from the current block or a new one. */
void *atmos_arena_take(struct atmos_arena *a, size_t n, size_t align);

/* n bytes aligned for pointers and integers; NULL on allocation failure.  Inline: a YAML node
 * takes one, and 10,000 identities are 100,000 nodes. */
static inline void *atmos_arena_alloc(struct atmos_arena *a, size_t n)
{
    struct atmos_arena_block *b = a->head;
    size_t at = b ? (b->used + ATMOS_ARENA_ALIGN - 1) & ~(size_t)(ATMOS_ARENA_ALIGN - 1) : 0;
    if (b == NULL || n == 0 || at > b->size || b->size - at < n)
        return atmos_arena_take(a, n ? n : 1, ATMOS_ARENA_ALIGN);
    b->used = at + n;
    return b->data + at;
}

/* A NUL-terminated copy of len bytes of s (which may hold NUL bytes); NULL on failure. */
char *atmos_arena_strndup(struct atmos_arena *a, const char *s, size_t len);
/* Everything allocated from a, at once; a is empty (and usable) again. */
void atmos_arena_free(struct atmos_arena *a);

/*
 * Direct-mapped by hash: a string of at most ATMOS_STRCACHE_MAX bytes equal
 * to one copied before through the same slot is not copied again.  A miss
 * only costs a copy (the slot then names the new one), so the cache stays
 * this size however many strings pass through it.
 */
#define ATMOS_STRCACHE_SLOTS 256u
#define ATMOS_STRCACHE_MAX 64u

struct atmos_strcache {
    struct {
        const char *s;
        unsigned len;
        uint64_t head, tail; /* its first and last 8 bytes */
    } slot[ATMOS_STRCACHE_SLOTS];
};

/*
 * A copy of len bytes of s in a, NUL-terminated, shared with an equal string
 * copied before through c (NULL: no cache).  The result must never be
 * written to.  NULL on allocation failure.
 */
const char *atmos_arena_intern(struct atmos_arena *a, struct atmos_strcache *c, const char *s,
                               size_t len);

#endif
