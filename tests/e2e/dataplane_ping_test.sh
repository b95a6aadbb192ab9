#!/usr/bin/env bash
# vpngwd on two net_af_packet ports in network namespaces, with a worker
# lcore: it answers ARP and ping on its own port addresses, and on a VPN
# gateway's public IP from the moment the gateway is created (and no longer
# once it is deleted).
#   inet 198.51.100.2 --veth-- [198.51.100.1  vpngwd  198.18.1.1] --veth-- vpc 198.18.1.2
source "$(dirname "$0")/lib.sh"
e2e_init "$1" "$2"
P=vpngw-t-$$
NS_GW=$P-gw NS_INET=$P-inet NS_VPC=$P-vpc
PUB_GW=vegp$$ PUB_HOST=vehp$$ PRIV_GW=vegv$$ PRIV_HOST=vehv$$

e2e_extra_cleanup() {
  for ns in "$NS_GW" "$NS_INET" "$NS_VPC"; do ip netns del "$ns" 2>/dev/null || true; done
}

for ns in "$NS_GW" "$NS_INET" "$NS_VPC"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
ip link add "$PUB_GW" netns "$NS_GW" type veth peer name "$PUB_HOST" netns "$NS_INET"
ip link add "$PRIV_GW" netns "$NS_GW" type veth peer name "$PRIV_HOST" netns "$NS_VPC"
ip -n "$NS_GW" link set "$PUB_GW" up
ip -n "$NS_GW" link set "$PRIV_GW" up
ip -n "$NS_INET" addr add 198.51.100.2/24 dev "$PUB_HOST"
ip -n "$NS_INET" link set "$PUB_HOST" up
ip -n "$NS_VPC" addr add 198.18.1.2/24 dev "$PRIV_HOST"
ip -n "$NS_VPC" link set "$PRIV_HOST" up

cat >"$E2E_DIR/vpngwd.toml" <<TOML
[ports.public]
port = 0
address = "198.51.100.1/24"
next_hop = "198.51.100.2"
[ports.private]
port = 1
address = "198.18.1.1/24"
TOML
mkdir -p "$E2E_DIR/dp"
SOCK=$E2E_DIR/dp/api.sock
ip netns exec "$NS_GW" "$VPNGWD" --config "$E2E_DIR/vpngwd.toml" --state-dir "$E2E_DIR/dp/state" \
  --socket "$SOCK" -- --no-huge -m 256 --no-pci --file-prefix "vpngw-e2e-$$-dp" --log-level=error \
  "$(gw_eal_workers 2)" --vdev=net_af_packet0,iface=$PUB_GW,qpairs=2 \
  --vdev=net_af_packet1,iface=$PRIV_GW,qpairs=2 \
  >>"$E2E_DIR/vpngwd.log" 2>&1 &
DAEMON_PID=$!
E2E_PIDS+=("$DAEMON_PID")
# Up to 30 s: EAL start-up on a loaded 2-vCPU machine has taken over 10.
for _ in $(seq 1 300); do
  [ -S "$SOCK" ] && ctl info >/dev/null 2>&1 && break
  kill -0 "$DAEMON_PID" 2>/dev/null || fail "vpngwd exited during start-up"
  sleep 0.1
done
[ "$(ctl --json info | json_get 'j["dataplane"]["running"]')" = "True" ] || fail "dataplane not running"

ip netns exec "$NS_INET" ping -c 3 -i 0.2 -W 2 198.51.100.1 >/dev/null || fail "no ping reply from the public port"
ip netns exec "$NS_VPC" ping -c 3 -i 0.2 -W 2 198.18.1.1 >/dev/null || fail "no ping reply from the private port"

# A gateway's public IP answers once the gateway exists.
if ip netns exec "$NS_INET" ping -c 1 -W 1 198.51.100.10 >/dev/null 2>&1; then
  fail "198.51.100.10 answered before any gateway had it"
fi
ctl vpc create --name v --cidr 198.18.0.0/16 >/dev/null
ctl gateway create --name g --vpc v --public-ip 198.51.100.10 --bandwidth 100 >/dev/null
ip netns exec "$NS_INET" ping -c 3 -i 0.2 -W 2 198.51.100.10 >/dev/null || fail "no ping reply from the gateway's public IP"
ctl gateway delete g >/dev/null
ip netns exec "$NS_INET" ip neigh flush all
if ip netns exec "$NS_INET" ping -c 1 -W 1 198.51.100.10 >/dev/null 2>&1; then
  fail "198.51.100.10 still answers after its gateway was deleted"
fi

# The counters saw it, and the next hop was resolved by ARP.
ctl --json info >"$E2E_DIR/info.json"
icmp=$(json_get 'j["dataplane"]["ports"]["public"]["icmp_replies"]' <"$E2E_DIR/info.json")
[ "$icmp" -ge 6 ] || fail "public icmp_replies counter is $icmp, expected >= 6"
stop_daemon
echo "dataplane_ping_test: ok"
