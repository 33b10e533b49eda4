#!/usr/bin/env python3
"""The real atmos as the judge of what a logout removes.

    interop.py ATMOS OURS WORKDIR EXTRAS_DOC [TABLE_OUT]

The real atmos logs in (atmos auth login) to every identity of three
configurations, one per realm mode, into one HOME (and TMPDIR, where the
mock kinds write).  For every scope and realm mode, that state is copied,
`atmos auth logout SCOPE` runs on one copy and `atmos-logout SCOPE` on the
other, at the same absolute path, and the trees are compared, files and
file-keyring entries:
  (a) nothing atmos removes or changes is kept by us (else "missing");
  (b) what we remove beyond atmos matches a row of EXTRAS_DOC's table of
      documented extras (else "unexplained");
  (c) neither touches anything outside atmos's and the tools' files.
Prints "ok"/"not ok" lines, and the table kind x scope x realm mode
(same / extra / missing) on TABLE_OUT when given.
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time

ATMOS, OURS, WORK, EXTRAS_DOC = sys.argv[1:5]
TABLE_OUT = sys.argv[5] if len(sys.argv) > 5 else None
LIVE = os.path.join(WORK, "live")  # every run happens here: absolute paths are the same
HOME, TMP = os.path.join(LIVE, "home"), os.path.join(LIVE, "tmp")
PROJ = os.path.join(WORK, "proj")  # the configurations: outside the state, shared by the runs

# One configuration per realm mode.  base_path: the providers write under a
# base path of their own (spec.files.base_path), which mock/aws ignores.
KINDS = {
    "mock": ("mock", "mock"),
    "mock/aws": ("mock/aws", "mock/aws"),
}


def config(mode):
    lines = ["auth:"]
    if mode == "pinned":
        lines += ["  realm: pinned-realm"]
    lines += ["  providers:"]
    for k, (pk, _) in KINDS.items():
        tag = k.replace("/", "")
        lines += [f"    {tag}-p:", f"      kind: {pk}"]
        if mode == "base_path":
            lines += ["      spec:", "        files:", f"          base_path: {HOME}/.atmos-base"]
    # IAM Identity Center, against aws_sso_server.py (AWS_ENDPOINT_URL_SSO_OIDC, _SSO).
    lines += ["    corp-sso:", "      kind: aws/iam-identity-center",
              "      start_url: https://interop.awsapps.com/start", "      region: us-east-1"]
    if mode == "base_path":
        lines += ["      spec:", "        files:", f"          base_path: {HOME}/.atmos-base"]
    lines += ["  identities:"]
    for ident, role in SSO_IDENTITIES.items():
        lines += [f"    {ident}:", "      kind: aws/permission-set", "      via:", "        provider: corp-sso",
                  "      principal:", f"        name: {role}", "        account:", '          id: "123456789012"']
    # A role assumed from it (STS AssumeRole at AWS_ENDPOINT_URL_STS): its files under corp-sso too.
    lines += ["    role-admin:", "      kind: aws/assume-role", "      via:", "        identity: sso-admin",
              "      principal:", "        assume_role: arn:aws:iam::123456789012:role/interop"]
    for k, (_, ik) in KINDS.items():
        tag = k.replace("/", "")
        lines += [f"    {tag}-id:", f"      kind: {ik}", "      via:", f"        provider: {tag}-p"]
    for k in EMULATORS:
        lines += [f"    {k.split('/')[0]}-emu:", f"      kind: {k}", f"      emulator: {k.split('/')[0]}-local"]
    return "\n".join(lines) + "\n"


# Emulator identities: `atmos auth login` of one is a no-op, and the kubeconfig atmos
# hands out (<cfg>/atmos/<realm>/emulator/<identity>.kubeconfig, written by
# PrepareEnvironment: pkg/auth/identities/emulator/identity.go) needs a running emulator
# container, which atmos resolves through its stacks and docker: no image can be pulled
# here.  The test writes that file where atmos would; atmos's logout judges its removal.
EMULATORS = ["aws/emulator", "azure/emulator", "gcp/emulator", "kubernetes/emulator"]


MODES = ["default", "pinned", "base_path"]
SSO_IDENTITIES = {"sso-admin": "Admin", "sso-read": "ReadOnly"}
LOGINS_ON_PTY = list(SSO_IDENTITIES) + ["role-admin"]
SSO_PORT = None  # aws_sso_server.py's, once started


def env_for(mode):
    e = {k: v for k, v in os.environ.items()
         if not k.startswith(("ATMOS_", "XDG_", "AWS_", "AZURE_", "GOOGLE_", "KUBECONFIG", "DOCKER_"))}
    e.update(HOME=HOME, TMPDIR=TMP, ATMOS_KEYRING_TYPE="file", ATMOS_KEYRING_PASSWORD="interop-test",
             ATMOS_TELEMETRY_ENABLED="false", ATMOS_LOGS_LEVEL="Warning", NO_COLOR="1",
             HTTPS_PROXY="http://127.0.0.1:9", NO_PROXY="127.0.0.1", LC_ALL="C.UTF-8", BROWSER="true",
             AWS_ENDPOINT_URL_SSO=f"http://127.0.0.1:{SSO_PORT}",
             AWS_ENDPOINT_URL_SSO_OIDC=f"http://127.0.0.1:{SSO_PORT}",
             AWS_ENDPOINT_URL_STS=f"http://127.0.0.1:{SSO_PORT}")
    return e


def login_on_pty(identity, mode):
    """atmos's device-code login wants a terminal (providers/aws/sso.go isInteractive):
    pty_drive.py gives it one."""
    drive = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pty_drive.py")
    p = subprocess.run([sys.executable, drive, "--", ATMOS, "auth", "login", "--identity", identity],
                       cwd=os.path.join(PROJ, mode), env=env_for(mode), stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=60)
    if "\nexit=0\n" not in p.stdout:
        raise RuntimeError(f"login {identity} in {mode}: {p.stdout[-300:]}")


def run(argv, mode, check=True):
    p = subprocess.run(argv, cwd=os.path.join(PROJ, mode), env=env_for(mode), stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=120)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[1:])} in {mode}: exit {p.returncode}: {p.stderr[-400:]}")
    return p


def snapshot(root):
    """path (relative to LIVE) -> ('f', sha256) | ('d',) | ('l', target)"""
    out = {}
    for d, dirs, files in os.walk(root):
        for n in dirs + files:
            p = os.path.join(d, n)
            rel = os.path.relpath(p, LIVE)
            if os.path.islink(p):
                out[rel] = ("l", os.readlink(p))
            elif os.path.isdir(p):
                out[rel] = ("d",)
            else:
                with open(p, "rb") as f:
                    out[rel] = ("f", hashlib.sha256(f.read()).hexdigest())
    return out


# atmos's own run state, rewritten by every atmos command (pkg/config/cache.go: the
# update check, the telemetry notice), not session data: not compared.
RUN_STATE = re.compile(r"^home/\.cache/atmos/cache\.yaml(\.lock)?$")


def changed(before, after):
    """Paths of `before` that `after` lacks or holds differently (files and links; a
    directory counts as removed only when it is gone)."""
    return {p for p, v in before.items() if after.get(p) != v and not RUN_STATE.search(p)}


def extras_table():
    """The documented extras: rows '| E<n> | `regex` | why |' of EXTRAS_DOC."""
    rows = []
    with open(EXTRAS_DOC, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^\|\s*(E\d+)\s*\|\s*`([^`]+)`\s*\|", line)
            if m:
                rows.append((m.group(1), re.compile(m.group(2))))
    return rows


# Where a logout may change anything: atmos's own directories, the tools' files, the mock
# kinds' temporary files.  The decoys below sit outside and must stay.
ALLOWED = re.compile(r"^(home/\.config/atmos/|home/\.cache/atmos/|home/\.local/share/atmos/"
                     r"|home/\.atmos-base/|home/\.aws/|home/\.azure/|home/\.kube/|home/\.docker/"
                     r"|tmp/atmos-mock-[^/]+\.json$)")
DECOYS = {"home/notes.txt": "mine\n", "home/.aws/credentials": "[default]\naws_access_key_id = AKIAUSER\n",
          "tmp/atmos-mock-someone-else.json": "{}\n", "home/.config/atmos/notes.md": "keep\n"}


def main():
    global SSO_PORT
    if os.path.exists(WORK):
        shutil.rmtree(WORK)
    os.makedirs(WORK)
    portfile = os.path.join(WORK, "sso.port")
    server = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__), "aws_sso_server.py"),
                               portfile, os.path.join(WORK, "sso.log")])
    try:
        deadline = time.time() + 10
        while not os.path.exists(portfile) and time.time() < deadline:
            time.sleep(0.05)
        with open(portfile) as f:
            SSO_PORT = f.read().strip()
        return judge()
    finally:
        server.kill()
        server.wait()


def judge():
    for m in MODES:
        os.makedirs(os.path.join(PROJ, m))
        with open(os.path.join(PROJ, m, "atmos.yaml"), "w") as f:
            f.write(config(m))
    os.makedirs(HOME)
    os.makedirs(TMP)
    for rel, text in DECOYS.items():
        os.makedirs(os.path.dirname(os.path.join(LIVE, rel)), exist_ok=True)
        with open(os.path.join(LIVE, rel), "w") as f:
            f.write(text)
    fails = 0
    # The real atmos writes the state: every identity of every mode.
    for m in MODES:
        before = set(os.listdir(os.path.join(HOME, ".config/atmos"))) \
            if os.path.isdir(os.path.join(HOME, ".config/atmos")) else set()
        for k in KINDS:
            tag = k.replace("/", "")
            try:
                run([ATMOS, "auth", "login", "--identity", f"{tag}-id"], m)
            except RuntimeError as e:
                print(f"not ok - atmos auth login {tag}-id ({m}): {e}")
                fails += 1
        for ident in LOGINS_ON_PTY:
            try:
                login_on_pty(ident, m)
            except RuntimeError as e:
                print(f"not ok - atmos auth login {ident} ({m}): {e}")
                fails += 1
        realms = set(os.listdir(os.path.join(HOME, ".config/atmos"))) - before
        if len(realms) != 1:
            print(f"not ok - the {m} logins made realms {sorted(realms)}, not one")
            fails += 1
            continue
        realm = realms.pop()
        for k in EMULATORS:
            d = os.path.join(HOME, ".config/atmos", realm, "emulator")
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, f"{k.split('/')[0]}-emu.kubeconfig"), "w") as f:
                f.write("apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n")
    state0 = os.path.join(WORK, "state0")
    shutil.copytree(LIVE, state0, symlinks=True)
    s0 = snapshot(LIVE)
    print(f"# atmos wrote {sum(1 for v in s0.values() if v[0] == 'f') - len(DECOYS)} files in 3 realm modes")
    extras = extras_table()
    if not extras:
        print(f"not ok - no documented extras read from {EXTRAS_DOC}")
        fails += 1
    table = []
    scopes = [("identity", k, [f"{k.replace('/', '')}-id"]) for k in KINDS]
    scopes += [("identity", k, [f"{k.split('/')[0]}-emu"]) for k in EMULATORS]
    scopes += [("identity", "aws/permission-set", ["sso-admin"]),
               ("identity", "aws/assume-role", ["role-admin"]),
               ("provider", "aws/iam-identity-center", ["--provider", "corp-sso"])]
    scopes += [("provider", k, ["--provider", f"{k.replace('/', '')}-p"]) for k in KINDS]
    scopes += [("--all", "all kinds", ["--all"]), ("--all-realms", "all kinds", ["--all-realms"]),
               ("--keychain --force", "all kinds", ["--all", "--keychain", "--force"])]
    for m in MODES:
        for scope, kind, args in scopes:
            results = {}
            for who, argv in (("atmos", [ATMOS, "auth", "logout"] + args), ("ours", [OURS] + args)):
                shutil.rmtree(LIVE)
                shutil.copytree(state0, LIVE, symlinks=True)
                p = run(argv, m, check=False)
                results[who] = (p, snapshot(LIVE))
            name = f"{scope} [{kind}] ({m} realm)"
            pa, sa = results["atmos"]
            pb, sb = results["ours"]
            if pa.returncode != 0 or pb.returncode != 0:
                print(f"not ok - {name}: exit atmos {pa.returncode}, ours {pb.returncode}")
                print("#   atmos: " + pa.stderr[-300:].replace("\n", "\n#   "))
                print("#   ours: " + (pb.stdout + pb.stderr)[-300:].replace("\n", "\n#   "))
                fails += 1
                continue
            ra, rb = changed(s0, sa), changed(s0, sb)
            # (a) atmos removed or changed it; we kept it, or changed it otherwise.
            missing = sorted(p for p in ra if sb.get(p) == s0[p] or (p in sb and sb.get(p) != sa.get(p)))
            extra = sorted(rb - ra)
            unexplained = [p for p in extra if not any(rx.search(p) for _, rx in extras)]
            used = sorted({e for p in extra for e, rx in extras if rx.search(p)})
            outside = sorted(p for p in ra | rb if not ALLOWED.search(p))
            verdict = "missing" if missing else "documented extra" if extra else "same"
            table.append((kind, scope, m, verdict, ", ".join(used)))
            bad = missing or unexplained or outside
            print(f"{'not ok' if bad else 'ok'} - {name}: atmos {len(ra)}, ours {len(rb)} changed; {verdict}"
                  + (f" ({', '.join(used)})" if used else ""))
            for label, paths in (("kept by us, removed by atmos", missing),
                                 ("removed by us, not a documented extra", unexplained),
                                 ("outside atmos's and the tools' files", outside)):
                for p in paths:
                    print(f"#   {label}: {p}")
            fails += bool(bad)
    if TABLE_OUT:
        with open(TABLE_OUT, "w") as f:
            f.write("| kind | scope | realm mode | verdict | extras |\n|---|---|---|---|---|\n")
            for row in table:
                f.write("| " + " | ".join(row) + " |\n")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
