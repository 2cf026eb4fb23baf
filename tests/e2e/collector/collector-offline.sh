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
    --min-free 0 --rotate-seconds 0 >"$sum" 2>"$E2E_TMP/$tag.err" ||
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
  --rotate-seconds 0 >"$E2E_TMP/bad.json" 2>"$E2E_TMP/bad.err" ||
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
