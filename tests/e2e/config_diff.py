#!/usr/bin/env python3
"""atmos's view of a configuration against ours.

    config_diff.py ATMOS OURS WORKDIR ATMOS_SRC DOC

Inputs: every directory holding an atmos.yaml among atmos's own examples and
test fixtures (read in place from the Go module cache, ATMOS_SRC, never
copied), and configurations this script generates (imports, atmos.d/,
profiles, env:, anchors and merge keys, odd names).  For each, with the
directory as the working directory and a throwaway HOME:
  atmos:  `atmos describe config -f json` (auth.identities, auth.providers,
          auth.realm) and whether `atmos auth list` accepts it;
  ours:   `atmos-logout --list-identities --output json`.
Compared: the names of identities and providers, each one's kind and via, and
the realm.  A divergence passes only when it is one of DOC's documented
deliberate differences (rows '| D<n> | ... |'); each case prints ok / not ok.
"""
import json
import os
import random
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

ATMOS, OURS, WORK, SRC, DOC = sys.argv[1:6]
HOME = os.path.join(WORK, "home")


def env():
    e = {k: v for k, v in os.environ.items() if not k.startswith(("ATMOS_", "XDG_"))}
    e.update(HOME=HOME, ATMOS_TELEMETRY_ENABLED="false", NO_COLOR="1", LC_ALL="C.UTF-8",
             HTTPS_PROXY="http://127.0.0.1:9", ATMOS_LOGS_LEVEL="Warning")
    return e


def run(argv, cwd):
    try:
        return subprocess.run(argv, cwd=cwd, env=env(), stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return None


def view_atmos(cwd):
    p = run([ATMOS, "describe", "config", "-f", "json"], cwd)
    if p is None or p.returncode != 0:
        return None, "describe config failed: " + (p.stderr.strip().splitlines() or ["timeout"])[-1][:200] if p else "timeout"
    auth = (json.loads(p.stdout) or {}).get("auth") or {}
    q = run([ATMOS, "auth", "list", "--format", "json"], cwd)
    accepted = q is not None and q.returncode == 0
    return {"identities": norm(auth.get("identities")), "providers": norm(auth.get("providers")),
            "realm": auth.get("realm") or None, "accepted": accepted,
            "why": "" if accepted else (q.stderr.strip().splitlines() or ["?"])[-1][:200] if q else "timeout"}, None


def view_ours(cwd):
    p = run([OURS, "--list-identities", "--output", "json"], cwd)
    if p is None or p.returncode != 0:
        return None, "exit %s: %s" % (p.returncode if p else "timeout", (p.stderr.strip() if p else "")[-200:])
    d = json.loads(p.stdout)
    skipped = {(s.get("identity") or s.get("provider") or "").lower(): s.get("reason", "")
               for s in d.get("skipped", [])}
    return {"identities": norm(d.get("identities")), "providers": norm(d.get("providers")),
            "realm": d.get("realm"), "skipped": skipped}, None


def norm(m):
    out = {}
    for name, v in (m or {}).items():
        v = v if isinstance(v, dict) else {}
        via = v.get("via") if isinstance(v.get("via"), dict) else {}
        out[str(name).lower()] = (v.get("kind") or None, via.get("provider") or None, via.get("identity") or None)
    return out


def documented():
    with open(DOC, encoding="utf-8") as f:
        return {m.group(1) for m in re.finditer(r"^\|\s*(D\d+)\s*\|", f.read(), re.M)}


def compare(a, o):
    """(verdict, detail): 'same', documented differences 'D<n>,...', or 'diverges'."""
    diffs = []
    for what in ("identities", "providers"):
        for name in sorted(set(a[what]) | set(o[what])):
            entry = what[:-1] if what == "providers" else "identity"
            if name in a[what] and name not in o[what]:
                reason = o["skipped"].get(name)
                dotted = [k for k in o["skipped"] if k.startswith(name + ".")]
                if reason is not None and not a["accepted"]:
                    diffs.append(("D1", f"{entry} {name}: skipped by us ({reason})"))
                elif reason is not None and "no via" in reason:
                    diffs.append(("D2", f"{entry} {name}: skipped by us ({reason})"))
                elif dotted:
                    diffs.append(("D3", f"{entry} {name}: atmos nests {dotted[0]}"))
                else:
                    diffs.append((None, f"{entry} {name}: missing from ours" +
                                  (f" (skipped: {reason})" if reason else "")))
            elif name not in a[what]:
                diffs.append((None, f"{entry} {name}: only in ours"))
            elif a[what][name] != o[what][name]:
                lower = tuple(v.lower() if isinstance(v, str) else v for v in a[what][name])
                code = "D4" if lower == o[what][name] else None
                diffs.append((code, f"{entry} {name}: atmos {a[what][name]}, ours {o[what][name]}"))
    if (a["identities"] or a["providers"]) and a["realm"] != o["realm"]:
        diffs.append((None, f"realm: atmos {a['realm']}, ours {o['realm']}"))
    bad = [d for c, d in diffs if c is None]
    if bad:
        return "diverges", "; ".join(bad)
    codes = sorted({c for c, _ in diffs})
    return (",".join(codes) if codes else "same"), "; ".join(d for _, d in diffs)


# The generator: configurations built from the features atmos's loader merges.
def generated(n, seed=33):
    rnd = random.Random(seed)
    kinds_p = ["aws/iam-identity-center", "aws/saml", "mock", "mock/aws", "azure/device-code", "gcp/adc",
               "github/oidc"]
    names = ["dev", "Prod-Admin", "ci_runner", "a.b", "x-y-z", "UPPER", "n0", "with space"]
    for i in range(n):
        d = os.path.join(WORK, "gen", f"c{i:03d}")
        os.makedirs(d)
        provs = {f"p{j}-{rnd.choice(names)}": rnd.choice(kinds_p) for j in range(rnd.randint(1, 3))}
        ids = {}
        for j in range(rnd.randint(1, 4)):
            p = rnd.choice(list(provs))
            ids[f"i{j}-{rnd.choice(names)}"] = ("aws/permission-set" if provs[p].startswith("aws")
                                                 else provs[p] if provs[p].startswith("mock")
                                                 else "azure/subscription" if provs[p].startswith("azure")
                                                 else "gcp/service-account" if provs[p].startswith("gcp")
                                                 else "aws/assume-role", p)

        def prov_yaml(name, kind, anchor=False):
            spec = ("\n      start_url: https://x.awsapps.com/start\n      region: us-east-1"
                    if kind == "aws/iam-identity-center" else
                    "\n      url: https://idp.example/saml\n      region: us-east-1" if kind == "aws/saml" else
                    "\n      tenant_id: t\n      subscription_id: s" if kind.startswith("azure") else "")
            return f"    {json.dumps(name)}:{' &p' + str(i) if anchor else ''}\n      kind: {kind}{spec}\n"

        def id_yaml(name, kind, p):
            extra = {"aws/permission-set": "\n      principal:\n        name: Admin\n        account:\n          id: \"123456789012\"",
                     "aws/assume-role": "\n      principal:\n        assume_role: arn:aws:iam::123456789012:role/x",
                     "azure/subscription": "\n      principal:\n        subscription_id: s",
                     "gcp/service-account": "\n      principal:\n        service_account_email: a@b.iam.gserviceaccount.com"}.get(kind, "")
            return f"    {json.dumps(name)}:\n      kind: {kind}\n      via:\n        provider: {json.dumps(p)}{extra}\n"

        feature = rnd.choice(["plain", "import", "atmos.d", "profile", "env", "anchor", "realm"])
        main = "auth:\n"
        if feature == "realm":
            main += f"  realm: realm-{i}\n"
        main += "  providers:\n" + "".join(prov_yaml(n_, k, feature == "anchor" and j == 0)
                                           for j, (n_, k) in enumerate(provs.items()))
        id_items = list(ids.items())
        inline, moved = (id_items[: len(id_items) // 2], id_items[len(id_items) // 2:]) \
            if feature in ("import", "atmos.d", "profile") else (id_items, [])
        main += "  identities:\n" + "".join(id_yaml(n_, k, p) for n_, (k, p) in inline) if inline else ""
        if feature == "anchor":
            main += "x-extra:\n  copy:\n    <<: *p" + str(i) + "\n"
        if feature == "env":
            main = f"env:\n  ATMOS_AUTH_REALM: env-realm-{i}\n" + main
        other = "auth:\n  identities:\n" + "".join(id_yaml(n_, k, p) for n_, (k, p) in moved) if moved else ""
        if feature == "import" and moved:
            main = "import:\n  - extra/auth.yaml\n" + main
            os.makedirs(os.path.join(d, "extra"))
            open(os.path.join(d, "extra", "auth.yaml"), "w").write(other)
        elif feature == "atmos.d" and moved:
            os.makedirs(os.path.join(d, "atmos.d"))
            open(os.path.join(d, "atmos.d", "auth.yaml"), "w").write(other)
        elif feature == "profile" and moved:
            # A profile atmos loads only with --profile / ATMOS_PROFILE: neither side reads it here.
            os.makedirs(os.path.join(d, "profiles", "extra"))
            open(os.path.join(d, "profiles", "extra", "auth.yaml"), "w").write(other)
        open(os.path.join(d, "atmos.yaml"), "w").write(main)
        yield d, f"generated {feature}"


def mentions_auth(d):
    """Whether a directory's YAML could hold auth: some file names identities or providers,
    or its atmos.yaml imports (what it imports may be elsewhere)."""
    for dd, _, files in os.walk(d):
        for f in files:
            if f.endswith((".yaml", ".yml")):
                try:
                    text = open(os.path.join(dd, f), encoding="utf-8", errors="replace").read()
                except OSError:
                    continue
                if "identities:" in text or "providers:" in text or \
                        (f == "atmos.yaml" and dd == d and "import:" in text):
                    return True
    return False


def judge(case):
    d, _ = case
    a, _ = view_atmos(d)
    if a is None:
        return "atmos cannot load", ""  # nothing to judge by: atmos itself does not load it
    if not a["identities"] and not a["providers"]:
        return "no auth", ""
    o, why_o = view_ours(d)
    if o is None:
        return (("D1", "atmos's auth refuses it too, ours: " + why_o) if not a["accepted"]
                else ("diverges", "ours refused it: " + why_o))
    return compare(a, o)


def main():
    os.makedirs(HOME, exist_ok=True)
    docs = documented()
    inputs = []
    for top in ("examples", "tests/fixtures"):
        for d, dirs, files in os.walk(os.path.join(SRC, top)):
            dirs.sort()
            if "atmos.yaml" in files:
                inputs.append((d, os.path.relpath(d, SRC)))
    n_gen = int(os.environ.get("CONFIG_DIFF_GENERATED", "60"))
    counts = {}
    fails = 0
    cases = [(d, label) for d, label in inputs if mentions_auth(d)]
    counts["no auth (no file mentions it, no import)"] = len(inputs) - len(cases)
    cases += list(generated(n_gen))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        judged = list(pool.map(judge, cases))
    for (d, label), (verdict, detail) in zip(cases, judged):
        counts[verdict] = counts.get(verdict, 0) + 1
        if verdict in ("atmos cannot load", "no auth"):
            continue
        ok = verdict == "same" or all(c in docs for c in verdict.split(","))
        fails += not ok
        print(f"{'ok' if ok else 'not ok'} - configuration {label}: {verdict}"
              + (f" ({detail})" if detail and not ok else ""))
    print("# " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
