/*
 * pam_atmos/options.c compiled into the runner here, so that the runner can
 * read its static table: the names must be sorted, since lookups use bsearch
 * and an option out of order would quietly become "unknown".
 */
#include "../../pam_atmos/options.c"

#include "fakepam.h"

size_t fp_option_count(void)
{
    return sizeof(table) / sizeof(*table);
}

const char *fp_option_name(size_t i)
{
    return table[i].name;
}
