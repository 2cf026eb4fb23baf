#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""flowgen: numbered two-way UDP flows for the ILB tests, and what they left.

  flowgen.py make OUT --flows F --rounds R [--tag T] [--port-base P]
      Write OUT, a pcap of F UDP flows between 198.18.50.2 (ports P..P+F-1)
      and 198.18.60.2:7000. Each round holds, for every flow in turn, one
      datagram client->server then one server->client: 2*F*R frames of 98
      bytes. Each payload carries a magic, the tag (0..255, one per batch),
      the flow, the direction, the flow's own sequence number (per
      direction) and a global one (the frame's index in OUT). The MACs are
      locally administered and nobody's, so the tapped host drops the
      frames after its capture has seen them.

  flowgen.py dump FILE...
      For every frame of the pcaps (microsecond or nanosecond, any link
      type, whole frames or VXLAN datagrams: the payload is found by its
      magic) print "tag gseq flow dir fseq ts_ns", one line per frame.

The tests replay OUT with tcpreplay into the tapped NIC and compare what
each collector stored, by number, to what was sent.
"""
import struct
import sys

MAGIC = b"VTAPILB1"
PAYLOAD = 56  # magic 8, tag 1, dir 1, flow 2, fseq 4, gseq 4, pad
PAYLOAD_FMT = "!8sBBHII"


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(tag, flow, d, fseq, gseq, port_base):
    cmac = bytes.fromhex("027674500002")
    smac = bytes.fromhex("027674600002")
    cip = bytes([198, 18, 50, 2])
    sip = bytes([198, 18, 60, 2])
    cport, sport = port_base + flow, 7000
    payload = struct.pack(PAYLOAD_FMT, MAGIC, tag, d, flow, fseq, gseq)
    payload += b"\0" * (PAYLOAD - len(payload))
    if d == 0:
        src, dst, smc, dmc, sp, dp = cip, sip, cmac, smac, cport, sport
    else:
        src, dst, smc, dmc, sp, dp = sip, cip, smac, cmac, sport, cport
    udp = struct.pack("!HHHH", sp, dp, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), gseq & 0xFFFF,
                     0x4000, 64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dmc + smc + b"\x08\x00" + ip + udp


def make(args):
    out, flows, rounds, tag, port_base = None, 16, 10, 1, 20000
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--flows", "--rounds", "--tag", "--port-base"):
            v = int(args[i + 1])
            if a == "--flows":
                flows = v
            elif a == "--rounds":
                rounds = v
            elif a == "--tag":
                tag = v
            else:
                port_base = v
            i += 2
        elif out is None:
            out = a
            i += 1
        else:
            sys.exit("flowgen: unexpected argument %r" % a)
    if out is None or not (0 <= tag <= 255) or flows < 1 or rounds < 1 \
            or port_base < 1 or port_base + flows > 65535:
        sys.exit("usage: flowgen.py make OUT --flows F --rounds R [--tag T] [--port-base P]")
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        gseq, t = 0, 1_000_000_000
        for r in range(rounds):
            for fl in range(flows):
                for d in (0, 1):
                    b = frame(tag, fl, d, r, gseq, port_base)
                    f.write(struct.pack("<IIII", t // 1_000_000, t % 1_000_000,
                                        len(b), len(b)))
                    f.write(b)
                    gseq += 1
                    t += 1000


def dump(paths):
    for p in paths:
        with open(p, "rb") as f:
            data = f.read()
        if len(data) < 24:
            continue
        magic = data[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            e = "<"
        elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            e = ">"
        else:
            sys.exit("flowgen: %s is not a pcap file" % p)
        nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
        off = 24
        while off + 16 <= len(data):
            sec, frac, caplen, _ = struct.unpack(e + "IIII", data[off:off + 16])
            rec = data[off + 16:off + 16 + caplen]
            off += 16 + caplen
            k = rec.find(MAGIC)
            if k < 0 or k + 20 > len(rec):
                continue
            _, tag, d, flow, fseq, gseq = struct.unpack(PAYLOAD_FMT, rec[k:k + 20])
            ts = sec * 1_000_000_000 + (frac if nano else frac * 1000)
            print(tag, gseq, flow, d, fseq, ts)


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "make":
        make(sys.argv[2:])
    elif len(sys.argv) >= 3 and sys.argv[1] == "dump":
        dump(sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
