#!/usr/bin/env bash
# vpngwd resolves on-link destinations by ARP itself, in a real deployment
# shape with no next_hop configured on either port:
#
#   host A1 198.18.1.2 --+
#   host A2 198.18.1.3 --+-- VPC switch (a Linux bridge) -- [198.18.1.1/16 vpngwd 198.51.100.1/24]
#                                  -- [198.51.100.2 charon 198.19.1.1] -- 198.19.1.2 host B
#
# vpngw initiates tunnel t (SPD 198.18.1.0/24=198.19.1.0/24) to strongSwan,
# which loaded vpngw's own swanctl export. Checked:
#  1. first-packet delivery, 0 loss: right after the tunnel connects, B pings
#     A2, which has never sent a frame (the gateway must ARP for it while it
#     holds the first decrypted packet); then A1 pings B and A2 pings B.
#  2. `neighbour list` (JSON and text) has A1 and A2 on port private and
#     charon on port public, with their real MACs, resolved.
#  3. an ARP flood (3000 who-has 198.18.1.1 from random senders in
#     198.18.0.0/16, random MACs) from A1 during a continuous ping A1 -> B:
#     the ping loses nothing, the private entries stay within
#     limits.max_unsolicited (+ the resolved ones), A1, A2 and charon stay,
#     the API answers and the tunnel stays connected.
#  4. drops.no_neighbour stays 0 throughout, and forward.decrypted counts at
#     least every packet B sent through the tunnel.
#
# usage: neighbour_test.sh VPNGWD VPNGWCTL
GW_PRIVATE_ADDR=198.18.1.1/16
GW_PRIVATE_NEXT_HOP=  # none: vpngwd must find every VPC host itself
IKE_PRIVATE_SIDE=vpc_switch
source "$(dirname "$0")/ike_lib.sh"
NS_V=$P-v NS_A2=$P-a2  # the VPC switch; host A2 (NS_A is host A1)
IKE_EXTRA_NS="$NS_V $NS_A2"
FLOOD=3000

# ike_lib's fail, with the gateway's drops and neighbours in front of it.
eval "ike_$(declare -f fail)"
fail() {
  if [ -S "$E2E_DIR/gw/api.sock" ]; then
    echo "---- vpngwctl info: dataplane drops ----" >&2
    timeout 5 "$VPNGWCTL" --socket "$SOCK" --json info 2>&1 \
      | json_get 'json.dumps({k: v for k, v in j["dataplane"]["drops"].items() if v})' >&2 || true
    echo "---- vpngwctl neighbour list (first 30 lines) ----" >&2
    timeout 5 "$VPNGWCTL" --socket "$SOCK" neighbour list 2>&1 | head -n 30 >&2 || true
  fi
  ike_fail "$@"
}

# The VPC: vpngwd's private port (gv$$ in NS_G), A1 and A2 on one bridge.
vpc_switch() {
  local ns ifc addr host port
  for ns in "$NS_V" "$NS_A2"; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
  done
  # No IPv6 chatter: A2 must stay silent until it is spoken to.
  for ns in "$NS_A" "$NS_A2" "$NS_V"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
      2>/dev/null || true
  done
  ip -n "$NS_V" link add br$$ type bridge stp_state 0
  ip link add gv$$ netns "$NS_G" type veth peer name vg$$ netns "$NS_V"
  ip link add va$$ netns "$NS_A" type veth peer name v1$$ netns "$NS_V"
  ip link add va2$$ netns "$NS_A2" type veth peer name v2$$ netns "$NS_V"
  for port in vg$$ v1$$ v2$$; do
    ip -n "$NS_V" link set "$port" master br$$
    ip -n "$NS_V" link set "$port" up
  done
  ip -n "$NS_V" link set br$$ up
  ip -n "$NS_G" link set gv$$ up
  for host in "$NS_A va$$ 198.18.1.2" "$NS_A2 va2$$ 198.18.1.3"; do
    read -r ns ifc addr <<<"$host"
    ip -n "$ns" addr add "$addr/16" dev "$ifc"
    ip -n "$ns" link set "$ifc" up
    ip -n "$ns" route add default via 198.18.1.1
    ip netns exec "$ns" ethtool -K "$ifc" tx off >/dev/null
  done
}

mac_of() {  # mac_of NS IF
  ip -n "$1" -o link show "$2" | sed -n 's|.*link/ether \([0-9a-f:]*\) .*|\1|p'
}

# ping_all LABEL NS DST COUNT INTERVAL: every echo answered, or fail.
# Adds the replies that came through the tunnel from B to B_SENT.
B_SENT=0
ping_all() {
  local label=$1 ns=$2 dst=$3 count=$4 interval=$5 rc=0 got
  ip netns exec "$ns" ping -n -c "$count" -i "$interval" -W 2 "$dst" >"$E2E_DIR/ping" 2>&1 || rc=$?
  got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$E2E_DIR/ping")
  [ "${got:-0}" = "$count" ] \
    || fail "$label: $dst answered ${got:-0} of $count pings (rc $rc): $(tail -n 4 "$E2E_DIR/ping")"
  B_SENT=$((B_SENT + count))
  echo "$label: $count/$count answered"
}

# check_counters LABEL: no packet dropped for want of a neighbour so far,
# and the tunnel decrypted at least B_SENT packets.
check_counters() {
  timeout 5 "$VPNGWCTL" --socket "$SOCK" --json info >"$E2E_DIR/info.json" \
    || fail "$1: vpngwctl info did not answer"
  local nn dec
  nn=$(json_get 'j["dataplane"]["drops"]["no_neighbour"]' <"$E2E_DIR/info.json")
  dec=$(json_get 'j["dataplane"]["forward"]["decrypted"]' <"$E2E_DIR/info.json")
  [ "$nn" = 0 ] || fail "$1: $nn packets dropped as no_neighbour"
  [ "$dec" -ge "$B_SENT" ] || fail "$1: forward.decrypted is $dec, but B sent $B_SENT packets through the tunnel"
}

# neighbours LABEL: `neighbour list` as JSON into $E2E_DIR/nbr.json, in its
# documented shape {"items": [...], "counters": {...}, "limits": {...}},
# and its list of entries alone into $E2E_DIR/nbr-list.json.
neighbours() {
  timeout 5 "$VPNGWCTL" --socket "$SOCK" --json neighbour list >"$E2E_DIR/nbr.json" \
    || fail "$1: vpngwctl --json neighbour list failed: $(head -c 300 "$E2E_DIR/nbr.json")"
  [ "$(json_get 'isinstance(j.get("items"), list) and "counters" in j and "limits" in j' \
    <"$E2E_DIR/nbr.json")" = True ] || fail "$1: neighbour list's JSON is not {\"items\": [...], \"counters\", \"limits\"}: keys $(json_get 'sorted(j)' <"$E2E_DIR/nbr.json")"
  json_get 'json.dumps(j["items"])' <"$E2E_DIR/nbr.json" >"$E2E_DIR/nbr-list.json"
}

# expect_neighbour LABEL PORT IP MAC STATES: an entry for IP on PORT in
# $E2E_DIR/nbr-list.json with MAC, its state one of STATES (a|b|c).
expect_neighbour() {
  local label=$1 port=$2 ip=$3 mac=$4 states=$5 got
  got=$(/usr/bin/python3 - "$E2E_DIR/nbr-list.json" "$port" "$ip" <<'PY'
import json, sys
for e in json.load(open(sys.argv[1])):
    if e["port"] == sys.argv[2] and e["ip"] == sys.argv[3]:
        print((e["mac"] or "none").lower(), e["state"])
        break
PY
)
  [ -n "$got" ] || fail "$label: no neighbour entry for $ip on port $port"
  [ "${got% *}" = "$mac" ] || fail "$label: $ip on port $port has MAC ${got% *}, the host's is $mac"
  [[ "${got#* }" =~ ^($states)$ ]] || fail "$label: $ip on port $port is ${got#* }, not $states"
}

ike_setup "$1" "$2"
MAC_A1=$(mac_of "$NS_A" va$$)
MAC_A2=$(mac_of "$NS_A2" va2$$)
MAC_S=$(mac_of "$NS_S" sp$$)

ctl tunnel create --name t --gateway gw --customer-gateway peer --psk "e2e-psk-$$" \
  --spd 198.18.1.0/24=198.19.1.0/24 --start-action start >/dev/null
TID=$(ctl --json tunnel show t | json_get 'j["id"]')
load_peer none
wait_connected 30
check_counters "connected"

# 1. First packets, both ways. A2 has been silent: the gateway must not know it.
neighbours "before B pings A2"
[ "$(json_get 'any(e["ip"] == "198.18.1.3" and e["state"] != "incomplete" for e in j)' \
  <"$E2E_DIR/nbr-list.json")" = False ] || fail "precondition: A2 was resolved before anything was sent to it"
ping_all "B -> A2 (first packet held while A2 is resolved)" "$NS_B" 198.18.1.3 5 0.2
ping_all "A1 -> B" "$NS_A" 198.19.1.2 5 0.2
ping_all "A2 -> B" "$NS_A2" 198.19.1.2 5 0.2
check_counters "after the pings"

# 2. The neighbour table, JSON and text.
neighbours "after the pings"
expect_neighbour "neighbour list" private 198.18.1.2 "$MAC_A1" "reachable|stale"
expect_neighbour "neighbour list" private 198.18.1.3 "$MAC_A2" "reachable|stale"
expect_neighbour "neighbour list" public 198.51.100.2 "$MAC_S" "reachable|stale"
timeout 5 "$VPNGWCTL" --socket "$SOCK" neighbour list >"$E2E_DIR/nbr.txt" || fail "vpngwctl neighbour list failed"
for ip in 198.18.1.2 198.18.1.3 198.51.100.2; do
  grep -qwF "$ip" "$E2E_DIR/nbr.txt" || fail "vpngwctl neighbour list does not show $ip: $(cat "$E2E_DIR/nbr.txt")"
done
echo "neighbour list: A1, A2 and charon resolved with their MACs"

# 3. An ARP flood from A1 during a continuous ping A1 -> B.
cat >"$E2E_DIR/flood.py" <<'PY'
import os, random, sys, time
from scapy.all import ARP, Ether, sendp
iface, count, ready, go = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rnd = random.Random(20261207)
skip = {(0, 0), (1, 1), (1, 2), (1, 3), (255, 255)}
senders = [(c, d) for c in range(256) for d in range(256) if (c, d) not in skip]
pkts = []
for c, d in rnd.sample(senders, count):
    mac = ":".join("%02x" % b for b in [rnd.randrange(256) & 0xfc | 0x02] + [rnd.randrange(256) for _ in range(5)])
    pkts.append(Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") /
                ARP(op=1, hwsrc=mac, psrc="198.18.%d.%d" % (c, d), hwdst="00:00:00:00:00:00", pdst="198.18.1.1"))
pkts = [Ether(bytes(p)) for p in pkts]  # built once, before the clock starts
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.01)
t = time.monotonic()
sendp(pkts, iface=iface, verbose=False)
print("%d ARP requests in %.2f s" % (count, time.monotonic() - t))
PY
tx_before=$(ip -n "$NS_V" -j -s link show vg$$ | json_get 'j[0]["stats64"]["tx"]["packets"]')
ip netns exec "$NS_A" /usr/bin/python3 "$E2E_DIR/flood.py" va$$ "$FLOOD" "$E2E_DIR/flood.ready" \
  "$E2E_DIR/flood.go" >"$E2E_DIR/flood.out" 2>&1 &
FLOOD_PID=$!
E2E_PIDS+=("$FLOOD_PID")
for _ in $(seq 1 300); do
  [ -f "$E2E_DIR/flood.ready" ] && break
  kill -0 "$FLOOD_PID" 2>/dev/null || fail "the scapy flood script died: $(cat "$E2E_DIR/flood.out")"
  sleep 0.1
done
[ -f "$E2E_DIR/flood.ready" ] || fail "the scapy flood script did not get ready in 30 s"
ip netns exec "$NS_A" ping -n -c 100 -i 0.05 -W 2 198.19.1.2 >"$E2E_DIR/ping-flood" 2>&1 &
PING_PID=$!
E2E_PIDS+=("$PING_PID")
sleep 0.5
touch "$E2E_DIR/flood.go"
rc=0
wait "$FLOOD_PID" || rc=$?
[ $rc -eq 0 ] || fail "the scapy flood failed ($rc): $(tail -n 5 "$E2E_DIR/flood.out")"
echo "flood: $(cat "$E2E_DIR/flood.out")"
rc=0
wait "$PING_PID" || rc=$?
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$E2E_DIR/ping-flood")
[ "${got:-0}" = 100 ] \
  || fail "ARP flood: the ping A1 -> B lost packets (rc $rc): $(tail -n 4 "$E2E_DIR/ping-flood")"
B_SENT=$((B_SENT + 100))
echo "ARP flood: ping A1 -> B 100/100 answered during it"
tx_after=$(ip -n "$NS_V" -j -s link show vg$$ | json_get 'j[0]["stats64"]["tx"]["packets"]')
[ $((tx_after - tx_before)) -ge "$FLOOD" ] \
  || fail "ARP flood: the switch passed only $((tx_after - tx_before)) frames to vpngwd's port"

timeout 5 "$VPNGWCTL" --socket "$SOCK" --json info >/dev/null || fail "ARP flood: vpngwctl info no longer answers"
[ "$(ctl --json tunnel show t | json_get 'j["connection_status"]')" = connected ] \
  || fail "ARP flood: the tunnel is no longer connected"
neighbours "after the ARP flood"
n_all=$(json_get 'len(j)' <"$E2E_DIR/nbr-list.json")
n_private=$(json_get 'sum(e["port"] == "private" for e in j)' <"$E2E_DIR/nbr-list.json")
max_unsol=$(json_get 'j["limits"]["max_unsolicited"]' <"$E2E_DIR/nbr.json")
max_entries=$(json_get 'j["limits"]["max_entries"]' <"$E2E_DIR/nbr.json")
[ "$n_private" -le $((max_unsol + 4)) ] \
  || fail "ARP flood: $n_private private neighbours, more than max_unsolicited $max_unsol + 4"
[ "$n_all" -le "$max_entries" ] || fail "ARP flood: $n_all neighbours, more than max_entries $max_entries"
expect_neighbour "ARP flood" private 198.18.1.2 "$MAC_A1" "reachable|stale|probe"
expect_neighbour "ARP flood" private 198.18.1.3 "$MAC_A2" "reachable|stale|probe"
expect_neighbour "ARP flood" public 198.51.100.2 "$MAC_S" "reachable|stale|probe"
echo "ARP flood: $n_private private neighbours (max_unsolicited $max_unsol), A1, A2, charon kept, tunnel up"

# 4. Counters over the whole run.
check_counters "at the end"
# The per-worker view adds up to the totals, and the worker sent the
# control thread's frames (ARP requests, IKE).
[ "$(json_get 'sum(w["decrypted"] for w in j["dataplane"]["workers"]) == j["dataplane"]["forward"]["decrypted"] and sum(w["control_sent"] for w in j["dataplane"]["workers"]) > 0 and all(w["busy_polls"] > 0 for w in j["dataplane"]["workers"])' <"$E2E_DIR/info.json")" = True ] \
  || fail "info's workers list does not add up: $(json_get 'j["dataplane"]["workers"]' <"$E2E_DIR/info.json")"
[ "$(json_get 'len(j["dataplane"]["workers"])' <"$E2E_DIR/info.json")" = "${GW_WORKERS:-2}" ] \
  || fail "info lists $(json_get 'len(j["dataplane"]["workers"])' <"$E2E_DIR/info.json") workers, not ${GW_WORKERS:-2}"
echo "workers: $(json_get '"; ".join("%d: rx %d, enc %d, dec %d, handed off %d, control %d" % (w["id"], w["rx_packets"], w["encrypted"], w["decrypted"], w["handed_off"], w["control_sent"]) for w in j["dataplane"]["workers"])' <"$E2E_DIR/info.json")"
echo "counters: no_neighbour 0, decrypted $(json_get 'j["dataplane"]["forward"]["decrypted"]' <"$E2E_DIR/info.json") >= $B_SENT sent by B"
echo "neighbour counters: $(json_get 'json.dumps(j["dataplane"].get("neighbours"))' <"$E2E_DIR/info.json")"
echo "neighbour_test: ok (${SECONDS}s)"
