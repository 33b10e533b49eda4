"""A throwaway syslog: receive datagrams on a Unix socket, append them to a file.

usage: syslog_sink.py SOCKET_PATH OUTPUT_FILE   (runs until killed)
Used only where the machine has no /dev/log of its own, so the tests can read
what pam_atmos and atmos-logout send to syslog.
"""
import os
import socket
import sys

path, out_path = sys.argv[1], sys.argv[2]
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
os.chmod(path, 0o666)
with open(out_path, "a", buffering=1) as out:
    out.write("ready\n")
    while True:
        out.write(sock.recv(65536).decode(errors="replace") + "\n")
