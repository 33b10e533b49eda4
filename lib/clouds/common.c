/*
 * What every cloud file uses: finding kinds (of any cloud, through the list
 * the planner hands it), adding items, walking directories, reading JSON.
 *
 * MUST: list directories and read files only through safefs descriptors;
 * never read more than a cache file can be.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "clouds/cloud.h"
#include "base/limits.h"
#include "base/strings.h"
#include "config/paths.h"
#include "items/internal.h"

/*
 * The last kind found, for each role asked: a configuration's entries mostly
 * share a few kinds, and each is looked up several times (validation, the
 * chain, the plan), where the scan compares up to a dozen names.  Only the
 * tables' own strings are kept, so nothing here can outlive what it names.
 */
static _Thread_local struct {
    const struct atmos_cloud *const *clouds;
    unsigned role;
    const struct atmos_kind *kind;
    const struct atmos_cloud *cloud;
} last;

const struct atmos_kind *atmos_kind_in(const struct atmos_cloud *const *clouds, const char *kind,
                                       unsigned role, const struct atmos_cloud **cloud)
{
    if (kind && last.kind && last.clouds == clouds && last.role == role &&
        strcmp(last.kind->name, kind) == 0) {
        *cloud = last.cloud;
        return last.kind;
    }
    for (const struct atmos_cloud *const *cl = clouds; kind && *cl; cl++)
        for (const struct atmos_kind *k = (*cl)->kinds; k && k->name; k++)
            if ((k->roles & role) && strcmp(k->name, kind) == 0) {
                last.clouds = clouds;
                last.role = role;
                last.kind = k;
                last.cloud = *cl;
                *cloud = *cl;
                return k;
            }
    *cloud = NULL;
    return NULL;
}


static int of_provider(const struct atmos_integration *in, const char *provider)
{
    return in->via_provider.value && strcmp(in->via_provider.value, provider) == 0;
}

/*
 * pkg/auth/manager_integrations.go findIntegrationsForIdentity: an
 * identity's logout cleans the integrations via.identity it and those
 * via.provider its root provider (the end of its via chain; none for a
 * standalone identity, resolveProviderForIdentity), whatever identity
 * logged them in.
 */
int atmos_cloud_identity_integrations(struct atmos_cloud_ctx *c, const char *identity,
                                      const struct atmos_chain *chain, atmos_integration_fn fn)
{
    const char *root = chain->provider_cfg ? chain->provider_cfg->name : NULL;
    for (size_t i = 0; i < c->cfg->nintegrations; i++) {
        const struct atmos_integration *in = &c->cfg->integrations[i];
        int mine = (in->via_identity.value && strcmp(in->via_identity.value, identity) == 0) ||
                   (root && of_provider(in, root));
        if (mine && fn(c, in, chain->provider) != ATMOS_OK)
            return ATMOS_ENOMEM;
    }
    return ATMOS_OK;
}

int atmos_cloud_provider_integrations(struct atmos_cloud_ctx *c, const char *provider,
                                      atmos_integration_fn fn)
{
    for (size_t i = 0; i < c->cfg->nintegrations; i++)
        if (of_provider(&c->cfg->integrations[i], provider) &&
            fn(c, &c->cfg->integrations[i], provider) != ATMOS_OK)
            return ATMOS_ENOMEM;
    return ATMOS_OK;
}

int atmos_cloud_fail(struct atmos_cloud_ctx *c, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err.msg, sizeof(c->err.msg), fmt, ap);
    va_end(ap);
    return status;
}

struct atmos_item *atmos_cloud_add(struct atmos_cloud_ctx *c, enum atmos_item_kind kind,
                                   const char *label, char *path, const char *identity,
                                   const char *provider)
{
    struct atmos_item *it = atmos_plan_add_item(c->plan, kind, label, path, identity, provider);
    if (it)
        it->cloud = c->cloud;
    return it;
}

struct atmos_item *atmos_cloud_add_dir(struct atmos_cloud_ctx *c,
                                       const struct atmos_cloud_dir *kind, char *path,
                                       const char *identity, const char *provider)
{
    struct atmos_item *it =
        atmos_cloud_add(c, ATMOS_ITEM_DIRECTORY, kind->label, path, identity, provider);
    /* Planned twice (two clouds' bases made the same path): the first declaration holds. */
    if (it && it->u.dir.contents == NULL)
        it->u.dir.contents = kind->rule;
    return it;
}

struct atmos_item *atmos_cloud_add_unknown(struct atmos_cloud_ctx *c, const char *label, char *what,
                                           const char *identity, const char *provider)
{
    struct atmos_item *it = atmos_plan_add_unknown(c->plan, label, what, identity, provider);
    if (it && it->cloud == NULL)
        it->cloud = c->cloud;
    return it;
}

struct atmos_item *atmos_cloud_add_section(struct atmos_cloud_ctx *c, const char *label, char *path,
                                           const char *name, enum atmos_ini_flavor flavor,
                                           const char *const *dir_locks, const char *identity,
                                           const char *provider)
{
    if (path == NULL)
        return NULL;
    const struct atmos_item probe = {.kind = ATMOS_ITEM_INI_SECTION,
                                     .path = path,
                                     .u.section = {.name = (char *)name, .flavor = flavor}};
    struct atmos_item *it;
    if (atmos_plan_find(c->plan, ATMOS_PLAN_KEY_SECTION, &probe, &it) != 0 || it != NULL) {
        free(path);
        return it;
    }
    it = atmos_cloud_add(c, ATMOS_ITEM_INI_SECTION, label, path, identity, provider);
    if (it == NULL || (it->u.section.name = strdup(name)) == NULL)
        return NULL;
    it->u.section.flavor = flavor;
    it->u.section.dir_locks = dir_locks;
    return it;
}

struct atmos_item *atmos_cloud_add_json(struct atmos_cloud_ctx *c, const char *label, char *path,
                                        const struct atmos_json_rule *rule, const char *what,
                                        const char *m0, const char *m1, const char *m2,
                                        const char *provider)
{
    const char *m[ATMOS_JSON_IDS] = {m0, m1, m2};
    if (path == NULL)
        return NULL;
    const struct atmos_item probe = {
        .kind = ATMOS_ITEM_JSON_ENTRIES,
        .path = path,
        .u.json = {.rule = rule, .ids = {(char *)m0, (char *)m1, (char *)m2}},
    };
    struct atmos_item *o;
    if (atmos_plan_find(c->plan, ATMOS_PLAN_KEY_JSON, &probe, &o) != 0 || o != NULL) {
        free(path);
        return o;
    }
    struct atmos_item *it =
        atmos_cloud_add(c, ATMOS_ITEM_JSON_ENTRIES, label, path, NULL, provider);
    if (it == NULL)
        return NULL;
    it->u.json.rule = rule;
    for (int i = 0; i < ATMOS_JSON_IDS; i++)
        if (m[i] && (it->u.json.ids[i] = strdup(m[i])) == NULL)
            return NULL;
    if (what && (it->u.json.what = strdup(what)) == NULL)
        return NULL;
    return it;
}

struct atmos_item *atmos_cloud_add_kube(struct atmos_cloud_ctx *c, const char *label, char *path,
                                        const struct atmos_kube_rule *rule, const char *what,
                                        const char *const ids[ATMOS_KUBE_IDS], const char *provider)
{
    if (path == NULL)
        return NULL;
    struct atmos_item probe = {.kind = ATMOS_ITEM_KUBECONFIG, .path = path, .u.kube.rule = rule};
    for (int i = 0; i < ATMOS_KUBE_IDS; i++)
        probe.u.kube.ids[i] = (char *)ids[i];
    struct atmos_item *o;
    if (atmos_plan_find(c->plan, ATMOS_PLAN_KEY_KUBE, &probe, &o) != 0 || o != NULL) {
        free(path);
        return o;
    }
    struct atmos_item *it = atmos_cloud_add(c, ATMOS_ITEM_KUBECONFIG, label, path, NULL, provider);
    if (it == NULL)
        return NULL;
    it->u.kube.rule = rule;
    for (int i = 0; i < ATMOS_KUBE_IDS; i++)
        if (ids[i] && (it->u.kube.ids[i] = strdup(ids[i])) == NULL)
            return NULL;
    if (what && (it->u.kube.what = strdup(what)) == NULL)
        return NULL;
    return it;
}

int atmos_cloud_each_entry(struct atmos_cloud_ctx *c, const char *dir, atmos_entry_fn fn, void *arg)
{
    struct atmos_err why;
    int fd = -1, rc = 0;
    int r = atmos_fs_open_dir(&c->fs, dir, &fd, &why);
    if (r == ATMOS_ABSENT)
        return 0;
    if (r == ATMOS_ESYS) {
        atmos_log(c->lg, ATMOS_LOG_WARN, "not searched: %s", why.msg);
        return 0;
    }
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return 0;
    }
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            rc = fn(c, dirfd(d), dir, de->d_name, arg);
    closedir(d);
    return rc;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* `name` is one of plan->realms (sorted by atmos_strv_sort_unique). */
static int found_realm(const struct atmos_plan *plan, const char *name)
{
    return plan->nrealms &&
           bsearch(&name, plan->realms, plan->nrealms, sizeof(*plan->realms), cmp_name) != NULL;
}

struct base {
    const char *sub;
    atmos_entry_fn fn;
    void *arg;
};

/* <config home>/atmos/<entry>: <sub> itself is the realm-less base, <realm>/<sub> a realm's. */
static int each_base_entry(struct atmos_cloud_ctx *c, int dirfd, const char *dir, const char *name,
                           void *arg)
{
    const struct base *b = arg;
    /* A realm only where atmos_realms_find found one (filled in before discovery): a
     * directory of the user's in atmos's config home ("notes/aws/") is never adopted. */
    int realm_less = strcmp(name, b->sub) == 0;
    if (!realm_less && !found_realm(c->plan, name))
        return 0;
    if (!atmos_realm_like(name) || atmos_cloud_type(c, dirfd, name) != S_IFDIR)
        return 0;
    char *base = atmos_path_realm_dir(dir, realm_less ? NULL : name, b->sub, NULL);
    int rc = base ? atmos_cloud_each_entry(c, base, b->fn, b->arg) : ATMOS_ENOMEM;
    free(base);
    return rc;
}

int atmos_cloud_each_base(struct atmos_cloud_ctx *c, const char *sub, atmos_entry_fn fn, void *arg)
{
    struct base b = {sub, fn, arg};
    char *dir = atmos_path_atmos_config(c->env);
    int rc = dir ? atmos_cloud_each_entry(c, dir, each_base_entry, &b) : ATMOS_ENOMEM;
    free(dir);
    return rc;
}

int atmos_cloud_add_provider_dir(struct atmos_cloud_ctx *c, int dirfd, const char *dir,
                                 const char *name, void *kind)
{
    if (atmos_cloud_type(c, dirfd, name) != S_IFDIR)
        return 0;
    if (!atmos_cloud_add_dir(c, kind, atmos_path_join(dir, name), NULL, name))
        return ATMOS_ENOMEM;
    return atmos_strv_push(&c->plan->providers, &c->plan->nproviders, name) == 0 ? ATMOS_OK
                                                                                 : ATMOS_ENOMEM;
}

mode_t atmos_cloud_type(const struct atmos_cloud_ctx *c, int dirfd, const char *name)
{
    struct stat st;
    struct atmos_err why;
    if (atmos_fs_check(&c->fs, dirfd, name, name, S_IFDIR, &st, &why) == ATMOS_OK)
        return S_IFDIR;
    if (atmos_fs_check(&c->fs, dirfd, name, name, S_IFREG, &st, &why) == ATMOS_OK)
        return S_IFREG;
    return 0;
}

int atmos_realm_like(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 64)
        return 0;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

struct json_object *atmos_cloud_read_json(const struct atmos_cloud_ctx *c, const char *path)
{
    struct atmos_buf buf = {0};
    struct atmos_err why;
    struct stat st;
    const char *leaf;
    int dfd = -1;
    json_object *o = NULL;
    if (atmos_fs_open_parent(&c->fs, path, &dfd, &leaf, &why) != ATMOS_OK)
        goto done;
    int r = atmos_fs_read(&c->fs, dfd, leaf, path, ATMOS_TOKEN_FILE_MAX_BYTES, &buf, &st, &why);
    if (r == ATMOS_ESYS)
        atmos_log(c->lg, ATMOS_LOG_DEBUG, "not read: %s", why.msg);
    if (r != ATMOS_OK || buf.len == 0)
        goto done;
    /* A UTF-8 byte order mark, as the Azure CLI sometimes writes. */
    size_t skip = buf.len >= 3 && memcmp(buf.data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    json_tokener *tok = json_tokener_new();
    if (tok == NULL)
        goto done;
    o = json_tokener_parse_ex(tok, buf.data + skip, (int)(buf.len - skip));
    if (json_tokener_get_error(tok) != json_tokener_success ||
        !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        o = NULL;
    }
    json_tokener_free(tok);
done:
    atmos_buf_free(&buf);
    if (dfd >= 0)
        close(dfd);
    return o;
}
