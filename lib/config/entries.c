/*
 * The entries of one parsed atmos.yaml merged into a configuration
 * (config/yaml.c says how atmos merges them), its auth settings, and what
 * the file says about where more configuration is (import:, base_path,
 * profiles:).
 *
 * MUST: an entry atmos would refuse only when used is kept with its
 * `problem` and the rest still loads; a shape that cannot be read fails the
 * file with file:line:col.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strings.h"
#include "config/internal.h"
#include "config/yaml.h"

enum entry_role {
    ROLE_PROVIDER = ATMOS_ENTRY_PROVIDER,
    ROLE_IDENTITY = ATMOS_ENTRY_IDENTITY,
    ROLE_INTEGRATION = ATMOS_ENTRY_INTEGRATION,
};
static const char *const role_name[] = {"provider", "identity", "integration"};

/* The fields every entry has, wherever its struct keeps them. */
struct entry_view {
    struct atmos_field *kind, *via_provider, *via_identity;
    struct atmos_spec *spec;
    char **problem;
    char **problem_key; /* merged entries (providers, integrations); NULL: replaced whole */
};

/* A later file's `key` (NULL: the whole entry) replaces the earlier value, and so the problem
 * that was found in it. */
static void forget_problem(struct entry_view *e, const char *key)
{
    if (e->problem_key == NULL || *e->problem_key == NULL)
        return;
    if (key ? strcmp(*e->problem_key, key) != 0 : **e->problem_key != '\0')
        return;
    free(*e->problem);
    free(*e->problem_key);
    *e->problem = *e->problem_key = NULL;
}

/* The problem set since `before` (c->problems) was found under `key` ("": the entry). */
static int note_problem(struct atmos_yctx *c, struct entry_view *e, unsigned before, const char *key)
{
    if (e->problem_key == NULL || c->problems == before)
        return ATMOS_OK;
    free(*e->problem_key);
    *e->problem_key = strdup(key);
    return *e->problem_key ? ATMOS_OK : atmos_y_oom(c);
}

/*
 * What atmos cannot keep as a name (a problem: the entry is reported, not
 * acted on).  Provider names become a directory, so no '/'; identity names
 * become INI sections and, for some clouds, nested directories, as atmos
 * joins them ("Account/Role" of a provisioned identity), so '/' separates
 * segments that must not be empty, "." or "..".  Integrations: any, as atmos.
 * A '.' splits a provider's or integration's name in viper (load.go: only
 * identities are re-read whole).
 */
static const char *name_problem(enum entry_role role, const char *name, char *buf, size_t len)
{
    const char *why = NULL;
    size_t n = strlen(name);
    for (const unsigned char *p = (const unsigned char *)name; *p && !why; p++)
        if (*p < 0x20 || *p == 0x7f)
            why = "contains a control character";
    if (why)
        ;
    else if (n == 0)
        why = "is empty";
    else if (n > 255)
        why = "is longer than 255 bytes";
    else if (role != ROLE_INTEGRATION && name[0] == '.')
        why = "must not start with '.'";
    else if (role == ROLE_PROVIDER && strchr(name, '/'))
        why = "must not contain '/'";
    else if (role != ROLE_IDENTITY && strchr(name, '.'))
        why = "contains '.', which atmos reads as nesting";
    else if (role == ROLE_INTEGRATION)
        return NULL;
    for (const char *seg = name; !why && seg;
         seg = strchr(seg, '/') ? strchr(seg, '/') + 1 : NULL) {
        size_t sl = strcspn(seg, "/");
        if (sl == 0 || (sl == 1 && seg[0] == '.') || (sl == 2 && seg[0] == '.' && seg[1] == '.'))
            why = "has an empty, \".\" or \"..\" segment between '/'";
    }
    if (why == NULL)
        return NULL;
    snprintf(buf, len, "name \"%.*s\" %s", n > 255 ? 40 : (int)n, name, why);
    return buf;
}

/* An entry's fields are the arena's: the ones replaced stay there until the end. */
static void entry_reset(struct entry_view *e)
{
    struct atmos_field *f[] = {e->kind, e->via_provider, e->via_identity};
    for (size_t i = 0; i < 3; i++)
        if (f[i])
            *f[i] = (struct atmos_field){0};
    atmos_spec_free(e->spec);
    free(*e->problem);
    *e->problem = NULL;
}

static int entry_via(struct atmos_yctx *c, struct entry_view *e, const struct atmos_ynode *via)
{
    if (atmos_ynode_is_null(via))
        return ATMOS_OK;
    if (via->type != ATMOS_Y_MAP)
        return atmos_y_problem(c, e->problem, via, "via must be a mapping");
    const struct atmos_ynode *f = NULL, *id = NULL;
    int rc = ATMOS_OK;
    /* The first of each, as atmos_ynode_get finds it: one pass for both. */
    for (size_t i = 0; i + 1 < via->n && !(f && id); i += 2) {
        const struct atmos_ynode *k = via->kids[i];
        if (k->type != ATMOS_Y_SCALAR)
            continue;
        if (f == NULL && strcmp(k->value, "provider") == 0)
            f = via->kids[i + 1];
        else if (id == NULL && strcmp(k->value, "identity") == 0)
            id = via->kids[i + 1];
    }
    /* Lowercased: they name entries, whose names are (load_entry). */
    if (f)
        rc = f->type == ATMOS_Y_SCALAR
                 ? atmos_y_entry_field(c, f, "via.provider", 1, e->via_provider)
                 : atmos_y_problem(c, e->problem, f, "via.provider must be a scalar");
    if (rc == ATMOS_OK && (f = id))
        rc = f->type == ATMOS_Y_SCALAR
                 ? atmos_y_entry_field(c, f, "via.identity", 1, e->via_identity)
                 : atmos_y_problem(c, e->problem, f, "via.identity must be a scalar");
    return rc;
}

static int entry_value(struct atmos_yctx *c, struct entry_view *e, const char *key,
                       const struct atmos_ynode *val)
{
    if (strcmp(key, "kind") == 0)
        return val->type == ATMOS_Y_SCALAR
                   ? atmos_y_entry_field(c, val, "kind", 0, e->kind)
                   : atmos_y_problem(c, e->problem, val, "kind must be a scalar");
    if (strcmp(key, "via") == 0 && e->via_provider)
        return entry_via(c, e, val);
    return atmos_y_flatten_child(c, e->spec, e->problem, "", key, val);
}

static int entry_key(struct atmos_yctx *c, struct entry_view *e, const char *key,
                     const struct atmos_ynode *val)
{
    unsigned before = c->problems;
    forget_problem(e, key);
    int rc = entry_value(c, e, key, val);
    return rc == ATMOS_OK ? note_problem(c, e, before, key) : rc;
}

/* An entry's keys: those a `<<` merge key brings first, then its own (which win). */
static int entry_body(struct atmos_yctx *c, struct entry_view *e, const struct atmos_ynode *v, int depth)
{
    int rc = ATMOS_OK;
    for (int own = 0; own <= 1 && rc == ATMOS_OK; own++)
        for (size_t i = 0; rc == ATMOS_OK && i + 1 < v->n; i += 2) {
            const struct atmos_ynode *k = v->kids[i], *val = v->kids[i + 1];
            if (k->type != ATMOS_Y_SCALAR || (own && (rc = atmos_y_visit(c, k)) != ATMOS_OK))
                continue;
            int merge = atmos_ynode_is_merge_key(k);
            if (own && !merge)
                rc = entry_key(c, e, k->value, val);
            else if (!own && merge && depth < ATMOS_YAML_MAX_DEPTH && val->type == ATMOS_Y_MAP)
                rc = entry_body(c, e, val, depth + 1);
            else if (!own && merge && depth < ATMOS_YAML_MAX_DEPTH && val->type == ATMOS_Y_SEQ)
                for (size_t j = val->n; rc == ATMOS_OK && j-- > 0;) /* the earlier wins */
                    if (val->kids[j]->type == ATMOS_Y_MAP)
                        rc = entry_body(c, e, val->kids[j], depth + 1);
        }
    return rc;
}

/* The entry named by key k, found or added (NULL on allocation failure). */
static struct entry_view find_entry(const struct atmos_yctx *c, enum entry_role role, const char *name,
                                    struct atmos_mark m, char *written)
{
    struct entry_view e = {0};
    if (role == ROLE_PROVIDER) {
        struct atmos_provider *p = atmos_config_add_provider(c->cfg, name, m);
        if (p)
            e = (struct entry_view){&p->kind, NULL, NULL, &p->spec, &p->problem,
                                    atmos_config_problem_key(c->cfg, ATMOS_ENTRY_PROVIDER,
                                                             (size_t)(p - c->cfg->providers))};
    } else if (role == ROLE_IDENTITY) {
        struct atmos_identity *id = atmos_config_add_identity(c->cfg, name, m);
        if (id) {
            e = (struct entry_view){&id->kind, &id->via_provider, &id->via_identity,
                                    &id->spec, &id->problem,      NULL};
            entry_reset(&e); /* a later file's identity replaces the earlier one whole */
            id->mark = m;
            id->written = written; /* the spelling of the definition that holds */
        }
    } else {
        struct atmos_integration *in = atmos_config_add_integration(c->cfg, name, m);
        if (in)
            e = (struct entry_view){&in->kind, &in->via_provider, &in->via_identity,
                                    &in->spec, &in->problem,
                                    atmos_config_problem_key(c->cfg, ATMOS_ENTRY_INTEGRATION,
                                                             (size_t)(in - c->cfg->integrations))};
    }
    return e;
}

static int load_entry(struct atmos_yctx *c, enum entry_role role, const struct atmos_ynode *k,
                      const struct atmos_ynode *v)
{
    char buf[300], low[256], *name = NULL, *written = NULL;
    const char *raw;
    size_t len;
    struct atmos_env_arg ebuf;
    int rc = atmos_y_scalar_text(c, k, role_name[role], &ebuf, &raw, &len);
    if (rc != ATMOS_OK)
        return rc;
    if (raw == NULL)
        raw = ""; /* a null key names the entry "" (which name_problem refuses) */
    /* Judged as written (and so named in the problem), kept as atmos keys it. */
    const char *bad = name_problem(role, raw, buf, sizeof(buf));
    /* viper lowercases every map key: what atmos writes is named in lowercase. */
    int upper = atmos_ascii_upper(raw, len);
    if (upper && role == ROLE_IDENTITY && (rc = atmos_y_keep(c, raw, len, 0, &written)) != ATMOS_OK)
        return rc;
    if (upper && (name = len < sizeof(low) ? low : malloc(len + 1)) == NULL)
        return atmos_y_oom(c);
    if (upper)
        atmos_ascii_lower(name, raw, len + 1);
    struct entry_view e = find_entry(c, role, upper ? name : raw, atmos_y_mark(c, k), written);
    if (name && name != low)
        free(name);
    if (e.kind == NULL)
        return atmos_y_oom(c);
    if (bad) {
        if (e.problem_key) { /* the name's problem outlasts every file */
            free(*e.problem_key);
            *e.problem_key = NULL;
        }
        return atmos_y_problem(c, e.problem, k, "%s %s", role_name[role], bad);
    }
    if (atmos_ynode_is_null(v))
        return ATMOS_OK;
    if (v->type != ATMOS_Y_MAP) {
        unsigned before = c->problems;
        rc = atmos_y_problem(c, e.problem, v, "%s must be a mapping", role_name[role]);
        return rc == ATMOS_OK ? note_problem(c, &e, before, "") : rc;
    }
    forget_problem(&e, NULL);
    return entry_body(c, &e, v, 0);
}

static int load_entries(struct atmos_yctx *c, const struct atmos_ynode *map, const char *what,
                        enum entry_role role)
{
    if (atmos_ynode_is_null(map))
        return ATMOS_OK;
    int rc = atmos_y_want_map(c, map, what);
    /* Room for them all at once, not grown one by one (docs/design.md, "Measured"). */
    if (rc == ATMOS_OK &&
        atmos_config_reserve(c->cfg, (enum atmos_entry_role)role, map->n / 2) != 0)
        rc = atmos_y_oom(c);
    for (size_t i = 0; rc == ATMOS_OK && i + 1 < map->n; i += 2)
        if ((rc = atmos_y_visit(c, map->kids[i])) == ATMOS_OK)
            rc = load_entry(c, role, map->kids[i], map->kids[i + 1]);
    return rc;
}

static int load_keyring(struct atmos_yctx *c, struct atmos_config *cfg, const struct atmos_ynode *kr)
{
    int rc;
    const struct atmos_ynode *n, *spec;
    if (atmos_ynode_is_null(kr))
        return ATMOS_OK;
    if ((rc = atmos_y_want_map(c, kr, "auth.keyring")) != ATMOS_OK)
        return rc;
    if ((n = atmos_ynode_get(kr, "type")) &&
        (rc = atmos_y_set_field(c, n, "auth.keyring.type", &cfg->keyring_type)))
        return rc;
    spec = atmos_ynode_get(kr, "spec");
    if (spec == NULL || atmos_ynode_is_null(spec))
        return ATMOS_OK;
    if ((rc = atmos_y_want_map(c, spec, "auth.keyring.spec")) != ATMOS_OK)
        return rc;
    if ((n = atmos_ynode_get(spec, "path")))
        return atmos_y_set_field(c, n, "auth.keyring.spec.path", &cfg->keyring_path);
    return ATMOS_OK;
}

static int load_auth(struct atmos_yctx *c, struct atmos_config *cfg, const struct atmos_ynode *auth,
                     unsigned parts)
{
    static const struct {
        const char *key, *what;
        enum entry_role role;
        unsigned part;
    } maps[] = {
        {"providers", "auth.providers", ROLE_PROVIDER, ATMOS_APPLY_SETTINGS},
        {"identities", "auth.identities", ROLE_IDENTITY, ATMOS_APPLY_IDENTITIES},
        {"integrations", "auth.integrations", ROLE_INTEGRATION, ATMOS_APPLY_SETTINGS},
    };
    int rc;
    if (atmos_ynode_is_null(auth))
        return ATMOS_OK;
    if ((rc = atmos_y_want_map(c, auth, "auth")) != ATMOS_OK)
        return rc;
    const struct atmos_ynode *n;
    for (size_t i = 0; i < sizeof(maps) / sizeof(*maps); i++)
        if ((parts & maps[i].part) && (n = atmos_ynode_get(auth, maps[i].key)) &&
            (rc = load_entries(c, n, maps[i].what, maps[i].role)) != ATMOS_OK)
            return rc;
    if (!(parts & ATMOS_APPLY_SETTINGS))
        return ATMOS_OK;
    if ((n = atmos_ynode_get(auth, "realm")) && (rc = atmos_y_set_field(c, n, "auth.realm", &cfg->realm)))
        return rc;
    if ((n = atmos_ynode_get(auth, "keyring")))
        return load_keyring(c, cfg, n);
    return ATMOS_OK;
}

int atmos_config_apply(struct atmos_config *cfg, const char *path, const struct atmos_ynode *root,
                       unsigned parts, struct atmos_err *err)
{
    struct kept kept[KEPT_SLOTS] = {{0}};
    struct atmos_yctx c = {path, err, cfg, ATMOS_YAML_MAX_NODES, 0, kept};
    if (root == NULL || atmos_ynode_is_null(root))
        return ATMOS_OK; /* an empty file configures nothing */
    int rc = atmos_y_want_map(&c, root, "the top level");
    const struct atmos_ynode *auth = rc == ATMOS_OK ? atmos_ynode_get(root, "auth") : NULL;
    return auth ? load_auth(&c, cfg, auth, parts) : rc;
}

/* --- where more configuration is ------------------------------------------- */

static int opt_string(struct atmos_yctx *c, const struct atmos_ynode *map, const char *key,
                      const char *what, char **out)
{
    const struct atmos_ynode *n = atmos_ynode_get(map, key);
    return n ? atmos_y_scalar(c, n, what, out) : ATMOS_OK;
}

int atmos_config_file_meta(const char *path, const struct atmos_ynode *root,
                           struct atmos_file_meta *m, struct atmos_err *err)
{
    struct atmos_yctx c = {path, err, NULL, ATMOS_YAML_MAX_NODES, 0, NULL};
    int rc = ATMOS_OK;
    *m = (struct atmos_file_meta){0};
    if (root == NULL || root->type != ATMOS_Y_MAP)
        return ATMOS_OK;
    const struct atmos_ynode *imp = atmos_ynode_get(root, "import");
    const struct atmos_ynode *prof = atmos_ynode_get(root, "profiles");
    m->has_imports = imp != NULL && !atmos_ynode_is_null(imp);
    if (m->has_imports && imp->type == ATMOS_Y_SEQ) {
        for (size_t i = 0; rc == ATMOS_OK && i < imp->n; i++) {
            char *s = NULL;
            rc = atmos_y_scalar(&c, imp->kids[i], "import", &s);
            if (rc == ATMOS_OK && s && *s && atmos_strv_push(&m->imports, &m->nimports, s) != 0)
                rc = atmos_fail(err, ATMOS_ENOMEM, "out of memory");
            free(s);
        }
    } else if (m->has_imports) {
        rc = atmos_y_fail(&c, imp, "import must be a list");
    }
    if (rc == ATMOS_OK)
        rc = opt_string(&c, root, "base_path", "base_path", &m->base_path);
    if (rc == ATMOS_OK && prof && prof->type == ATMOS_Y_MAP) {
        rc = opt_string(&c, prof, "base_path", "profiles.base_path", &m->profiles_base_path);
        if (rc == ATMOS_OK)
            rc = opt_string(&c, prof, "default", "profiles.default", &m->profile_default);
    }
    if (rc != ATMOS_OK)
        atmos_file_meta_free(m);
    return rc;
}

void atmos_file_meta_free(struct atmos_file_meta *m)
{
    atmos_strv_free(m->imports, m->nimports);
    free(m->base_path);
    free(m->profiles_base_path);
    free(m->profile_default);
    *m = (struct atmos_file_meta){0};
}
