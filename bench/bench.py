"""make bench: how fast and how lean atmos-logout and pam_atmos are.

Prints a table of figures (median and p95 wall time of whole-process runs,
peak RSS) against the targets, scaling with the number of identities, the
10,000-identity configuration's load against a bare libyaml event pass over the
same file (bench/yaml_events.c, the floor), hostile
atmos.yaml files (docs/bad-input.md), the PAM module's cost through the real
libpam, and `aws sso logout` (AWS CLI v2) side by side when installed (make
bench installs Debian's).  Figures only: nothing here passes or fails a test.
"""
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
BIN = os.path.join(BUILD, "atmos-logout")
MOD = os.path.join(BUILD, "pam_atmos.so")
PAMBENCH = os.path.join(BUILD, "pambench")
HELPER = os.path.join(BUILD, "pam_atmos_helper")
RUNONE = os.path.join(BUILD, "runone")
YAML_EVENTS = os.path.join(BUILD, "yaml_events")
FLOOR_LOGOUT = os.path.join(BUILD, "floor_logout")
FLOOR_LIBS = os.path.join(BUILD, "floor_logout_libs")
WORK = tempfile.mkdtemp(prefix="atmos-bench.")
os.chmod(WORK, 0o755)
NULL = os.open(os.devnull, os.O_RDWR)
# No AWS traffic may leave this machine: every endpoint, and the proxy for
# whatever ignores AWS_ENDPOINT_URL (the AWS CLI before 2.13), is a refused
# local port.
LOCAL_ONLY = {"AWS_ENDPOINT_URL": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1",
              "AWS_RETRY_MODE": "standard", "AWS_EC2_METADATA_DISABLED": "true",
              "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
              "https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9"}


def sha1(s):
    import hashlib
    return hashlib.sha1(s.encode()).hexdigest()


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def make_template(name, providers, per_provider):
    """A HOME as atmos writes it: per provider a credentials and config file
    with its identities (and the lock files atmos leaves beside them), atmos's SSO session, provisioned cache and AWS CLI
    tokens; and the atmos.yaml naming them all."""
    home = os.path.join(WORK, "tpl-" + name)
    y = ["auth:", "  providers:"]
    # Where atmos writes them: its default realm, a hash of the config directory
    # (pkg/config/auth_realm.go), here ~/.atmos's: named when the HOME is copied (fresh).
    realm = "REALM"
    for p in range(providers):
        url = f"https://org{p}.awsapps.com/start"
        y += [f"    p{p}:", "      kind: aws/iam-identity-center", "      region: us-east-1",
              f"      start_url: {url}"]
    y.append("  identities:")
    for p in range(providers):
        creds, conf = [], []
        for i in range(per_provider):
            ident = f"p{p}-id{i}"
            y += [f"    {ident}:", "      kind: aws/permission-set", f"      via: {{provider: p{p}}}"]
            creds.append(f"; atmos: expiration=2030-01-01T00:00:00Z\n[{ident}]\n"
                         f"aws_access_key_id = ASIA{i:016d}\naws_secret_access_key = {'s' * 40}\n"
                         f"aws_session_token = {'t' * 300}\n\n")
            conf.append(f"[profile {ident}]\nregion = us-east-1\noutput = json\n\n")
        base = f"{home}/.config/atmos/{realm}/aws/p{p}"
        write(f"{base}/credentials", "".join(creds))
        write(f"{base}/config", "".join(conf))
        # atmos writes both under flock on a sibling <file>.lock, which stays behind.
        for lock in ("credentials.lock", "config.lock"):
            write(f"{base}/{lock}", "")
            os.chmod(f"{base}/{lock}", 0o600)
        url = f"https://org{p}.awsapps.com/start"
        write(f"{home}/.cache/atmos/aws-sso/sessions/{sha1(url + '|us-east-1')}.json",
              f'{{"accessToken":"x","startUrl":"{url}","region":"us-east-1"}}\n')
        write(f"{home}/.cache/atmos/auth/p{p}/provisioned-identities.yaml", "identities: []\n")
        write(f"{home}/.aws/sso/cache/{sha1(url)}.json",
              f'{{"accessToken":"x","startUrl":"{url}","region":"us-east-1",'
              f'"expiresAt":"2030-01-01T00:00:00Z"}}\n')
    write(f"{home}/.atmos/atmos.yaml", "\n".join(y) + "\n")
    return home


HOME_DIR = WORK  # where the measured HOME lives; /dev/shm (tmpfs) for the in-memory row
SETTLE = True    # sync the fresh HOME to disk before the run (see fresh)


def fresh(template):
    """A new copy of the template HOME.  At a real logout the files were
    written at login, minutes or hours before, and the kernel has long since
    written them out; a copy made a moment ago is still in the page cache and
    the filesystem journal, and the first fsync of the run would pay for
    committing the whole copy.  So the copy is synced before the run, unless
    SETTLE is off (the row that shows that cost)."""
    home = os.path.join(HOME_DIR, "home")
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(template, home, symlinks=True)
    if os.path.isdir(f"{home}/.config/atmos/REALM"):
        os.rename(f"{home}/.config/atmos/REALM", f"{home}/.config/atmos/{realm_of(home)}")
    if SETTLE:
        os.sync()
    return home


def realm_of(home):
    """atmos's default realm for ~/.atmos/atmos.yaml (pkg/config/auth_realm.go hashRealmFromPath)."""
    return hashlib.sha256((home + "/.atmos").lower().encode()).hexdigest()[:16]


def run_once(argv, env):
    """Wall time and peak RSS measured by the small C launcher (see runone.c)."""
    r, w = os.pipe()
    pid = os.posix_spawn(RUNONE, [RUNONE] + argv, env, file_actions=[
        (os.POSIX_SPAWN_DUP2, NULL, 0), (os.POSIX_SPAWN_DUP2, w, 1), (os.POSIX_SPAWN_DUP2, NULL, 2)])
    os.close(w)
    out = os.read(r, 4096).decode().split()
    os.close(r)
    os.waitpid(pid, 0)
    return float(out[0]), int(out[1]), int(out[2])


def stats(times):
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def measure_side_by_side(template, cmds, runs, did_it=None, extra_env=None):
    """For each (cmd, args) of cmds, median and p95 ms, peak RSS KiB and how
    many runs failed: exited non-zero, or left what did_it(home) says should
    be gone.  The commands take turns, run after run (each on a fresh HOME),
    so that a ratio between them is not skewed by the disk's drift over a
    few hundred runs (this VM's fsync cost moves by half within a minute)."""
    times, rss, bad = [[] for _ in cmds], [0] * len(cmds), [0] * len(cmds)
    for i in range(runs):
        for j in range(len(cmds)):
            k = (i + j) % len(cmds)  # and in turns, who goes first
            cmd, args = cmds[k]
            home = fresh(template)
            env = {"HOME": home, "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                   "LC_ALL": "C.UTF-8", **LOCAL_ONLY, **(extra_env or {})}
            argv = [a.replace("HOME/", home + "/").replace("/REALM/", f"/{realm_of(home)}/")
                    for a in (cmd or [BIN]) + args]
            ms, kib, rc = run_once(argv, env)
            times[k].append(ms)
            rss[k] = max(rss[k], kib)
            bad[k] += rc != 0 or (did_it is not None and cmd is None and not did_it(home))
    return [(*stats(times[k]), rss[k], bad[k]) for k in range(len(cmds))]


def measure(template, args, runs, cmd=None, did_it=None):
    """One command alone: median and p95 ms, peak RSS KiB, failed runs."""
    return measure_side_by_side(template, [(cmd, args)], runs, did_it)[0]


def row(name, med, p95, rss, target="", extra=""):
    print(f"  {name:<44} {med:8.2f} {p95:8.2f} {rss / 1024:8.2f}  {target:<22} {extra}")


def against(ours, floor, floor_name, floor_source, name, target=None, label=""):
    """The floor's row, then ours as a ratio of it (with its verdict when there is a target)."""
    f_med, f_p95, f_rss, f_bad = floor
    row(floor_name, f_med, f_p95, f_rss, "",
        floor_source + (f" ({f_bad} runs failed)" if f_bad else ""))
    med, p95, rss = ours[:3]
    ratio = f"{med / f_med:.2f}x {label}({f_med:.2f} ms)"
    if target is None:
        row(name, med, p95, rss, "", ratio)
    else:
        row(name, med, p95, rss, f"<= {target}x floor", f"{verdict(med <= target * f_med)}  {ratio}")


def header(title):
    print(f"\n{title}")
    print(f"  {'':<44} {'med ms':>8} {'p95 ms':>8} {'RSS MiB':>8}  {'target':<22}")


def verdict(ok):
    return "ok" if ok else "MISSED"


def glib_mapped(template):
    home = fresh(template)
    out = os.path.join(WORK, "ld")
    env = {"HOME": home, "PATH": "/usr/bin:/bin", "LD_DEBUG": "files", "LD_DEBUG_OUTPUT": out}
    subprocess.run([BIN, "p0-id0"], env=env, stdout=NULL, stderr=NULL)
    text = "".join(open(os.path.join(WORK, f)).read() for f in os.listdir(WORK) if f.startswith("ld."))
    return "libglib" in text


def aws_cli():
    """The AWS CLI v2 (make bench installs Debian's); v1 has no `sso logout`
    (its `aws sso logout` is the raw API call and wants --access-token)."""
    for path in ("/usr/bin/aws", shutil.which("aws")):
        if path and os.access(path, os.X_OK):
            r = subprocess.run([path, "--version"], capture_output=True, text=True,
                               env={"PATH": "/usr/bin:/bin", "HOME": WORK})
            version = r.stdout.split(" ")[0]
            if r.returncode == 0 and version.startswith("aws-cli/2."):
                return path, version
    return None, None


def without_token_region(template):
    """The template with the AWS CLI's tokens minus "region".  With a region,
    `aws sso logout` first calls the SSO Logout API over the network (and
    fails here, where it must not reach AWS, leaving the tokens); without
    one it only deletes the files, so what is timed is its local work alone:
    a lower bound on its real cost.  atmos-logout does not read "region"."""
    home = template + "-noregion"
    shutil.copytree(template, home, symlinks=True)
    cache = os.path.join(home, ".aws", "sso", "cache")
    for name in os.listdir(cache):
        with open(os.path.join(cache, name)) as f:
            token = json.load(f)
        token.pop("region", None)
        write(os.path.join(cache, name), json.dumps(token) + "\n")
    return home


def tokens_gone(home):
    cache = os.path.join(home, ".aws", "sso", "cache")
    return not os.path.isdir(cache) or not os.listdir(cache)


def pam_bench(template, runs, cli_all):
    """The module's cost at a close (open+close with it, minus without) against
    atmos-logout --all-realms on the same HOME in the same run: the module forks and
    execs its helper, which does what the CLI does."""
    if os.geteuid() != 0:
        print("  skipped: needs root to create a test user with a throwaway home")
        return
    user = f"atmos-bench{os.getpid()}"
    home = os.path.join(WORK, "pamhome")
    subprocess.run(["useradd", "-M", "-d", home, "-s", "/usr/sbin/nologin", "-K", "UID_MIN=2000", user],
                   check=True)
    try:
        conf = os.path.join(WORK, "pam.d")
        os.makedirs(conf)
        write(f"{conf}/without", "session required pam_permit.so\n")
        write(f"{conf}/with", f"session required pam_permit.so\n"
                              f"session optional {os.path.abspath(MOD)} state_dir={WORK}/state "
                              f"helper={os.path.abspath(HELPER)}\n")
        realm = realm_of(home)
        setup = (f"rm -rf {home} && cp -a {template} {home} && "
                 f"{{ [ ! -d {home}/.config/atmos/REALM ] || mv {home}/.config/atmos/REALM {home}/.config/atmos/{realm}; }} && "
                 f"chown -R {user}: {home} && sync")
        res = {}
        for svc in ("without", "with"):
            out = subprocess.run([PAMBENCH, conf, svc, user, str(runs), setup],
                                 capture_output=True, text=True, check=True).stdout.split()
            res[svc] = (float(out[0]), float(out[1]))
            row(f"open+close {svc} pam_atmos.so", res[svc][0], res[svc][1], 0)
        over = res["with"][0] - res["without"][0]
        ratio = over / cli_all
        print(f"  {'pam_atmos close overhead (median difference)':<44} {over:8.2f} "
              f"{'':>8} {'':>8}  {'<= 1.3x --all-realms':<22} "
              f"{verdict(ratio <= 1.3)}  {ratio:.2f}x atmos-logout --all-realms ({cli_all:.2f} ms)")
        realms_rows(conf, user, home, runs // 2)
    finally:
        subprocess.run(["pkill", "-KILL", "-u", user], stderr=NULL)
        subprocess.run(["userdel", user], stderr=NULL)


def realms_rows(conf, user, home, runs):
    """The last close with 1, 10 and 100 realms on disk (each a project directory's
    realm holding one provider's credentials and config of 5 identities), beside
    the home configuration's own realm: every realm is cleaned at the close."""
    times = {}
    for n in (1, 10, 100):
        tpl = os.path.join(WORK, f"tpl-realms{n}")
        write(f"{tpl}/.atmos/atmos.yaml", "auth:\n  providers:\n    p0:\n"
              "      kind: aws/iam-identity-center\n      region: us-east-1\n"
              "      start_url: https://org0.awsapps.com/start\n  identities:\n"
              "    id0: {kind: aws/permission-set, via: {provider: p0}}\n")
        for r in range(n):
            base = f"{tpl}/.config/atmos/project{r}/aws/p0"
            write(f"{base}/credentials", "".join(
                f"[id{i}]\naws_access_key_id = ASIA{i:016d}\naws_secret_access_key = {'s' * 40}\n\n"
                for i in range(5)))
            write(f"{base}/config", "".join(f"[profile id{i}]\nregion = us-east-1\n\n" for i in range(5)))
        setup = f"rm -rf {home} && cp -a {tpl} {home} && chown -R {user}: {home} && sync"
        out = subprocess.run([PAMBENCH, conf, "with", user, str(runs), setup],
                             capture_output=True, text=True, check=True).stdout.split()
        left = subprocess.run(["find", f"{home}/.config/atmos", "-name", "credentials"],
                              capture_output=True, text=True).stdout.split()
        times[n] = (float(out[0]), float(out[1]))
        row(f"last close, {n} realm{'s' if n > 1 else ''} on disk", times[n][0], times[n][1], 0,
            "", "cleaned" if not left else f"NOT CLEANED: {len(left)} credentials files left")
    per = (times[100][0] - times[1][0]) / 99
    print(f"  {'each realm more (100 vs 1, median)':<44} {per:8.2f}")
    # The peer: the CLI doing the same cleanup of the same HOME (atmos-logout --all-realms).
    med, p95, rss, bad = measure(tpl, ["--no-revoke", "--all-realms"], runs)
    row("atmos-logout --all-realms, 100 realms", med, p95, rss, "",
        f"{bad} failed runs" if bad else "")
    ratio = times[100][0] / med
    print(f"  {'last close, 100 realms, vs the CLI':<44} {'':>8} {'':>8} {'':>8}  "
          f"{'<= 1.3x --all-realms':<22} {verdict(ratio <= 1.3)}  {ratio:.2f}x")


def alias_bomb():
    """Nine levels of nine aliases (docs/bad-input.md B03)."""
    y = ["a0: &a0 [x,x,x,x,x,x,x,x,x]"]
    y += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    return "\n".join(y) + "\nauth:\n  providers: *a8\n"


def hostile(template):
    """atmos.yaml files built to make the parser slow or large
    (docs/bad-input.md): the first four are refused at a bound, the last is
    the most the bounds accept.  Unbounded, B61 would take days (40,000 levels
    took 7.8 s, growing with the square of the depth) and B62 took
    680 MiB."""
    big = 8 * 1024 * 1024 - 100
    cases = (
        ("alias bomb (B03)", alias_bomb(), False),
        ("10,000 nested [ (B05)", "auth: " + "[" * 10000 + "]" * 10000 + "\n", False),
        ("8 MiB of [ (B61)", "auth:\n  providers: " + "[" * big + "\n", False),
        ("4M scalars, 8 MiB (B62)", "auth:\n  providers: [" + "a," * (big // 2) + "]\n", False),
        # The most work the bounds let through: 64 levels, 250,000 nodes
        # (the top mapping, its key and 63 sequences, then the scalars).
        ("largest accepted: 64 deep, 250,000 nodes", "components: " + "[" * 63 + "a," * (250000 - 65)
         + "]" * 63 + "\n", True),
    )
    for name, text, accepted in cases:
        path = os.path.join(WORK, "hostile.yaml")
        write(path, text)
        med, p95, rss, _ = measure(template, ["--config", path, "--all"], 5)
        ms, mib = (1000, 64) if accepted else (250, 16)
        row(name, med, p95, rss, f"<= {ms} ms, <= {mib} MiB", verdict(med <= ms and rss <= mib * 1024))


def kube_rows(typical):
    """An identity logout that also removes an EKS login's kubeconfig entries
    (a cluster, context and user among the user's own), against the floor plus
    that one more durable rewrite."""
    home = os.path.join(WORK, "tpl-kube")
    shutil.copytree(typical, home, symlinks=True)
    arn = "arn:aws:eks:us-east-1:111122223333:cluster/prod"
    with open(f"{home}/.atmos/atmos.yaml", "a") as f:
        f.write("  integrations:\n    eks: {kind: aws/eks, via: {identity: p2-id1}, "
                "spec: {cluster: {name: prod, region: us-east-1}}}\n")
    mine = "".join(f"- cluster:\n    server: https://k{i}.example\n  name: kind-{i}\n" for i in range(5))
    write(f"{home}/.config/atmos/kube/config",
          f"apiVersion: v1\nclusters:\n- cluster:\n    server: https://prod.example\n  name: {arn}\n{mine}"
          f"contexts:\n- context:\n    cluster: {arn}\n    user: atmos-eks-prod-us-east-1\n"
          f"  name: {arn}\ncurrent-context: {arn}\nkind: Config\nusers:\n"
          "- name: atmos-eks-prod-us-east-1\n  user:\n    exec: {command: atmos}\n")
    os.chmod(f"{home}/.config/atmos/kube/config", 0o600)
    gone = lambda h: "cluster/prod" not in open(f"{h}/.config/atmos/kube/config").read()
    kube_floor = [FLOOR_LOGOUT, "HOME/.atmos/atmos.yaml", "HOME/.config/atmos/REALM/aws/p2",
                  "p2-id1", "HOME/.config/atmos/kube/config"]
    cmds = [(None, ["p2-id1"])] + ([(kube_floor, [])] if os.path.exists(FLOOR_LOGOUT) else [])
    got = measure_side_by_side(home, cmds, 300, did_it=gone)
    med, p95, rss, bad = got[0]
    row("identity logout with a kubeconfig entry", med, p95, rss, "",
        f"({bad} runs failed)" if bad else "")
    if len(got) > 1:
        against(got[0], got[1], "floor: + 1 more durable rewrite", "bench/floor_logout.c FILE",
                "kubeconfig logout against its floor", 1.3)


ATMOS = os.environ.get("ATMOS_BIN", "")


def atmos_rows(runs):
    """The real atmos (make interop builds it) beside us, in turns, from one HOME state that
    atmos's own logins wrote: 5 mock/aws providers, 4 identities each (no network)."""
    if not (ATMOS and os.access(ATMOS, os.X_OK)):
        print(f"  atmos: not built ({ATMOS or 'ATMOS_BIN unset'}; make interop builds it): nothing to compare")
        return
    proj = os.path.join(WORK, "atmos-proj")
    os.makedirs(proj)
    with open(os.path.join(proj, "atmos.yaml"), "w") as f:
        f.write("auth:\n  providers:\n" + "".join(f"    p{p}:\n      kind: mock/aws\n" for p in range(5)) +
                "  identities:\n" + "".join(f"    p{p}-id{i}:\n      kind: mock/aws\n      via:\n"
                                           f"        provider: p{p}\n" for p in range(5) for i in range(4)))
    # The logins write where every measured run's HOME will be (fresh() copies to that path).
    home = os.path.join(HOME_DIR, "home")
    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(os.path.join(home, "tmp"))
    env = {"HOME": home, "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8",
           "TMPDIR": os.path.join(home, "tmp"), "ATMOS_CLI_CONFIG_PATH": proj,
           "ATMOS_KEYRING_TYPE": "file", "ATMOS_KEYRING_PASSWORD": "bench",
           "ATMOS_TELEMETRY_ENABLED": "false", "NO_COLOR": "1", **LOCAL_ONLY}
    for p in range(5):
        for i in range(4):
            subprocess.run([ATMOS, "auth", "login", "--identity", f"p{p}-id{i}"], env=env,
                           stdin=NULL, stdout=NULL, stderr=NULL, check=True)
    template = os.path.join(WORK, "atmos-template")
    shutil.move(home, template)
    extra = {k: env[k] for k in ("TMPDIR", "ATMOS_CLI_CONFIG_PATH", "ATMOS_KEYRING_TYPE",
                                 "ATMOS_KEYRING_PASSWORD", "ATMOS_TELEMETRY_ENABLED", "NO_COLOR")}
    for what, args in (("identity", ["p2-id1"]), ("provider", ["--provider", "p2"]), ("--all", ["--all"])):
        ours, theirs = measure_side_by_side(template, [(None, args), ([ATMOS, "auth", "logout"], args)],
                                            runs, extra_env=extra)
        row(f"atmos auth logout {' '.join(args)}", *theirs[:3], "",
            f"{theirs[3]} runs failed" if theirs[3] else "the peer")
        row(f"atmos-logout {' '.join(args)}", *ours[:3], "",
            f"{ours[0] / theirs[0]:.2f}x time, {ours[1] / theirs[1]:.2f}x p95, "
            f"{ours[2] / theirs[2]:.2f}x RSS of atmos ({what})" + (f"; {ours[3]} runs failed" if ours[3] else ""))


def main():
    if not os.path.exists(BIN):
        sys.exit(f"{BIN} is missing: run make first")
    t_start = time.time()
    print(f"pam_atmos bench: {BIN}\n(whole-process wall time incl. exec, peak RSS of the process;\n"
          " every run starts from a HOME already on disk, as at a real logout)")
    typical = make_template("typical", 5, 4)
    header("Typical configuration: 5 providers, 20 identities")
    # The identity logout and its floors take turns (measure_side_by_side).  The floor:
    # read the atmos.yaml, rewrite both files with fsync; and, not a target, the same paying
    # also for the engine's libraries at exec, a libyaml pass and the realm's hash.
    floor_args = ["HOME/.atmos/atmos.yaml", "HOME/.config/atmos/REALM/aws/p2", "p2-id1"]
    cmds = [(None, ["p2-id1"])] + [([f], floor_args) for f in (FLOOR_LOGOUT, FLOOR_LIBS)
                                  if os.path.exists(f)]
    got = measure_side_by_side(typical, cmds, 300)
    med, p95, rss, bad = got[0]
    row("identity logout", med, p95, rss, "<= 3 ms, <= 4 MiB", verdict(med <= 3 and rss <= 4096))
    ident = med
    if len(got) > 1:
        against(got[0], got[1], "floor: read atmos.yaml, rewrite 2 files", "bench/floor_logout.c",
                "identity logout against the floor", 1.15, "floor_logout ")
    if len(got) > 2:
        against(got[0], got[2], "floor + the engine's libraries, YAML pass",
                "floor_logout.c -DFLOOR_ENGINE_LIBS", "identity logout against that",
                label="floor_logout_libs ")
    kube_rows(typical)
    global HOME_DIR, SETTLE
    SETTLE = False
    med, p95, rss, _ = measure(typical, ["p2-id1"], 300)
    SETTLE = True
    row("identity logout, HOME copied just before", med, p95, rss, "",
        f"committing the copy adds {med - ident:.2f} ms")
    if subprocess.run(["stat", "-f", "-c", "%T", "/dev/shm"], capture_output=True,
                      text=True).stdout.strip() == "tmpfs":
        # The same on tmpfs: what the code costs when fsync costs nothing.
        HOME_DIR = tempfile.mkdtemp(prefix="atmos-bench.", dir="/dev/shm")
        med, p95, rss, _ = measure(typical, ["p2-id1"], 300)
        shutil.rmtree(HOME_DIR, ignore_errors=True)
        HOME_DIR = WORK
        row("identity logout, HOME on tmpfs (no disk)", med, p95, rss, "",
            f"disk and fsync account for {ident - med:.2f} ms")
    # The local cleanup alone (--no-revoke), comparable across versions; then
    # the same with the sign-out, its endpoint a refused local port.
    med, p95, rss, _ = measure(typical, ["--no-revoke", "--provider", "p2"], 200)
    row("--provider (--no-revoke)", med, p95, rss)
    med, p95, rss, _ = measure(typical, ["--no-revoke", "--all"], 200)
    row("--all (--no-revoke)", med, p95, rss)
    # What the PAM close does: every realm, and what atmos wrote whatever configured it.
    med, p95, rss, _ = measure(typical, ["--no-revoke", "--all-realms"], 200)
    row("--all-realms (--no-revoke)", med, p95, rss)
    cli_all = med
    med, p95, rss, _ = measure(typical, ["--dry-run", "--all"], 200)
    row("--dry-run --all", med, p95, rss)
    med, p95, rss, _ = measure(typical, ["--all"], 100)
    row("--all, signing out (endpoint refused)", med, p95, rss, "", "loads libcurl and TLS")
    print(f"  GLib mapped on the default path: {'YES (target: no)' if glib_mapped(typical) else 'no'}")

    header("Scaling: --all over N identities (one credentials file of N profiles)")
    per, total, prev = {}, {}, None
    for n, runs in ((10, 100), (100, 60), (1000, 30), (10000, 10)):
        tpl = make_template(f"n{n}", 1, n)
        med, p95, rss, _ = measure(tpl, ["--no-revoke", "--all"], runs)
        per[n], total[n] = med / n * 1000, med
        tgt = "<= 50 ms" if n == 1000 else ""
        # Per identity over the step from the previous size: the fixed cost
        # of a run (exec, one directory removed) cancels out, so a
        # non-linear step shows as a larger figure.
        step = f", +{(med - total[prev]) / (n - prev) * 1000:.1f} us each from {prev}" if prev else ""
        row(f"--all, {n} identities", med, p95, rss, tgt,
            (verdict(med <= 50) + "  " if n == 1000 else "") + f"{per[n]:.1f} us/identity{step}")
        prev = n
    tpl = make_template("n10000", 1, 10000)
    med, p95, rss, _ = measure(tpl, ["p0-id5000"], 15)
    row("identity logout in a 10,000-profile file", med, p95, rss)
    marginal = (per[10000] * 10000 - per[1000] * 1000) / 9000
    print(f"  marginal cost per identity from 1,000 to 10,000: {marginal:.1f} us "
          f"(flat: {verdict(marginal <= 2 * max(per[1000], 1))})")

    # Loading the configuration against its floor, in this run: the same
    # 10,000-identity atmos.yaml loaded, then also planned (removing nothing);
    # yaml_events (bench/yaml_events.c) is a bare libyaml event pass
    # over that file, the least any YAML loader does.
    header("Loading the configuration: against a bare libyaml pass over the same file")
    conf = os.path.join(tpl, ".atmos", "atmos.yaml")
    if os.path.exists(YAML_EVENTS):
        # Loading alone: --list-identities reads the configuration (its
        # sources, validation, every chain) and prints the names; the two take turns.
        (med, p95, rss, bad), (f_med, f_p95, f_rss, f_bad) = measure_side_by_side(
            tpl, [(None, ["--list-identities"]), ([YAML_EVENTS], [conf])], 20)
        row("floor: yaml_events, 10,000-identity file", f_med, f_p95, f_rss, "",
            f"{f_bad} failed runs" if f_bad else "bare libyaml event pass")
        row("load: --list-identities, 10,000 identities", med, p95, rss, "<= 1.5x floor",
            f"{med / f_med:.2f}x yaml_events ({f_med:.2f} ms)" + (f", {bad} failed runs" if bad else ""))
        med, p95, rss, bad = measure(tpl, ["--all", "--dry-run"], 20)
        row("load and plan: --all --dry-run", med, p95, rss, "",
            f"{med / f_med:.2f}x yaml_events" + (f", {bad} failed runs" if bad else ""))
    else:
        print(f"  {YAML_EVENTS} is missing: no floor row (make bench builds it)")

    header("Hostile atmos.yaml: refused at the nesting and node bounds")
    hostile(typical)

    header("PAM: pam_open_session + pam_close_session through the real libpam")
    pam_bench(typical, 100, cli_all)

    header("Side by side: the AWS CLI's own logout on the same HOME (its tokens without region)")
    aws, version = aws_cli()
    if aws is None:
        print("  aws: no AWS CLI v2 installed (nothing to compare)")
    else:
        home = without_token_region(typical)
        a_med, a_p95, a_rss, a_bad = measure(home, ["--no-revoke", "--all"], 100,
                                             did_it=tokens_gone)
        row("atmos-logout --all", a_med, a_p95, a_rss, "", f"{a_bad} failed runs" if a_bad else "")
        med, p95, rss, bad = measure(home, ["sso", "logout"], 10, cmd=[aws], did_it=tokens_gone)
        row(f"aws sso logout ({version})", med, p95, rss, "", "lower bound: no network call")
        if bad or a_bad:
            print(f"  not compared: {bad} of 10 aws runs and {a_bad} of 100 atmos-logout runs "
                  "did not exit 0 with every token deleted")
        else:
            print(f"  ratio: aws sso logout takes {med / a_med:.0f}x the time of atmos-logout --all, "
                  f"{med / ident:.0f}x that of an identity logout, and {rss / a_rss:.0f}x the memory")
    header(f"Side by side: the real atmos's own logout ({os.path.basename(ATMOS) or 'atmos'}), "
           "from the same state its logins wrote")
    atmos_rows(50)
    print(f"\nbench took {time.time() - t_start:.0f} s")
    shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
