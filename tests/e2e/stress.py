"""Concurrent writers, logouts and readers on the same credentials and config.

usage: stress.py ATMOS_LOGOUT [WRITERS] [ITERATIONS]
WRITERS processes behave like `atmos auth login`: take the `<file>.lock`
flock, add or refresh their own profile, write the file atomically, release.
Meanwhile other processes run atmos-logout for other identities, and readers
parse both files without any lock, as the AWS CLI does, throughout.
Afterwards every writer's last profile must be present, every logged-out
profile absent, and no reader may ever have seen a file that does not parse.
"""
import configparser
import fcntl
import multiprocessing as mp
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

BIN = sys.argv[1]
WRITERS = int(sys.argv[2]) if len(sys.argv) > 2 else 20
ITER = int(sys.argv[3]) if len(sys.argv) > 3 else 40
GONE = 10
work = tempfile.mkdtemp(prefix="atmos-stress.")
home = os.path.join(work, "home")
prov = os.path.join(home, ".config/atmos/aws/p")
os.makedirs(prov)
yaml = os.path.join(home, "atmos.yaml")
with open(yaml, "w") as f:
    f.write("auth:\n  providers:\n    p: {kind: aws/iam-identity-center}\n  identities:\n")
    for k in range(GONE):
        f.write(f"    gone-{k}: {{kind: aws/permission-set, via: {{provider: p}}}}\n")
with open(os.path.join(prov, "credentials"), "w") as f:
    for k in range(GONE):
        f.write(f"; atmos: expiration=2030-01-01T00:00:00Z\n[gone-{k}]\naws_access_key_id = G{k}\n\n")
with open(os.path.join(prov, "config"), "w") as f:
    for k in range(GONE):
        f.write(f"[profile gone-{k}]\nregion = us-east-1\n\n")


def parse(path):
    cp = configparser.RawConfigParser(strict=True)
    with open(path) as f:
        cp.read_file(f)
    return cp


def login(path, section, counter):
    """Add or refresh one profile under atmos's lock, writing atomically."""
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cp = parse(path)
        if not cp.has_section(section):
            cp.add_section(section)
        cp.set(section, "counter", str(counter))
        tmp = f"{path}.writer-{os.getpid()}"
        with open(tmp, "w") as f:
            cp.write(f)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, path)
        fcntl.flock(lock, fcntl.LOCK_UN)


def writer(i):
    rng = random.Random(i)
    for n in range(ITER):
        login(os.path.join(prov, "credentials"), f"writer-{i}", n)
        login(os.path.join(prov, "config"), f"profile writer-{i}", n)
        time.sleep(rng.uniform(0, 0.004))


def reader(stop, out):
    samples = failures = 0
    while not stop.is_set():
        for name in ("credentials", "config"):
            try:
                parse(os.path.join(prov, name))
            except Exception as e:  # torn or missing file
                failures += 1
                print(f"#   reader: {name}: {e}", flush=True)
            samples += 1
    out.put((samples, failures))


def logouts(k):
    env = {"HOME": home, "PATH": "/usr/bin:/bin", "ASAN_OPTIONS": "detect_leaks=0"}
    rng = random.Random(k)
    for _ in range(3):  # spread over the writers' run; the first removes, all take the locks
        time.sleep(rng.uniform(0, 0.4))
        subprocess.run([BIN, "--config", yaml, f"gone-{k}"], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    t0 = time.time()
    stop, q = mp.Event(), mp.Queue()
    readers = [mp.Process(target=reader, args=(stop, q)) for _ in range(2)]
    writers = [mp.Process(target=writer, args=(i,)) for i in range(WRITERS)]
    outs = [mp.Process(target=logouts, args=(k,)) for k in range(GONE)]
    for p in readers + writers + outs:
        p.start()
    for p in writers + outs:
        p.join(timeout=300)
    stop.set()
    samples = failures = 0
    for _ in readers:
        s, f = q.get(timeout=60)
        samples += s
        failures += f
    for p in readers:
        p.join()
    creds, conf = parse(os.path.join(prov, "credentials")), parse(os.path.join(prov, "config"))
    lost = [i for i in range(WRITERS)
            if creds.get(f"writer-{i}", "counter", fallback=None) != str(ITER - 1)
            or conf.get(f"profile writer-{i}", "counter", fallback=None) != str(ITER - 1)]
    kept = [k for k in range(GONE) if creds.has_section(f"gone-{k}") or conf.has_section(f"profile gone-{k}")]
    print(f"# {WRITERS} writers x {ITER} iterations x 2 files = {WRITERS * ITER * 2} locked writes; "
          f"{GONE} identities logged out 3 times each; {samples} reader samples; {time.time() - t0:.1f} s")
    print(("ok" if not lost else "not ok") + f" - every writer's last profile is present ({len(lost)} lost)")
    print(("ok" if not kept else "not ok") + f" - every logged-out profile is absent ({len(kept)} remain)")
    print(("ok" if failures == 0 and samples > 0 else "not ok") +
          f" - the files parsed at every moment a reader looked ({failures} torn of {samples})")
    shutil.rmtree(work)
