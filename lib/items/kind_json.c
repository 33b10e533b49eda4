/*
 * Executing a JSON_ENTRIES item: the login's entries of another tool's JSON
 * file, removed by the editor (formats/jsonedit.c) under the tool's lock.
 */
#include <stdlib.h>
#include <unistd.h>

#include "formats/jsonedit.h"
#include "items/kinds.h"
#include "items/run.h"

void atmos_run_json(struct atmos_run *r, struct atmos_item *it)
{
    struct atmos_err why;
    int dfd = -1;
    int rc = atmos_json_edit(&r->fs, it, r->opts->dry_run, r->opts->lock_timeout_ms, &dfd, &why);
    if (dfd >= 0) {
        atmos_log(r->opts->log, ATMOS_LOG_DEBUG, "Removed %zu entries path=%s", it->u.json.entries,
                  it->path);
        rc = atmos_run_note_change(r, it, dfd, rc, &why);
        close(dfd);
    }
    atmos_run_outcome(r, it, rc, &why);
}

void atmos_free_json(struct atmos_item *it)
{
    for (int m = 0; m < ATMOS_JSON_IDS; m++)
        free(it->u.json.ids[m]);
    free(it->u.json.what);
}

const char *atmos_what_json(const struct atmos_item *it)
{
    return it->u.json.what;
}

int atmos_text_json(const struct atmos_item *it, const char *shown, int dry,
                    struct atmos_buf *out)
{
    const struct atmos_item_json *js = &it->u.json;
    (void)dry;
    int rc = atmos_text_entries(it, js->what, js->entries, shown, out);
    /* The documented difference: a reader that keeps the last of a name sees the earlier. */
    if (rc == ATMOS_OK && js->unmasked)
        rc = atmos_buf_printf(out, " (%zu %s of the same name, not the login's, now read in %s place)",
                              js->unmasked, js->unmasked == 1 ? "earlier entry" : "earlier entries",
                              js->unmasked == 1 ? "its" : "their");
    return rc;
}

int atmos_text_entries(const struct atmos_item *it, const char *what, size_t entries,
                       const char *shown, struct atmos_buf *out)
{
    int rc = atmos_buf_printf(out, "%s: %s", it->label, what ? what : "entries");
    if (rc == ATMOS_OK && entries)
        rc = atmos_buf_printf(out, " (%zu %s)", entries, entries == 1 ? "entry" : "entries");
    return rc == ATMOS_OK ? atmos_buf_printf(out, " in %s", shown) : rc;
}
