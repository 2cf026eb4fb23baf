#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Raw HTTP/1.1 clients for the collector's end-to-end tests: what curl
will not send (literal "..", NUL bytes, absolute-form targets, huge
headers), or will not do (read one byte a second). Every socket operation
has a time limit.

  httpraw.py request PORT REQUEST [BODYFILE]
      Send REQUEST (Python string escapes allowed, e.g. \\r\\n, \\x00) to
      127.0.0.1:PORT, read the answer until the server closes or 10 s
      pass, print one JSON line: {"status": int or null, "reason",
      "headers": {lower-case name: value}, "body_len", "closed"}; the body
      goes to BODYFILE when given.

  httpraw.py slowread PORT PATH SECONDS
      GET PATH with a 4 KiB receive buffer, read the status line, then one
      byte a second for SECONDS seconds; print {"status_line",
      "bytes_read", "open"} where
      "open" says the server had not finished the body by then.

  httpraw.py flood PORT COUNT SECONDS
      Open up to COUNT idle connections (stopping at the first that takes
      over 2 s), print {"opened", "stopped_by"}, hold them SECONDS seconds.

  httpraw.py slowheaders PORT SECONDS
      Send a request's headers one byte a second for SECONDS seconds, never
      finishing them; print {"sent", "answer"}.
"""
import codecs
import json
import socket
import sys
import time

HOST = "127.0.0.1"


def connect(port, rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf is not None:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(10)
    s.connect((HOST, port))
    return s


def request(port, raw, bodyfile=None):
    req = codecs.decode(raw, "unicode_escape").encode("latin-1")
    s = connect(port)
    closed = False
    data = b""
    try:
        s.sendall(req)
    except OSError:
        pass
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except OSError:
            closed = True
            break
        if not chunk:
            closed = True
            break
        data += chunk
    s.close()
    head, sep, body = data.partition(b"\r\n\r\n")
    out = {"status": None, "reason": "", "headers": {}, "body_len": len(body), "closed": closed,
           "raw_len": len(data)}
    if data.startswith(b"HTTP/"):
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        out["status"] = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        out["reason"] = parts[2] if len(parts) > 2 else ""
        for line in lines[1:]:
            k, _, v = line.partition(":")
            out["headers"][k.strip().lower()] = v.strip()
        if not sep:
            out["body_len"] = 0
    if bodyfile is not None:
        with open(bodyfile, "wb") as f:
            f.write(body)
    print(json.dumps(out))


def slowread(port, path, seconds):
    s = connect(port, rcvbuf=4096)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
    s.settimeout(5)
    got = b""
    status = ""
    is_open = True
    # the status line at once (at most 200 bytes), then one byte a second
    while b"\r\n" not in got and len(got) < 200:
        try:
            b = s.recv(1)
        except socket.timeout:
            break
        if not b:
            is_open = False
            break
        got += b
    if b"\r\n" in got:
        status = got.split(b"\r\n", 1)[0].decode("latin-1")
    for _ in range(int(seconds) if is_open else 0):
        try:
            b = s.recv(1)
        except socket.timeout:
            b = None
        if b == b"":
            is_open = False
            break
        if b:
            got += b
            if not status and b"\r\n" in got:
                status = got.split(b"\r\n", 1)[0].decode("latin-1")
        time.sleep(1)
    s.close()
    print(json.dumps({"status_line": status, "bytes_read": len(got), "open": is_open}))


def slowheaders(port, seconds):
    s = connect(port)
    msg = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 1000
    sent = 0
    answer = ""
    s.settimeout(1)
    for i in range(int(seconds)):
        try:
            s.sendall(msg[i:i + 1])
            sent += 1
        except OSError:
            answer = "closed while sending"
            break
        try:
            r = s.recv(4096)
            answer = r.decode("latin-1").split("\r\n", 1)[0] if r else "closed"
            break
        except socket.timeout:
            pass
        except OSError:
            answer = "closed"
            break
    s.close()
    print(json.dumps({"sent": sent, "answer": answer}))


def flood(port, count, seconds):
    socks = []
    why = ""
    for _ in range(int(count)):
        try:
            s = socket.create_connection((HOST, port), timeout=2)
        except OSError as e:
            why = str(e)
            break
        socks.append(s)
    print(json.dumps({"opened": len(socks), "stopped_by": why}), flush=True)
    time.sleep(float(seconds))
    for s in socks:
        s.close()


def main(argv):
    try:
        if argv[1] == "request" and len(argv) in (4, 5):
            request(int(argv[2]), argv[3], argv[4] if len(argv) == 5 else None)
        elif argv[1] == "slowread" and len(argv) == 5:
            slowread(int(argv[2]), argv[3], argv[4])
        elif argv[1] == "flood" and len(argv) == 5:
            flood(int(argv[2]), argv[3], argv[4])
        elif argv[1] == "slowheaders" and len(argv) == 4:
            slowheaders(int(argv[2]), argv[3])
        else:
            raise IndexError
    except IndexError:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
