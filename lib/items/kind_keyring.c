/*
 * Executing KEYRING items, batched per backend after every other item: the
 * Secret Service is one bounded child (sys/secret.c), the kernel keyring
 * one pass (sys/keyctl.c), and the file keyring's entries are files.
 */
#include <stdlib.h>
#include <string.h>

#include "items/kinds.h"
#include "items/run.h"
#include "sys/keyrings.h"

/* Keyring items, batched per backend: the Secret Service is one bounded child. */
void atmos_run_keyrings(struct atmos_plan *plan, struct atmos_run *r)
{
    struct atmos_item **batch = calloc(plan->nitems ? plan->nitems : 1, sizeof(*batch));
    if (batch == NULL) {
        for (size_t i = 0; i < plan->nitems; i++)
            if (plan->items[i].kind == ATMOS_ITEM_KEYRING) {
                plan->items[i].outcome = ATMOS_OUTCOME_FAILED;
                plan->items[i].error = strdup("out of memory");
            }
        return;
    }
    for (int b = ATMOS_KEYRING_SYSTEM; b <= ATMOS_KEYRING_KEYCTL; b++) {
        size_t n = 0;
        for (size_t i = 0; i < plan->nitems; i++)
            if (plan->items[i].kind == ATMOS_ITEM_KEYRING &&
                (int)plan->items[i].u.keyring.backend == b)
                batch[n++] = &plan->items[i];
        if (n == 0)
            continue;
        if (b == ATMOS_KEYRING_FILE)
            for (size_t i = 0; i < n; i++)
                atmos_run_file(r, batch[i]);
        else if (b == ATMOS_KEYRING_KEYCTL)
            atmos_keyctl_run(batch, n, r->opts->dry_run, r->opts->log);
        else
            atmos_secret_run(batch, n, r->opts->dry_run, r->opts->keyring_timeout_ms, r->opts->log);
    }
    free(batch);
}

void atmos_free_keyring(struct atmos_item *it)
{
    free(it->u.keyring.key);
}

int atmos_text_keyring(const struct atmos_item *it, const char *shown, int dry,
                       struct atmos_buf *out)
{
    (void)dry;
    const char *where = it->u.keyring.backend == ATMOS_KEYRING_SYSTEM   ? "Secret Service"
                        : it->u.keyring.backend == ATMOS_KEYRING_KEYCTL ? "kernel keyring"
                        : it->u.keyring.backend == ATMOS_KEYRING_FILE   ? "file keyring "
                                                                         : atmos_keyring_name(it->u.keyring.backend);
    return atmos_buf_printf(out, "keychain entry %s (%s%s)", it->u.keyring.key, where,
                            it->u.keyring.backend == ATMOS_KEYRING_FILE ? shown : "");
}
