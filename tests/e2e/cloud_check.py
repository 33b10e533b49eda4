#!/usr/bin/python3
"""Read the Azure CLI's and docker's files back with their own readers and
print what is in them, one fact per line, for the end-to-end tests to grep.

  cloud_check.py msal FILE      accounts and tokens, through msal.SerializableTokenCache
  cloud_check.py profile FILE   subscriptions of azureProfile.json (BOM kept by az)
  cloud_check.py sp FILE        service principals of service_principal_entries.json
  cloud_check.py docker FILE    docker's config.json, parsed by `python3 -m json.tool`
"""
import json
import subprocess
import sys

what, path = sys.argv[1], sys.argv[2]

if what == "msal":
    import msal
    cache = msal.SerializableTokenCache()
    with open(path, encoding="utf-8") as f:
        cache.deserialize(f.read())
    T = msal.TokenCache.CredentialType
    for a in cache.find(T.ACCOUNT):
        print("account", a["home_account_id"], a.get("username", ""))
    for kind, name in ((T.ACCESS_TOKEN, "access_token"), (T.REFRESH_TOKEN, "refresh_token"),
                       (T.ID_TOKEN, "id_token")):
        for t in cache.find(kind):
            print(name, t.get("home_account_id") or "-", t.get("client_id"), t.get("realm", ""))
    for k in cache._cache.get("AppMetadata", {}):
        print("appmetadata", k)
elif what == "profile":
    with open(path, encoding="utf-8-sig") as f:
        prof = json.load(f)
    print("installationId", prof["installationId"])
    for s in prof["subscriptions"]:
        print("subscription", s["id"], s["tenantId"], s["user"]["name"])
elif what == "sp":
    with open(path, encoding="utf-8") as f:
        for e in json.load(f):
            print("sp", e["client_id"], e["tenant"])
elif what == "docker":
    out = subprocess.run([sys.executable, "-m", "json.tool", path], check=True,
                         capture_output=True, text=True).stdout
    cfg = json.loads(out)
    for k in sorted(cfg.get("auths", {})):
        print("auth", k, cfg["auths"][k].get("auth"))
    for k in sorted(cfg):
        if k != "auths":
            print("key", k, json.dumps(cfg[k]))
