#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Small classic-pcap tools for the collector's HTTP end-to-end tests
(classic pcap only, microsecond or nanosecond, either byte order; turn
pcapng into pcap with editcap first).

  pcaptool.py keep IN OUT SRC...
      Copy to OUT (same header) the records of IN whose frame bytes are
      those of some record of the SRC files: the frames of IN that came
      from these captures.
  pcaptool.py disjoint SRC... -- SRC...
      Exit 1 (naming one) when a frame of the first group is also a frame
      of the second.
  pcaptool.py same EXPECTED ACTUAL
      Exit 0 when both have the same link type and the same records in the
      same order, timestamps to the nanosecond and original lengths
      included; else 1 with the first difference.
  pcaptool.py header FILE
      Print "MAGIC VERSION SNAPLEN LINKTYPE RECORDS" (magic in hex, as read
      in little-endian order).
"""
import struct
import sys

MAGICS = {
    0xA1B2C3D4: ("<", 1000),
    0xA1B23C4D: ("<", 1),
    0xD4C3B2A1: (">", 1000),
    0x4D3CB2A1: (">", 1),
}


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise SystemExit(f"{path}: {len(data)} bytes, shorter than a pcap header")
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in MAGICS:
        raise SystemExit(f"{path}: not a classic pcap (magic {magic:#x})")
    order, mult = MAGICS[magic]
    vmaj, vmin, _, _, snap, link = struct.unpack(order + "HHiIII", data[4:24])
    recs = []
    off = 24
    while off < len(data):
        if off + 16 > len(data):
            raise SystemExit(f"{path}: truncated record header at offset {off}")
        sec, frac, incl, orig = struct.unpack(order + "IIII", data[off:off + 16])
        if off + 16 + incl > len(data):
            raise SystemExit(f"{path}: truncated record at offset {off}")
        recs.append((sec * 1000000000 + frac * mult, orig, data[off + 16:off + 16 + incl],
                     data[off:off + 16 + incl]))
        off += 16 + incl
    return {"header": data[:24], "magic": magic, "version": (vmaj, vmin), "snap": snap,
            "link": link, "records": recs}


def frames(paths):
    out = set()
    for p in paths:
        out.update(r[2] for r in read(p)["records"])
    return out


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "keep" and len(args) >= 3:
        src = frames(args[2:])
        cap = read(args[0])
        with open(args[1], "wb") as f:
            f.write(cap["header"])
            for r in cap["records"]:
                if r[2] in src:
                    f.write(r[3])
        return 0
    if cmd == "disjoint" and "--" in args:
        i = args.index("--")
        a, b = frames(args[:i]), frames(args[i + 1:])
        both = a & b
        if both:
            print(f"{len(both)} frame(s) in both groups, e.g. {next(iter(both))[:40].hex()}", file=sys.stderr)
            return 1
        return 0
    if cmd == "same" and len(args) == 2:
        e, a = read(args[0]), read(args[1])
        if e["link"] != a["link"]:
            print(f"link type {e['link']} expected, {a['link']} actual", file=sys.stderr)
            return 1
        for i, (x, y) in enumerate(zip(e["records"], a["records"]), 1):
            if x[:3] != y[:3]:
                what = ("timestamp" if x[0] != y[0] else "original length" if x[1] != y[1] else "bytes")
                print(f"record {i}: {what} differ (expected ts {x[0]} len {x[1]} caplen {len(x[2])}, "
                      f"actual ts {y[0]} len {y[1]} caplen {len(y[2])})", file=sys.stderr)
                return 1
        if len(e["records"]) != len(a["records"]):
            print(f"{len(e['records'])} records expected, {len(a['records'])} actual", file=sys.stderr)
            return 1
        return 0
    if cmd == "header" and len(args) == 1:
        c = read(args[0])
        print(f"{c['magic']:#010x} {c['version'][0]}.{c['version'][1]} {c['snap']} {c['link']} {len(c['records'])}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
