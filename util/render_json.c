/*
 * The report and the configuration as JSON (--output json): the schema
 * docs/atmos-logout.md documents, which tests/e2e/test_json_schema.sh checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atmos/escape.h>
#include <json-c/json.h>

#include "render.h"
#include "show.h"

/* A JSON string of `s` escaped (NULL stays JSON null): valid UTF-8, no controls. */
json_object *atmos_json_string(const char *s)
{
    if (s == NULL)
        return NULL;
    char *e = atmos_escape_dup(s);
    json_object *j = json_object_new_string(e ? e : "?");
    free(e);
    return j;
}

static json_object *strv(char **v, size_t n)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(a, atmos_json_string(v[i]));
    return a;
}

static const char *signout_status(const struct atmos_item *it)
{
    return it->outcome == ATMOS_OUTCOME_WOULD_REMOVE       ? "would_sign_out"
           : it->u.signout.result == ATMOS_SIGNOUT_DONE    ? "signed_out"
           : it->u.signout.result == ATMOS_SIGNOUT_ALREADY ? "already_signed_out"
           : it->outcome == ATMOS_OUTCOME_ABSENT           ? "not_needed"
                                                           : "not_signed_out";
}

/* One item, with the same keys whatever its kind (null where its kind has none). */
static json_object *item_json(const struct atmos_item *it, int all_realms)
{
    int ini = it->kind == ATMOS_ITEM_INI_SECTION, key = it->kind == ATMOS_ITEM_KEYRING;
    json_object *j = json_object_new_object();
    json_object_object_add(j, "kind", atmos_json_string(atmos_item_kind_name(it)));
    json_object_object_add(j, "cloud", atmos_json_string(it->cloud));
    json_object_object_add(j, "label", atmos_json_string(it->label ? it->label : ""));
    json_object_object_add(j, "what", atmos_json_string(atmos_item_what(it)));
    json_object_object_add(
        j, "entries",
        it->kind == ATMOS_ITEM_JSON_ENTRIES ? json_object_new_int64((int64_t)it->u.json.entries)
        : it->kind == ATMOS_ITEM_KUBECONFIG ? json_object_new_int64((int64_t)it->u.kube.entries)
                                            : NULL);
    json_object_object_add(j, "path", atmos_json_string(it->path));
    json_object_object_add(j, "section", atmos_json_string(ini ? it->u.section.name : NULL));
    json_object_object_add(j, "key", atmos_json_string(key ? it->u.keyring.key : NULL));
    json_object_object_add(j, "backend",
                           key ? json_object_new_string(atmos_keyring_name(it->u.keyring.backend))
                               : NULL);
    /* The browser session removing it ends ("refresh token", ...), or null. */
    json_object_object_add(j, "browser_session", atmos_json_string(it->browser));
    json_object_object_add(j, "identity", atmos_json_string(it->identity));
    json_object_object_add(j, "provider", atmos_json_string(it->provider));
    if (all_realms)
        json_object_object_add(j, "realm", atmos_json_string(it->realm));
    json_object_object_add(j, "status", json_object_new_string(atmos_outcome_name(it->outcome)));
    json_object_object_add(
        j, "file_removed",
        json_object_new_boolean((ini && it->u.section.file_removed) ||
                                (it->kind == ATMOS_ITEM_KUBECONFIG && it->u.kube.file_removed)));
    /* Written whole again: the file's comments and layout were not kept. */
    int rewritten = it->kind == ATMOS_ITEM_KUBECONFIG && it->u.kube.rewritten &&
                    !it->u.kube.file_removed;
    json_object_object_add(j, "rewritten", json_object_new_boolean(rewritten));
    if (it->kind == ATMOS_ITEM_SIGNOUT)
        json_object_object_add(j, "signout", json_object_new_string(signout_status(it)));
    json_object_object_add(j, "error", atmos_json_string(it->error));
    return j;
}

/* The same, for JSON: [{"variable": ..., "value": ...}]. */
static json_object *external_json(void)
{
    json_object *a = json_object_new_array();
    size_t at = 0;
    const char *name, *v;
    while ((name = atmos_render_external(&at, &v)) != NULL) {
        json_object *e = json_object_new_object();
        json_object_object_add(e, "variable", json_object_new_string(name));
        json_object_object_add(e, "value", atmos_json_string(v));
        json_object_array_add(a, e);
    }
    return a;
}

/* {"kind": ..., "via": {"provider"|"identity": ...}} of one entry (via null when it has none). */
static json_object *entry_json(const struct atmos_field *kind, const struct atmos_field *via_p,
                               const struct atmos_field *via_i)
{
    json_object *e = json_object_new_object();
    json_object_object_add(e, "kind", atmos_json_string(kind->value));
    json_object *via = NULL;
    if ((via_p && via_p->value) || (via_i && via_i->value)) {
        via = json_object_new_object();
        if (via_p && via_p->value)
            json_object_object_add(via, "provider", atmos_json_string(via_p->value));
        if (via_i && via_i->value)
            json_object_object_add(via, "identity", atmos_json_string(via_i->value));
    }
    if (via_p)
        json_object_object_add(e, "via", via);
    return e;
}

void atmos_render_config_json(FILE *out, const struct atmos_config *cfg)
{
    json_object *o = json_object_new_object(), *ids = json_object_new_object(),
                *provs = json_object_new_object(), *skipped = json_object_new_array();
    for (size_t i = 0; i < cfg->nidentities; i++) {
        const struct atmos_identity *id = &cfg->identities[i];
        json_object *e =
            id->problem ? NULL : entry_json(&id->kind, &id->via_provider, &id->via_identity);
        if (e)
            json_object_object_add(ids, atmos_show(id->name), e);
        else {
            json_object *k = json_object_new_object();
            json_object_object_add(k, "identity", atmos_json_string(id->name));
            json_object_object_add(k, "reason", atmos_json_string(id->problem));
            json_object_array_add(skipped, k);
        }
    }
    for (size_t i = 0; i < cfg->nproviders; i++) {
        const struct atmos_provider *p = &cfg->providers[i];
        if (p->problem == NULL) {
            json_object_object_add(provs, atmos_show(p->name), entry_json(&p->kind, NULL, NULL));
            continue;
        }
        json_object *k = json_object_new_object();
        json_object_object_add(k, "provider", atmos_json_string(p->name));
        json_object_object_add(k, "reason", atmos_json_string(p->problem));
        json_object_array_add(skipped, k);
    }
    json_object_object_add(o, "identities", ids);
    json_object_object_add(o, "providers", provs);
    json_object_object_add(o, "realm", atmos_json_string(cfg->realm.value));
    json_object_object_add(o, "skipped", skipped);
    fprintf(out, "%s\n",
            json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}

void atmos_render_json(FILE *out, const struct atmos_plan *plan)
{
    struct atmos_counts c;
    atmos_plan_count(plan, &c);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "scope", atmos_json_string(atmos_scope_name(plan->scope)));
    json_object_object_add(o, "target", atmos_json_string(plan->target));
    json_object_object_add(o, "dry_run", json_object_new_boolean(plan->dry_run));
    json_object_object_add(o, "discovered", json_object_new_boolean(plan->discovered));
    json_object *chain = json_object_new_array();
    for (size_t i = 0; i < plan->chain.n; i++)
        json_object_array_add(chain, atmos_json_string(plan->chain.names[i]));
    json_object_object_add(o, "chain", chain);
    json_object_object_add(o, "identities", strv(plan->identities, plan->nidentities));
    json_object_object_add(o, "providers", strv(plan->providers, plan->nproviders));
    /* Besides the realm-less layout ("realm": null on items). */
    json_object_object_add(o, "realms", strv(plan->realms, plan->nrealms));
    json_object_object_add(o, "realm_directory", atmos_json_string(plan->realm_dir));
    json_object *elsewhere = json_object_new_array();
    for (size_t i = 0; i < plan->nelsewhere; i++) {
        json_object *e = json_object_new_object();
        json_object_object_add(e, "realm", atmos_json_string(plan->elsewhere[i]));
        json_object_object_add(e, "directory", atmos_json_string(plan->elsewhere_dir[i]));
        json_object_array_add(elsewhere, e);
    }
    json_object_object_add(o, "elsewhere", elsewhere);
    /* What atmos warns of after a logout: the environment still points tools at these. */
    json_object_object_add(o, "external_credentials", external_json());
    json_object *items = json_object_new_array();
    for (size_t i = 0; i < plan->nitems; i++) {
        const struct atmos_item *it = &plan->items[i];
        json_object_array_add(items, item_json(it, plan->every_realm));
    }
    json_object_object_add(o, "items", items);
    /* A dry run removes nothing: what it would remove is said as such. */
    size_t removed = plan->dry_run ? 0 : c.removed, would = plan->dry_run ? c.removed : 0;
    json_object_object_add(o, "removed", json_object_new_int64((int64_t)removed));
    json_object_object_add(o, "would_remove", json_object_new_int64((int64_t)would));
    json_object_object_add(o, "absent", json_object_new_int64((int64_t)c.absent));
    json_object_object_add(o, "failed", json_object_new_int64((int64_t)c.failed));
    json_object_object_add(o, "not_checked", json_object_new_int64((int64_t)c.unchecked));
    json_object_object_add(o, "revoked", json_object_new_int64((int64_t)c.revoked));
    size_t browser = 0;
    for (size_t i = 0; i < plan->nitems; i++)
        browser += plan->items[i].browser && (plan->items[i].outcome == ATMOS_OUTCOME_REMOVED ||
                                              plan->items[i].outcome == ATMOS_OUTCOME_WOULD_REMOVE);
    json_object_object_add(o, "browser_sessions", json_object_new_int64((int64_t)browser));
    const char *status = c.removed == 0 && c.failed == 0 && plan->nelsewhere ? "elsewhere"
                         : c.removed == 0 && c.failed == 0 ? "already_logged_out"
                         : plan->dry_run && c.failed == 0 ? "dry_run"
                         : c.failed == 0                 ? "success"
                         : c.removed == 0                ? "failed"
                                                         : "partial";
    json_object_object_add(o, "status", json_object_new_string(status));
    json_object_object_add(o, "exit_code", json_object_new_int(atmos_plan_exit_status(plan)));
    fprintf(out, "%s\n",
            json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}

void atmos_render_error_json(FILE *out, const char *msg, const char *what, char **names, size_t n,
                             const char *hint)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "error", atmos_json_string(msg ? msg : ""));
    if (hint)
        json_object_object_add(o, "hint", atmos_json_string(hint));
    if (what)
        json_object_object_add(o, what, strv(names, n));
    fprintf(out, "%s\n",
            json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}
