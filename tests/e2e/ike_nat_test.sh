#!/usr/bin/env bash
# NAT traversal against a real strongSwan behind a masquerading router
# (nftables): vpngw knows the customer gateway by the NAT's public address,
# 198.51.100.3; charon (192.0.2.2) initiates through the NAT with FQDN
# identities on both sides. vpngw must detect the NAT, move to port 4500,
# encapsulate ESP in UDP to the port the NAT chose, and carry traffic.
# usage: ike_nat_test.sh VPNGWD VPNGWCTL
IKE_NAT=1
source "$(dirname "$0")/ike_lib.sh"
ike_setup "$1" "$2"

ctl tunnel create --name t --gateway gw --customer-gateway peer --psk "e2e-psk-$$" \
  --spd 198.18.1.0/24=198.19.1.0/24 --start-action respond \
  --local-id vpn.example.net --remote-id office.example.com >/dev/null
TID=$(ctl --json tunnel show t | json_get 'j["id"]')
load_peer none
grep -q "office.example.com" "$SW/swanctl.conf" || fail "the export does not carry the customer's FQDN identity"
child=$(grep -o "$TID-[a-z0-9-]*" "$SW/swanctl.conf" | grep -v "^$TID-$" | head -1)
swan --initiate --child "$child" --timeout 20 >"$SW/initiate.out" 2>&1 \
  || fail "charon could not initiate through the NAT: $(tail -5 "$SW/initiate.out")"
wait_connected 30
ctl --json tunnel status t >"$E2E_DIR/status.json"
[ "$(json_get 'j["ike_sa"]["nat_remote"]' <"$E2E_DIR/status.json")" = True ] \
  || fail "vpngw did not see the peer behind a NAT: $(json_get 'j["ike_sa"]' <"$E2E_DIR/status.json")"
remote=$(json_get 'j["ike_sa"]["remote"]' <"$E2E_DIR/status.json")
case "$remote" in 198.51.100.3:*) ;; *) fail "remote endpoint is $remote, not the NAT's address" ;; esac
[ "$(json_get 'j["ike_sa"]["child_sas"][0]["udp_encap"]' <"$E2E_DIR/status.json")" = True ] \
  || fail "CHILD_SA not UDP-encapsulated behind a NAT"
logs_have "office.example.com" || fail "the log does not name the peer's identity"
check_spis
check_traffic "through the NAT"
check_iperf "through the NAT"
# On the wire at the NAT's public side: ESP inside UDP 4500, no plain ESP.
ip netns exec "$NS_N" tcpdump -i np$$ -nn -U -w "$E2E_DIR/nat.pcap" 2>/dev/null &
CAP=$!
E2E_PIDS+=("$CAP")
sleep 1
ip netns exec "$NS_A" ping -c 5 -i 0.2 -W 2 198.19.1.2 >/dev/null || fail "ping through the NAT lost packets"
sleep 0.5
kill -INT "$CAP"; wait "$CAP" 2>/dev/null || true
udp=$(tcpdump -nn -r "$E2E_DIR/nat.pcap" "udp and host 198.51.100.1 and (src port 4500 or dst port 4500)" 2>/dev/null | wc -l)
plain=$(tcpdump -nn -r "$E2E_DIR/nat.pcap" "ip proto 50" 2>/dev/null | wc -l)
[ "$udp" -ge 10 ] && [ "$plain" -eq 0 ] || fail "on the NAT's public side: $udp UDP-4500 packets, $plain plain ESP"
echo "ike_nat_test: ok (remote $remote, ESP in UDP through a masquerading NAT)"
