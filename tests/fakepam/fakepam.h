/*
 * The fake libpam's handle, as the runner sets it up and reads it back
 * (tests/fakepam/pam.c implements the pam_* functions the module calls).
 */
#ifndef FAKEPAM_H
#define FAKEPAM_H

#include <pwd.h>
#include <stddef.h>

#include <security/pam_modules.h>

#define FP_MAX_ENV 32
#define FP_MAX_DATA 16
#define FP_MAX_LINES 512

struct fp_data {
    char *name;
    void *data;
    void (*cleanup)(pam_handle_t *, void *, int);
};

struct pam_handle {
    char *user, *tty, *rhost, *service, *xdisplay, *ruser;
    char *env[FP_MAX_ENV + 1];
    struct fp_data data[FP_MAX_DATA];
    int ndata;
    /* The passwd entry pam_modutil_getpwnam gives for `user` (none when !has_pw). */
    struct passwd pw;
    int has_pw;
    /* Every line the module logged ("PRIO text") or said to the user ("CONV text"). */
    char *lines[FP_MAX_LINES];
    int nlines;
};

/* The options table of pam_atmos/options.c (tests/fakepam/options_table.c). */
size_t fp_option_count(void);
const char *fp_option_name(size_t i);

#endif
