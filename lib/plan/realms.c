/*
 * --all-realms: finding the realms atmos wrote session data in, and what
 * each holds, whatever configuration wrote it.
 *
 * atmos's --all-realms (cmd/auth/logout.go performLogoutAllRealms,
 * discoverRealms) takes any directory <cfg>/atmos/<E> holding an aws/ or
 * azure/ directory for a realm and removes it whole (os.RemoveAll): a
 * profile named aws (<cfg>/atmos/profiles/aws/) makes all of a user's
 * profiles a "realm", and gcp/ alone is never found.  Here a realm is a
 * directory whose name atmos accepts for a realm (realm.Validate) and in
 * which some cloud's place (struct atmos_realm_place, declared by each
 * cloud) holds at least one thing atmos writes there; nothing is removed
 * whole, only what the places' rules declare.
 *
 * MUST: list directories through safefs descriptors only (atmos_cloud_each_entry,
 * which opens each component with O_NOFOLLOW and checks its owner); take a
 * realm or a directory in it only when it is a real directory of the user's
 * (a symlink is never followed nor taken); never read a file; take only
 * names atmos could have made (a valid realm, a realm-like directory name).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clouds/cloud.h"
#include "base/strings.h"
#include "config/paths.h"
#include "fs/safefs.h"

int atmos_realm_valid(const char *s)
{
    size_t n = strlen(s);
    /* realm.Validate: 1..64 of [a-z0-9_-], no separator at either end, none doubled or mixed
     * (which also rules out "/", "\\" and ".."). */
    if (n < 1 || n > 64 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n)
        return 0;
    if (strchr("-_", s[0]) || strchr("-_", s[n - 1]))
        return 0;
    return strstr(s, "--") == NULL && strstr(s, "__") == NULL && strstr(s, "-_") == NULL &&
           strstr(s, "_-") == NULL;
}

/* A name some cloud's realm-less layout uses right under a root (<cfg>/atmos/aws/...). */
static int not_a_realm(const char *name)
{
    for (const struct atmos_cloud *const *cl = atmos_clouds; *cl; cl++)
        for (const char *const *n = (*cl)->not_realms; n && *n; n++)
            if (strcmp(*n, name) == 0)
                return 1;
    return 0;
}

/* What holds() looks for in one directory. */
struct want {
    const struct atmos_dir_rule *rule;
    int depth; /* 0: a place; 1: a directory of atmos's in it */
};

static int holds(struct atmos_cloud_ctx *c, const char *dir, const struct atmos_dir_rule *rule,
                 int depth);

/* 1 (stop) when dir/name is something the rule declares; 0 to go on; or an atmos_status. */
static int held(struct atmos_cloud_ctx *c, int dirfd, const char *dir, const char *name, void *arg)
{
    const struct want *w = arg;
    mode_t mode = atmos_cloud_type(c, dirfd, name);
    const struct atmos_dir_entry *e = mode ? atmos_dir_rule_entry(w->rule, name, mode) : NULL;
    if (e == NULL)
        return 0;
    if (e->type != ATMOS_DIR_NESTED || w->depth > 0)
        return 1; /* a file of atmos's, or a directory of atmos's inside one of its own */
    if (!atmos_realm_like(name))
        return 0;
    char *sub = atmos_path_join(dir, name);
    int rc = sub ? holds(c, sub, e->sub, 1) : ATMOS_ENOMEM;
    free(sub);
    return rc;
}

/* 1: `dir` holds at least one thing `rule` declares (a directory only when it holds one). */
static int holds(struct atmos_cloud_ctx *c, const char *dir, const struct atmos_dir_rule *rule,
                 int depth)
{
    struct want w = {rule, depth};
    return atmos_cloud_each_entry(c, dir, held, &w);
}

/*
 * At most this many realms a plan (pushes, counted before duplicates go): a
 * realm is a directory someone ran atmos from, and past this a logout would
 * spend the PAM close's whole timeout listing them.  Only realms that hold
 * atmos's data are found, so a run after one that was cut short finds the rest.
 */
#define REALMS_MAX 1000

struct candidate {
    const char *root;
    const struct atmos_realm_place *place;
    size_t over; /* realm-like directories past REALMS_MAX, not looked into */
};

/* <root>/<name>: a realm when its place holds something of atmos's. */
static int realm_candidate(struct atmos_cloud_ctx *c, int dirfd, const char *dir, const char *name,
                           void *arg)
{
    struct candidate *k = arg;
    struct stat st;
    if (!atmos_realm_valid(name) || not_a_realm(name))
        return 0;
    if (c->plan->nrealms >= REALMS_MAX) {
        k->over++;
        return 0;
    }
    if (atmos_cloud_type(c, dirfd, name) != S_IFDIR) {
        /* Named like a realm but no directory of the user's: say so, never follow it. */
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode))
            atmos_log(c->lg, ATMOS_LOG_WARN, "not taken for a realm: %s/%s is %s", dir, name,
                      S_ISLNK(st.st_mode)   ? "a symbolic link (not followed)"
                      : S_ISDIR(st.st_mode) ? "a directory that is not the user's"
                                            : "not a directory");
        return 0;
    }
    char *place = atmos_path_realm_dir(k->root, name, k->place->sub, NULL);
    int rc = place ? holds(c, place, k->place->rule, 0) : ATMOS_ENOMEM;
    free(place);
    if (rc == 1) {
        atmos_log(c->lg, ATMOS_LOG_DEBUG, "realm %s found under %s", name, k->root);
        rc = atmos_strv_push(&c->plan->realms, &c->plan->nrealms, name) == 0 ? 0 : ATMOS_ENOMEM;
    }
    return rc;
}

static int find_in(struct atmos_cloud_ctx *c, char *root, const struct atmos_realm_place *place,
                   void *arg)
{
    (void)arg;
    struct candidate k = {root, place, 0};
    /* A user's own directories are never taken for realms (struct atmos_realm_place). */
    int rc = !root              ? ATMOS_ENOMEM
             : place->named_only ? 0
                                 : atmos_cloud_each_entry(c, root, realm_candidate, &k);
    if (k.over)
        atmos_log(c->lg, ATMOS_LOG_WARN,
                  "more than %d realms: %zu more directories under %s not looked into; "
                  "run the logout again for them",
                  REALMS_MAX, k.over, root);
    free(root);
    return rc;
}

int atmos_realms_find(struct atmos_cloud_ctx *c)
{
    const char *configured = c->cfg ? c->cfg->realm.value : NULL;
    if (configured && atmos_strv_push(&c->plan->realms, &c->plan->nrealms, configured) != 0)
        return ATMOS_ENOMEM;
    for (const struct atmos_cloud *const *cl = atmos_clouds; *cl; cl++) {
        int rc = (*cl)->realm_places ? ATMOS_CLOUD_CALL(c, *cl, realm_places, find_in, NULL) : 0;
        if (rc != 0)
            return rc < 0 ? rc : ATMOS_ENOMEM;
    }
    atmos_strv_sort_unique(c->plan->realms, &c->plan->nrealms);
    return ATMOS_OK;
}

struct realm_in {
    const struct atmos_realm_place *place;
    const char *realm; /* NULL: the realm-less layout, whose directories stay */
};

/* The directories between an entry of `in` and its realm's root, the realm's own included. */
static unsigned realm_depth(const struct realm_in *in)
{
    const char *sub = in->place->sub;
    unsigned n = in->realm != NULL;
    for (const char *s = sub; s && *s; s++)
        n += s == sub || (*s == '/' && s[1]);
    return in->realm ? n : 0;
}

/* An entry of a realm's place: planned when the place's rule declares it. */
static int plan_entry(struct atmos_cloud_ctx *c, int dirfd, const char *dir, const char *name,
                      void *arg)
{
    const struct realm_in *in = arg;
    const struct atmos_realm_place *place = in->place;
    struct atmos_item *it;
    mode_t mode = atmos_cloud_type(c, dirfd, name);
    const struct atmos_dir_entry *e = mode ? atmos_dir_rule_entry(place->rule, name, mode) : NULL;
    if (e == NULL)
        return 0;
    char *path = atmos_path_join(dir, name);
    if (path == NULL)
        return ATMOS_ENOMEM;
    if (e->type == ATMOS_DIR_FILE) {
        if ((it = atmos_cloud_add(c, ATMOS_ITEM_FILE, place->file_label, path, NULL, NULL)) == NULL)
            return ATMOS_ENOMEM;
        it->prune_up = realm_depth(in);
        return 0;
    }
    /* A directory of atmos's only when it holds something of atmos's: an empty one or a
     * user's own stays untouched, and unreported. */
    int rc = atmos_realm_like(name) ? holds(c, path, e->sub, 1) : 0;
    if (rc != 1) {
        free(path);
        return rc;
    }
    const struct atmos_cloud_dir kind = {.label = place->dir_label, .rule = e->sub};
    if ((it = atmos_cloud_add_dir(c, &kind, path, NULL, name)) == NULL)
        return ATMOS_ENOMEM;
    it->prune_up = realm_depth(in);
    return 0;
}

static int plan_in(struct atmos_cloud_ctx *c, char *root, const struct atmos_realm_place *place,
                   void *arg)
{
    const char *realm = arg;
    /* With no realm a place that is its root has only realms in it, never anything else. */
    char *dir =
        root && (realm || place->sub) ? atmos_path_realm_dir(root, realm, place->sub, NULL) : NULL;
    int rc = root == NULL                              ? ATMOS_ENOMEM
             : !(realm || place->sub) || place->named_only ? 0
             : dir == NULL            ? ATMOS_ENOMEM
                                      : atmos_cloud_each_entry(c, dir, plan_entry,
                                                               &(struct realm_in){place, realm});
    free(dir);
    free(root);
    return rc;
}

int atmos_realms_plan(struct atmos_cloud_ctx *c, const char *realm)
{
    for (const struct atmos_cloud *const *cl = atmos_clouds; *cl; cl++) {
        int rc = (*cl)->realm_places
                     ? ATMOS_CLOUD_CALL(c, *cl, realm_places, plan_in, (void *)realm)
                     : 0;
        if (rc != 0)
            return rc < 0 ? rc : ATMOS_ENOMEM;
    }
    return ATMOS_OK;
}
