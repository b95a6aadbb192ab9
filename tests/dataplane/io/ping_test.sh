#!/bin/bash
# End to end: the I/O layer on two net_af_packet ports answers ARP and ping.
#   inet 198.51.100.2 --veth-- [198.51.100.1  io_testd  198.18.1.1] --veth-- vpc 198.18.1.2
# Usage: ping_test.sh PATH_TO_io_testd
set -u
DAEMON=$1
ID=$$
P=vpngw-t-$ID
NS_GW=$P-gw
NS_INET=$P-inet
NS_VPC=$P-vpc
PUB_GW=vpgp$ID PUB_HOST=vphp$ID PRIV_GW=vpgv$ID PRIV_HOST=vphv$ID
LOG=$(mktemp -d /tmp/vpngw-io-ping.XXXXXX)
DPID=""

cleanup() {
  if [ -n "$DPID" ]; then
    kill "$DPID" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$DPID" 2>/dev/null
    wait "$DPID" 2>/dev/null
  fi
  for ns in "$NS_GW" "$NS_INET" "$NS_VPC"; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "/var/run/dpdk/$P" "$LOG"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; cat "$LOG/daemon.out" "$LOG/daemon.err" 2>/dev/null; exit 1; }

for ns in "$NS_GW" "$NS_INET" "$NS_VPC"; do
  ip netns add "$ns" || fail "ip netns add $ns"
  ip -n "$ns" link set lo up
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
ip link add "$PUB_GW" netns "$NS_GW" type veth peer name "$PUB_HOST" netns "$NS_INET" || fail veth
ip link add "$PRIV_GW" netns "$NS_GW" type veth peer name "$PRIV_HOST" netns "$NS_VPC" || fail veth
ip -n "$NS_GW" link set "$PUB_GW" up
ip -n "$NS_GW" link set "$PRIV_GW" up
ip -n "$NS_INET" addr add 198.51.100.2/24 dev "$PUB_HOST"
ip -n "$NS_INET" link set "$PUB_HOST" up
ip -n "$NS_VPC" addr add 198.18.1.2/24 dev "$PRIV_HOST"
ip -n "$NS_VPC" link set "$PRIV_HOST" up

ip netns exec "$NS_GW" "$DAEMON" "$P" "$PUB_GW" 198.51.100.1/24 "$PRIV_GW" 198.18.1.1/24 \
  >"$LOG/daemon.out" 2>"$LOG/daemon.err" &
DPID=$!
for _ in $(seq 200); do
  grep -q ready "$LOG/daemon.out" 2>/dev/null && break
  kill -0 "$DPID" 2>/dev/null || fail "daemon exited"
  sleep 0.1
done
grep -q ready "$LOG/daemon.out" || fail "daemon not ready"

ip netns exec "$NS_INET" ping -c 3 -i 0.2 -W 2 198.51.100.1 || fail "ping public port"
ip netns exec "$NS_VPC" ping -c 3 -i 0.2 -W 2 198.18.1.1 || fail "ping private port"
# An address the appliance does not own must not answer.
if ip netns exec "$NS_INET" ping -c 1 -W 1 198.51.100.9 >/dev/null 2>&1; then
  fail "a foreign address answered"
fi
echo "PASS: ARP and ping answered on both ports"
exit 0
