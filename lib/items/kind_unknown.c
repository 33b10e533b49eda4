/*
 * An UNKNOWN item: a kind whose session data we do not know, or an entry
 * skipped because atmos would refuse it where it is used.  Said by name, so
 * that no logout of it reads as complete.
 */
#include <stdlib.h>

#include "base/strings.h"
#include "items/kinds.h"
#include "items/run.h"

/* An item of a kind this build does not know how to clean: said, never skipped quietly. */
void atmos_run_unknown(struct atmos_run *r, struct atmos_item *it)
{
    (void)r;
    it->outcome = ATMOS_OUTCOME_FAILED;
    if (it->u.unknown.skipped == 2) {
        /* atmos cannot have logged in with it: said on stderr at load, in JSON here. */
        it->outcome = ATMOS_OUTCOME_SKIPPED;
        it->error = atmos_strfmt("%s: %s; atmos cannot log in with it, so it left nothing",
                                 it->label, it->u.unknown.what ? it->u.unknown.what : "");
    } else if (it->u.unknown.skipped == 3) /* a name given that is not configured */
        it->error = atmos_strfmt("%s \"%s\" not found in configuration", it->label,
                                 it->u.unknown.what ? it->u.unknown.what : "");
    else if (it->u.unknown.skipped)
        it->error = atmos_strfmt("%s: %s; nothing of it was removed", it->label,
                                 it->u.unknown.what ? it->u.unknown.what : "");
    else
        it->error = atmos_strfmt("%s %s: atmos-logout does not know what its logins leave; nothing "
                                 "of it was removed",
                                 it->label, it->u.unknown.what ? it->u.unknown.what : "");
}

void atmos_free_unknown(struct atmos_item *it)
{
    free(it->u.unknown.what);
}

const char *atmos_what_unknown(const struct atmos_item *it)
{
    return it->u.unknown.what;
}

const char *atmos_json_unknown(const struct atmos_item *it)
{
    return it->u.unknown.skipped == 3 ? "not_found" : "unknown_kind";
}

int atmos_text_unknown(const struct atmos_item *it, const char *shown, int dry,
                       struct atmos_buf *out)
{
    (void)shown;
    (void)dry;
    return atmos_buf_printf(out, "%s %s", it->label, it->u.unknown.what ? it->u.unknown.what : "");
}
