/*
 * Executing SIGNOUT items, first of all, while the token files still exist.
 */
#include <stdlib.h>

#include "items/kinds.h"
#include "items/run.h"
#include "sys/http.h"

/*
 * Sign-outs come first, while the token files still exist: each kind of
 * sign-out (its cloud's) is given all its items at once and queues its
 * requests, and every kind's requests then go out together (sys/http.c), so
 * the phase has one bound however many clouds take part.  Whatever happens
 * there, the files are removed afterwards, and no outcome of it is part of
 * the exit status.
 */
struct started {
    const struct atmos_signout_kind *how;
    void *state;
};

void atmos_run_signouts(struct atmos_plan *plan, struct atmos_run *r)
{
    static const struct atmos_env none;
    struct atmos_item **batch = NULL;
    struct started *kinds = NULL;
    struct atmos_http_batch http = {0};
    size_t nkinds = 0, used = 0;
    for (size_t i = 0; i < plan->nitems; i++) {
        const struct atmos_signout_kind *how = plan->items[i].u.signout.how;
        size_t n = 0, j;
        if (plan->items[i].kind != ATMOS_ITEM_SIGNOUT || how == NULL)
            continue;
        for (j = 0; j < i; j++) /* a kind already started */
            if (plan->items[j].kind == ATMOS_ITEM_SIGNOUT && plan->items[j].u.signout.how == how)
                break;
        if (j < i)
            continue;
        /* One array for every kind's items (each item is of one kind): nitems in all. */
        if ((batch == NULL && (batch = calloc(plan->nitems, sizeof(*batch))) == NULL) ||
            (kinds == NULL && (kinds = calloc(plan->nitems, sizeof(*kinds))) == NULL))
            break;
        for (j = i; j < plan->nitems; j++)
            if (plan->items[j].kind == ATMOS_ITEM_SIGNOUT && plan->items[j].u.signout.how == how &&
                !plan->items[j].skip)
                batch[used + n++] = &plan->items[j];
        kinds[nkinds].how = how;
        kinds[nkinds++].state = how->start(batch + used, n, plan->home, r->opts, &http);
        used += n;
    }
    atmos_http_run(&http, r->opts->env ? r->opts->env : &none, r->opts->log);
    for (size_t k = 0; k < nkinds; k++)
        if (kinds[k].state)
            kinds[k].how->finish(kinds[k].state, &http);
    atmos_http_free(&http);
    free(kinds);
    free(batch);
}

void atmos_free_signout(struct atmos_item *it)
{
    free(it->u.signout.arg);
    free(it->u.signout.where);
}

const char *atmos_what_signout(const struct atmos_item *it)
{
    return it->u.signout.where;
}

const char *atmos_json_signout(const struct atmos_item *it)
{
    return it->u.signout.how ? it->u.signout.how->name : "signout";
}
