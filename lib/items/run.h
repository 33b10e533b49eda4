/*
 * What executing a plan shares between the kinds' executors (items/kind_*.c):
 * the run's state, outcomes, the directories to sync, and the batch of
 * rewrites staged under their locks and committed together.
 */
#ifndef ATMOS_ITEMS_RUN_H
#define ATMOS_ITEMS_RUN_H

#include <sys/stat.h>

#include <atmos/plan.h>

#include "fs/safefs.h"
#include "formats/yamledit.h"

/*
 * A rewrite on its way: the file's lock is held and the new contents are
 * staged beside it.  Rewrites are staged together and then committed, so
 * that one journal commit carries all their data instead of one each.
 */
struct atmos_run;
struct atmos_pending {
    struct atmos_item *it;
    void (*commit)(struct atmos_run *r, struct atmos_pending *p); /* its kind's */
    int dfd, lockfd;
    const char *leaf; /* inside it->path */
    struct stat st;   /* the file that was read */
    struct atmos_fs_staged tmp;
    struct atmos_kube_later kube; /* a KUBECONFIG item's rewrite: the fields above unused */
};

#define ATMOS_RUN_PENDING 8

struct atmos_run {
    struct atmos_fs fs;
    const struct atmos_exec_opts *opts;
    struct atmos_dirsync *dirs; /* synced once each at the end */
    struct {
        struct atmos_pending v[ATMOS_RUN_PENDING];
        size_t n;
    } staged;
};

/* The outcome of a change that returned fs_rc: done (removed, or would be in a dry run),
 * absent, or failed with why's message. */
void atmos_run_outcome(const struct atmos_run *r, struct atmos_item *it, int fs_rc,
                       const struct atmos_err *why);
/* The same with the outcome `ok` for done. */
void atmos_run_set(struct atmos_item *it, int fs_rc, const struct atmos_err *why,
                   enum atmos_outcome ok);
/*
 * The directory holding `file_path`, opened by its parent: *dir is malloc'd
 * (the directory's path), *leaf points into it.  ATMOS_OK, or a failure with
 * nothing open.
 */
int atmos_run_open_dir_of(const struct atmos_run *r, const char *file_path, char **dir, int *pfd,
                          const char **leaf);
/* A rename or unlink in `dfd` is durable once the directory is synced (at the end of the run). */
int atmos_run_note_change(const struct atmos_run *r, struct atmos_item *it, int dfd, int rc,
                          struct atmos_err *why);
/* How long to wait for another writer's lock. */
int atmos_run_lock_ms(const struct atmos_run *r);
/* The next free slot of the batch, committing the batch first when it is full. */
struct atmos_pending *atmos_run_slot(struct atmos_run *r);
/* Every staged rewrite goes in, and the batch is empty again. */
void atmos_run_commit(struct atmos_run *r);

#endif
