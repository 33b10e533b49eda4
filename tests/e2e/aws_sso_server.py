#!/usr/bin/python3
"""IAM Identity Center's OIDC and portal APIs on 127.0.0.1, enough for a
device-code login to complete at once (the "user" approves before the first
poll): the real atmos logs in against it in the interop tests.

usage: aws_sso_server.py PORTFILE LOG
  POST /client/register, /device_authorization, /token   (SSO OIDC, restJson1)
  GET  /federation/credentials                           (SSO portal GetRoleCredentials)
  GET  /assignment/accounts, /assignment/roles           (ListAccounts, ListAccountRoles)
  POST /logout                                           (SSO portal Logout)
  POST / Action=AssumeRole | GetCallerIdentity            (STS, query protocol, XML)
Each request is one JSON line in LOG (method, path; never a token).  Stops by itself after 300 s.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

portfile, log = sys.argv[1:3]
lock = threading.Lock()
EXPIRES = 8 * 3600


def body_of(path):
    now = int(time.time())
    if path == "/client/register":
        return {"clientId": "interop-client", "clientSecret": "interop-secret", "clientIdIssuedAt": now,
                "clientSecretExpiresAt": now + 90 * 86400}
    if path == "/device_authorization":
        return {"deviceCode": "interop-device", "userCode": "ABCD-EFGH", "expiresIn": 600, "interval": 1,
                "verificationUri": "http://127.0.0.1/device",
                "verificationUriComplete": "http://127.0.0.1/device?user_code=ABCD-EFGH"}
    if path == "/token":
        return {"accessToken": "interop-access-token", "tokenType": "Bearer", "expiresIn": EXPIRES,
                "refreshToken": "interop-refresh-token"}
    if path == "/federation/credentials":
        return {"roleCredentials": {"accessKeyId": "ASIAINTEROP", "secretAccessKey": "interop-secret-key",
                                    "sessionToken": "interop-session-token", "expiration": (now + 3600) * 1000}}
    if path == "/assignment/accounts":
        return {"accountList": [{"accountId": "123456789012", "accountName": "interop",
                                 "emailAddress": "a@example.com"}]}
    if path == "/assignment/roles":
        return {"roleList": [{"roleName": "Admin", "accountId": "123456789012"}]}
    if path == "/logout":
        return {}
    return None


def sts(form):
    """STS's query protocol: the Action's result as XML."""
    action = (parse_qs(form).get("Action") or [""])[0]
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    if action == "AssumeRole":
        result = (f"<Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>interop-role-secret"
                  f"</SecretAccessKey><SessionToken>interop-role-session</SessionToken><Expiration>{expires}"
                  "</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/x/s"
                  "</Arn><AssumedRoleId>AROAINTEROP:s</AssumedRoleId></AssumedRoleUser>")
    elif action == "GetCallerIdentity":
        result = ("<Arn>arn:aws:sts::123456789012:assumed-role/x/s</Arn><UserId>AROAINTEROP:s</UserId>"
                  "<Account>123456789012</Account>")
    else:
        return action, None
    return action, (f'<{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><{action}Result>'
                     f"{result}</{action}Result><ResponseMetadata><RequestId>interop</RequestId>"
                     f"</ResponseMetadata></{action}Response>").encode()


class Handler(BaseHTTPRequestHandler):
    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        form = self.rfile.read(n).decode(errors="replace") if n else ""
        path = urlparse(self.path).path
        if self.command == "POST" and path == "/" and "Action=" in form:
            action, xml = sts(form)
            with lock, open(log, "a") as f:
                f.write(json.dumps({"method": self.command, "path": path, "action": action}) + "\n")
            self.send_response(200 if xml else 400)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(xml or b"")))
            self.end_headers()
            self.wfile.write(xml or b"")
            return
        with lock, open(log, "a") as f:
            f.write(json.dumps({"method": self.command, "path": path}) + "\n")
        body = body_of(path)
        data = json.dumps(body if body is not None else {"message": "not here"}).encode()
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = answer

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os  # noqa: E402
os.rename(portfile + ".tmp", portfile)
threading.Timer(300, server.shutdown).start()
server.serve_forever()
