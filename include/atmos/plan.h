/*
 * Plan, execute, report.
 *
 * A plan is the list of things a logout would remove, each with the reason
 * (which identity or provider).  Executing a plan runs every item best-effort
 * and records its outcome in place, so the executed plan *is* the report.  A
 * dry run executes the same plan in probe mode: every check runs, nothing is
 * changed, outcomes read "would remove" or "absent".
 */
#ifndef ATMOS_PLAN_H
#define ATMOS_PLAN_H

#include <stddef.h>

#include <atmos/config.h>
#include <atmos/env.h>
#include <atmos/error.h>
#include <atmos/keyring.h>
#include <atmos/log.h>

/*
 * ATMOS_SCOPE_TAGS: the target is a comma-separated list of tags; every
 * provider carrying one of them is logged out as a provider, and every
 * identity carrying one as an identity.  ATMOS_SCOPE_ALL_REALMS: ALL in the
 * configured realm, in no realm, and in every realm found on disk.
 */
enum atmos_scope {
    ATMOS_SCOPE_IDENTITY,
    ATMOS_SCOPE_PROVIDER,
    ATMOS_SCOPE_ALL,
    ATMOS_SCOPE_TAGS,
    ATMOS_SCOPE_ALL_REALMS,
};

/* The tag of a plan item: which payload of struct atmos_item's u it carries. */
enum atmos_item_kind {
    ATMOS_ITEM_INI_SECTION,  /* u.section: one section of an INI file */
    ATMOS_ITEM_FILE,         /* u.file: a cache file */
    ATMOS_ITEM_CHECKED_FILE, /* u.file: a file of another tool's, checked again before unlink */
    ATMOS_ITEM_DIRECTORY,    /* u.dir: what its rule declares, then the directory if empty */
    ATMOS_ITEM_KEYRING,      /* u.keyring: a keychain entry */
    ATMOS_ITEM_JSON_ENTRIES, /* u.json: entries of another tool's JSON file */
    ATMOS_ITEM_UNKNOWN,      /* u.unknown: a kind whose session data we do not know */
    ATMOS_ITEM_SIGNOUT,      /* u.signout: a token's session ended server-side (first) */
    ATMOS_ITEM_KUBECONFIG,   /* u.kube: one login's entries of a kubeconfig */
    ATMOS_ITEM_NKINDS        /* each has its row in lib/items/kinds.c */
};

/* How a sign-out went; never part of the exit status. */
enum atmos_signout_result {
    ATMOS_SIGNOUT_PENDING,
    ATMOS_SIGNOUT_DONE,    /* the server ended the session */
    ATMOS_SIGNOUT_ALREADY, /* 401: the token was no longer valid */
    ATMOS_SIGNOUT_FAILED,  /* not signed out: see error */
};

struct atmos_item;
struct atmos_plan_index;
struct json_object;

/*
 * A kind of server-side sign-out, as the cloud that plans it declares: its
 * kind in JSON reports and the session it ends, for people.
 */
struct atmos_exec_opts;
struct atmos_http_batch;
struct atmos_signout_kind {
    const char *name;    /* "..._signout" */
    const char *session; /* "Would sign out of the <session> (<where>)" */
    /* Engine-internal.  Every kind's requests go out together, in one bounded phase:
     * start reads the tokens of the items given (SIGNOUT items of this kind, not skipped;
     * `home` is the plan's anchor for reading them), queues their requests on `http` (none
     * in a dry run) and returns its state, or sets every outcome and returns NULL; finish,
     * after the requests ran, sets the outcomes and frees the state. */
    void *(*start)(struct atmos_item **items, size_t n, const char *home,
                   const struct atmos_exec_opts *opts, struct atmos_http_batch *http);
    void (*finish)(void *state, const struct atmos_http_batch *http);
};

/*
 * Which entries of a JSON file an ATMOS_ITEM_JSON_ENTRIES item removes: the
 * containers that hold entries (top-level keys, or NULL for a root array),
 * and a predicate given the item's identifiers (u.json.ids, in the order
 * `ids` names them) and one entry.
 *
 * The entry's name reaches `match` decoded as the tool decodes it: all of
 * it, NULs included (key_len; key is NULL in an array, or for a name no
 * UTF-8 string spells, a lone surrogate).  An entry larger than the editor
 * builds (lib/formats/jsonedit.c) is judged from its members named in `fields` only.
 *
 * `check`, when set, is the file's own tool's verdict: it sees each value of
 * depth 2 or less (formats/jsonscan.h) and returns 0, or a static reason the tool
 * would refuse the file for; such a file is left as it is.
 */
#define ATMOS_JSON_IDS 3
struct atmos_jscan_value;
struct atmos_json_rule {
    const char *const *containers;   /* NULL-terminated; a NULL first entry: the root array */
    const char *ids[ATMOS_JSON_IDS]; /* what each of u.json.ids is, for readers; NULL: unused */
    int lockfile; /* its writers also create <file>.lockfile exclusively (atmos_fs_lock_file) */
    int (*match)(const char *const ids[ATMOS_JSON_IDS], const char *key, size_t key_len,
                 struct json_object *entry);
    const char *const *fields; /* NULL-terminated: the members match reads; NULL: none */
    const char *tool;          /* who reads the file, for messages ("docker") */
    const char *(*check)(const char *p, size_t len, const struct atmos_jscan_value *v);
    /* How the tool finds a container by name: NULL, exactly; else this (docker's Go folds case). */
    int (*container_is)(const char *raw, size_t raw_len, const char *name);
};

/*
 * What a tool writes in a directory an ATMOS_ITEM_DIRECTORY item removes, as
 * the cloud that plans it declares (lib/cloud_*.c).  Only entries that match
 * are removed; anything else stays, and the directory with it.  A name is
 * literal except for '*' (one or more of any character) and '#' (one or
 * more decimal digits).
 */
enum atmos_dir_entry_type {
    ATMOS_DIR_FILE,   /* a regular file of the user's */
    ATMOS_DIR_TREE,   /* a directory of the tool's own, with everything below it */
    ATMOS_DIR_NESTED, /* a directory whose entries follow `sub` */
    ATMOS_DIR_LINK,   /* a symlink of the user's: removed as a link, never followed */
};

struct atmos_dir_rule;

struct atmos_dir_entry {
    const char *name;
    enum atmos_dir_entry_type type;
    const struct atmos_dir_rule *sub; /* NESTED */
};

struct atmos_dir_rule {
    const struct atmos_dir_entry *entries; /* ends with a NULL name */
};

enum atmos_ini_flavor {
    ATMOS_INI_CREDENTIALS, /* [name] */
    ATMOS_INI_CONFIG,      /* [profile name], [default] */
};

enum atmos_outcome {
    ATMOS_OUTCOME_PENDING,
    ATMOS_OUTCOME_REMOVED,
    ATMOS_OUTCOME_WOULD_REMOVE, /* dry run: present, would be removed */
    ATMOS_OUTCOME_ABSENT,       /* nothing there; not an error */
    ATMOS_OUTCOME_FAILED,
    ATMOS_OUTCOME_UNCHECKED, /* could not be looked at, and was not asked for (no Secret Service) */
    ATMOS_OUTCOME_SKIPPED,   /* left alone on purpose (a network filesystem); not counted */
};

/*
 * Checking a file before it is removed: a file another tool writes under a
 * name that is not ours alone is removed only when what it holds is what the
 * cloud that planned it says (read again just before the unlink).
 */
struct atmos_file_check {
    const char *name; /* the item's kind in JSON reports */
    size_t max_bytes; /* larger: not the file planned */
    /* 1: `data` is the file planned for `arg` (the item's u.file.arg, may be NULL). */
    int (*holds)(const char *arg, const char *data, size_t len);
};

/* FILE and CHECKED_FILE. */
struct atmos_item_file {
    int prune_parent;                     /* remove the parent directory when it ends up empty */
    const struct atmos_file_check *check; /* CHECKED_FILE: what it must hold */
    char *arg;                            /* CHECKED_FILE: the check's argument, or NULL */
};

/* INI_SECTION: one section of an INI file another tool (or atmos) reads. */
struct atmos_item_section {
    char *name; /* the section: the identity */
    enum atmos_ini_flavor flavor;
    /* When the file goes: its directory too if it holds only these lock files
     * (NULL-terminated) and no one holds them. */
    const char *const *dir_locks;
    int file_removed; /* outcome: the file had nothing left and was deleted */
};

/* DIRECTORY. */
struct atmos_item_dir {
    const struct atmos_dir_rule *contents; /* what belongs in it (NULL: refused) */
    char *lock; /* atmos's lock (<lock>.lock) held while removing, or NULL */
};

/* KEYRING: a keychain entry (see keyring.h for the backends). */
struct atmos_item_keyring {
    char *key;                  /* the entry's name, e.g. atmos_dev-admin */
    enum atmos_keyring backend; /* where it lives; path is set for the file keyring */
    int implicit;               /* planned for an ambient chain, not because --keychain asked */
};

/* JSON_ENTRIES. */
struct atmos_item_json {
    const struct atmos_json_rule *rule;
    char *ids[ATMOS_JSON_IDS]; /* the identifiers the rule matches entries by (never secrets) */
    char *what;                /* shown after the label ("account ..."), or NULL */
    size_t entries;            /* outcome: how many entries were (or would be) removed */
    size_t unmasked; /* outcome: of those, how many were the last of their name with an earlier
                        copy kept, which readers keeping the last of a name now see instead */
};

/*
 * KUBECONFIG: the cluster, context and user one integration's login wrote
 * into a kubeconfig, found by its rule from the ids (lib/formats/yamledit.h).
 */
#define ATMOS_KUBE_IDS 4
struct atmos_kube_rule;
struct atmos_item_kube {
    const struct atmos_kube_rule *rule;
    char *ids[ATMOS_KUBE_IDS]; /* what the rule finds the entries by (names, never secrets) */
    char *what;                /* shown after the label ("cluster ... (integration ...)") */
    size_t entries;            /* outcome: how many entries were (or would be) removed */
    int file_removed;          /* outcome: nothing was left, and the file was (would be) deleted */
    int rewritten; /* outcome: written whole again (a shape not cut by byte ranges): the file's
                      comments and layout were (would be) lost, kubectl's view the same */
};

/* SIGNOUT: a session of the token in `path` ended server-side, before the files go. */
struct atmos_item_signout {
    const struct atmos_signout_kind *how; /* the cloud's: reads the token, signs it out */
    char *arg;                            /* only a token for this (a start URL), or NULL */
    char *where;                          /* outcome: shown after the session ("us-east-1") */
    enum atmos_signout_result result;     /* outcome */
};

/* UNKNOWN: a provider, identity or integration kind whose session data we do not
 * know, or an entry skipped because atmos would refuse it where it is used. */
struct atmos_item_unknown {
    char *what;  /* "name (kind k)", or the entry's problem */
    int skipped; /* the entry's configuration is the reason: 1 fails, 2 only warns (harmless);
                  * 3 a name given to log out of is not configured: fails the run (exit 1) */
};

struct atmos_item {
    enum atmos_item_kind kind; /* which member of u */
    const char *label;         /* static, for people: "provider directory", ... */
    char *path;                /* absolute; NULL for KEYRING (but the file keyring) and UNKNOWN */
    char *identity;            /* why: the identity, or NULL */
    char *provider;            /* why: the provider (directory name), or NULL */
    const char *cloud;         /* static: the name of the cloud that planned it */
    int skip;                  /* left alone: on a network filesystem (atmos_plan_skip_network) */
    const char *realm;         /* ALL_REALMS: the realm it was planned for (in plan->realms) */
    /* Once it is removed, this many directories above it go too, each only when empty:
     * a realm's own (<cfg>/atmos/<realm>/aws/), which atmos's --all-realms removes whole. */
    unsigned prune_up;
    /* Static: the browser session removing it ends, for reports ("refresh token",
     * "console profile", "IdP cookies"); NULL for anything else. */
    const char *browser;
    union {
        struct atmos_item_file file;
        struct atmos_item_section section;
        struct atmos_item_dir dir;
        struct atmos_item_keyring keyring;
        struct atmos_item_json json;
        struct atmos_item_kube kube;
        struct atmos_item_signout signout;
        struct atmos_item_unknown unknown;
    } u;

    enum atmos_outcome outcome;
    char *error; /* FAILED: reason, no secrets */
};

/* A plan points into the configuration it was built from: free it first. */
struct atmos_plan {
    enum atmos_scope scope;
    char *target;             /* identity or provider name; NULL for all */
    char *home;               /* the trusted anchor for every path below it */
    struct atmos_chain chain; /* identity scope */
    char **identities;        /* identities logged out, sorted */
    size_t nidentities;
    char **providers; /* providers logged out, sorted */
    size_t nproviders;
    /* The named realms covered besides the realm-less layout, sorted: every realm found on
     * disk (ALL_REALMS, and a discovered plan), else the configured realm. */
    char **realms;
    size_t nrealms;
    int every_realm; /* items carry their realm: ALL_REALMS, or opts->every_realm */
    char *realm_dir; /* the configured realm is atmos's default for this directory, or NULL */
    /* IDENTITY, PROVIDER, after atmos_plan_find_elsewhere: the realms not covered that hold
     * the target's files, sorted, and for each the directory whose atmos.yaml has it as
     * atmos's default realm, where one was found (else NULL). */
    char **elsewhere;
    char **elsewhere_dir;
    size_t nelsewhere;
    struct atmos_item *items;
    size_t nitems;
    int dry_run;                    /* set by atmos_plan_execute */
    int discovered;                 /* built by atmos_plan_discover, not from a configuration */
    struct atmos_plan_index *index; /* private to the engine: finds duplicates while building */
};

struct atmos_plan_opts {
    int keychain;    /* also long-lived keychain credentials (--keychain) */
    int revoke;      /* sign tokens out server-side before removing them */
    int every_realm; /* IDENTITY, PROVIDER: in every realm found on disk too (--all-realms) */
    /* IDENTITY with target NULL: these identities (at least one), each logged out as an
     * identity, in one plan; a name not configured is an item (unknown, skipped 3) and the
     * others still go. */
    char *const *names;
    size_t nnames;
    const struct atmos_logger *log;
};

/*
 * Compute what a logout of `target` (NULL for ATMOS_SCOPE_ALL) removes.
 * ATMOS_ENOTFOUND when the identity or provider is not configured; another
 * failure says why in `err`.  Reads directories and files (other tools'
 * caches) but never changes anything.
 *
 * Keychain entries are planned for every chain when opts->keychain is set,
 * and always for chains rooted at a provider its cloud declares ambient.
 */
int atmos_plan_build(struct atmos_plan *plan, const struct atmos_config *cfg,
                     const struct atmos_env *env, enum atmos_scope scope, const char *target,
                     const struct atmos_plan_opts *opts, struct atmos_err *err);
void atmos_plan_free(struct atmos_plan *plan);

/*
 * After an IDENTITY, PROVIDER or ALL plan found nothing to remove: whether
 * the target (ALL: anyone configured) has files in other realms on disk (a project directory's atmos.yaml
 * gives a realm of its own), into plan->elsewhere.  `dirs` (n of them) are
 * directories to try as the owners of those realms (the working directory
 * and its parents, the home's subdirectories with an atmos.yaml).  Changes
 * nothing on disk.  An atmos_status.
 */
int atmos_plan_find_elsewhere(struct atmos_plan *plan, const struct atmos_config *cfg,
                              const struct atmos_env *env, const struct atmos_plan_opts *opts,
                              char *const *dirs, size_t n);

/*
 * --tags: the list split on ',', each trimmed, empty ones dropped
 * (cloudposse/atmos cmd/auth/list.go parseCommaSeparatedNames).  ATMOS_OK,
 * or ATMOS_ENOMEM; *v is NULL when nothing is left.
 */
int atmos_tags_parse(const char *list, char ***v, size_t *n);
/* Every tag a provider or identity of cfg carries, sorted, once each.  ATMOS_OK, or
 * ATMOS_ENOMEM (*v NULL). */
int atmos_tags_available(const struct atmos_config *cfg, char ***v, size_t *n);
void atmos_tags_free(char **v, size_t n);

/*
 * With no configuration: what atmos wrote, found on disk, as each cloud's
 * discover hook knows it (lib/cloud_*.c: provider directories of every
 * realm, atmos's session caches, the other tools' files they name).  Scope is
 * ATMOS_SCOPE_ALL.
 * Keychain entries cannot be discovered and are never part of it.
 */
int atmos_plan_discover(struct atmos_plan *plan, const struct atmos_env *env,
                        const struct atmos_plan_opts *opts, struct atmos_err *err);

struct atmos_exec_opts {
    int dry_run;
    int lock_timeout_ms; /* 0: the default, 10 s */
    const struct atmos_logger *log;
    int keyring_timeout_ms;      /* bound on the Secret Service; 0: the default, 5 s */
    int only_keyring;            /* run only KEYRING items (probing before a confirmation) */
    const struct atmos_env *env; /* endpoints, CA bundle and proxy for signing out; NULL: none */
};

/*
 * Mark every item whose path is on a network filesystem (NFS, SMB, AFS,
 * CephFS, Lustre, GPFS, 9p, network FUSE...) to be left alone: executing the
 * plan then skips it.  Returns how many; *kind names the first filesystem
 * ("nfs", "sshfs").  Keychain entries are never skipped.
 */
size_t atmos_plan_skip_network(struct atmos_plan *plan, const char **kind);

/* Run every item best-effort; outcomes are written into the plan. */
void atmos_plan_execute(struct atmos_plan *plan, const struct atmos_exec_opts *opts);

struct atmos_counts {
    size_t removed; /* REMOVED or WOULD_REMOVE */
    size_t absent;
    size_t failed;
    size_t unchecked;
    size_t revoked; /* sessions signed out server-side (not part of the other counts) */
};

void atmos_plan_count(const struct atmos_plan *plan, struct atmos_counts *out);

/* 0: something removed or nothing to remove; 1: every attempted removal failed. */
int atmos_plan_exit_status(const struct atmos_plan *plan);

const char *atmos_scope_name(enum atmos_scope scope);
const char *atmos_outcome_name(enum atmos_outcome outcome);
/* Shown after an item's label (a JSON entry's or an unknown kind's description, a
 * sign-out's region); NULL when its kind has none. */
const char *atmos_item_what(const struct atmos_item *it);
/* An item's kind in JSON reports (a checked file or a sign-out: as its cloud names it). */
const char *atmos_item_kind_name(const struct atmos_item *it);
/*
 * The item for people, as its kind says it ("[profile dev] from ~/...", "docker login:
 * registry ... (1 entry) in ~/..."), `shown` standing for its path (the caller's way of
 * showing it) and what its outcome did to the file.  malloc'd; NULL out of memory.  Raw:
 * names from the user's files are in it as they are, for the caller to escape.
 */
char *atmos_item_text(const struct atmos_item *it, const char *shown, int dry_run);
/* An item's cloud for people, as the cloud names itself (lib/cloud_*.c). */
const char *atmos_cloud_display(const char *cloud);
/* Reports group items by cloud: the place of an item's cloud, 0 first; atmos_cloud_count()
 * for an item of no cloud known (it comes last). */
size_t atmos_cloud_rank(const char *cloud);
size_t atmos_cloud_count(void);

/*
 * The one audit line for a real logout, e.g.
 * "event=logout.success user=alice uid=1000 scope=identity target="dev" removed=2 failed=0".
 * `target` may be NULL; `target` and `user` are escaped (atmos_escape, and a
 * quote in the target as \"), so pass them raw; `extra` (may be NULL) is
 * appended verbatim (the PAM module adds session, host and duration): its
 * caller escapes what it puts there.
 */
void atmos_audit_format(char *buf, size_t len, enum atmos_scope scope, const char *target,
                        const struct atmos_counts *counts, const char *user, unsigned long uid,
                        const char *extra);

#endif
