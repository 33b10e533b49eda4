"""Drive a program on a pseudo-terminal with key presses and read its screen.

usage: pty_drive.py STEP... -- COMMAND...
STEP is one of:
  expect=TEXT   wait (10 s at most) until TEXT has appeared on the screen
  send=KEYS     type KEYS (Python escapes: \\x1b[B is the down arrow, \\r Enter)
  signal=NAME   send a signal (e.g. TERM) to the program
  run=SHELL     run a shell command there and then (e.g. snapshot what is on disk
                while the program waits for a key); its output goes to stderr
PTY_ROWS=N in the environment: a terminal of N rows (80 columns).
Prints the screen output, then "exit=N" (or "signal=N"), then
"terminal: canonical=0|1 echo=0|1" read from the terminal after the program
ended, so a test can check that the terminal was restored.
"""
import codecs
import fcntl
import os
import select
import signal
import subprocess
import sys
import termios
import time

split = sys.argv.index("--")
steps, cmd = sys.argv[1:split], sys.argv[split + 1:]
master, slave = os.openpty()
if os.environ.get("PTY_ROWS"):
    import struct
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", int(os.environ["PTY_ROWS"]), 80, 0, 0))


def take_terminal():
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave,
                        start_new_session=True, preexec_fn=take_terminal)
screen = b""


def pump(timeout):
    global screen
    r, _, _ = select.select([master], [], [], timeout)
    if r:
        try:
            data = os.read(master, 65536)
        except OSError:
            return False
        screen += data
        return bool(data)
    return False


for step in steps:
    key, _, value = step.partition("=")
    if key == "expect":
        deadline = time.time() + 10
        while value.encode() not in screen and time.time() < deadline:
            pump(0.1)
        if value.encode() not in screen:
            print(f"pty_drive: never saw {value!r}", file=sys.stderr)
    elif key == "send":
        os.write(master, codecs.decode(value, "unicode_escape").encode("latin-1"))
        time.sleep(0.15)
    elif key == "signal":
        proc.send_signal(getattr(signal, "SIG" + value))
    elif key == "run":
        subprocess.run(["/bin/bash", "-c", value], stdout=sys.stderr, check=False)
    else:
        sys.exit(f"pty_drive: unknown step {step!r}")

deadline = time.time() + 20
while proc.poll() is None and time.time() < deadline:
    pump(0.1)
if proc.poll() is None:
    proc.kill()
while pump(0.1):
    pass
attrs = termios.tcgetattr(slave)
sys.stdout.write(screen.decode(errors="replace").replace("\r\n", "\n"))
rc = proc.wait()
print()
print(f"exit={rc}" if rc >= 0 else f"signal={-rc}")
print(f"terminal: canonical={int(bool(attrs[3] & termios.ICANON))} echo={int(bool(attrs[3] & termios.ECHO))}")
