#!/usr/bin/python3
"""Write what `atmos auth login` leaves for Azure, Google Cloud and registry
logins into a HOME, in atmos's own formats (pkg/auth/cloud/{azure,gcp,docker}),
next to what the user's own tools wrote (the decoys a logout must keep).

usage: cloud_fixture.py HOME [REALM]   (no REALM: atmos's paths without a realm)

Accounts: alice (oid O1, tenant T1) logged in through azure-dc (device code);
service principal C1 (tenant T1) through azure-ci (OIDC).  Decoys: bob's own
`az login` (O9/T9), another service principal C2, registry ghcr.io, realm "other".
"""
import base64
import json
import os
import sys

HOME = sys.argv[1]
REALM = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] else None
AZ_CLIENT = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
ENV = "login.microsoftonline.com"
MGMT = "https://management.core.windows.net//.default"


def jwt(claims):
    enc = lambda o: base64.urlsafe_b64encode(json.dumps(o).encode()).rstrip(b"=").decode()
    return "%s.%s.sig" % (enc({"alg": "none", "typ": "JWT"}), enc(claims))


ALICE = jwt({"oid": "O1", "tid": "T1", "upn": "alice@example.com"})
BOB = jwt({"oid": "O9", "tid": "T9", "upn": "bob@example.com"})
SP = jwt({"oid": "SPO", "tid": "T1", "appid": "C1"})


def write(rel, data, mode=0o600, bom=False):
    path = os.path.join(HOME, rel)
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    text = data if isinstance(data, str) else json.dumps(data, indent=2)
    with open(path, "wb") as f:
        f.write((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    os.chmod(path, mode)


def user_entries(hid, env, tenant, username, secret):
    """The MSAL entries of one signed-in user, keyed as MSAL keys them."""
    at = "%s-%s-accesstoken-%s-%s-%s" % (hid, env, AZ_CLIENT, tenant, MGMT)
    rt = "%s-%s-refreshtoken-%s--" % (hid, env, AZ_CLIENT)
    it = "%s-%s-idtoken-%s-%s-" % (hid, env, AZ_CLIENT, tenant)
    acct = "%s-%s-%s" % (hid, env, tenant)
    common = {"home_account_id": hid, "environment": env, "client_id": AZ_CLIENT}
    return {
        "AccessToken": {at: dict(common, credential_type="AccessToken", secret=secret,
                                 realm=tenant, target=MGMT, token_type="Bearer",
                                 cached_at="1700000000", expires_on="4102444800",
                                 extended_expires_on="4102444800")},
        "RefreshToken": {rt: dict(common, credential_type="RefreshToken", secret="rt-" + secret)},
        "IdToken": {it: dict(common, credential_type="IdToken", secret="id-" + secret, realm=tenant)},
        "Account": {acct: {"home_account_id": hid, "environment": env, "realm": tenant,
                           "local_account_id": hid.split(".")[0], "username": username,
                           "authority_type": "MSSTS", "account_source": "device_code"}},
    }


def sp_entries(client, tenant, secret):
    at = "-%s-accesstoken-%s-%s-%s" % (ENV, client, tenant, MGMT)
    return {
        "AccessToken": {at: {"credential_type": "AccessToken", "secret": secret,
                             "home_account_id": "", "environment": ENV, "client_id": client,
                             "realm": tenant, "target": MGMT, "token_type": "Bearer",
                             "cached_at": "1700000000", "expires_on": "4102444800",
                             "extended_expires_on": "4102444800"}},
        "AppMetadata": {"appmetadata-%s-%s" % (ENV, client.lower()):
                        {"environment": ENV, "client_id": client, "family_id": ""}},
    }


def merge(*caches):
    out = {"AccessToken": {}, "RefreshToken": {}, "IdToken": {}, "Account": {}, "AppMetadata": {}}
    for c in caches:
        for k, v in c.items():
            out[k].update(v)
    return out


def azure(realm, decoy_only=False):
    base = ".azure/atmos/" + realm if realm else ".azure/atmos"
    write(base + "/azure-dc/credentials.json", {
        "access_token": ALICE, "token_type": "Bearer", "expiration": "2099-01-01T00:00:00Z",
        "tenant_id": "T1", "subscription_id": "S1", "location": "eastus",
        "auth_method": "device_code", "home_account_id": "O1.T1"})
    write(base + "/azure-dc/credentials.json.lock", "")
    if decoy_only:
        return
    write(base + "/azure-ci/credentials.json", {
        "access_token": SP, "tenant_id": "T1", "subscription_id": "S3", "client_id": "C1",
        "is_service_principal": True, "auth_method": "oidc"})
    if realm:
        write(base + "/msal_token_cache.json", merge(user_entries("O1.T1", ENV, "T1",
                                                                  "alice@example.com", "realm-a")))


def main():
    azure(REALM)
    azure("other", decoy_only=True)  # another realm: never touched
    write(".cache/atmos/azure-device-code/azure-dc/token.json", {
        "accessToken": ALICE, "tokenType": "Bearer", "expiresAt": "2099-01-01T00:00:00Z",
        "tenantId": "T1", "subscriptionId": "S1"})
    write(".azure/msal_token_cache.json", merge(
        user_entries("O1.T1", ENV, "T1", "alice@example.com", "alice"),
        user_entries("O9.T9", ENV, "T9", "bob@example.com", "bob"),
        sp_entries("C1", "T1", "sp1"), sp_entries("C2", "T2", "sp2"),
        {"AppMetadata": {"appmetadata-%s-%s" % (ENV, AZ_CLIENT):
                         {"environment": ENV, "client_id": AZ_CLIENT, "family_id": "1"}}}))
    sub = lambda i, t, user, kind="user", default=False: {
        "id": i, "name": i, "state": "Enabled", "tenantId": t, "isDefault": default,
        "environmentName": "AzureCloud", "user": {"name": user, "type": kind}}
    write(".azure/azureProfile.json", {"installationId": "inst-1", "subscriptions": [
        sub("S9", "T9", "bob@example.com"), sub("S1", "T1", "alice@example.com", default=True),
        sub("S2", "T1", "alice@example.com"), sub("S3", "T1", "C1", "servicePrincipal"),
        sub("S1", "T9", "bob@example.com")]}, bom=True)
    write(".azure/service_principal_entries.json", [
        {"client_id": "C2", "tenant": "T2", "client_secret": "decoy"},
        {"client_id": "C1", "tenant": "T1", "client_assertion": "federated"}])

    for realm in (REALM, "other"):
        gbase = ".config/atmos/%sgcp/gcp-adc" % (realm + "/" if realm else "")
        for ident in ("gcp-sa", "gcp-sa2"):
            write("%s/adc/%s/application_default_credentials.json" % (gbase, ident), {
                "type": "authorized_user", "access_token": "ya29.x", "client_id": "c",
                "token_expiry": "2099-01-01T00:00:00Z"})
            write("%s/adc/%s/access_token" % (gbase, ident), "ya29.x")
            write("%s/config/%s/properties" % (gbase, ident),
                  "[core]\nproject = proj-%s\n\n[compute]\nregion = us-central1\n" % ident)
            write("%s/%s.identity.lock" % (gbase, ident), "")

    write(".docker/config.json", {
        "auths": {
            "111111111111.dkr.ecr.us-east-1.amazonaws.com": {"auth": "QVdTOmVjcg=="},
            "myacr.azurecr.io": {"auth": "MDAwMDAwMDA6YWNy"},
            "ghcr.io": {"auth": "dXNlcjpnaGNy"}},
        "credsStore": "", "psFormat": "table {{.ID}}\\t{{.Names}}"})


main()
