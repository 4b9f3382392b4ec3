#!/bin/sh
# bench/audit.sh: `mbmsct audit` throughput against `tshark -T fields` on the same capture of
# 100,000 MIKEY messages (bench/gen-audit-capture.lua: 97 % MTK deliveries on a multicast
# group, the rest MSK pushes, notices, deliveries, verifications and HTTP for 200 UEs).
# Prints figures; not a pass/fail test. Goal: audit >= 20x tshark's message rate.
# Usage: bench/audit.sh [N_MESSAGES]   (MBMSCT=path/to/mbmsct, default build/mbmsct)
set -eu
MBMSCT=${MBMSCT:-build/mbmsct}
N=${1:-100000}
RUNS=${RUNS:-5}
for tool in tshark "$MBMSCT"; do
	command -v "$tool" >/dev/null 2>&1 || { echo "bench/audit.sh: $tool not found (tshark: Debian package tshark)" >&2; exit 2; }
done
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$MBMSCT" lua bench/gen-audit-capture.lua "$dir/cap.pcap" "$dir/keys.lua" "$N"

# Best wall-clock time of RUNS runs of a command, in seconds (output discarded).
best() {
	b=""
	i=0
	while [ $i -lt "$RUNS" ]; do
		s=$(date +%s.%N)
		"$@" >/dev/null 2>&1 || true
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc -l)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
		i=$((i + 1))
	done
	echo "$b"
}

# tshark extracts what the audit reads of each packet: addresses, ports, the TCP stream it
# reassembles, every MIKEY header field, the payload chain, T type, RAND length, the Key ID
# extension, identities, KEMAC algorithms, length and MAC, V and ERR, and the HTTP method,
# target, status, Authorization, Content-Type and body.
ts=$(best tshark -r "$dir/cap.pcap" -d udp.port==2269,mikey -T fields \
	-e frame.number -e frame.time_epoch -e ip.src -e ip.dst -e udp.srcport -e udp.dstport \
	-e tcp.stream -e tcp.seq -e tcp.flags \
	-e mikey.version -e mikey.type -e mikey.v.set -e mikey.prf_func -e mikey.csb_id \
	-e mikey.cs_count -e mikey.cs_id_map_type -e mikey.payload -e mikey.t.ts_type \
	-e mikey.rand.len -e mikey.ext.type -e mikey.ext.data -e mikey.id.type -e mikey.id.data \
	-e mikey.kemac.encr_alg -e mikey.kemac.key_data_len -e mikey.kemac.mac_alg \
	-e mikey.kemac.mac -e mikey.v.auth_alg -e mikey.err.no \
	-e http.request.method -e http.request.uri -e http.response.code -e http.authorization \
	-e http.content_type -e http.file_data)
au=$(best "$MBMSCT" audit "$dir/cap.pcap")
ak=$(best "$MBMSCT" audit "$dir/cap.pcap" --keys "$dir/keys.lua")
"$MBMSCT" audit "$dir/cap.pcap" --keys "$dir/keys.lua" | tail -1
printf '%-44s %8.3f s %10.0f msg/s\n' "tshark -T fields (35 fields)" "$ts" "$(echo "$N / $ts" | bc -l)"
printf '%-44s %8.3f s %10.0f msg/s  %5.1fx tshark\n' "mbmsct audit (no keys: structure, order)" "$au" \
	"$(echo "$N / $au" | bc -l)" "$(echo "$ts / $au" | bc -l)"
printf '%-44s %8.3f s %10.0f msg/s  %5.1fx tshark\n' "mbmsct audit --keys (every MAC verified)" "$ak" \
	"$(echo "$N / $ak" | bc -l)" "$(echo "$ts / $ak" | bc -l)"
echo "goal: audit without keys >= 20x tshark (best of $RUNS runs each, wall clock)"
