"""Flip a symlink between two targets as fast as it can (issue 32).

usage: symlink_flip.py LINK TARGET_A TARGET_B STOPFILE COUNTFILE
Run as the test user.  Replaces LINK atomically (a new link renamed over it)
until STOPFILE exists or 300 s have passed, then writes the number of flips
to COUNTFILE.
"""
import os
import sys
import time

link, a, b, stop, count = sys.argv[1:6]
tmp, n, deadline = link + ".new", 0, time.monotonic() + 300
while not os.path.exists(stop) and time.monotonic() < deadline:
    for target in (a, b):
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        os.symlink(target, tmp)
        os.rename(tmp, link)
        n += 1
open(count, "w").write(f"{n}\n")
