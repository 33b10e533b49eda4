#!/usr/bin/python3
"""A utmp file in glibc's x86_64/aarch64 layout (struct utmp, 384 bytes), for the tests.

  utmp.py write FILE TYPE:PID:LINE:USER[:SECONDS_AGO] ...
                                              write these records (TYPE 7 = USER_PROCESS),
                                              logged in now or SECONDS_AGO
  utmp.py users FILE                          print "PID LINE USER" of each USER_PROCESS record
"""
import struct
import sys
import time

FMT = "<hhi32s4s32s256shhiii4i20s"
assert struct.calcsize(FMT) == 384


def record(kind, pid, line, user, ago=0):
    return struct.pack(FMT, kind, 0, pid, line.encode(), line[-4:].encode(), user.encode(),
                       b"127.0.0.1", 0, 0, 0, int(time.time()) - ago, 0, 0, 0, 0, 0, b"")


def main():
    if sys.argv[1] == "write":
        with open(sys.argv[2], "wb") as f:
            for spec in sys.argv[3:]:
                kind, pid, line, user, *ago = spec.split(":")
                f.write(record(int(kind), int(pid), line, user, int(ago[0]) if ago else 0))
    elif sys.argv[1] == "users":
        data = open(sys.argv[2], "rb").read()
        for off in range(0, len(data) - len(data) % 384, 384):
            r = struct.unpack(FMT, data[off:off + 384])
            if r[0] == 7:
                print(r[2], r[3].rstrip(b"\0").decode(), r[5].rstrip(b"\0").decode())


main()
