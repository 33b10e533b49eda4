/*
 * Azure's accounts (clouds/azure/accounts.c): which account a login of
 * atmos's is for, read from atmos's own files, and the rules that find that
 * account's entries in the Azure CLI's files.
 */
#ifndef ATMOS_CLOUDS_AZURE_H
#define ATMOS_CLOUDS_AZURE_H

#include <json-c/json.h>

#include <atmos/plan.h>

/* The account a login is for, from atmos's files.  Identifiers, no secrets. */
struct atmos_azure_account {
    char *home_account_id; /* MSAL's <oid>.<home tenant> when atmos recorded it */
    char *oid_tid;         /* <oid>.<tenant>, from the access token */
    char *tenant;
    char *client_id;
    char *subscription;
    char *username; /* upn, unique_name or email of the token */
    int sp;         /* a service principal (azure/oidc) */
    int from_cli;   /* minted by az itself */
};

void atmos_azure_account_free(struct atmos_azure_account *a);
/* The account a credentials.json or device-code token (f) is for: ATMOS_OK or ATMOS_ENOMEM. */
int atmos_azure_account_from(json_object *f, struct atmos_azure_account *a);

/* MSAL caches (a user's entries; a service principal's), azureProfile.json's
 * subscriptions, service_principal_entries.json's entries. */
extern const struct atmos_json_rule atmos_azure_user_rule, atmos_azure_sp_rule,
    atmos_azure_subscription_rule, atmos_azure_sp_entry_rule;

#endif
