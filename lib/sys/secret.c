/*
 * The Secret Service backend: items with attributes service=<key> and
 * username=atmos-auth, in any collection, as zalando/go-keyring stores them
 * for atmos.
 *
 * MUST: never map GLib into the calling process (the PAM host, or a CLI run
 * that touches no Secret Service item): libsecret is dlopen'ed in a forked
 * child.  Never prompt (locked items are reported, not unlocked), never
 * autolaunch a bus (no session bus address: unavailable), and bound the whole
 * exchange: the parent kills the child at the deadline (lib/sys/child.c).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libsecret/secret.h>

#include <atmos/error.h>
#include <atmos/privdrop.h>

#include "sys/child.h"
#include "base/strings.h"
#include "sys/keyrings.h"

#define DEFAULT_TIMEOUT_MS 5000
#define LIBSECRET "libsecret-1.so.0"

/* A child's report line; a parent that stopped listening ends the child. */
#define say(fd, ...)                                                                               \
    do {                                                                                           \
        if (atmos_write_line((fd), __VA_ARGS__) != 0)                                              \
            _exit(3);                                                                              \
    } while (0)

/* libsecret and GLib, loaded by the child alone (never linked: the default logout stays small). */
#define FN(name) static __typeof__(name) *p_##name;
FN(secret_service_get_sync)
FN(secret_service_search_sync)
FN(secret_item_get_locked)
FN(secret_item_delete_sync)
FN(g_hash_table_new)
FN(g_hash_table_insert)
FN(g_hash_table_unref)
FN(g_str_hash)
FN(g_str_equal)
FN(g_error_free)
#define SYM(name)                                                                                  \
    if ((p_##name = (__typeof__(name) *)dlsym(h, #name)) == NULL) {                                \
        say(out, "* libsecret lacks " #name);                                                      \
        _exit(2);                                                                                  \
    }

/* The entries named `key` (item i): deleted, or only looked for in a dry run; said on `out`. */
static void delete_one(int out, SecretService *svc, size_t i, const char *key, int dry_run)
{
    GError *err = NULL;
    GHashTable *attrs = p_g_hash_table_new(p_g_str_hash, p_g_str_equal);
    p_g_hash_table_insert(attrs, (gpointer) "service", (gpointer)key);
    p_g_hash_table_insert(attrs, (gpointer) "username", (gpointer)ATMOS_KEYRING_USER);
    /* No schema: go-keyring stores no xdg:schema.  No SECRET_SEARCH_UNLOCK: never prompt. */
    GList *found =
        p_secret_service_search_sync(svc, NULL, attrs, SECRET_SEARCH_ALL, NULL, &err);
    p_g_hash_table_unref(attrs);
    if (err != NULL) {
        say(out, "%zu F Secret Service search failed: %s", i, err->message);
        p_g_error_free(err);
        return;
    }
    const char *status = found ? (dry_run ? "W" : "R") : "A";
    for (GList *l = found; l != NULL; l = l->next) {
        SecretItem *item = l->data;
        if (p_secret_item_get_locked(item)) {
            status = "F the item is locked; unlock the keyring and run again";
            continue;
        }
        if (!dry_run && !p_secret_item_delete_sync(item, NULL, &err)) {
            say(out, "%zu F Secret Service delete failed: %s", i,
                err ? err->message : "unknown error");
            status = NULL;
            if (err) {
                p_g_error_free(err);
                err = NULL;
            }
            break;
        }
    }
    if (status)
        say(out, "%zu %s", i, status);
}

/* The child: one line per item, "<index> R|W|A" or "<index> F <reason>"; "*" for all. */
static void child(int out, struct atmos_item **items, size_t n, int dry_run)
    __attribute__((noreturn));
static void child(int out, struct atmos_item **items, size_t n, int dry_run)
{
    void *h = dlopen(LIBSECRET, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        say(out, "* Secret Service unavailable: " LIBSECRET " is not installed");
        _exit(2);
    }
    SYM(secret_service_get_sync);
    SYM(secret_service_search_sync);
    SYM(secret_item_get_locked);
    SYM(secret_item_delete_sync);
    SYM(g_hash_table_new);
    SYM(g_hash_table_insert);
    SYM(g_hash_table_unref);
    SYM(g_str_hash);
    SYM(g_str_equal);
    SYM(g_error_free);

    GError *err = NULL;
    SecretService *svc = p_secret_service_get_sync(SECRET_SERVICE_NONE, NULL, &err);
    if (svc == NULL) {
        say(out, "* Secret Service unavailable: %s", err ? err->message : "no service");
        _exit(2);
    }
    for (size_t i = 0; i < n; i++)
        delete_one(out, svc, i, items[i]->u.keyring.key, dry_run);
    _exit(0);
}

/*
 * A session bus we may use: $DBUS_SESSION_BUS_ADDRESS, or our own
 * $XDG_RUNTIME_DIR/bus.  ATMOS_OK, or ATMOS_ABSENT when there is none.
 */
static int bus_address(char *buf, size_t len)
{
    const char *a = getenv("DBUS_SESSION_BUS_ADDRESS");
    if (a && *a) {
        snprintf(buf, len, "%s", a);
        return ATMOS_OK;
    }
    const char *rt = getenv("XDG_RUNTIME_DIR");
    struct stat st;
    char path[512];
    if (rt == NULL || rt[0] != '/' ||
        snprintf(path, sizeof(path), "%s/bus", rt) >= (int)sizeof(path))
        return ATMOS_ABSENT;
    if (lstat(path, &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_uid != geteuid())
        return ATMOS_ABSENT;
    snprintf(buf, len, "unix:path=%s", path);
    return ATMOS_OK;
}

/*
 * `unreachable`: there is no Secret Service to ask (no session bus, or none on
 * it).  Entries a plain logout planned on its own (ambient chains) are then
 * "not checked", not failed: on a server or in the PAM child there is nothing
 * to delete them from.  An entry the user asked for (--keychain) fails.
 */
static void fail_rest(struct atmos_item **items, size_t n, const char *why, int unreachable)
{
    for (size_t i = 0; i < n; i++) {
        if (items[i]->outcome != ATMOS_OUTCOME_PENDING)
            continue;
        int skip = unreachable && items[i]->u.keyring.implicit;
        items[i]->outcome = skip ? ATMOS_OUTCOME_UNCHECKED : ATMOS_OUTCOME_FAILED;
        free(items[i]->error);
        items[i]->error = atmos_strfmt("%s%s (keychain entry %s)", skip ? "not checked: " : "", why,
                                       items[i]->u.keyring.key);
    }
}

static void apply(struct atmos_item **items, size_t n, char *line, char *global, size_t glen)
{
    char *sp = strchr(line, ' ');
    if (sp == NULL)
        return;
    *sp++ = '\0';
    if (strcmp(line, "*") == 0) {
        snprintf(global, glen, "%s", sp);
        return;
    }
    char *end;
    unsigned long i = strtoul(line, &end, 10);
    if (*end != '\0' || i >= n)
        return;
    struct atmos_item *it = items[i];
    switch (sp[0]) {
    case 'R':
        it->outcome = ATMOS_OUTCOME_REMOVED;
        break;
    case 'W':
        it->outcome = ATMOS_OUTCOME_WOULD_REMOVE;
        break;
    case 'A':
        it->outcome = ATMOS_OUTCOME_ABSENT;
        break;
    default:
        it->outcome = ATMOS_OUTCOME_FAILED;
        free(it->error);
        it->error =
            atmos_strfmt("keychain entry %s: %s", it->u.keyring.key, sp[1] ? sp + 2 : "failed");
    }
}

/* Both sides of one exchange: the child reads the request, the parent fills `global`. */
struct exchange {
    struct atmos_item **items;
    size_t n;
    int dry_run;
    const char *addr; /* the session bus the child talks to */
    char global[600]; /* a "*" line: the reason for every item */
};

static void run_child(int out, void *ctx)
{
    const struct exchange *x = ctx;
    setenv("DBUS_SESSION_BUS_ADDRESS", x->addr, 1);
    child(out, x->items, x->n, x->dry_run);
}

static void on_line(char *line, void *ctx)
{
    struct exchange *x = ctx;
    apply(x->items, x->n, line, x->global, sizeof(x->global));
}

void atmos_secret_run(struct atmos_item **items, size_t n, int dry_run, int timeout_ms,
                      const struct atmos_logger *lg)
{
    char addr[1024];
    if (n == 0)
        return;
    if (bus_address(addr, sizeof(addr)) != 0) {
        fail_rest(items, n, "Secret Service unavailable: no session bus", 1);
        return;
    }
    struct exchange x = {.items = items, .n = n, .dry_run = dry_run, .addr = addr};
    struct atmos_child c = {
        .name = "Secret Service",
        .timeout_ms = timeout_ms > 0 ? timeout_ms : DEFAULT_TIMEOUT_MS,
        .run = run_child,
        .line = on_line,
        .ctx = &x,
        .lg = lg,
    };
    switch (atmos_child_run(&c)) {
    case ATMOS_CHILD_NO_PIPE:
        fail_rest(items, n, "Secret Service unavailable: cannot create a pipe", 0);
        break;
    case ATMOS_CHILD_NO_FORK:
        fail_rest(items, n, "Secret Service unavailable: cannot fork", 0);
        break;
    case ATMOS_CHILD_TIMEOUT:
        fail_rest(items, n, "Secret Service timed out", 0);
        break;
    case ATMOS_CHILD_DONE:
        /* Items the child never named: the reason it gave for all, or it stopped early. */
        if (x.global[0])
            fail_rest(items, n, x.global, 1);
        else
            fail_rest(items, n, "Secret Service stopped answering", 0);
        break;
    }
}
