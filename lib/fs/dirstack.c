/*
 * The chain of open directories of fs/dirstack.h.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs/dirstack.h"

static void cut(struct atmos_dirstack *s, size_t n)
{
    while (s->n > n) {
        struct atmos_dirstack_entry *d = &s->dir[--s->n];
        close(d->fd);
        free(d->path);
    }
}

void atmos_dirstack_release(struct atmos_dirstack *s)
{
    if (s)
        cut(s, 0);
}

const struct atmos_dirstack_entry *atmos_dirstack_above(struct atmos_dirstack *s, const char *path,
                                                        size_t upto)
{
    if (s == NULL)
        return NULL;
    size_t k = s->n;
    while (k > 0 && !(s->dir[k - 1].len < upto && path[s->dir[k - 1].len] == '/' &&
                      memcmp(path, s->dir[k - 1].path, s->dir[k - 1].len) == 0))
        k--;
    cut(s, k);
    return k ? &s->dir[k - 1] : NULL;
}

int atmos_dirstack_keep(struct atmos_dirstack *s, const char *path, size_t len, int fd,
                        const struct stat *st)
{
    if (s == NULL || s->n == ATMOS_DIRSTACK_DEPTH)
        return 0;
    char *p = strndup(path, len);
    if (p == NULL)
        return 0; /* not kept: the next walk starts from the top */
    s->dir[s->n++] = (struct atmos_dirstack_entry){.path = p, .len = len, .fd = fd};
    if (st)
        s->dir[s->n - 1].st = *st;
    return 1;
}
