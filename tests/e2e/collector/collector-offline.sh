#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Offline mode on the real VXLAN captures of ../shared/pcaps/vxlan: for
# each, `vtap-collector --read F --json` stores exactly the inner frames
# tshark decodes from F (the outer UDP payload after the 8-byte VXLAN
# header, of every packet whose outermost UDP datagram tshark decodes as
# VXLAN on the listen port), in order, byte for byte; they also equal
# expected-ndpi-4.2/vxlan/F.inner.pcap (one VXLAN layer removed). Its
# summary counts every other packet as not_vxlan, the reserved bits tshark
# shows as reserved_bits_set, and the frames per VNI as tshark does.
#
# Port 8472 (Linux's old default) is VXLAN only with --listen :8472;
# VXLAN-GPE on 4790 is never decoded. A capture made here from
# tcpdump_vxlan.pcap adds what the real ones lack: a header with the I
# flag clear, a datagram too short for a header and an Ethernet header,
# and an outer IP fragment; each is counted by its reason, none stored.
# These checks run one worker (--workers 1), whose single file keeps the
# capture's order even among packets of equal time.
#
# Then --workers 2 against --workers 1, on every capture of vxlan/ (as
# VXLAN), of app/ (--inner), and on app/'s Ethernet captures merged in
# time order (--inner, 1 s idle and 2 s active timeouts, so flows expire
# while the file is read): the two workers' pcaps split the one worker's
# records, each worker's in the same order with the same timestamps, no
# record more or less; the flow logs hold the same lines (sorted); the
# --json summaries are equal (senders and VNIs sorted by name).
set -euo pipefail
source "$(dirname "$0")/clib.sh"
trap ce_cleanup EXIT

ce_init --offline
e2e_need_pcaps
e2e_need_pcap_cmp
e2e_need tshark mergecap python3

VX=$PCAPS/vxlan
EXP=$PCAPS/expected-ndpi-4.2/vxlan
[[ -d $VX ]] || e2e_skip "no VXLAN captures at $VX"

# tshark_vxlan F PORT OUT: OUT gets one line per packet whose outermost
# UDP datagram goes to PORT and is decoded as VXLAN by tshark:
# "FRAME VNI RESERVED INNER-HEX", RESERVED 1 when any bit RFC 7348
# reserves is set (all of the flags byte but I, bytes 1-3 and byte 7).
tshark_vxlan() {
  local f=$1 port=$2 out=$3 decode=()
  [[ $port == 4789 ]] || decode=(-d "udp.port==$port,vxlan")
  tshark -n -r "$f" "${decode[@]}" -T fields -E separator=/t -E occurrence=f \
    -e frame.number -e frame.protocols -e udp.dstport -e udp.payload 2>"$E2E_TMP/tshark.err" |
    awk -F '\t' -v port="$port" '
      function hex(s,   i, v) {
        v = 0
        for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
        return v
      }
      {
        n = split($2, p, ":")
        for (i = 1; i <= n && p[i] != "udp"; i++) {}
        if (i >= n || p[i + 1] != "vxlan" || $3 != port) next
        h = tolower($4)
        if (length(h) < 16) next
        flags = substr(h, 1, 2)
        res = ((flags != "00" && flags != "08") || substr(h, 3, 6) != "000000" || substr(h, 15, 2) != "00")
        printf "%s %d %d %s\n", $1, hex(substr(h, 9, 6)), res, substr(h, 17)
      }' >"$out" || e2e_fail "tshark cannot read $(basename "$f"): $(tr '\n' ' ' <"$E2E_TMP/tshark.err")"
}

# run_one F PORT INNER: the collector on F (VXLAN on PORT) against tshark
# and, when INNER is given, against that capture of inner frames.
run_one() {
  local f=$1 port=$2 inner=${3:-} b tag d sum total n res stored vnis_t vnis_c
  b=$(basename "$f")
  tag=$b.$port
  d=$E2E_TMP/$tag.d
  sum=$E2E_TMP/$tag.json
  "$VTAP_COLLECTOR" --read "$f" --pcap-dir "$d" --listen "0.0.0.0:$port" --json \
    --min-free 0 --rotate-seconds 0 --workers 1 >"$sum" 2>"$E2E_TMP/$tag.err" ||
    e2e_fail "vtap-collector --read $b (port $port) exited $?: $(tail -n 3 "$E2E_TMP/$tag.err" | tr '\n' ' ')"
  jq -e 'type == "object"' "$sum" >/dev/null 2>&1 || e2e_fail "$b: the summary is not JSON: $(head -c 200 "$sum")"
  ce_check_store "$d" >/dev/null
  ce_merge "$d" "$E2E_TMP/$tag.stored.pcap"

  tshark_vxlan "$f" "$port" "$E2E_TMP/$tag.tshark"
  total=$(capinfos -M -T -r -c "$f" | cut -f 2)
  n=$(wc -l <"$E2E_TMP/$tag.tshark")
  res=$(awk '$3 == 1' "$E2E_TMP/$tag.tshark" | wc -l)

  # the frames, in order, byte for byte
  "$PCAP_RECORDS" hex "$E2E_TMP/$tag.stored.pcap" >"$E2E_TMP/$tag.stored.hex"
  awk '{ print $4 }' "$E2E_TMP/$tag.tshark" >"$E2E_TMP/$tag.tshark.hex"
  if ! diff -q "$E2E_TMP/$tag.tshark.hex" "$E2E_TMP/$tag.stored.hex" >/dev/null; then
    e2e_log "$b (port $port): stored frames (>) differ from tshark's inner frames (<):"
    diff "$E2E_TMP/$tag.tshark.hex" "$E2E_TMP/$tag.stored.hex" | cut -c 1-140 | head -n 10
    e2e_fail "$b (port $port): $n inner frames by tshark, $(wc -l <"$E2E_TMP/$tag.stored.hex") stored, and they differ"
  fi
  if [[ -n $inner ]]; then
    "$PCAP_CMP" "$inner" "$E2E_TMP/$tag.stored.pcap" >"$E2E_TMP/$tag.cmp" || {
      cat "$E2E_TMP/$tag.cmp"
      e2e_fail "$b (port $port): the stored frames differ from $(basename "$inner")"
    }
  fi

  # the counters: every packet is a stored frame or not VXLAN; no drop
  ce_expect_json "$sum" ".datagrams=$n" ".frames=$n" ".written=$n" ".write_errors=0" \
    ".not_vxlan=$((total - n))" ".outer_fragments=0" ".reserved_bits_set=$res" \
    ".dropped_total=0"
  vnis_t=$(awk '{ c[$2]++ } END { for (v in c) print v, c[v] }' "$E2E_TMP/$tag.tshark" | sort)
  vnis_c=$(jq -r '.vnis[] | select(.written > 0) | "\(.name) \(.written)"' "$sum" | sort)
  [[ $vnis_t == "$vnis_c" ]] ||
    e2e_fail "$b (port $port): frames per VNI: tshark '$(paste -sd, <<<"$vnis_t")', collector '$(paste -sd, <<<"$vnis_c")'"
  stored=$(jq -r .written "$sum")
  e2e_log "ok: $b on port $port: $stored of $total packets stored as tshark decodes them$([[ -z $inner ]] || echo ", equal to $(basename "$inner")"); not_vxlan $((total - n)), reserved_bits_set $res, VNIs ${vnis_c:+$(paste -sd, <<<"$vnis_c")}"
}

ncaps=0
for f in "$VX"/*; do
  [[ -f $f ]] || continue
  b=$(basename "$f")
  inner=$EXP/$b.inner.pcap
  [[ -f $inner ]] || inner=""
  case $b in
  *port_8472*)
    # Not VXLAN on the default port; VXLAN when the collector listens on 8472.
    run_one "$f" 4789
    ce_expect_json "$E2E_TMP/$b.4789.json" .written=0
    run_one "$f" 8472 "$inner"
    (($(jq -r .written "$E2E_TMP/$b.8472.json") > 0)) || e2e_fail "$b: nothing decoded on port 8472"
    ;;
  *vxlan-gpe*)
    # VXLAN-GPE (UDP 4790) is another protocol: not decoded on 4789.
    run_one "$f" 4789 "$inner"
    ce_expect_json "$E2E_TMP/$b.4789.json" .written=0 .datagrams=0
    ;;
  *)
    run_one "$f" 4789 "$inner"
    (($(jq -r .written "$E2E_TMP/$b.4789.json") > 0)) || e2e_fail "$b: no VXLAN frame decoded"
    ;;
  esac
  ncaps=$((ncaps + 1))
done
((ncaps > 0)) || e2e_skip "no capture in $VX"

# Malformed datagrams, made from tcpdump_vxlan.pcap (10 VXLAN datagrams,
# VNI 100, IPv4, no VLAN tag): packet 1 gets its I flag cleared, packet 2
# is cut to a VXLAN header and 6 bytes (lengths made consistent), packet 3
# becomes a first outer fragment (MF set). The other 7 are stored.
src=$VX/tcpdump_vxlan.pcap
[[ -f $src ]] || e2e_fail "$src is missing"
python3 - "$src" "$E2E_TMP/bad.pcap" <<'EOF'
import struct, sys
raw = open(sys.argv[1], "rb").read()
out = bytearray(raw[:24])
end = "<" if raw[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
off, i = 24, 0
while off + 16 <= len(raw):
    ts, sub, cap, wire = struct.unpack(end + "IIII", raw[off:off + 16])
    pkt = bytearray(raw[off + 16:off + 16 + cap])
    off += 16 + cap
    i += 1
    assert pkt[12:14] == b"\x08\x00" and pkt[14] == 0x45, "not plain IPv4"
    udp = 14 + 20
    if i == 1:
        pkt[udp + 8] &= 0xf7                       # I flag clear
    elif i == 2:
        pkt = pkt[:udp + 8 + 8 + 6]                # header + 6 bytes
        struct.pack_into(">H", pkt, 16, 20 + 8 + 14)
        struct.pack_into(">H", pkt, udp + 4, 8 + 14)
    elif i == 3:
        pkt[20] |= 0x20                            # more fragments
    out += struct.pack(end + "IIII", ts, sub, len(pkt), len(pkt)) + pkt
open(sys.argv[2], "wb").write(out)
EOF
"$VTAP_COLLECTOR" --read "$E2E_TMP/bad.pcap" --pcap-dir "$E2E_TMP/bad.d" --json --min-free 0 \
  --rotate-seconds 0 --workers 1 >"$E2E_TMP/bad.json" 2>"$E2E_TMP/bad.err" ||
  e2e_fail "vtap-collector --read bad.pcap exited $?: $(tail -n 3 "$E2E_TMP/bad.err" | tr '\n' ' ')"
ce_expect_json "$E2E_TMP/bad.json" .datagrams=9 .frames=7 .written=7 .outer_fragments=1 \
  .not_vxlan=0 .dropped.no_i_flag=1 .dropped.short=1 .dropped_total=2 \
  '[.senders[].dropped.no_i_flag] | add=1' '[.senders[].dropped.short] | add=1' \
  '[.senders[].written] | add=7' '[.vnis[].written] | add=7'
ce_merge "$E2E_TMP/bad.d" "$E2E_TMP/bad.stored.pcap"
tshark_vxlan "$src" 4789 "$E2E_TMP/good.tshark"
tail -n 7 "$E2E_TMP/good.tshark" | awk '{ print $4 }' >"$E2E_TMP/good.hex"
"$PCAP_RECORDS" hex "$E2E_TMP/bad.stored.pcap" >"$E2E_TMP/bad.stored.hex"
diff -q "$E2E_TMP/good.hex" "$E2E_TMP/bad.stored.hex" >/dev/null ||
  e2e_fail "with 3 bad datagrams, the stored frames are not the 7 good ones"
e2e_log "ok: a cleared I flag, a short datagram and an outer fragment are counted as no_i_flag, short and outer_fragments; only the 7 good frames are stored"
e2e_log "ok: $ncaps captures"

# partition.py ONE... -- W0... -- W1...: the records of the one worker's
# files (in order) are those of the workers' files, each worker's files
# read in name order, interleaved: same bytes, same timestamps, each
# worker's in the one worker's order, none left over.
cat >"$E2E_TMP/partition.py" <<'EOF'
import struct, sys

def records(path):
    raw = open(path, "rb").read()
    end = {b"\xd4\xc3\xb2\xa1": "<", b"\x4d\x3c\xb2\xa1": "<",
           b"\xa1\xb2\xc3\xd4": ">", b"\xa1\xb2\x3c\x4d": ">"}.get(raw[:4])
    if end is None:
        sys.exit(f"{path}: not a classic pcap file")
    nano = raw[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    off = 24
    while off + 16 <= len(raw):
        sec, sub, cap, _ = struct.unpack(end + "IIII", raw[off:off + 16])
        yield (sec * 10**9 + (sub if nano else sub * 1000), raw[off + 16:off + 16 + cap])
        off += 16 + cap

groups = [[]]
for a in sys.argv[1:]:
    if a == "--":
        groups.append([])
    else:
        groups[-1].append(a)
one = [r for f in groups[0] for r in records(f)]
parts = [[r for f in g for r in records(f)] for g in groups[1:]]
pos = [0] * len(parts)
for i, r in enumerate(one):
    for k, p in enumerate(parts):
        if pos[k] < len(p) and p[pos[k]] == r:
            pos[k] += 1
            break
    else:
        sys.exit(f"record {i + 1} of {len(one)} (time {r[0]} ns) is not the next record of any worker")
left = sum(len(p) - q for p, q in zip(parts, pos))
if left:
    sys.exit(f"{left} record(s) beyond the {len(one)} of one worker")
print(f"{len(one)} records = " + " + ".join(str(len(p)) for p in parts))
EOF

# same_as_one_worker TAG ARGS...: vtap-collector ARGS with --workers 1
# and with --workers 2 write and count the same. Sets SAME_RECORDS (how
# the records split) and SAME_FLOWS (flow-log lines).
same_as_one_worker() {
  local tag=$1 n f w files norm out
  shift
  for n in 1 2; do
    "$VTAP_COLLECTOR" "$@" --pcap-dir "$E2E_TMP/$tag.w$n" --json --min-free 0 --workers $n \
      >"$E2E_TMP/$tag.w$n.json" 2>"$E2E_TMP/$tag.w$n.err" ||
      e2e_fail "$tag: vtap-collector --workers $n exited $?: $(tail -n 3 "$E2E_TMP/$tag.w$n.err" | tr '\n' ' ')"
    ce_check_store "$E2E_TMP/$tag.w$n" >/dev/null
  done
  ! compgen -G "$E2E_TMP/$tag.w1/*-w1-*" >/dev/null || e2e_fail "$tag: --workers 1 wrote worker 1's files"
  files=()
  for f in "$E2E_TMP/$tag.w1"/vtap-w0-*.pcap; do
    [[ -e $f ]] && files+=("$f")
  done
  for w in 0 1; do
    files+=(--)
    for f in "$E2E_TMP/$tag.w2"/vtap-w$w-*.pcap; do
      [[ -e $f ]] && files+=("$f")
    done
  done
  out=$(python3 "$E2E_TMP/partition.py" "${files[@]}" 2>&1) ||
    e2e_fail "$tag: the pcaps of --workers 2 are not those of --workers 1 split by worker: $out"
  for n in 1 2; do
    cat "$E2E_TMP/$tag.w$n"/flows-*.jsonl 2>/dev/null | LC_ALL=C sort >"$E2E_TMP/$tag.w$n.flows" || true
  done
  if ! cmp -s "$E2E_TMP/$tag.w1.flows" "$E2E_TMP/$tag.w2.flows"; then
    diff "$E2E_TMP/$tag.w1.flows" "$E2E_TMP/$tag.w2.flows" | cut -c 1-200 | head -n 6
    e2e_fail "$tag: the flow logs of --workers 1 (<) and --workers 2 (>) differ"
  fi
  norm='.senders |= sort_by(.name) | .vnis |= sort_by(.name)'
  if [[ $(jq -S "$norm" "$E2E_TMP/$tag.w1.json") != "$(jq -S "$norm" "$E2E_TMP/$tag.w2.json")" ]]; then
    diff <(jq -S "$norm" "$E2E_TMP/$tag.w1.json") <(jq -S "$norm" "$E2E_TMP/$tag.w2.json") | head -n 10
    e2e_fail "$tag: the summaries of --workers 1 (<) and --workers 2 (>) differ"
  fi
  SAME_RECORDS=$out
  SAME_FLOWS=$(wc -l <"$E2E_TMP/$tag.w1.flows")
}

nsame=0
split=0
for f in "$VX"/*; do
  [[ -f $f ]] || continue
  same_as_one_worker "vx-$(basename "$f")" --read "$f"
  nsame=$((nsame + 1))
done
APP=$PCAPS/app
eth=()
for f in "$APP"/*; do
  [[ -f $f ]] || continue
  same_as_one_worker "app-$(basename "$f")" --read "$f" --inner
  [[ $SAME_RECORDS == *" + 0" || $SAME_RECORDS == *"= 0 + "* ]] || split=$((split + 1))
  nsame=$((nsame + 1))
  capinfos -E "$f" 2>/dev/null | grep -q 'Ethernet$' && eth+=("$f")
done
e2e_log "ok: --workers 2 wrote and counted what --workers 1 did on $nsame captures ($split of app/ split across both workers)"
((split > 0)) || e2e_fail "no capture of $APP was split across two workers (the test lost its point)"
if ((${#eth[@]} > 1)); then
  mergecap -F nsecpcap -w "$E2E_TMP/app-all.pcap" "${eth[@]}" || e2e_fail "mergecap failed on $APP"
  same_as_one_worker app-all --read "$E2E_TMP/app-all.pcap" --inner --idle-timeout 1 --active-timeout 2
  grep -q '"end_reason":"idle"' "$E2E_TMP/app-all.w1.flows" ||
    e2e_fail "app-all: no flow expired while the file was read (the test lost its point)"
  e2e_log "ok: app/ merged (${#eth[@]} captures, $SAME_FLOWS flows, $(grep -c '"end_reason":"idle"' "$E2E_TMP/app-all.w1.flows") expired while read): --workers 2 as --workers 1, $SAME_RECORDS records"
fi
