#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""pcapscan.py FILE: print "RECORDS VALID_LEN SIZE" for a little-endian
pcap (microsecond or nanosecond) that may end in a cut record: the number
of complete records, the length up to the end of the last of them, and
the file's size. Exits 1 when the global header is missing or wrong.
Written without the collector's code, to judge its crash repair."""
import struct
import sys

data = open(sys.argv[1], "rb").read()
if len(data) < 24 or data[:4] not in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
    sys.exit("pcapscan: %s: no little-endian pcap header" % sys.argv[1])
snap = struct.unpack_from("<I", data, 16)[0]
off, n = 24, 0
while off + 16 <= len(data):
    incl, orig = struct.unpack_from("<II", data, off + 8)
    if incl > max(snap, 262144) or incl > orig or off + 16 + incl > len(data):
        break
    off += 16 + incl
    n += 1
print(n, off, len(data))
