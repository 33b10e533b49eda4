/*
 * pam_open_session + pam_close_session through the real libpam, timed.
 *
 *   pambench CONFDIR SERVICE USER RUNS [SETUP-COMMAND]
 *
 * Each run: pam_start_confdir, open, close, pam_end; only open+close are
 * timed.  SETUP-COMMAND (run through sh before each run, not timed) puts the
 * user's files back.  Prints "median_ms p95_ms" for the runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <security/pam_appl.h>

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
    (void)msg;
    (void)data;
    *resp = calloc((size_t)n, sizeof(**resp));
    return *resp ? PAM_SUCCESS : PAM_BUF_ERR;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: pambench CONFDIR SERVICE USER RUNS [SETUP-COMMAND]\n");
        return 2;
    }
    int runs = atoi(argv[4]);
    double *ms = calloc((size_t)runs, sizeof(*ms));
    struct pam_conv c = {conv, NULL};
    for (int i = 0; i < runs; i++) {
        pam_handle_t *pamh = NULL;
        if (argc > 5 && system(argv[5]) != 0)
            return 1;
        if (pam_start_confdir(argv[2], argv[3], &c, argv[1], &pamh) != PAM_SUCCESS)
            return 1;
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        pam_open_session(pamh, 0);
        pam_close_session(pamh, 0);
        clock_gettime(CLOCK_MONOTONIC, &b);
        pam_end(pamh, PAM_SUCCESS);
        ms[i] = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    }
    qsort(ms, (size_t)runs, sizeof(*ms), cmp);
    printf("%.3f %.3f\n", ms[runs / 2],
           ms[(runs * 95) / 100 < runs ? (runs * 95) / 100 : runs - 1]);
    free(ms);
    return 0;
}
