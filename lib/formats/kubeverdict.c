/*
 * What kubectl's reader refuses in a kubeconfig, value by value (formats/yamledit.c
 * asks as it reads): client-go decodes the YAML as JSON into its v1.Config
 * (k8s.io/client-go/tools/clientcmd/api/v1/types.go), exact field names,
 * unknown fields ignored, null always fine.  So a field of its schema of
 * another type refuses the whole file: a list or a bool or number where a
 * string goes, a string where a bool goes, a *-data field that is not
 * base64; and anywhere, an infinity or a NaN (no JSON for them).  Checked
 * against kubectl itself in tests/e2e/test_editors_diff.sh.
 *
 * MUST: look, never change; keep no byte of the file (reasons are static).
 */
#include <string.h>

#include <yaml.h>

#include "formats/jsonverdict.h"
#include "formats/kubeverdict.h"

/*
 * A plain scalar that kubectl's YAML reader (yaml.v2's YAML 1.1 resolver,
 * then encoding/json into a string field) takes for a bool or a number, or
 * for an infinity or NaN: either way it refuses the file.  Null is "".
 * Checked value by value against kubectl (tests/e2e/test_editors_diff.sh).
 */
static int go_int(const char *v)
{
    const char *d = v + (*v == '+' || *v == '-');
    const char *digits = "0123456789";
    if (d[0] == '0' && d[1] && strchr("xXoObB", d[1]) && d[2]) {
        digits = strchr("xX", d[1]) ? "0123456789abcdefABCDEF" : strchr("oO", d[1]) ? "01234567"
                                                                                   : "01";
        d += 2;
    } else if (d[0] == '0' && d[1])
        digits = "01234567";
    if (*d == '\0')
        return 0;
    for (; *d; d++)
        if (!strchr(digits, *d))
            return 0;
    return 1; /* out of int64's range it would be a float or a string: refused either way */
}

static int go_float(const char *v)
{
    /* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
    const char *d = v + (*v == '+' || *v == '-');
    size_t n = strspn(d, "0123456789");
    if (n == 0) {
        if (*d != '.' || strspn(d + 1, "0123456789") == 0)
            return 0;
        d += 1 + strspn(d + 1, "0123456789");
    } else {
        d += n;
        if (*d == '.')
            d += 1 + strspn(d + 1, "0123456789");
    }
    if (*d == 'e' || *d == 'E') {
        d++;
        d += *d == '+' || *d == '-';
        if (strspn(d, "0123456789") == 0)
            return 0;
        d += strspn(d, "0123456789");
    }
    return *d == '\0';
}

int atmos_kube_not_a_string(const yaml_event_t *e)
{
    static const char *const words[] = {
        "y",     "Y",     "yes",  "Yes",  "YES",  "n",    "N",    "no",    "No",     "NO",
        "true",  "True",  "TRUE", "false", "False", "FALSE", "on",  "On",    "ON",     "off",
        "Off",   "OFF",   ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf",
        "-.INF", ".nan",  ".NaN", ".NAN"};
    const char *v = (const char *)e->data.scalar.value;
    if (e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || e->data.scalar.tag ||
        e->data.scalar.length > 128)
        return 0; /* quoted, or tagged !!str (formats/yamledit.c refuses any other tag), or no number */
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcmp(v, words[i]) == 0)
            return 1;
    if (!strchr("+-.0123456789", v[0]))
        return 0;
    char plain[130];
    size_t k = 0;
    for (const char *c = v; *c; c++)
        if (*c != '_') /* yaml.v2 drops underscores from a number */
            plain[k++] = *c;
    plain[k] = '\0';
    return go_int(plain) || go_float(plain);
}

enum kind { ANY, STR, BYTES, BOOL, OBJ, LIST, STRLIST, MAP };

struct atmos_kube_type {
    enum kind kind;
    const struct field *fields;         /* OBJ */
    const struct atmos_kube_type *item; /* LIST, MAP: of each item or value */
};

struct field {
    const char *name;
    const struct atmos_kube_type *type;
};

static const struct atmos_kube_type any = {ANY, NULL, NULL}, str = {STR, NULL, NULL},
                                    bytes = {BYTES, NULL, NULL}, boolean = {BOOL, NULL, NULL},
                                    strlist = {STRLIST, NULL, NULL};

static const struct field extension_f[] = {{"name", &str}, {"extension", &any}, {NULL, NULL}};
static const struct atmos_kube_type extension = {OBJ, extension_f, NULL};
static const struct atmos_kube_type extensions = {LIST, NULL, &extension};

static const struct field cluster_f[] = {{"server", &str},
                                         {"tls-server-name", &str},
                                         {"insecure-skip-tls-verify", &boolean},
                                         {"certificate-authority", &str},
                                         {"certificate-authority-data", &bytes},
                                         {"proxy-url", &str},
                                         {"disable-compression", &boolean},
                                         {"extensions", &extensions},
                                         {NULL, NULL}};
static const struct atmos_kube_type cluster = {OBJ, cluster_f, NULL};
static const struct field named_cluster_f[] = {{"name", &str}, {"cluster", &cluster}, {NULL, NULL}};
static const struct atmos_kube_type named_cluster = {OBJ, named_cluster_f, NULL};

static const struct field context_f[] = {{"cluster", &str},
                                         {"user", &str},
                                         {"namespace", &str},
                                         {"extensions", &extensions},
                                         {NULL, NULL}};
static const struct atmos_kube_type context = {OBJ, context_f, NULL};
static const struct field named_context_f[] = {{"name", &str}, {"context", &context}, {NULL, NULL}};
static const struct atmos_kube_type named_context = {OBJ, named_context_f, NULL};

static const struct atmos_kube_type str_map = {MAP, NULL, &str}, strlist_map = {MAP, NULL, &strlist};
static const struct field provider_f[] = {{"name", &str}, {"config", &str_map}, {NULL, NULL}};
static const struct atmos_kube_type provider = {OBJ, provider_f, NULL};
static const struct field env_f[] = {{"name", &str}, {"value", &str}, {NULL, NULL}};
static const struct atmos_kube_type env_var = {OBJ, env_f, NULL}, env = {LIST, NULL, &env_var};
static const struct field exec_f[] = {{"command", &str},
                                      {"args", &strlist},
                                      {"env", &env},
                                      {"apiVersion", &str},
                                      {"installHint", &str},
                                      {"provideClusterInfo", &boolean},
                                      {"interactiveMode", &str},
                                      {NULL, NULL}};
static const struct atmos_kube_type exec = {OBJ, exec_f, NULL};
static const struct field user_f[] = {{"client-certificate", &str},
                                      {"client-certificate-data", &bytes},
                                      {"client-key", &str},
                                      {"client-key-data", &bytes},
                                      {"token", &str},
                                      {"tokenFile", &str},
                                      {"as", &str},
                                      {"as-uid", &str},
                                      {"as-groups", &strlist},
                                      {"as-user-extra", &strlist_map},
                                      {"username", &str},
                                      {"password", &str},
                                      {"auth-provider", &provider},
                                      {"exec", &exec},
                                      {"extensions", &extensions},
                                      {NULL, NULL}};
static const struct atmos_kube_type user = {OBJ, user_f, NULL};
static const struct field named_user_f[] = {{"name", &str}, {"user", &user}, {NULL, NULL}};
static const struct atmos_kube_type named_user = {OBJ, named_user_f, NULL};

static const struct field prefs_f[] = {{"colors", &boolean}, {"extensions", &extensions}, {NULL, NULL}};
static const struct atmos_kube_type prefs = {OBJ, prefs_f, NULL};
static const struct atmos_kube_type clusters = {LIST, NULL, &named_cluster},
                                    contexts = {LIST, NULL, &named_context},
                                    users = {LIST, NULL, &named_user};
static const struct field config_f[] = {{"kind", &str},
                                        {"apiVersion", &str},
                                        {"preferences", &prefs},
                                        {"clusters", &clusters},
                                        {"users", &users},
                                        {"contexts", &contexts},
                                        {"current-context", &str},
                                        {"extensions", &extensions},
                                        {NULL, NULL}};
static const struct atmos_kube_type config = {OBJ, config_f, NULL};

const struct atmos_kube_type *atmos_kube_type_root(void)
{
    return &config;
}

const struct atmos_kube_type *atmos_kube_type_of(const struct atmos_kube_type *t, const char *key)
{
    if (t == NULL)
        return NULL;
    if (t->kind == LIST || t->kind == MAP)
        return t->item;
    if (t->kind == STRLIST)
        return &str;
    if (t->kind != OBJ || key == NULL)
        return NULL;
    for (const struct field *f = t->fields; f->name; f++)
        if (strcmp(f->name, key) == 0) /* client-go's decoder matches names exactly */
            return f->type;
    return NULL; /* unknown: ignored by client-go */
}

/* A plain, untagged scalar that is one of `words` (n of them): YAML 1.1 reads it as a
 * null, a bool or a float, whatever the word. */
static int plain_word(const yaml_event_t *e, const char *const *words, size_t n)
{
    if (e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || e->data.scalar.tag)
        return 0; /* quoted, or tagged !!str (formats/yamledit.c refuses any other tag) */
    for (size_t i = 0; i < n; i++)
        if (strcmp((const char *)e->data.scalar.value, words[i]) == 0)
            return 1;
    return 0;
}

#define PLAIN_WORD(e, words) plain_word(e, words, sizeof(words) / sizeof(words[0]))

static int plain_null(const yaml_event_t *e)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    return PLAIN_WORD(e, nulls);
}

static int plain_bool(const yaml_event_t *e)
{
    static const char *const words[] = {"y",    "Y",    "yes",   "Yes",   "YES", "n",  "N",
                                        "no",   "No",   "NO",    "true",  "True", "TRUE", "false",
                                        "False", "FALSE", "on",  "On",    "ON",  "off", "Off",
                                        "OFF"};
    return PLAIN_WORD(e, words);
}

static int infinite(const yaml_event_t *e)
{
    static const char *const words[] = {".inf",  ".Inf",  ".INF",  "+.inf", "+.Inf", "+.INF",
                                         "-.inf", "-.Inf", "-.INF", ".nan",  ".NaN",  ".NAN"};
    return PLAIN_WORD(e, words);
}

const char *atmos_kube_type_check(const struct atmos_kube_type *t, const yaml_event_t *e)
{
    int scalar = e->type == YAML_SCALAR_EVENT;
    if (scalar && infinite(e))
        return "an infinity or NaN, which has no JSON";
    if (t == NULL || t->kind == ANY || (scalar && plain_null(e)))
        return NULL;
    switch (t->kind) {
    case STR:
    case BYTES:
        if (!scalar)
            return "a list or mapping where a string goes";
        if (atmos_kube_not_a_string(e))
            return "a bool or a number where a string goes";
        if (t->kind == BYTES) {
            long colon;
            if (atmos_go_base64((const char *)e->data.scalar.value, e->data.scalar.length,
                                &colon) != 0)
                return "a *-data field that is not base64";
        }
        return NULL;
    case BOOL:
        return scalar && plain_bool(e) ? NULL : "something else where a bool goes";
    case OBJ:
    case MAP:
        return e->type == YAML_MAPPING_START_EVENT ? NULL : "something else where a mapping goes";
    case LIST:
    case STRLIST:
        return e->type == YAML_SEQUENCE_START_EVENT ? NULL : "something else where a list goes";
    case ANY:
        break;
    }
    return NULL;
}
