/*
 * When a cloud's session data expires, as the cloud that plans it declares
 * (the `expiries` table of its struct atmos_cloud, lib/cloud_*.c): for each
 * label of item it plans, which file holds the time and in which field.
 * lib/plan/status.c reads them for `atmos-logout --status`; nothing else does.
 *
 * Only the field named is read out of a file: the time.  Tokens, keys and
 * secrets in the same file are never copied anywhere.
 */
#ifndef ATMOS_EXPIRY_H
#define ATMOS_EXPIRY_H

enum atmos_expiry_format {
    /* A credential whose files record no expiry (a docker login, a browser profile): it may
     * work until it is removed, and counts as live. */
    ATMOS_EXPIRY_NOT_WRITTEN,
    /* Holds no credential (a profile's region, a list of names, lock files). */
    ATMOS_EXPIRY_NONE,
    /* atmos's "; atmos: expiration=<RFC 3339>" comment above an INI section (its
     * credentials files): the item's section, or every section of `file`. */
    ATMOS_EXPIRY_INI,
    /* A JSON object: the time at `keys`, in the root or in each member of `each`. */
    ATMOS_EXPIRY_JSON,
};

struct atmos_expiry {
    const char *label; /* the items it is for, by their label; NULL ends a table */
    enum atmos_expiry_format format;
    /* Where the time is: relative to the item's directory (a directory item: to the
     * directory itself); a component "*" is every entry there.  NULL: the item's own file. */
    const char *file;
    /* JSON: a top-level member (an array, or an object of entries) whose members each
     * hold a time; NULL: the root holds it.  For an item of entries of another tool's
     * file (ATMOS_ITEM_JSON_ENTRIES), only the members its rule matches. */
    const char *each;
    const char *const *keys; /* JSON: the members down to the time, NULL-terminated */
    int unix_time;           /* the time is Unix seconds (a number or a string of digits) */
    const char *field;       /* for people and JSON: where the time was read ("expiresAt") */
};

#endif
