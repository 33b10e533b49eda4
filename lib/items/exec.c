/*
 * Executing a plan, best-effort: every item runs even when an earlier one
 * failed, and ends as removed, absent or failed with the reason.  In a dry run
 * the same checks run and nothing is changed.  Each kind's row
 * (items/kinds.c) says when and how its items run: sign-outs first, then
 * each item in plan order, the staged rewrites committed together, the
 * emptied directories above, the directories synced, keychains last.
 *
 * MUST: reach every path through safefs (descriptor walk, no symlink
 * followed, owner checked); log paths and names, never contents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <atmos/plan.h>

#include "base/strings.h"
#include "items/kinds.h"
#include "items/run.h"

/* After `it` went: the empty directories above it, up to it->prune_up of them. */
static void prune_up(const struct atmos_run *r, const struct atmos_item *it)
{
    char *dir = it->outcome == ATMOS_OUTCOME_REMOVED ? strdup(it->path) : NULL;
    for (unsigned i = 0; dir && i < it->prune_up; i++) {
        char *slash = strrchr(dir, '/');
        const char *leaf;
        int pfd;
        struct atmos_err why;
        if (slash == NULL || slash == dir)
            break;
        *slash = '\0';
        if (atmos_fs_open_parent(&r->fs, dir, &pfd, &leaf, &why) != ATMOS_OK)
            break;
        int rc = atmos_fs_rmdir_if_empty(pfd, leaf);
        close(pfd);
        if (rc != ATMOS_OK)
            break;
        atmos_log(r->opts->log, ATMOS_LOG_DEBUG, "Removed empty directory path=%s", dir);
    }
    free(dir);
}

static void dir_sync_failed(void *owner, int err)
{
    struct atmos_item *it = owner;
    it->outcome = ATMOS_OUTCOME_FAILED;
    free(it->error);
    it->error =
        atmos_strfmt("%s: changed, but syncing the directory failed: %s", it->path, strerror(err));
}

/* Every kind of `phase` that runs its items together. */
static void run_phase(struct atmos_plan *plan, struct atmos_run *r, enum atmos_item_phase phase)
{
    for (int k = 0; k < ATMOS_ITEM_NKINDS; k++)
        if (atmos_item_types[k].phase == phase && atmos_item_types[k].batch)
            atmos_item_types[k].batch(plan, r);
}

/* Only the keychain (atmos-logout --keychain after a plain logout): every other item stays. */
static int left_out(const struct atmos_exec_opts *opts, const struct atmos_item *it)
{
    return opts->only_keyring && it->kind != ATMOS_ITEM_KEYRING;
}

void atmos_plan_execute(struct atmos_plan *plan, const struct atmos_exec_opts *opts)
{
    /* HOME was checked to be absolute when the plan was built. */
    struct atmos_dirsync dirs = {.v = NULL};
    struct atmos_fs_memo memo = {.absent_len = 0};
    struct atmos_run r = {.fs = {plan->home, geteuid(), &memo}, .opts = opts, .dirs = &dirs};
    plan->dry_run = opts->dry_run;
    for (size_t i = 0; i < plan->nitems; i++) {
        struct atmos_item *it = &plan->items[i];
        if (left_out(opts, it))
            continue;
        free(it->error);
        it->error = NULL;
        it->outcome = it->skip ? ATMOS_OUTCOME_SKIPPED : ATMOS_OUTCOME_PENDING;
    }
    if (!opts->only_keyring)
        run_phase(plan, &r, ATMOS_PHASE_FIRST);
    for (size_t i = 0; i < plan->nitems; i++) {
        struct atmos_item *it = &plan->items[i];
        if (!left_out(opts, it) && !it->skip && atmos_item_type(it)->phase == ATMOS_PHASE_EACH)
            atmos_item_type(it)->run(&r, it);
    }
    atmos_run_commit(&r);
    /* Once everything went: a realm's directories may hold several items' parents. */
    for (size_t i = 0; i < plan->nitems; i++)
        if (plan->items[i].prune_up && !plan->items[i].skip)
            prune_up(&r, &plan->items[i]);
    atmos_fs_sync_dirs(&dirs, dir_sync_failed);
    run_phase(plan, &r, ATMOS_PHASE_LAST);
    for (size_t i = 0; i < plan->nitems; i++) {
        const struct atmos_item *it = &plan->items[i];
        if (it->outcome == ATMOS_OUTCOME_FAILED)
            atmos_log(opts->log, ATMOS_LOG_WARN, "%s", it->error ? it->error : "failed");
    }
    atmos_fs_memo_release(&memo);
}
