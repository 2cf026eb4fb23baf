#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write an Ethernet pcap of IPv4 UDP and TCP frames for the fault and load
tests: PACKETS frames spread round-robin over FLOWS flows whose 5-tuples
are drawn at random (seeded, so a run is repeatable) and all distinct.
FLOWS equal to PACKETS is a flood of new flows; a few flows is steady
traffic. Frames are SIZE bytes (without FCS), timestamps 10 us apart.

    mkflows.py OUT.pcap --packets N [--flows K] [--size BYTES] [--seed S]
"""
import argparse
import random
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--packets", type=int, required=True)
    ap.add_argument("--flows", type=int, default=0, help="0: one per packet")
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    flows = a.flows or a.packets
    if not 1 <= flows <= a.packets or not 60 <= a.size <= 1514:
        sys.exit("mkflows: want 1 <= FLOWS <= PACKETS and 60 <= SIZE <= 1514")

    rnd = random.Random(a.seed)
    seen = set()
    tuples = []
    while len(tuples) < flows:
        t = (
            0x0A000000 | rnd.getrandbits(24),  # 10/8
            0xAC100000 | rnd.getrandbits(20),  # 172.16/12
            rnd.randrange(1024, 65536),
            rnd.randrange(1, 65536),
            rnd.choice((6, 17)),
        )
        if t not in seen:
            seen.add(t)
            tuples.append(t)

    eth = bytes.fromhex("020000000002" "020000000001" "0800")
    out = open(a.out, "wb")
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    t_us = 1700000000 * 1000000
    for i in range(a.packets):
        src, dst, sport, dport, proto = tuples[i % flows]
        if proto == 6:
            l4 = struct.pack("!HHIIBBHHH", sport, dport, i, 0, 5 << 4, 0x18, 65535, 0, 0)
        else:
            l4 = struct.pack("!HHHH", sport, dport, a.size - 14 - 20, 0)
        pay = bytes(a.size - 14 - 20 - len(l4))
        iph = struct.pack("!BBHHHBBHII", 0x45, 0, a.size - 14, i & 0xFFFF, 0,
                          64, proto, 0, src, dst)
        iph = iph[:10] + struct.pack("!H", csum(iph)) + iph[12:]
        frame = eth + iph + l4 + pay
        out.write(struct.pack("<IIII", t_us // 1000000, t_us % 1000000,
                              len(frame), len(frame)))
        out.write(frame)
        t_us += 10
    out.close()


if __name__ == "__main__":
    main()
