#!/usr/bin/env bash
# vpngwd negotiates IKEv2 with a real strongSwan and carries traffic:
#   host A 198.18.1.2 -- [198.18.1.1 vpngwd 198.51.100.1] -- [198.51.100.2 charon 198.19.1.1] -- 198.19.1.2 host B
# strongSwan gets the configuration vpngwctl exports for it (swanctl form),
# as a customer would. Its userspace ESP (kernel-libipsec) always asks for
# UDP encapsulation, so every tunnel here runs NAT-T on port 4500.
# Checked: vpngw as initiator and as responder, for several proposals; the
# SPIs both sides report agree; ping and iperf3 cross; the connection log
# tells the story; a wrong PSK ends in phase1_failed with the reason.
#
# usage: ike_strongswan_test.sh VPNGWD VPNGWCTL [PROPOSAL_SET]
source "$(dirname "$0")/lib.sh"
e2e_init "$1" "$2"
P=vpngw-i-$$
NS_A=$P-a NS_G=$P-g NS_S=$P-s NS_B=$P-b
SW=$E2E_DIR/sw
VICI="unix://$SW/charon.vici"

e2e_extra_cleanup() {
  for ns in "$NS_A" "$NS_G" "$NS_S" "$NS_B"; do ip netns del "$ns" 2>/dev/null || true; done
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

# ---------------------------------------------------------------- topology
for ns in "$NS_A" "$NS_G" "$NS_S" "$NS_B"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
ip link add va$$ netns "$NS_A" type veth peer name gv$$ netns "$NS_G"
ip link add gp$$ netns "$NS_G" type veth peer name sp$$ netns "$NS_S"
ip link add sv$$ netns "$NS_S" type veth peer name vb$$ netns "$NS_B"
ip -n "$NS_G" link set gv$$ up
ip -n "$NS_G" link set gp$$ up
ip -n "$NS_A" addr add 198.18.1.2/24 dev va$$
ip -n "$NS_A" link set va$$ up
ip -n "$NS_A" route add default via 198.18.1.1
ip -n "$NS_S" addr add 198.51.100.2/24 dev sp$$
ip -n "$NS_S" addr add 198.19.1.1/24 dev sv$$
ip -n "$NS_S" link set sp$$ up
ip -n "$NS_S" link set sv$$ up
ip netns exec "$NS_S" sysctl -qw net.ipv4.ip_forward=1
ip -n "$NS_B" addr add 198.19.1.2/24 dev vb$$
ip -n "$NS_B" link set vb$$ up
ip -n "$NS_B" route add default via 198.19.1.1
# Hosts behind af_packet ports finish their own TCP checksums (iperf3).
ip netns exec "$NS_A" ethtool -K va$$ tx off >/dev/null
ip netns exec "$NS_B" ethtool -K vb$$ tx off >/dev/null

# ------------------------------------------------------------------ vpngwd
mkdir -p "$E2E_DIR/gw" "$SW"
cat >"$E2E_DIR/gw/vpngwd.toml" <<TOML
[ports.public]
port = 0
address = "198.51.100.1/24"
[ports.private]
port = 1
address = "198.18.1.1/24"
next_hop = "198.18.1.2"
TOML
ip netns exec "$NS_G" "$VPNGWD" --config "$E2E_DIR/gw/vpngwd.toml" --state-dir "$E2E_DIR/gw/state" \
  --socket "$E2E_DIR/gw/api.sock" -- --no-huge -m 512 --no-pci --file-prefix "vpngw-e2e-$$-gw" \
  --log-level=error -l 0-1 --vdev=net_af_packet0,iface=gp$$ --vdev=net_af_packet1,iface=gv$$ \
  >>"$E2E_DIR/vpngwd.log" 2>&1 &
E2E_PIDS+=("$!")
SOCK=$E2E_DIR/gw/api.sock
for _ in $(seq 1 100); do
  ctl info >/dev/null 2>&1 && break
  sleep 0.1
done
ctl info >/dev/null || fail "vpngwd did not start"

# --------------------------------------------------------------- strongSwan
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
swan() { ip netns exec "$NS_S" swanctl "$@" -u "$VICI"; }

ctl vpc create --name vpc --cidr 198.18.0.0/16 >/dev/null
ctl gateway create --name gw --vpc vpc --public-ip 198.51.100.1 --bandwidth 1000 >/dev/null
ctl customer-gateway create --name peer --public-ip 198.51.100.2 >/dev/null
ctl route create --vpc vpc --destination 198.19.1.0/24 --gateway gw >/dev/null

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
  swan --load-all --file "$SW/swanctl.conf" >"$SW/load.out" 2>&1 || fail "swanctl --load-all: $(cat "$SW/load.out")"
}

unload_peer() {
  swan --terminate --ike "$TID" --force >/dev/null 2>&1 || true
  : >"$SW/empty.conf"
  swan --load-all --clear --file "$SW/empty.conf" >/dev/null 2>&1 || true
}

# run_case LABEL ROLE CTL_POLICY_FLAGS...: ROLE is initiator (vpngw starts)
# or responder (charon starts).
run_case() {
  local label=$1 role=$2
  shift 2
  local action=start peer_action=none
  [ "$role" = responder ] && action=respond && peer_action=none
  ctl tunnel create --name t --gateway gw --customer-gateway peer --psk "e2e-psk-$$-ok" \
    --spd 198.18.1.0/24=198.19.1.0/24 --start-action "$action" "$@" >/dev/null
  TID=$(ctl --json tunnel show t | json_get 'j["id"]')
  load_peer "$peer_action"
  if [ "$role" = responder ]; then
    child=$(grep -o "$TID-[a-z0-9-]*" "$SW/swanctl.conf" | grep -v "^$TID-$" | head -1)
    swan --initiate --child "$child" --timeout 20 >"$SW/initiate.out" 2>&1 \
      || fail "$label: charon could not initiate: $(tail -5 "$SW/initiate.out")"
  fi
  wait_connected 30
  check_spis
  check_traffic "$label"
  ctl tunnel logs t >"$E2E_DIR/logs"
  grep -q "IKE_SA_INIT" "$E2E_DIR/logs" || fail "$label: no IKE_SA_INIT in the connection log"
  grep -q "IKE_AUTH" "$E2E_DIR/logs" || fail "$label: no IKE_AUTH in the connection log"
  grep -q "e2e-psk-$$" "$E2E_DIR/logs" && fail "$label: the PSK appears in the connection log"
  echo "$label: connected, SPIs agree, traffic flows"
}

end_case() {
  ctl tunnel delete t >/dev/null
  unload_peer
  sleep 0.5
}

run_case "default proposal, vpngw initiates" initiator
check_iperf "default proposal"
end_case
run_case "default proposal, charon initiates" responder
end_case
run_case "aes256-sha256-modp2048, vpngw initiates" initiator \
  --ike-enc aes256 --ike-auth sha256 --ike-dh 14 --esp-enc aes256 --esp-auth sha256 --pfs 14
end_case
run_case "aes128gcm16-prfsha256-ecp256, charon initiates" responder \
  --ike-enc aes128gcm --ike-auth sha256 --ike-dh 19 --esp-enc aes128gcm --pfs disable
end_case

# A wrong PSK on vpngw's side: charon refuses our AUTH.
ctl tunnel create --name t --gateway gw --customer-gateway peer --psk "e2e-psk-$$-ok" \
  --spd 198.18.1.0/24=198.19.1.0/24 --start-action start >/dev/null
TID=$(ctl --json tunnel show t | json_get 'j["id"]')
load_peer none
ctl tunnel modify t --psk "e2e-psk-$$-wrong" >/dev/null
# Wait (a failed attempt, its retries) for phase1_failed.
for _ in $(seq 1 300); do
  [ "$(ctl --json tunnel show t | json_get 'j["connection_status"]')" = phase1_failed ] && break
  sleep 0.2
done
ctl --json tunnel show t >"$E2E_DIR/t.json"
[ "$(json_get 'j["connection_status"]' <"$E2E_DIR/t.json")" = phase1_failed ] \
  || fail "wrong PSK: status $(json_get 'j["connection_status"], j["connection_reason"]' <"$E2E_DIR/t.json")"
reason=$(json_get 'j["connection_reason"]' <"$E2E_DIR/t.json")
echo "$reason" | grep -qi "auth" || fail "wrong PSK: reason does not say so: $reason"
ctl tunnel logs t | grep -q "AUTHENTICATION_FAILED" || fail "wrong PSK: no AUTHENTICATION_FAILED in the log"
echo "wrong PSK: phase1_failed ($reason)"
end_case
echo "ike_strongswan_test: ok"
