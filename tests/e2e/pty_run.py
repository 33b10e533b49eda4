"""Run a command on a pseudo-terminal, answer one prompt, print the screen.

usage: pty_run.py ANSWER PROMPT -- COMMAND...
Waits (10 s at most) for PROMPT to appear, types ANSWER and Enter (ANSWER
"^C" sends an interrupt instead), then prints everything the command wrote
and exits with its exit status.
"""
import os
import pty
import select
import sys
import time

answer, prompt = sys.argv[1], sys.argv[2].encode()
cmd = sys.argv[sys.argv.index("--") + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)
out = b""
answered = False
deadline = time.time() + 20
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    if not answered and prompt in out:
        os.write(fd, b"\x03" if answer == "^C" else answer.encode() + b"\r")
        answered = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace").replace("\r\n", "\n"))
sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status >> 8)
