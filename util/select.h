/*
 * The interactive selector for atmos-logout (see select.c).
 */
#ifndef ATMOS_SELECT_H
#define ATMOS_SELECT_H

#include <stdio.h>

#include <atmos/config.h>

enum atmos_choice_kind { ATMOS_CHOICE_IDENTITY, ATMOS_CHOICE_PROVIDER, ATMOS_CHOICE_ALL };

struct atmos_choice {
    enum atmos_choice_kind kind;
    const char *name; /* points into the configuration; NULL for all */
};

/* 1 chosen (*out set), 0 cancelled (q, Esc, Ctrl-D), 2 interrupted (Ctrl-C), -1 no usable
 * terminal. */
int atmos_select(const struct atmos_config *cfg, struct atmos_choice *out, int color);

/*
 * "? QUESTION [y/N] ", answered by one key on the terminal: 1 y, 0 n, Enter (the default), q,
 * Esc or Ctrl-D; 2 Ctrl-C; -1 no usable terminal.  The answer is echoed as "yes" or "no".
 */
int atmos_confirm(const char *question, int color);
/* Without a terminal: the choices and how to name one. */
void atmos_print_choices(FILE *out, const struct atmos_config *cfg);

#endif
