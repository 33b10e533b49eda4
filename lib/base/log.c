/*
 * Errors, log dispatch and timestamps.
 */
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>
#include <time.h>

#include <atmos/error.h>
#include <atmos/log.h>

int atmos_fail(struct atmos_err *err, int status, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return status;
}

void atmos_log(const struct atmos_logger *lg, enum atmos_log_level level, const char *fmt, ...)
{
    if (lg == NULL || lg->fn == NULL || level > lg->max_level)
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    lg->fn(lg->ctx, level, msg);
}

enum atmos_log_level atmos_log_level_parse(const char *s, enum atmos_log_level dflt)
{
    if (s == NULL || *s == '\0')
        return dflt;
    if (strcasecmp(s, "trace") == 0 || strcasecmp(s, "debug") == 0)
        return ATMOS_LOG_DEBUG;
    if (strcasecmp(s, "info") == 0)
        return ATMOS_LOG_INFO;
    if (strcasecmp(s, "warning") == 0 || strcasecmp(s, "warn") == 0)
        return ATMOS_LOG_WARN;
    if (strcasecmp(s, "off") == 0 || strcasecmp(s, "error") == 0)
        return ATMOS_LOG_ERROR;
    return dflt;
}

void atmos_log_timestamp(char *buf, size_t len, long long t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, len, "1970-01-01T00:00:00Z");
}
