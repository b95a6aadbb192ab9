source "$(dirname "$0")/lib.sh"
P=vpngw-i-$$
NS_A=$P-a NS_G=$P-g NS_S=$P-s NS_B=$P-b NS_N=$P-n
IKE_NAT=${IKE_NAT:-0}
# A test may change vpngwd's private port (GW_PRIVATE_NEXT_HOP empty: no
# next_hop line), replace the private side of the topology (IKE_PRIVATE_SIDE:
# a function that links NS_G's gv$$ to the VPC) and name the namespaces it
# adds (IKE_EXTRA_NS, space separated) for the cleanup.
GW_PRIVATE_ADDR=${GW_PRIVATE_ADDR:-198.18.1.1/24}
GW_PRIVATE_NEXT_HOP=${GW_PRIVATE_NEXT_HOP-198.18.1.2}
IKE_PRIVATE_SIDE=${IKE_PRIVATE_SIDE:-ike_private_side}
IKE_EXTRA_NS=${IKE_EXTRA_NS:-}
PEER_IP=198.51.100.2  # the customer gateway's address as vpngw sees it
[ "$IKE_NAT" = 1 ] && PEER_IP=198.51.100.3

e2e_extra_cleanup() {
  # shellcheck disable=SC2086  # a list of names
  for ns in "$NS_A" "$NS_G" "$NS_S" "$NS_B" "$NS_N" $IKE_EXTRA_NS; do ip netns del "$ns" 2>/dev/null || true; done
  if [ -f "$SW/charon.log" ] && [ "${E2E_FAILED:-0}" = 1 ]; then
    echo "---- charon log (last 40 lines) ----" >&2
    tail -n 40 "$SW/charon.log" >&2
  fi
}
fail() {
  E2E_FAILED=1
  echo "FAIL: $*" >&2
  if [ -S "$E2E_DIR/gw/api.sock" ]; then
    echo "---- vpngw connection log ----" >&2
    "$VPNGWCTL" --socket "$E2E_DIR/gw/api.sock" tunnel logs t --limit 40 >&2 || true
  fi
  exit 1
}

# The default private side: host A on a veth straight to vpngwd's private port.
ike_private_side() {
ip link add va$$ netns "$NS_A" type veth peer name gv$$ netns "$NS_G"
ip -n "$NS_G" link set gv$$ up
ip -n "$NS_A" addr add 198.18.1.2/24 dev va$$
ip -n "$NS_A" link set va$$ up
ip -n "$NS_A" route add default via 198.18.1.1
# Hosts behind af_packet ports finish their own TCP checksums (iperf3).
ip netns exec "$NS_A" ethtool -K va$$ tx off >/dev/null
}

ike_topology() {
for ns in "$NS_A" "$NS_G" "$NS_S" "$NS_B"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
"$IKE_PRIVATE_SIDE"
ip link add sv$$ netns "$NS_S" type veth peer name vb$$ netns "$NS_B"
if [ "$IKE_NAT" = 1 ]; then
  ip netns add "$NS_N"
  ip -n "$NS_N" link set lo up
  ip link add gp$$ netns "$NS_G" type veth peer name np$$ netns "$NS_N"
  ip link add ni$$ netns "$NS_N" type veth peer name sp$$ netns "$NS_S"
  ip -n "$NS_N" addr add 198.51.100.3/24 dev np$$
  ip -n "$NS_N" addr add 192.0.2.1/24 dev ni$$
  ip -n "$NS_N" link set np$$ up
  ip -n "$NS_N" link set ni$$ up
  ip netns exec "$NS_N" sysctl -qw net.ipv4.ip_forward=1
  ip netns exec "$NS_N" nft -f - <<NFT
table ip nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "np$$" masquerade
  }
}
NFT
  ip -n "$NS_S" addr add 192.0.2.2/24 dev sp$$
  ip -n "$NS_S" link set sp$$ up
  ip -n "$NS_S" route add default via 192.0.2.1
else
  ip link add gp$$ netns "$NS_G" type veth peer name sp$$ netns "$NS_S"
  ip -n "$NS_S" addr add 198.51.100.2/24 dev sp$$
fi
ip -n "$NS_G" link set gp$$ up
ip -n "$NS_S" addr add 198.19.1.1/24 dev sv$$
ip -n "$NS_S" link set sp$$ up
ip -n "$NS_S" link set sv$$ up
ip netns exec "$NS_S" sysctl -qw net.ipv4.ip_forward=1
ip -n "$NS_B" addr add 198.19.1.2/24 dev vb$$
ip -n "$NS_B" link set vb$$ up
ip -n "$NS_B" route add default via 198.19.1.1
ip netns exec "$NS_B" ethtool -K vb$$ tx off >/dev/null
}

start_vpngwd() {
mkdir -p "$E2E_DIR/gw"
cat >"$E2E_DIR/gw/vpngwd.toml" <<TOML
[ports.public]
port = 0
address = "198.51.100.1/24"
[ports.private]
port = 1
address = "$GW_PRIVATE_ADDR"
TOML
if [ -n "$GW_PRIVATE_NEXT_HOP" ]; then
  echo "next_hop = \"$GW_PRIVATE_NEXT_HOP\"" >>"$E2E_DIR/gw/vpngwd.toml"
fi
# GW_WORKERS worker lcores (default 2), each with its own queue pair on
# both ports (the kernel's packet fanout spreads flows over them, as RSS
# would); all lcores float over the machine's CPUs, which may be fewer.
local workers=${GW_WORKERS:-2}
ip netns exec "$NS_G" "$VPNGWD" --config "$E2E_DIR/gw/vpngwd.toml" --state-dir "$E2E_DIR/gw/state" \
  --socket "$E2E_DIR/gw/api.sock" -- --no-huge -m 512 --no-pci --file-prefix "vpngw-e2e-$$-gw" \
  --log-level=error "$(gw_eal_workers "$workers")" \
  --vdev=net_af_packet0,iface=gp$$,qpairs=$workers --vdev=net_af_packet1,iface=gv$$,qpairs=$workers \
  >>"$E2E_DIR/vpngwd.log" 2>&1 &
E2E_PIDS+=("$!")
SOCK=$E2E_DIR/gw/api.sock
for _ in $(seq 1 100); do
  ctl info >/dev/null 2>&1 && break
  sleep 0.1
done
ctl info >/dev/null || fail "vpngwd did not start"
}

# start_charon: a fresh charon in NS_S (sets CHARON to its PID).
start_charon() {
mkdir -p "$SW"
rm -f "$SW/charon.vici"
cat >"$SW/strongswan.conf" <<CONF
charon {
  load_modular = no
  load = random nonce openssl pem pkcs1 x509 revocation constraints pubkey aes sha1 sha2 md5 hmac kdf gmp curve25519 kernel-libipsec kernel-netlink socket-default vici updown
  piddir = $SW
  plugins { vici { socket = $VICI } }
  filelog { log { path = $SW/charon.log
      default = 1
      ike = 2
      chd = 2 } }
}
CONF
ip netns exec "$NS_S" unshare -m sh -c \
  "mount -t tmpfs tmpfs /run && STRONGSWAN_CONF=$SW/strongswan.conf exec /usr/lib/ipsec/charon" \
  >"$SW/charon.out" 2>&1 &
CHARON=$!
E2E_PIDS+=("$CHARON")
for _ in $(seq 1 100); do
  [ -S "$SW/charon.vici" ] && break
  sleep 0.1
done
[ -S "$SW/charon.vici" ] || fail "charon did not start: $(cat "$SW/charon.out")"
}
swan() { ip netns exec "$NS_S" swanctl "$@" -u "$VICI"; }

# ike_setup VPNGWD VPNGWCTL: the topology, vpngwd, charon, and vpngw's VPC,
# gateway, customer gateway and route (tunnels are the tests' business).
ike_setup() {
  e2e_init "$1" "$2"
  SW=$E2E_DIR/sw
  VICI="unix://$SW/charon.vici"
  ike_topology
  start_vpngwd
  start_charon
  ctl vpc create --name vpc --cidr 198.18.0.0/16 >/dev/null
  ctl gateway create --name gw --vpc vpc --public-ip 198.51.100.1 --bandwidth 1000 >/dev/null
  ctl customer-gateway create --name peer --public-ip "$PEER_IP" >/dev/null
  ctl route create --vpc vpc --destination 198.19.1.0/24 --gateway gw >/dev/null
}

wait_connected() {  # wait_connected SECONDS
  for _ in $(seq 1 $(($1 * 5))); do
    [ "$(ctl --json tunnel show t | json_get 'j["connection_status"]')" = connected ] && return 0
    sleep 0.2
  done
  fail "tunnel not connected after $1 s: $(ctl --json tunnel show t | json_get 'j["connection_status"], j["connection_reason"]')"
}

# The SPIs vpngw reports for its CHILD_SA must be the ones charon installed
# (crossed: our inbound is charon's outbound).
check_spis() {
  ctl --json tunnel status t >"$E2E_DIR/status.json"
  ours=$(json_get '" ".join(j["ike_sa"]["child_sas"][0][k] for k in ("spi_in", "spi_out"))' <"$E2E_DIR/status.json")
  swan --list-sas --raw >"$E2E_DIR/sas.raw"
  for spi in $ours; do
    grep -q "$spi" "$E2E_DIR/sas.raw" || fail "SPI $spi of vpngw not in charon's SAs: $(cat "$E2E_DIR/sas.raw")"
  done
  grep -q "state=ESTABLISHED" "$E2E_DIR/sas.raw" || fail "charon's IKE SA is not ESTABLISHED"
  grep -q "state=INSTALLED" "$E2E_DIR/sas.raw" || fail "charon's CHILD_SA is not INSTALLED"
}

check_traffic() {  # check_traffic LABEL
  ok=false
  for _ in $(seq 1 10); do
    if ip netns exec "$NS_A" ping -c 1 -W 1 198.19.1.2 >/dev/null 2>&1; then ok=true; break; fi
  done
  $ok || fail "$1: no reply from host B through the tunnel"
  ip netns exec "$NS_A" ping -c 5 -i 0.2 -W 2 198.19.1.2 >"$E2E_DIR/ping" \
    || fail "$1: ping lost packets: $(cat "$E2E_DIR/ping")"
  ip netns exec "$NS_B" ping -c 3 -i 0.2 -W 2 198.18.1.2 >"$E2E_DIR/ping" \
    || fail "$1: ping from B lost packets: $(cat "$E2E_DIR/ping")"
  ctl --json tunnel status t >"$E2E_DIR/status.json"
  [ "$(json_get 'j["counters"]["out"]["packets"] >= 8 and j["counters"]["in"]["packets"] >= 8' <"$E2E_DIR/status.json")" = True ] \
    || fail "$1: tunnel counters: $(json_get 'j["counters"]' <"$E2E_DIR/status.json")"
}

check_iperf() {  # check_iperf LABEL: TCP through the tunnel, A -> B
  ip netns exec "$NS_B" iperf3 -s -1 -p 5201 >"$E2E_DIR/iperf3-server.log" 2>&1 &
  E2E_PIDS+=("$!")
  sleep 0.5
  # Full-size segments: vpngw clamps the MSS of the SYNs so they fit the tunnel.
  timeout 30 ip netns exec "$NS_A" iperf3 -c 198.19.1.2 -p 5201 -t 3 -J --connect-timeout 3000 \
    >"$E2E_DIR/iperf.json" 2>&1 || fail "$1: iperf3 failed: $(tail -5 "$E2E_DIR/iperf.json")"
  mbps=$(json_get 'round(j["end"]["sum_received"]["bits_per_second"] / 1e6, 1)' <"$E2E_DIR/iperf.json")
  echo "$1: iperf3 TCP A -> B: $mbps Mbit/s"
  /usr/bin/python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > 1 else 1)" "$mbps" \
    || fail "$1: iperf3 moved almost nothing ($mbps Mbit/s)"
}

# load_peer START_ACTION: charon gets vpngw's export for tunnel t, with its
# start action set for the case at hand.
load_peer() {
  ctl tunnel config t --vendor swanctl >"$SW/swanctl.conf"
  sed -i "s/start_action = .*/start_action = $1/" "$SW/swanctl.conf"
  # Behind a NAT the customer's device binds its own (private) address.
  [ "$IKE_NAT" = 1 ] && sed -i "s/local_addrs = .*/local_addrs = %any/" "$SW/swanctl.conf"
  swan --load-all --file "$SW/swanctl.conf" >"$SW/load.out" 2>&1 || fail "swanctl --load-all: $(cat "$SW/load.out")"
}

unload_peer() {
  swan --terminate --ike "$TID" --force >/dev/null 2>&1 || true
  : >"$SW/empty.conf"
  swan --load-all --clear --file "$SW/empty.conf" >/dev/null 2>&1 || true
}


# logs_have GREP_ARGS...: whether tunnel t's connection log matches. (Not a
# pipe into grep -q: grep's early exit would fail the pipeline.)
logs_have() {
  ctl tunnel logs t >"$E2E_DIR/logs.txt"
  grep -q "$@" "$E2E_DIR/logs.txt"
}
