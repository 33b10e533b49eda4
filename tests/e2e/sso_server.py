#!/usr/bin/python3
"""A stand-in for IAM Identity Center's portal and GitHub's REST API on
127.0.0.1, for the sign-out tests.  Clients reach it as their HTTPS proxy
(CONNECT host:443), as the AWS CLI and atmos-logout both do with
HTTPS_PROXY; it then speaks TLS with a certificate of the test's throwaway CA
for that host and records each request (one JSON line: connect host, method,
path, Host, the token headers, Accept, the body length) before answering.

usage: sso_server.py PORTFILE LOG CERT KEY MODE
MODE: ok (200 {}), 401 (UnauthorizedException), hang (reads the request,
never answers), silent (accepts the connection, never reads or answers), or
an HTTP status such as 204, 404 or 500 (an empty body).
Stops by itself after 120 s.
"""
import json
import socket
import ssl
import sys
import threading
import time

portfile, log, cert, key, mode = sys.argv[1:6]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
lock = threading.Lock()


def record(entry):
    with lock, open(log, "a") as f:
        f.write(json.dumps(entry) + "\n")


def read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return None, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode("latin-1"), rest


def serve(conn):
    conn.settimeout(30)
    try:
        if mode == "silent":
            record({"accepted": True})
            time.sleep(60)
            return
        head, _ = read_head(conn)
        if head is None or not head.startswith("CONNECT "):
            return
        host = head.split()[1].rsplit(":", 1)[0]
        record({"connect": host})
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        try:
            tls = ctx.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as e:
            record({"tls_failed": host, "why": str(e)[:80]})
            return
        head, rest = read_head(tls)
        if head is None:
            return
        lines = head.split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        hdrs = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            hdrs[k.strip().lower()] = v.strip()
        length = int(hdrs.get("content-length", "0"))
        while len(rest) < length:
            rest += tls.recv(4096)
        record({"method": method, "path": path, "host": hdrs.get("host"),
                "token": hdrs.get("x-amz-sso_bearer_token"), "body": len(rest),
                "authorization": hdrs.get("authorization"), "accept": hdrs.get("accept"),
                "content_length": hdrs.get("content-length"),
                "agent": hdrs.get("user-agent", "")[:40]})
        if mode == "hang":
            time.sleep(60)
            return
        if mode == "401":
            body = b'{"message":"Session token not found or invalid"}'
            status = b"401 Unauthorized"
            extra = b"x-amzn-ErrorType: UnauthorizedException\r\n"
        elif mode.isdigit():
            body, status, extra = b"", mode.encode() + b" Test", b""
        else:
            body, status, extra = b"{}", b"200 OK", b""
        tls.sendall(b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\n" + extra +
                    (b"" if mode == "204" else b"Content-Length: " + str(len(body)).encode() + b"\r\n") +
                    b"Connection: close\r\n\r\n" + body)
        tls.close()
    except OSError:
        pass
    finally:
        conn.close()


srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(16)
srv.settimeout(1)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.getsockname()[1]))
import os
os.rename(portfile + ".tmp", portfile)
end = time.time() + 120
while time.time() < end:
    try:
        c, _ = srv.accept()
    except socket.timeout:
        continue
    threading.Thread(target=serve, args=(c,), daemon=True).start()
