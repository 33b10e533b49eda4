/*
 * Directories held open along the last path walked: the chain of its
 * prefixes, each opened and checked by the walk that kept it, so that the
 * next walk below them starts at the deepest instead of from the top again.
 * The chain is cut where the next path leaves it.  Used by root's walk of
 * configuration files (config/trust.c) and by a plan's run (fs/safefs.c); the
 * owner releases it when its load or run ends.
 */
#ifndef ATMOS_DIRSTACK_H
#define ATMOS_DIRSTACK_H

#include <stddef.h>
#include <sys/stat.h>

#define ATMOS_DIRSTACK_DEPTH 16

struct atmos_dirstack {
    struct atmos_dirstack_entry {
        char *path; /* the literal prefix of the walked path ("" for /) */
        size_t len;
        int fd;
        struct stat st; /* as the walk checked it (zero when it kept none) */
    } dir[ATMOS_DIRSTACK_DEPTH];
    size_t n;
};

/* The deepest entry strictly above path[0..upto) (path[len] is '/'), or NULL; the entries
 * below it that this path leaves are closed.  s may be NULL. */
const struct atmos_dirstack_entry *atmos_dirstack_above(struct atmos_dirstack *s, const char *path,
                                                        size_t upto);
/* Keep the checked directory path[0..len) (fd, st may be NULL): 1 when s now owns fd. */
int atmos_dirstack_keep(struct atmos_dirstack *s, const char *path, size_t len, int fd,
                        const struct stat *st);
/* Close every descriptor kept; s is empty again.  s may be NULL. */
void atmos_dirstack_release(struct atmos_dirstack *s);

#endif
