/*
 * atmos-logout --user NAME (util/asuser.c).
 */
#ifndef ATMOS_CLI_ASUSER_H
#define ATMOS_CLI_ASUSER_H

#include "options.h"

/*
 * As root, for another user: the rest of the run goes on in a child that has
 * become a->user (-1 returned there: carry on); root's process waits for it
 * and returns its exit status.  -1 too when there is nothing to switch
 * (oneself, or root).  A user that does not exist, or a caller that is not
 * root: an error and its exit status.
 */
int atmos_cli_run_as_user(struct atmos_args *a);

#endif
