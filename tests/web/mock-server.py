#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A tiny stand-in for vtap-collector's HTTP surface, for the status page.

Serves web/ exactly as the collector does (/ is index.html, /static/NAME is
web/NAME, /static/chart.js is Debian's Chart.js) and answers the JSON API of
issue 5 with made-up but self-consistent numbers that move with the clock,
plus one tiny valid pcap for every file link and for the merged download.
It is for developing the page and for testing the page alone; it knows
nothing of capture, BPF or storage. Only loopback addresses appear in
sockets; every address in the fixtures is from the documentation ranges.

    python3 mock-server.py [--port 8080] [--scenario live|empty|degraded] [--no-chart]

--port 0 picks a free port. The first line on stdout is always
"listening on http://HOST:PORT/" so a test can start it and read the URL.
"""

import argparse
import json
import math
import os
import random
import struct
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
WEB_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "web"))
CHART_CANDIDATES = [
    "/usr/share/javascript/chart.js/chart.umd.js",
    "/usr/share/javascript/chart.js/chart.min.js",
    "/usr/share/javascript/chart.js/chart.js",
]
STATIC_TYPES = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}
DROP_REASONS = ["short", "no_i_flag", "sender_denied", "vni_denied", "oversize"]
START = time.time()

# ---------------------------------------------------------------- the pcap


def ip_checksum(hdr):
    s = 0
    for i in range(0, len(hdr), 2):
        s += (hdr[i] << 8) | hdr[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def udp_frame(src, dst, sport, dport, payload):
    """Ethernet II + IPv4 + UDP (UDP checksum 0: allowed over IPv4)."""
    eth = bytes.fromhex("020000000002" "020000000001" "0800")
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1,
                               0x4000, 64, 17, 0, bytes(src), bytes(dst)))
    struct.pack_into("!H", ip, 10, ip_checksum(ip))
    return eth + bytes(ip) + udp


def tiny_pcap(base_ns):
    """A nanosecond-resolution pcap (magic a1b23c4d) with three DNS
    queries between documentation addresses."""
    out = bytearray(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))
    for i in range(3):
        query = (struct.pack("!HHHHHH", 0x1000 + i, 0x0100, 1, 0, 0, 0)
                 + b"\x07example\x03org\x00" + struct.pack("!HH", 1, 1))
        frame = udp_frame((192, 0, 2, 10), (198, 51, 100, 53), 40000 + i, 53, query)
        ts = base_ns + i * 1_000_000
        out += struct.pack("<IIII", ts // 1_000_000_000, ts % 1_000_000_000,
                           len(frame), len(frame))
        out += frame
    return bytes(out)


# ---------------------------------------------------------------- fixtures

APPS = [  # name, share of bytes, mean packet size
    ("TLS.Google", 0.27, 1100), ("QUIC.YouTube", 0.21, 1250),
    ("TLS.Microsoft", 0.11, 900), ("HTTP", 0.08, 700),
    ("TLS.AmazonAWS", 0.07, 1000), ("SSH", 0.05, 300),
    ("DNS", 0.03, 110), ("SMB", 0.03, 1300), ("Unknown", 0.03, 600),
    ("NTP", 0.01, 90), ("ICMP", 0.005, 98), ("LDAP", 0.005, 400),
]
COUNTRIES = ["", "DE", "US", "NL", "FR", "IE", "GB", "", "SE", "JP"]
TAPS = [("42", 0.55), ("100", 0.3), ("7001", 0.15)]
SENDERS = [("192.0.2.10", 0.5), ("192.0.2.11", 0.35),
           ("2001:db8::a", 0.15)]


def rate_at(t):
    """Packets in second t: a slow wave with some deterministic noise."""
    rnd = random.Random(int(t))
    return int(4200 + 1600 * math.sin(t / 47.0) + 700 * math.sin(t / 9.0)
               + rnd.uniform(-300, 300))


def totals(now):
    up = max(1, int(now - START) + 3600)  # pretend it ran an hour before
    frames = 4300 * up
    return up, frames, frames * 780


def scale_drops(frames, factor):
    return {"short": int(frames * 1e-6 * factor),
            "no_i_flag": int(frames * 3e-7 * factor),
            "sender_denied": int(frames * 2e-5 * factor),
            "vni_denied": 0,
            "oversize": int(frames * 1e-7 * factor)}


def status(scn, now):
    if scn == "empty":
        zero_drops = {r: 0 for r in DROP_REASONS}
        return {"version": "0.1.0", "uptime_s": 3,
                "health": {"ok": True, "reason": ""}, "draining": False,
                "workers": 2,
                "counters": {"datagrams": 0, "datagram_bytes": 0, "frames": 0,
                             "frame_bytes": 0, "written": 0,
                             "written_bytes": 0, "write_errors": 0,
                             "flows_active": 0, "flows_created": 0,
                             "dropped_total": 0, "dropped": zero_drops,
                             "kernel_drops": 0},
                "senders": [], "vnis": [],
                "disk": {"dir": "/var/lib/vtap/pcap",
                         "total_bytes": 512 * 2**30, "free_bytes": 498 * 2**30,
                         "pcap_bytes": 0, "files": 0, "oldest_ns": 0,
                         "newest_ns": 0, "horizon_s": 0}}
    up, frames, fbytes = totals(now)
    drops = scale_drops(frames, 1)
    dropped_total = sum(drops.values())
    written = frames - dropped_total
    horizon = 3 * 3600 + 12 * 60 + int(now) % 60
    newest = int(now * 1e9)

    def rows(spec):
        out = []
        for name, share in spec:
            d = scale_drops(int(frames * share), 1)
            n = int(frames * share)
            out.append({"name": name, "datagrams": n,
                        "bytes": int(n * 830), "written": n - sum(d.values()),
                        "dropped": d})
        return out

    health = {"ok": True, "reason": ""}
    draining = False
    if scn == "degraded":
        health = {"ok": False,
                  "reason": "free space 1.8 GiB is below the floor of 2.0 GiB"}
    return {"version": "0.1.0", "uptime_s": up, "health": health,
            "draining": draining, "workers": 2,
            "counters": {"datagrams": frames, "datagram_bytes": fbytes + 50 * frames,
                         "frames": frames, "frame_bytes": fbytes,
                         "written": written, "written_bytes": written * 780,
                         "write_errors": 0,
                         "flows_active": 1800 + int(now) % 97,
                         "flows_created": frames // 40,
                         "dropped_total": dropped_total, "dropped": drops,
                         "kernel_drops": 12},
            "senders": rows(SENDERS), "vnis": rows(TAPS),
            "disk": {"dir": "/var/lib/vtap/pcap",
                     "total_bytes": 512 * 2**30,
                     "free_bytes": (1.8 if scn == "degraded" else 301) * 2**30,
                     "pcap_bytes": 187 * 2**30 + int(now) % 1000 * 2**20,
                     "files": 77, "oldest_ns": newest - horizon * 10**9,
                     "newest_ns": newest, "horizon_s": horizon}}


def timeseries(scn, now, seconds):
    seconds = max(1, min(3600, seconds))
    last = int(now) - 1
    pts = []
    for t in range(last - seconds + 1, last + 1):
        if scn == "empty":
            pts.append({"t": t, "packets": 0, "bytes": 0, "dropped": 0})
            continue
        p = rate_at(t)
        d = random.Random(t * 7).choice([0, 0, 0, 0, 0, 1, 2, 5])
        pts.append({"t": t, "packets": p, "bytes": p * 780, "dropped": d})
    return {"interval_s": 1, "points": pts}


def protocols(scn, now, limit):
    if scn == "empty":
        return {"protocols": []}
    _, frames, fbytes = totals(now)
    out = []
    for name, share, size in APPS:
        b = int(fbytes * share)
        out.append({"name": name, "flows": max(1, int(frames * share / 400)),
                    "packets": b // size, "bytes": b})
    out.sort(key=lambda r: -r["bytes"])
    return {"protocols": out[:limit]}


def flows(scn, now, limit):
    if scn == "empty":
        return {"flows": []}
    rnd = random.Random(5)
    now_ns = int(now * 1e9)
    out = []
    for i in range(40):
        app, _, size = APPS[i % len(APPS)]
        proto = {"QUIC.YouTube": "UDP", "DNS": "UDP", "NTP": "UDP",
                 "ICMP": "ICMP"}.get(app, "TCP")
        dport = {"HTTP": 80, "SSH": 22, "DNS": 53, "NTP": 123, "SMB": 445,
                 "LDAP": 389, "ICMP": 0, "Unknown": 8443}.get(app, 443)
        pk = int(rnd.uniform(2e3, 9e5) * (1 + (now % 60) / 600)) // (i + 1)
        src = "192.0.2.%d" % (20 + i % 7) if i % 5 else "2001:db8:1::%x" % (i + 1)
        dst = "203.0.113.%d" % (100 + i) if i % 5 else "2001:db8:ff::%x" % (i + 9)
        first = now_ns - int(rnd.uniform(5, 3000) * 1e9)
        out.append({"src": src, "sport": 0 if proto == "ICMP" else 40000 + i * 13,
                    "dst": dst, "dport": dport, "proto": proto, "app": app,
                    "vni": int(TAPS[i % len(TAPS)][0]), "packets": pk,
                    "bytes": pk * size, "first_ns": first,
                    "last_ns": now_ns - int(rnd.uniform(0, 4) * 1e9),
                    "src_country": "", "dst_country": COUNTRIES[i % len(COUNTRIES)]})
    out.sort(key=lambda r: -r["bytes"])
    return {"flows": out[:limit]}


def talkers(scn, now, limit):
    if scn == "empty":
        return {"talkers": []}
    agg = {}
    for f in flows(scn, now, 1000)["flows"]:
        for addr, cc in ((f["src"], f["src_country"]), (f["dst"], f["dst_country"])):
            t = agg.setdefault(addr, {"addr": addr, "packets": 0, "bytes": 0,
                                      "flows": 0, "country": cc})
            t["packets"] += f["packets"]
            t["bytes"] += f["bytes"]
            t["flows"] += 1
    out = sorted(agg.values(), key=lambda r: -r["bytes"])
    return {"talkers": out[:limit]}


def file_list(scn, now):
    if scn == "empty":
        return {"files": []}
    out = []
    period = 300
    cur = int(now) // period * period
    for k in range(8):
        for w in (0, 1):
            start = cur - k * period
            end = min(int(now), start + period - 1)
            stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(start))
            compressed = k >= 4
            name = "vtap-w%d-%s.000000000Z.pcap%s" % (w, stamp, ".lz4" if compressed else "")
            pk = (end - start + 1) * 2100
            out.append({"name": name,
                        "size": int(pk * (780 if not compressed else 420)),
                        "first_ns": start * 10**9 + 1234567,
                        "last_ns": end * 10**9 + 987654321,
                        "packets": pk, "open": k == 0,
                        "compressed": compressed})
    return {"files": out}


def bad_filter(expr):
    """Rough stand-in for libpcap's parser: unbalanced parentheses, a
    dangling operator, or the word 'bogus' are syntax errors."""
    depth = 0
    for c in expr:
        depth += {"(": 1, ")": -1}.get(c, 0)
        if depth < 0:
            return True
    words = expr.split()
    return (depth != 0 or "bogus" in words
            or (words and words[-1] in ("and", "or", "not", "&&", "||", "port", "host")))


# ---------------------------------------------------------------- HTTP


class Handler(BaseHTTPRequestHandler):
    server_version = "vtap-mock/0.1"
    scenario = "live"
    chart_path = None
    quiet = False

    def log_message(self, fmt, *args):
        if not self.quiet:
            sys.stderr.write("mock: %s\n" % (fmt % args))

    def send_body(self, code, body, ctype, extra=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, obj, code=200):
        self.send_body(code, json.dumps(obj).encode(), "application/json")

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        url = urlsplit(self.path)
        path = url.path
        q = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        now = time.time()
        scn = self.scenario

        def num(name, default):
            try:
                return int(q.get(name, default))
            except ValueError:
                return None

        if path in ("/", "/index.html"):
            return self.static("index.html")
        if path == "/static/chart.js":
            if not self.chart_path:
                return self.send_json({"error": "Chart.js not installed"}, 404)
            with open(self.chart_path, "rb") as f:
                return self.send_body(200, f.read(), "text/javascript; charset=utf-8")
        if path.startswith("/static/"):
            return self.static(path[len("/static/"):])
        if path == "/healthz":
            st = status(scn, now)
            ok = st["health"]["ok"] and not st["draining"]
            return self.send_json({"ok": ok, "reason": st["health"]["reason"]},
                                  200 if ok else 503)
        if path == "/api/v1/status":
            return self.send_json(status(scn, now))
        if path == "/api/v1/timeseries":
            secs = num("seconds", 300)
            if secs is None:
                return self.send_json({"error": "seconds: not a number"}, 400)
            return self.send_json(timeseries(scn, now, secs))
        for name, fn in (("protocols", protocols), ("flows", flows), ("talkers", talkers)):
            if path == "/api/v1/" + name:
                lim = num("limit", 20)
                if lim is None or lim < 1:
                    return self.send_json({"error": "limit: not a positive number"}, 400)
                return self.send_json(fn(scn, now, lim))
        if path == "/api/v1/files":
            return self.send_json(file_list(scn, now))
        if path.startswith("/files/"):
            name = unquote(path[len("/files/"):])
            names = {f["name"] for f in file_list(scn, now)["files"]}
            if name not in names:
                return self.send_json({"error": "no such file"}, 404)
            fname = name[:-4] if name.endswith(".lz4") else name
            return self.send_body(200, tiny_pcap(int(now * 1e9)),
                                  "application/vnd.tcpdump.pcap",
                                  {"Content-Disposition": 'attachment; filename="%s"' % fname})
        if path in ("/api/v1/pcap", "/api/v1/pcap/estimate"):
            return self.pcap_query(path.endswith("/estimate"), q, now)
        return self.send_json({"error": "not found"}, 404)

    def static(self, name):
        if name not in STATIC_TYPES:
            return self.send_json({"error": "not found"}, 404)
        with open(os.path.join(WEB_DIR, name), "rb") as f:
            return self.send_body(200, f.read(), STATIC_TYPES[name])

    def pcap_query(self, estimate, q, now):
        try:
            t_from = int(q.get("from", 0))
            t_to = int(q.get("to", int(now)))
            vni = int(q["vni"]) if q.get("vni", "") != "" else None
        except ValueError:
            return self.send_json({"error": "from, to and vni must be integers"}, 400)
        if t_to < t_from:
            return self.send_json({"error": "to is before from"}, 400)
        expr = q.get("filter", "")
        if bad_filter(expr):
            return self.send_json({"error": "syntax error in filter expression: syntax error"}, 400)
        if not estimate:
            return self.send_body(200, tiny_pcap(t_from * 10**9), "application/vnd.tcpdump.pcap",
                                  {"Content-Disposition":
                                   'attachment; filename="vtap-%d-%d.pcap"' % (t_from, t_to)})
        if scn_empty(self.scenario):
            return self.send_json({"files": 0, "packets": 0, "bytes": 0,
                                   "cap_bytes": 4 * 2**30, "capped": False})
        span = max(0, min(t_to, int(now)) - max(t_from, int(now) - 11520))
        share = (0.3 if expr else 1.0) * (0.5 if vni is not None else 1.0)
        packets = int(span * 4300 * share)
        size = packets * 796 + 24
        cap = 4 * 2**30
        return self.send_json({"files": 2 * (span // 300 + 1) if span else 0,
                               "packets": packets, "bytes": min(size, cap),
                               "cap_bytes": cap, "capped": size > cap})


def scn_empty(scn):
    return scn == "empty"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bind", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--scenario", choices=["live", "empty", "degraded"], default="live")
    ap.add_argument("--chart", help="Chart.js UMD file (default: Debian's)")
    ap.add_argument("--no-chart", action="store_true",
                    help="answer 404 for /static/chart.js, to see the page without charts")
    ap.add_argument("--quiet", action="store_true", help="no request log")
    args = ap.parse_args()

    Handler.scenario = args.scenario
    Handler.quiet = args.quiet
    Handler.chart_path = args.chart or next((p for p in CHART_CANDIDATES if os.path.exists(p)), None)
    if args.no_chart:
        Handler.chart_path = None
    elif not Handler.chart_path:
        sys.stderr.write("mock: no Chart.js found (apt-get install libjs-chart.js); charts will be missing\n")
    srv = ThreadingHTTPServer((args.bind, args.port), Handler)
    srv.daemon_threads = True
    host, port = srv.server_address[:2]
    print("listening on http://%s:%d/" % (host, port), flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
