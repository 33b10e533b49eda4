/*
 * Removing named entries from a kubeconfig by byte ranges (formats/yamledit.c).
 *
 * One libyaml parse says where each item of the top-level `clusters`,
 * `contexts` and `users` sequences lies, its `name`, and for a context the
 * cluster and user it names; cutting an entry drops exactly the lines of
 * its sequence item, so every other byte of the file (comments, flow and
 * block style, CRLF) stays as it was.  A file where that cannot be done
 * exactly is refused, and stays as it is.
 */
#ifndef ATMOS_YAMLEDIT_H
#define ATMOS_YAMLEDIT_H

#include <stddef.h>

#include <atmos/plan.h>

#include "base/strings.h"
#include "fs/safefs.h"


enum atmos_kube_section { ATMOS_KUBE_CLUSTERS, ATMOS_KUBE_CONTEXTS, ATMOS_KUBE_USERS };
#define ATMOS_KUBE_SECTIONS 3

struct atmos_kube_entry {
    char *name;           /* NULL: an item without a name, or null ("" to kubectl); never cut */
    char *cluster, *user; /* a context's context.cluster and context.user, or NULL */
    size_t start, end;    /* its lines: from the start of the `-` line to after its last line */
    int exact; /* start and end found: it can be cut (block style, nothing else on its lines) */
    size_t line; /* where it starts, from 1 */
};

struct atmos_kube_doc {
    struct atmos_kube_entry *e[ATMOS_KUBE_SECTIONS];
    size_t n[ATMOS_KUBE_SECTIONS];
    int flow[ATMOS_KUBE_SECTIONS]; /* a flow sequence ([...]): nothing can be cut from it */
    char *current;                 /* current-context, or NULL */
    size_t cur_start, cur_end;     /* its scalar's bytes */
    int cur_replaceable;           /* a plain or quoted scalar, replaceable by "" */
    int other;                     /* holds what kubectl shows besides entries (preferences,
                                      extensions, ...): the file stays when its entries go */
    int merges; /* a merge key (<<) where no name is read: what it brings is not judged
                   here (formats/kubeedit.c asks formats/kubenorm.c for kubectl's verdict) */
};

/* Parse p[0, len): ATMOS_OK, or ATMOS_EINVAL with why (the file must stay). */
int atmos_kube_scan(const char *p, size_t len, struct atmos_kube_doc *doc, struct atmos_err *why);
void atmos_kube_doc_free(struct atmos_kube_doc *doc);

/* What one login wrote: the cluster, context and user names (any may be NULL). */
struct atmos_kube_names {
    char *cluster, *context, *user;
};
void atmos_kube_names_free(struct atmos_kube_names *n);

/*
 * A kind of integration's rule: the names of what its login wrote, found in
 * `doc` from the item's ids (the cloud that plans it says what each is).
 * ATMOS_OK (names->cluster NULL: none of its entries are there), ATMOS_ENOMEM,
 * or ATMOS_EINVAL with why (ambiguous: nothing is removed).
 */
struct atmos_kube_rule {
    const char *ids[ATMOS_KUBE_IDS]; /* what each of u.kube.ids is, for readers */
    int (*pick)(const char *const ids[ATMOS_KUBE_IDS], const struct atmos_kube_doc *doc,
                struct atmos_kube_names *names, struct atmos_err *why);
};

/*
 * What goes (and, with out, write p without it there):
 *  - the contexts named names->context that name names->cluster and names->user
 *    (another context of that name is the user's own and stays);
 *  - the clusters named names->cluster and the users named names->user that
 *    no context left names;
 *  - current-context, replaced by "" when it named a context removed.
 * *entries: how many entries go; *empty: nothing kubectl would show is left
 * (no entry, no preferences or extensions, no other current-context): the file goes.
 * ATMOS_OK, ATMOS_ENOMEM, or ATMOS_EINVAL with why when a cut cannot be done exactly.
 */
int atmos_kube_cut(const char *p, size_t len, const struct atmos_kube_doc *doc,
                   const struct atmos_kube_names *names, struct atmos_buf *out, size_t *entries,
                   int *empty, struct atmos_err *why);

/*
 * The item's edit of its file: count (u.kube.entries, u.kube.file_removed)
 * and, unless dry_run, remove under client-go's lock (<file>.lock, created
 * exclusively).  ATMOS_OK, ATMOS_ABSENT (none there, or no file), ATMOS_ESYS
 * with why.  After a change, *dfd_out is the directory to sync, else -1.
 *
 * With `later`, a rewrite is only staged (written into the lock file, which
 * is still there: later->staged) so that the run commits it with the other
 * staged rewrites, in one journal commit (lib/items/exec.c); atmos_kube_commit
 * then renames the lock file over the file, which lets the lock go.
 * Deleting the file is done at once either way.
 */
struct atmos_fs;
struct atmos_kube_later {
    int staged;       /* 0: nothing staged */
    const char *leaf; /* inside it->path */
    struct stat st;   /* the file that was read */
    struct atmos_fs_staged tmp;
};
int atmos_kube_edit(const struct atmos_fs *fs, struct atmos_item *it, int dry_run, int *dfd_out,
                    struct atmos_kube_later *later, struct atmos_err *why);
/* A staged rewrite into place (dfd: *dfd_out of the edit); the lock gone either way. */
int atmos_kube_commit(const struct atmos_fs *fs, struct atmos_item *it, int dfd,
                      struct atmos_kube_later *later, struct atmos_err *why);

#endif
