/*
 * The console profile's name (clouds/console.c), for its tests.
 */
#ifndef ATMOS_CLOUD_CONSOLE_H
#define ATMOS_CLOUD_CONSOLE_H

/* 16 lowercase hex digits of sha256(realm "/" identity) (cmd/auth/console.go
 * consoleSessionDir); "" on allocation failure. */
void atmos_console_profile_name(const char *realm, const char *identity, char out[17]);

#endif
