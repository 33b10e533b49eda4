/*
 * Logging hooks.  The engine reports through a callback so that the CLI can
 * print to stderr and the PAM module can use syslog.  Messages never contain
 * secrets: the engine logs paths, names and counts, never file contents.
 */
#ifndef ATMOS_LOG_H
#define ATMOS_LOG_H

#include <stddef.h>

enum atmos_log_level { ATMOS_LOG_ERROR, ATMOS_LOG_WARN, ATMOS_LOG_INFO, ATMOS_LOG_DEBUG };

struct atmos_logger {
    void (*fn)(void *ctx, enum atmos_log_level level, const char *msg);
    void *ctx;
    enum atmos_log_level max_level; /* messages above this are dropped */
};

void atmos_log(const struct atmos_logger *lg, enum atmos_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Parse ATMOS_LOGS_LEVEL (Trace, Debug, Info, Warning, Off; case-insensitive). */
enum atmos_log_level atmos_log_level_parse(const char *s, enum atmos_log_level dflt);

/* "2025-10-17T10:15:30Z" for `t` in UTC; buf must hold 21 bytes. */
void atmos_log_timestamp(char *buf, size_t len, long long t);

#endif
