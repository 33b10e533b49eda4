"""Kill atmos-logout with SIGKILL at many points during a rewrite.

usage: crash_loop.py ATMOS_LOGOUT RUNS
After every kill, each file must be byte-for-byte either the old content or
the new one, never partial; temporaries a killed run left behind must be
cleaned up by the next complete run.  Prints TAP-like result lines and the
figures (kill points, how many ended old / new).
"""
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

BIN, RUNS = sys.argv[1], int(sys.argv[2])
N = 3000  # profiles: a rewrite of ~1 MB takes a few milliseconds
work = tempfile.mkdtemp(prefix="atmos-crash.")
home = os.path.join(work, "home")
prov = os.path.join(home, ".config/atmos/aws/p")
os.makedirs(prov)
with open(os.path.join(home, "atmos.yaml"), "w") as f:
    f.write("auth:\n  providers:\n    p: {kind: aws/iam-identity-center}\n  identities:\n")
    for i in range(N):
        f.write(f"    id{i}: {{kind: aws/permission-set, via: {{provider: p}}}}\n")
creds = "".join(f"; atmos: expiration=2030-01-01T00:00:00Z\n[id{i}]\naws_access_key_id = K{i}\n"
                f"aws_secret_access_key = {'s' * 40}\naws_session_token = {'t' * 250}\n\n"
                for i in range(N))
conf = "".join(f"[profile id{i}]\nregion = us-east-1\n\n" for i in range(N))
files = {"credentials": creds.encode(), "config": conf.encode()}
target = f"id{N // 2}"
env = {"HOME": home, "PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8",
       # The ASan build must not be slowed by leak checking at every kill.
       "ASAN_OPTIONS": "detect_leaks=0"}
cfg = ["--config", os.path.join(home, "atmos.yaml")]


def restore():
    for name, data in files.items():
        path = os.path.join(prov, name)
        tmp = path + ".restore"
        with open(tmp, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o600)
        os.rename(tmp, path)


def digest(name):
    try:
        with open(os.path.join(prov, name), "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except FileNotFoundError:
        return "missing"


def run(args):
    return subprocess.run([BIN] + cfg + args, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode


# The two acceptable states of each file.
restore()
old = {n: digest(n) for n in files}
# How long a complete run takes: the median of five, so that one slow first run (cold caches,
# a loaded machine) does not spread the kills past the end of most runs.
times = []
for _ in range(5):
    restore()
    t0 = time.perf_counter()
    if run([target]) != 0:
        print("not ok - a complete run succeeds")
        sys.exit(1)
    times.append((time.perf_counter() - t0) * 1000)
full_ms = sorted(times)[len(times) // 2]
new = {n: digest(n) for n in files}
assert old != new

bad, killed, ended_old, ended_new, leftovers = 0, 0, 0, 0, 0
rng = random.Random(1234)
for i in range(RUNS):
    restore()
    p = subprocess.Popen([BIN] + cfg + [target], env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    time.sleep(rng.uniform(0, full_ms * 1.2) / 1000)
    if p.poll() is None:
        killed += 1
    p.send_signal(signal.SIGKILL)
    p.wait()
    states = []
    for n in files:
        d = digest(n)
        if d == old[n]:
            states.append("old")
        elif d == new[n]:
            states.append("new")
        else:
            bad += 1
            print(f"#   run {i}: {n} is neither the old nor the new content")
    ended_old += states.count("old")
    ended_new += states.count("new")
    leftovers = max(leftovers, sum(1 for f in os.listdir(prov) if ".atmos-tmp." in f))

print(f"# {RUNS} runs, {killed} killed mid-run (a complete run takes {full_ms:.1f} ms); "
      f"files ended old {ended_old} times, new {ended_new} times; "
      f"at most {leftovers} temporaries left between runs")
print(("ok" if bad == 0 else "not ok") + f" - after every SIGKILL each file is the old or the new content ({bad} torn)")
print(("ok" if killed >= RUNS // 4 else "not ok") + f" - kills landed during runs ({killed} of {RUNS})")
print(("ok" if ended_old and ended_new else "not ok") + " - both outcomes were seen (the kill points span the rewrite)")
restore()
run([target])
left = [f for f in os.listdir(prov) if ".atmos-tmp." in f]
print(("ok" if not left else "not ok") + f" - a complete run cleans the temporaries killed runs left ({len(left)} remain)")
shutil.rmtree(work)
