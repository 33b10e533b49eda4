#!/usr/bin/python3
"""Session data for atmos-logout --status (tests/e2e/test_status.sh): the files
`atmos auth login` and the tools leave, in their own formats, with known
expirations (LIVE: two hours from now, PAST: three hours ago), and the secret
CANARY in every file where a token, key or secret goes.

usage: status_fixture.py HOME CANARY [only-expired]

Realm r1 is the configuration's (auth.realm: r1); realm r2 is on disk only.
With only-expired: every expiry written is past and nothing records none.
"""
import base64
import hashlib
import json
import os
import sys
import time

HOME, CANARY = sys.argv[1], sys.argv[2]
ONLY_EXPIRED = len(sys.argv) > 3 and sys.argv[3] == "only-expired"
NOW = int(time.time())
LIVE = NOW + 2 * 3600
PAST = NOW - 3 * 3600
if ONLY_EXPIRED:
    LIVE = PAST
URL = "https://example-org.awsapps.com/start"
ENV = "login.microsoftonline.com"
AZ_CLIENT = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
MGMT = "https://management.core.windows.net//.default"


def rfc3339(t, go=False):
    """Go's time.Time marshals fractions and an offset; botocore writes Z."""
    s = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t))
    return s + ".123456789+00:00" if go else s + "Z"


def write(rel, data, mode=0o600):
    path = os.path.join(HOME, rel)
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    text = data if isinstance(data, str) else json.dumps(data, indent=2)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def section(name, expiry):
    """atmos's credentials section (pkg/auth/cloud/aws/files.go WriteCredentials)."""
    head = "; atmos: expiration=%s\n" % rfc3339(expiry) if expiry else ""
    return ("%s[%s]\naws_access_key_id = ASIA%s\naws_secret_access_key = %s\n"
            "aws_session_token = %s\n\n" % (head, name, CANARY, CANARY, CANARY))


sha1 = lambda s: hashlib.sha1(s.encode()).hexdigest()

# AWS, realm r1: dev-admin live, prod-ro expired; aws/user ci-user with no expiry written.
write(".config/atmos/r1/aws/aws-sso/credentials",
      section("dev-admin", LIVE) + section("prod-ro", PAST))
write(".config/atmos/r1/aws/aws-sso/config",
      "[profile dev-admin]\nregion = us-east-1\n\n[profile prod-ro]\nregion = us-east-1\n")
write(".config/atmos/r1/aws/aws-user/credentials",
      section("ci-user", None if not ONLY_EXPIRED else PAST))
# atmos's SSO session (providers/aws/sso_cache.go): expired; the AWS CLI's token: live.
write(".cache/atmos/aws-sso/sessions/%s.json" % sha1(URL + "|us-east-1"), {
    "accessToken": CANARY, "expiresAt": rfc3339(PAST, go=True), "region": "us-east-1",
    "startUrl": URL, "refreshToken": CANARY, "clientId": "cid", "clientSecret": CANARY,
    "registrationExpiresAt": rfc3339(LIVE, go=True)})
write(".aws/sso/cache/%s.json" % sha1(URL), {
    "startUrl": URL, "region": "us-east-1", "accessToken": CANARY, "expiresAt": rfc3339(LIVE)})
# aws/user's browser sign-in (identities/aws/webflow.go): expired.
write(".cache/atmos/aws-webflow/ci-user-r1/refresh.json", {
    "refreshToken": CANARY, "region": "us-east-1", "expiresAt": rfc3339(PAST, go=True)})

# Azure, realm r1: atmos's credentials live, its MSAL cache expired (Unix seconds in a string),
# the device-code cache expired.
write(".azure/atmos/r1/azure-dc/credentials.json", {
    "access_token": CANARY, "token_type": "Bearer", "expiration": rfc3339(LIVE),
    "tenant_id": "T1", "subscription_id": "S1", "home_account_id": "O1.T1"})
at = "O1.T1-%s-accesstoken-%s-T1-%s" % (ENV, AZ_CLIENT, MGMT)
write(".azure/atmos/r1/msal_token_cache.json", {
    "AccessToken": {at: {"home_account_id": "O1.T1", "environment": ENV,
                         "credential_type": "AccessToken", "client_id": AZ_CLIENT,
                         "secret": CANARY, "realm": "T1", "target": MGMT,
                         "cached_at": str(PAST - 60), "expires_on": str(PAST),
                         "extended_expires_on": str(PAST)}},
    "RefreshToken": {}, "IdToken": {}, "Account": {}, "AppMetadata": {}})
write(".cache/atmos/azure-device-code/azure-dc/token.json", {
    "accessToken": CANARY, "tokenType": "Bearer", "expiresAt": rfc3339(PAST, go=True),
    "tenantId": "T1", "subscriptionId": "S1"})

# The Azure CLI's cache: alice's (the login's, O1.T1) access token expired; bob's own
# `az login` (O9.T9) live, which is not atmos's and must not count.
def at_entry(hid, tenant, expiry):
    key = "%s-%s-accesstoken-%s-%s-%s" % (hid, ENV, AZ_CLIENT, tenant, MGMT)
    return key, {"home_account_id": hid, "environment": ENV, "credential_type": "AccessToken",
                 "client_id": AZ_CLIENT, "secret": CANARY, "realm": tenant, "target": MGMT,
                 "cached_at": str(PAST - 60), "expires_on": str(expiry),
                 "extended_expires_on": str(expiry)}


write(".azure/msal_token_cache.json", {
    "AccessToken": dict([at_entry("O1.T1", "T1", PAST), at_entry("O9.T9", "T9", NOW + 86400)]),
    "RefreshToken": {}, "IdToken": {}, "Account": {
        "O1.T1-%s-T1" % ENV: {"home_account_id": "O1.T1", "environment": ENV, "realm": "T1",
                              "local_account_id": "O1", "username": "alice@example.com",
                              "authority_type": "MSSTS"}}, "AppMetadata": {}})

# Google Cloud, realm r1: gcp-sa live, gcp-sa2 expired (cloud/gcp/files.go).
for ident, exp in (("gcp-sa", LIVE), ("gcp-sa2", PAST)):
    base = ".config/atmos/r1/gcp/gcp-adc"
    write("%s/adc/%s/application_default_credentials.json" % (base, ident), {
        "type": "authorized_user", "access_token": CANARY, "client_id": "c",
        "client_secret": CANARY, "token_expiry": rfc3339(exp)})
    write("%s/adc/%s/access_token" % (base, ident), "%s\n%s\n" % (CANARY, rfc3339(exp)))
    write("%s/config/%s/properties" % (base, ident), "[core]\nproject = p-%s\n" % ident)

# GitHub STS in realm r1 (integrations/github/sts.go): one token live, one expired.
d = ".local/share/atmos/auth/github-sts/r1/ci"
write(d + "/state.json", {"tokens": [
    {"host": "github.com", "owner": "org1", "token": CANARY, "expiresAt": rfc3339(LIVE)},
    {"host": "github.com", "owner": "org2", "token": CANARY, "expiresAt": rfc3339(PAST)}]})
write(d + "/git.config", '[url "https://x-access-token:%s@github.com/org1/"]\n'
      "\tinsteadOf = https://github.com/org1/\n" % CANARY)

# docker's ECR login of dev-admin's integration: docker records no expiry.
write(".docker/config.json", {"auths": {"111111111111.dkr.ecr.us-east-1.amazonaws.com": {
    "auth": base64.b64encode(("AWS:" + CANARY).encode()).decode()}}})

# Realm r2, on disk only (another project's atmos.yaml): a live login of other-sso.
write(".config/atmos/r2/aws/other-sso/credentials", section("other-id", LIVE))

if ONLY_EXPIRED:
    # Nothing that records no expiry: no docker login, no git.config.
    os.unlink(os.path.join(HOME, ".docker/config.json"))
