/*
 * What the engine knows of each kind of plan item, in one row per kind
 * (items/kinds.c): its name in JSON reports, what it is for people, how
 * its payload is freed, which keys find it again, and how it is executed.
 * Adding a kind is its enum value and union member (include/atmos/plan.h),
 * its row, the file that executes it, and the cloud that plans it.
 */
#ifndef ATMOS_ITEMS_KINDS_H
#define ATMOS_ITEMS_KINDS_H

#include <atmos/plan.h>

#include "base/strings.h"
#include "items/internal.h"

struct atmos_run;

/* When a kind's items are executed (items/exec.c). */
enum atmos_item_phase {
    ATMOS_PHASE_FIRST, /* all of them together, before any other item (sign-outs need the files) */
    ATMOS_PHASE_EACH,  /* one by one, in plan order */
    ATMOS_PHASE_LAST,  /* all of them together, after every other item (keyrings: batched) */
};

struct atmos_item_type {
    const char *json; /* its kind in JSON reports */
    /* The item's own name in JSON instead, when it has one (a check's, a sign-out's); NULL. */
    const char *(*json_of)(const struct atmos_item *it);
    /* What it is beyond its label and path, for people ("account ..."); NULL: nothing. */
    const char *(*what)(const struct atmos_item *it);
    void (*free)(struct atmos_item *it); /* its payload (u); NULL: none to free */
    /* The item for people, `shown` its path as the caller shows it, into out (raw: the
     * caller escapes the line); NULL: its label, then its path (atmos_item_text). */
    int (*text)(const struct atmos_item *it, const char *shown, int dry, struct atmos_buf *out);
    unsigned keys;                       /* 1 << enum atmos_plan_key: how an adder finds it again */
    int on_disk;                         /* its path is a file or directory of the user's */
    enum atmos_item_phase phase;
    void (*run)(struct atmos_run *r, struct atmos_item *it);      /* ATMOS_PHASE_EACH */
    void (*batch)(struct atmos_plan *plan, struct atmos_run *r); /* FIRST and LAST */
};

/* Indexed by enum atmos_item_kind. */
extern const struct atmos_item_type atmos_item_types[ATMOS_ITEM_NKINDS];

/* Each kind's functions, in its file (items/kind_<name>.c). */
void atmos_run_file(struct atmos_run *r, struct atmos_item *it); /* and the file keyring's */
void atmos_free_file(struct atmos_item *it);
const char *atmos_json_file(const struct atmos_item *it);
void atmos_run_section(struct atmos_run *r, struct atmos_item *it);
void atmos_free_section(struct atmos_item *it);
void atmos_run_directory(struct atmos_run *r, struct atmos_item *it);
void atmos_free_dir(struct atmos_item *it);
void atmos_run_keyrings(struct atmos_plan *plan, struct atmos_run *r);
void atmos_free_keyring(struct atmos_item *it);
void atmos_run_json(struct atmos_run *r, struct atmos_item *it);
void atmos_free_json(struct atmos_item *it);
const char *atmos_what_json(const struct atmos_item *it);
void atmos_run_unknown(struct atmos_run *r, struct atmos_item *it);
void atmos_free_unknown(struct atmos_item *it);
const char *atmos_what_unknown(const struct atmos_item *it);
const char *atmos_json_unknown(const struct atmos_item *it); /* unknown_kind, or not_found */
void atmos_run_signouts(struct atmos_plan *plan, struct atmos_run *r);
void atmos_free_signout(struct atmos_item *it);
const char *atmos_what_signout(const struct atmos_item *it);
const char *atmos_json_signout(const struct atmos_item *it);
void atmos_run_kube(struct atmos_run *r, struct atmos_item *it);
void atmos_free_kube(struct atmos_item *it);
const char *atmos_what_kube(const struct atmos_item *it);

int atmos_text_section(const struct atmos_item *it, const char *shown, int dry,
                       struct atmos_buf *out);
/* "LABEL: WHAT (N entries) in SHOWN": some entries of another tool's file (JSON, kubeconfig). */
int atmos_text_entries(const struct atmos_item *it, const char *what, size_t entries,
                       const char *shown, struct atmos_buf *out);
int atmos_text_json(const struct atmos_item *it, const char *shown, int dry, struct atmos_buf *out);
int atmos_text_kube(const struct atmos_item *it, const char *shown, int dry, struct atmos_buf *out);
int atmos_text_unknown(const struct atmos_item *it, const char *shown, int dry,
                       struct atmos_buf *out);
int atmos_text_keyring(const struct atmos_item *it, const char *shown, int dry,
                       struct atmos_buf *out);

static inline const struct atmos_item_type *atmos_item_type(const struct atmos_item *it)
{
    return &atmos_item_types[it->kind];
}

#endif
