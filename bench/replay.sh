#!/bin/sh
# bench/replay.sh: UDP replay at top speed, `mbmsct replay --topspeed` against
# `tcpreplay --topspeed -i lo`, on the same capture of N MIKEY MSK deliveries, in a private
# network namespace. Prints packets sent and delivered and the rate of each, and their ratio
# (goal: mbmsct >= 1.0x tcpreplay). A benchmark: it prints figures and asserts nothing; it
# fails only when it cannot run (a missing tool, not root).
#
#   MBMSCT=build/mbmsct N=200000 ROUNDS=3 bench/replay.sh
set -eu
MBMSCT=${MBMSCT:-build/mbmsct}
N=${N:-200000}
PORT=${PORT:-2269}
ROUNDS=${ROUNDS:-3}

need() {
	command -v "$1" >/dev/null 2>&1 || {
		echo "bench/replay.sh: '$1' is missing; install it with: apt-get install -y $2" >&2
		exit 2
	}
}
need tcpreplay tcpreplay
need unshare util-linux
need ip iproute2
need sysctl procps
[ -x "$MBMSCT" ] || { echo "bench/replay.sh: no mbmsct at '$MBMSCT' (make it, or set MBMSCT)" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "bench/replay.sh: needs root (a private network namespace, tcpreplay on lo)" >&2; exit 2; }
case $MBMSCT in /*) ;; *) MBMSCT=$(pwd)/$MBMSCT ;; esac

tmp=$(mktemp -d /tmp/mbmsct-bench-replay.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# The capture: N protected MSK deliveries (counters 1..N) from 127.0.0.1:40000 to
# 127.0.0.1:PORT, Ethernet frames as tcpreplay sends them on lo.
cat > "$tmp/gen.lua" <<'EOF'
local capture, mikey, msg = require("mbms.capture"), require("mbms.mikey"), require("mbmsmsg")
local prof = assert(require("profile").load("ts33246", MBMSCT_HOME))
local path, n, port = arg[1], tonumber(arg[2]), tonumber(arg[3])
local w = assert(capture.create(path, capture.link.ETHERNET))
local muk = string.rep("\x42", 32)
for i = 1, n do
  local t = msg.msk_delivery(prof, { csb_id = i, counter = i, rand = string.pack(">I4", i):rep(4),
    idi = "bmsc.example.org", idr = "B-TID-0001@bsf.example.org", kdid = "\0\xf1\x10",
    mskid = "\0\1\0\2", msk = string.rep("\x11", 16), seql = 1, sequ = 4095, v = 0 })
  assert(w:udp{ src = "127.0.0.1", sport = 40000, dst = "127.0.0.1", dport = port,
    payload = assert(mikey.protect(t, muk)), time = 1767225600 + i * 1e-6 })
end
assert(w:close())
EOF

# The receiver: counts datagrams on 127.0.0.1:PORT until 1 s passes without one (or 60 s).
cat > "$tmp/count.lua" <<'EOF'
local net = require("mbms.net")
local port, ready = tonumber(arg[1]), arg[2]
local u = assert(net.udp{ bind = "127.0.0.1", port = port })
local f = assert(io.open(ready, "w")); f:close()
local n, last, stop = 0, nil, net.now() + 60
while net.now() < stop do
  local d, err = u:recv()
  if d then n = n + 1; last = net.now()
  elseif err == "again" then
    if last and net.now() - last > 1 then break end
    net.poll({ { u, "r" } }, 0.2)
  else error(err) end
end
io.stdout:write(n, "\n")
EOF

# The target the replay aims at: a UE whose MIKEY endpoint is the receiver; nothing to start.
cat > "$tmp/target.lua" <<EOF
return { name = "bench-receiver", role = "ue", profile = "ts33246",
  harness = { ip = "127.0.0.1", fqdn = "bmsc.example.org" },
  ue = { ip = "127.0.0.1", mikey_port = $PORT } }
EOF

echo "building a capture of $N MIKEY packets"
"$MBMSCT" lua "$tmp/gen.lua" "$tmp/bench.pcap" "$N" "$PORT"
ls -l "$tmp/bench.pcap" | awk '{ print "capture: " $5 " bytes" }'

# Runs in the namespace: one receiver per sender, the sender, the counts.
cat > "$tmp/inner.sh" <<EOF
set -eu
ip link set lo up
sysctl -q -w net.ipv4.conf.all.route_localnet=1 net.ipv4.conf.lo.route_localnet=1 \
    net.ipv4.conf.all.accept_local=1 net.ipv4.conf.lo.accept_local=1
# A larger receive buffer where the kernel lets the namespace have one (the same for both).
sysctl -q -w net.core.rmem_default=8388608 net.core.rmem_max=8388608 2>/dev/null || true
udp_in() { awk '/^Udp: [0-9]/ { print \$2, \$6 }' /proc/net/snmp; }
phase() {
	name=\$1; shift
	rm -f "$tmp/ready"
	"$MBMSCT" lua "$tmp/count.lua" "$PORT" "$tmp/ready" > "$tmp/\$name.count" &
	rx=\$!
	while [ ! -f "$tmp/ready" ]; do sleep 0.05; done
	before=\$(udp_in)
	"\$@" > "$tmp/\$name.out" 2>&1 || { echo "\$name failed:"; cat "$tmp/\$name.out"; }
	wait \$rx
	after=\$(udp_in)
	echo "\$before \$after" > "$tmp/\$name.snmp"
}
# Rounds alternate the two senders, so that a busy moment of the host hits both alike.
for r in \$(seq 1 $ROUNDS); do
	phase tcpreplay.\$r tcpreplay --topspeed -i lo "$tmp/bench.pcap"
	phase mbmsct.\$r "$MBMSCT" replay "$tmp/bench.pcap" --target "$tmp/target.lua" --topspeed
done
EOF
unshare -n sh "$tmp/inner.sh"

# Delivered rate: datagrams the kernel delivered to the receiving socket per second of sending.
report() {
	read -r in0 err0 in1 err1 < "$tmp/$1.snmp"
	dl=$((in1 - in0))
	dr=$(awk -v d="$dl" -v s="${2:-0}" -v r="${3:-0}" 'BEGIN { if (s > 0 && r > 0) printf "%.0f", d * r / s; else print "" }')
	printf '%-12s sent %8s  delivered %8s (read by the receiver %s, dropped at its buffer %s)  rate %10s pkt/s  delivered %8s pkt/s\n' \
	    "$1" "${2:-?}" "$dl" "$(cat "$tmp/$1.count")" "$((err1 - err0))" "${3:-?}" "${dr:-?}"
	[ -n "$dr" ] && echo "$dr" >> "$tmp/$4.delivered"
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
echo "N = $N UDP MIKEY packets, --topspeed, loopback in a private network namespace, $ROUNDS rounds"
: > "$tmp/tr.rates"; : > "$tmp/mb.rates"; : > "$tmp/tr.delivered"; : > "$tmp/mb.delivered"
for r in $(seq 1 "$ROUNDS"); do
	tr_sent=$(sed -n 's/^Actual: \([0-9]*\) packets.*/\1/p' "$tmp/tcpreplay.$r.out")
	tr_rate=$(sed -n 's/^Rated: .* \([0-9.]*\) pps.*/\1/p' "$tmp/tcpreplay.$r.out")
	mb_sent=$(sed -n 's/^summary: \([0-9]*\) packets sent.*/\1/p' "$tmp/mbmsct.$r.out")
	mb_rate=$(sed -n 's/^summary: .* rate \([0-9.]*\) pkt\/s.*/\1/p' "$tmp/mbmsct.$r.out")
	report "tcpreplay.$r" "$tr_sent" "$tr_rate" tr
	report "mbmsct.$r" "$mb_sent" "$mb_rate" mb
	[ -n "$tr_rate" ] && echo "$tr_rate" >> "$tmp/tr.rates"
	[ -n "$mb_rate" ] && echo "$mb_rate" >> "$tmp/mb.rates"
done
tr_med=$(median < "$tmp/tr.rates")
mb_med=$(median < "$tmp/mb.rates")
if [ -n "$tr_med" ] && [ -n "$mb_med" ]; then
	echo "median rate: tcpreplay $tr_med pkt/s, mbmsct $mb_med pkt/s"
	awk -v a="$mb_med" -v b="$tr_med" 'BEGIN { printf "ratio mbmsct/tcpreplay (medians): %.2fx (goal >= 1.0x)\n", a / b }'
	trd=$(median < "$tmp/tr.delivered")
	mbd=$(median < "$tmp/mb.delivered")
	[ -n "$trd" ] && [ -n "$mbd" ] && awk -v a="$mbd" -v b="$trd" 'BEGIN { printf "delivered to the socket per second of sending (medians): tcpreplay %.0f, mbmsct %.0f pkt/s: %.2fx (the receiver, the same for both, drops what it cannot read in time)\n", b, a, a / b }'
else
	echo "ratio: not computed (a sender printed no rate)"
	cat "$tmp"/tcpreplay.*.out "$tmp"/mbmsct.*.out
fi
