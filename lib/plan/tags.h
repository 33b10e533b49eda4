/*
 * --tags: the providers and identities a list of tags selects (plan/tags.c).
 */
#ifndef ATMOS_PLAN_TAGS_H
#define ATMOS_PLAN_TAGS_H

#include <atmos/config.h>
#include <atmos/error.h>

struct atmos_tagged {
    char **providers; /* carrying a tag: a provider logout each */
    size_t nproviders;
    char **identities; /* carrying a tag themselves: an identity logout each */
    size_t nidentities;
};

/*
 * What `list` selects.  ATMOS_ENOTFOUND when nothing carries any of its
 * tags (err names them, and the tags that are configured); ATMOS_EINVAL for
 * a list of no tags.  *out is freed on failure.
 */
int atmos_tags_select(const struct atmos_config *cfg, const char *list, struct atmos_tagged *out,
                      struct atmos_err *err);
void atmos_tagged_free(struct atmos_tagged *t);

#endif
