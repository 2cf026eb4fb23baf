#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Classification through the whole pipeline: every capture of
# ../shared/pcaps/app is encapsulated by vtap-sender --read (a VNI of its
# own, so flows of different files never share a key) into a live
# collector on loopback in a namespace; after SIGTERM, the app_proto of
# every IP flow in its flow log (flows-*.jsonl) is compared with what
# ndpiReader 4.2 reported for the same file (expected-ndpi-4.2/app/F.csv).
#
# Flows are matched per file by protocol and endpoints (ports for TCP,
# UDP and SCTP; addresses only for ICMP), then what is left on both sides
# by name (as tests/unit/classify/test_classify_oracle.c does: IP
# fragments and tunnels are keyed differently). Every disagreement is
# printed; at least 95% of ndpiReader's flows must agree.
#
# Timeouts are long (1 h idle, 2 h active) so that no flow is split: the
# files replay in seconds, but ndpiReader kept each flow whole. The one
# capture with BSD loopback framing gets a zero-MAC Ethernet header, as
# the collector's own --inner mode gives it.
set -euo pipefail
source "$(dirname "$0")/clib.sh"
trap ce_cleanup EXIT

ce_init
e2e_need_pcaps
e2e_need capinfos python3
MIN_AGREE=${E2E_MIN_AGREE:-95}

e2e_ns COL col
STORE=$E2E_TMP/store
ce_collector collector "$COL" --listen 127.0.0.1:4789 --pcap-dir "$STORE" --workers 2 \
  --idle-timeout 3600 --active-timeout 7200 --min-free 0

# Replay each capture with its own VNI; remember VNI -> file.
vni=1000
frames=0
: >"$E2E_TMP/vnis.tsv"
for f in "$PCAPS"/app/*; do
  [[ -f $f ]] || continue
  b=$(basename "$f")
  [[ -f $PCAPS/expected-ndpi-4.2/app/$b.csv ]] || {
    e2e_log "skipping $b: no ndpiReader 4.2 expectation"
    continue
  }
  link=$(capinfos -T -r -E "$f" 2>/dev/null | cut -f 2)
  case $link in
  ether) ;;
  null)
    # BSD loopback: a 4-byte address family, then IP. Put a zero-MAC
    # Ethernet header in its place.
    python3 - "$f" "$E2E_TMP/$b.ether.pcap" <<'EOF'
import struct, sys
raw = open(sys.argv[1], "rb").read()
magic = raw[:4]
end = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
hdr = bytearray(raw[:24])
struct.pack_into(end + "I", hdr, 20, 1)
out, off = bytearray(hdr), 24
while off + 16 <= len(raw):
    ts, sub, cap, wire = struct.unpack(end + "IIII", raw[off:off + 16])
    pkt = raw[off + 16:off + 16 + cap]
    off += 16 + cap
    eth = b"\0" * 12 + (b"\x86\xdd" if pkt[4] >> 4 == 6 else b"\x08\x00")
    out += struct.pack(end + "IIII", ts, sub, cap - 4 + 14, wire - 4 + 14) + eth + pkt[4:]
open(sys.argv[2], "wb").write(out)
EOF
    e2e_log "$b: BSD loopback framing replaced by a zero-MAC Ethernet header"
    f=$E2E_TMP/$b.ether.pcap
    ;;
  *)
    e2e_log "skipping $b: link type '$link' is not Ethernet"
    continue
    ;;
  esac
  n=$(capinfos -M -T -r -c "$f" | cut -f 2)
  ip netns exec "$COL" timeout 60 "$VTAP_SENDER" --read "$f" --destination 127.0.0.1 \
    --vni "$vni" >"$E2E_TMP/sender.out" 2>"$E2E_TMP/sender.err" ||
    e2e_fail "vtap-sender --read $b failed: $(tail -n 3 "$E2E_TMP/sender.err" | tr '\n' ' ')"
  tail -n 1 "$E2E_TMP/sender.out" | jq -e --argjson n "$n" \
    '.captured == $n and .sent == $n and .truncated == 0 and ([.dropped[]] | add) == 0' >/dev/null ||
    e2e_fail "vtap-sender did not send all $n frames of $b: $(tail -n 1 "$E2E_TMP/sender.out")"
  printf '%s\t%s\n' "$vni" "$b" >>"$E2E_TMP/vnis.tsv"
  frames=$((frames + n))
  vni=$((vni + 1))
done
(($(wc -l <"$E2E_TMP/vnis.tsv") > 0)) || e2e_skip "no capture to replay in $PCAPS/app"
e2e_log "replayed $frames frames of $(wc -l <"$E2E_TMP/vnis.tsv") captures"
ce_wait_live 30 "$COL" .counters.frames "$frames"
ce_collector_stop collector
ce_expect_json "$E2E_TMP/collector.json" ".datagrams=$frames" ".frames=$frames" \
  ".written=$frames" .dropped_total=0 .kernel_drops=0 .write_errors=0 .flows_evicted=0 \
  ".flows_logged=$(jq -r .flows_created "$E2E_TMP/collector.json")"
for f in "$STORE"/flows-*; do
  [[ $f == *.jsonl ]] || e2e_fail "$(basename "$f") was not closed at exit"
done

python3 - "$E2E_TMP/vnis.tsv" "$PCAPS/expected-ndpi-4.2/app" "$MIN_AGREE" "$STORE"/flows-*.jsonl <<'EOF'
import collections, csv, json, sys

vnis_tsv, expdir, min_agree, logs = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4:]
files = dict(line.rstrip("\n").split("\t") for line in open(vnis_tsv))
NUM = {"TCP": 6, "UDP": 17, "ICMP": 1, "IPv6-ICMP": 58, "SCTP": 132}
PORTS = {6, 17, 132, 136}

def key(proto, a, ap, b, bp):
    if proto in PORTS:
        ends = sorted([f"{a}|{ap}", f"{b}|{bp}"])
    else:
        ends = sorted([a, b])
    return (proto, ends[0], ends[1])

def where(proto, a, ap, b, bp):
    return f"proto {proto} {a}:{ap} -> {b}:{bp}"

got = collections.defaultdict(list)     # file -> [(key, name, where)]
lines = 0
for path in logs:
    for line in open(path):
        r = json.loads(line)
        lines += 1
        if "src_ip" not in r:
            continue                    # not IP: ndpiReader reports IP flows only
        vni = str(r["vni"])
        if vni not in files:
            sys.exit(f"a flow of VNI {vni}, which no capture was sent with: {line}")
        p = NUM.get(r["proto"], None)
        p = int(r["proto"]) if p is None else p
        a, ap, b, bp = r["src_ip"], r.get("src_port", 0), r["dest_ip"], r.get("dest_port", 0)
        got[files[vni]].append((key(p, a, ap, b, bp), r.get("app_proto", ""), where(p, a, ap, b, bp)))

total = agree = extra = 0
for vni, f in sorted(files.items(), key=lambda x: x[1]):
    exp = []
    with open(f"{expdir}/{f}.csv") as fp:
        for row in csv.reader(l for l in fp if not l.startswith("#")):
            p, a, ap, b, bp, name = int(row[1]), row[5], row[6], row[7], row[8], row[10]
            exp.append((key(p, a, int(ap), b, int(bp)), name, where(p, a, ap, b, bp)))
    mine = got.get(f, [])
    total += len(exp)
    ok, bad = 0, []
    # 1. by key: same key, same name; then same key, another name
    left_e, left_g = [], list(mine)
    for e in exp:
        same = [g for g in left_g if g[0] == e[0] and g[1] == e[1]]
        if same:
            left_g.remove(same[0]); ok += 1
        else:
            left_e.append(e)
    still_e = []
    for e in left_e:
        other = [g for g in left_g if g[0] == e[0]]
        if other:
            left_g.remove(other[0])
            bad.append(f"expected {e[1]:<22} got {other[0][1] or '(none)':<22} {e[2]}")
        else:
            still_e.append(e)
    # 2. what is left, by name
    for e in still_e:
        same = [g for g in left_g if g[1] == e[1]]
        if same:
            left_g.remove(same[0]); ok += 1
        else:
            bad.append(f"expected {e[1]:<22} got no such flow        {e[2]}")
    for g in left_g:
        bad.append(f"got      {g[1] or '(none)':<22} not expected          {g[2]}")
        extra += 1
    agree += ok
    if bad:
        print(f"collector-classify: {f} (VNI {vni}): {ok} of {len(exp)} agree; disagreements (ndpiReader 4.2 / collector):")
        for b in bad:
            print(f"collector-classify:   {b}")
pct = 100.0 * agree / total if total else 0.0
print(f"collector-classify: {len(files)} captures, {lines} flow log lines: {agree} of {total} "
      f"ndpiReader flows agree ({pct:.1f}%); {extra} flows here that ndpiReader did not report")
if total == 0 or pct < min_agree:
    print(f"FAIL: collector-classify: {pct:.1f}% of flows agree, less than {min_agree}%")
    sys.exit(1)
EOF
