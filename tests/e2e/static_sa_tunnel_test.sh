#!/usr/bin/env bash
# Two vpngwd instances joined by manually keyed SAs, in network namespaces:
#   host A 198.18.1.2 -- [198.18.1.1 gw1 198.51.100.1] -- [198.51.100.2 gw2 198.19.1.1] -- 198.19.1.2 host B
# Both gateways are configured only through vpngwctl (VPC, gateway, customer
# gateway, tunnel, route, static SAs); ping from A to B must cross as ESP,
# and each daemon's counters must show the packets encrypted and decrypted.
# Then ESP fragmented after encryption by a peer (scapy) is reassembled,
# and the public MTU: big packets are fragmented before ESP, DF-set ones
# get ICMP fragmentation needed, TCP SYNs get their MSS clamped.
source "$(dirname "$0")/lib.sh"
e2e_init "$1" "$2"
P=vpngw-t-$$
NS_A=$P-a NS_G1=$P-g1 NS_G2=$P-g2 NS_B=$P-b

e2e_extra_cleanup() {
  for ns in "$NS_A" "$NS_G1" "$NS_G2" "$NS_B"; do ip netns del "$ns" 2>/dev/null || true; done
}

for ns in "$NS_A" "$NS_G1" "$NS_G2" "$NS_B"; do
  ip netns add "$ns"
  ip -n "$ns" link set lo up
done
ip link add va$$ netns "$NS_A" type veth peer name g1v$$ netns "$NS_G1"
ip link add g1p$$ netns "$NS_G1" type veth peer name g2p$$ netns "$NS_G2"
ip link add g2v$$ netns "$NS_G2" type veth peer name vb$$ netns "$NS_B"
for pair in "$NS_G1 g1v$$" "$NS_G1 g1p$$" "$NS_G2 g2p$$" "$NS_G2 g2v$$"; do
  set -- $pair
  ip -n "$1" link set "$2" up
done
ip -n "$NS_A" addr add 198.18.1.2/24 dev va$$
ip -n "$NS_A" link set va$$ up
ip -n "$NS_A" route add default via 198.18.1.1
ip -n "$NS_B" addr add 198.19.1.2/24 dev vb$$
ip -n "$NS_B" link set vb$$ up
ip -n "$NS_B" route add default via 198.19.1.1

# start_gateway NAME NS PUBLIC_IF PUBLIC_CIDR PUBLIC_NEXT_HOP PRIVATE_IF PRIVATE_CIDR PRIVATE_NEXT_HOP
start_gateway() {
  local name=$1 ns=$2
  mkdir -p "$E2E_DIR/$name"
  cat >"$E2E_DIR/$name/vpngwd.toml" <<TOML
[ports.public]
port = 0
address = "$4"
next_hop = "$5"
[ports.private]
port = 1
address = "$7"
next_hop = "$8"
TOML
  ip netns exec "$ns" "$VPNGWD" --config "$E2E_DIR/$name/vpngwd.toml" --state-dir "$E2E_DIR/$name/state" \
    --socket "$E2E_DIR/$name/api.sock" -- --no-huge -m 512 --no-pci --file-prefix "vpngw-e2e-$$-$name" \
    --log-level=error "$(gw_eal_workers 2)" --vdev=net_af_packet0,iface=$3,qpairs=2 \
    --vdev=net_af_packet1,iface=$6,qpairs=2 \
    >>"$E2E_DIR/vpngwd.log" 2>&1 &
  E2E_PIDS+=("$!")
  for _ in $(seq 1 100); do
    "$VPNGWCTL" --socket "$E2E_DIR/$name/api.sock" info >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "$name did not start"
}
start_gateway gw1 "$NS_G1" g1p$$ 198.51.100.1/24 198.51.100.2 g1v$$ 198.18.1.1/24 198.18.1.2
start_gateway gw2 "$NS_G2" g2p$$ 198.51.100.2/24 198.51.100.1 g2v$$ 198.19.1.1/24 198.19.1.2

K1=000102030405060708090a0b0c0d0e0f A1=1011121314151617181920212223242526272829
K2=303132333435363738393a3b3c3d3e3f A2=4041424344454647484950515253545556575859
# configure NAME LOCAL_VPC LOCAL_NET PEER_NET OUR_IP PEER_IP OUT_SPI OUT_KEY OUT_AUTH IN_SPI IN_KEY IN_AUTH
configure() {
  SOCK=$E2E_DIR/$1/api.sock
  ctl vpc create --name vpc --cidr "$2" >/dev/null
  ctl gateway create --name gw --vpc vpc --public-ip "$5" --bandwidth 100 >/dev/null
  ctl customer-gateway create --name peer --public-ip "$6" >/dev/null
  ctl tunnel create --name t --gateway gw --customer-gateway peer --psk unused-static \
    --spd "$3=$4" --start-action respond >/dev/null
  ctl route create --vpc vpc --destination "$4" --gateway gw >/dev/null
  ctl sa create --tunnel t --direction out --spi "$7" --enc aes128 --enc-key "$8" --auth sha1 --auth-key "$9" >/dev/null
  ctl sa create --tunnel t --direction in --spi "${10}" --enc aes128 --enc-key "${11}" --auth sha1 \
    --auth-key "${12}" >/dev/null
}
configure gw1 198.18.0.0/16 198.18.1.0/24 198.19.1.0/24 198.51.100.1 198.51.100.2 0x1001 $K1 $A1 0x2001 $K2 $A2
configure gw2 198.19.0.0/16 198.19.1.0/24 198.18.1.0/24 198.51.100.2 198.51.100.1 0x2001 $K2 $A2 0x1001 $K1 $A1

# Next hops are resolved by ARP once a second; give it a moment.
ok=false
for _ in $(seq 1 10); do
  if ip netns exec "$NS_A" ping -c 1 -W 1 198.19.1.2 >/dev/null 2>&1; then ok=true; break; fi
done
$ok || fail "no reply from host B through the tunnel"
# On the wire between the gateways there is ESP and no clear ICMP. Each
# capture sees what arrives at its side (the PMD's own transmissions bypass
# the capture point): gw1 -> gw2 uses SPI 0x1001, gw2 -> gw1 SPI 0x2001.
ip netns exec "$NS_G2" tcpdump -i g2p$$ -nn -U -w "$E2E_DIR/at_gw2.pcap" 2>/dev/null &
CAP2=$!
ip netns exec "$NS_G1" tcpdump -i g1p$$ -nn -U -w "$E2E_DIR/at_gw1.pcap" 2>/dev/null &
CAP1=$!
E2E_PIDS+=("$CAP1" "$CAP2")
sleep 1
ip netns exec "$NS_A" ping -c 5 -i 0.2 -W 2 198.19.1.2 >"$E2E_DIR/ping" || fail "ping through the tunnel lost packets: $(cat "$E2E_DIR/ping")"
sleep 0.5
kill -INT "$CAP1" "$CAP2"; wait "$CAP1" "$CAP2" 2>/dev/null || true
for side in "gw2 0x00001001" "gw1 0x00002001"; do
  set -- $side
  esp=$(tcpdump -nn -r "$E2E_DIR/at_$1.pcap" "esp" 2>/dev/null | grep -c "ESP(spi=$2" || true)
  clear=$(tcpdump -nn -r "$E2E_DIR/at_$1.pcap" icmp 2>/dev/null | wc -l)
  [ "$esp" -ge 5 ] || fail "expected >= 5 ESP packets with SPI $2 arriving at $1, saw $esp"
  [ "$clear" -eq 0 ] || fail "$clear clear-text ICMP packets arriving at $1"
done

# Per-SA counters in tunnel status: every ping crossed both SAs of gw1.
SOCK=$E2E_DIR/gw1/api.sock
ctl --json tunnel status t >"$E2E_DIR/status.json"
[ "$(json_get 'j["counters"]["out"]["packets"] >= 5 and j["counters"]["in"]["packets"] >= 5' <"$E2E_DIR/status.json")" = "True" ] \
  || fail "tunnel status counters: $(cat "$E2E_DIR/status.json")"
[ "$(json_get 'sorted(s["direction"] for s in j["child_sas"])' <"$E2E_DIR/status.json")" = "['in', 'out']" ] \
  || fail "tunnel status lacks its SAs: $(cat "$E2E_DIR/status.json")"
ctl tunnel status t >/dev/null || fail "human tunnel status failed"

for gw in gw1 gw2; do
  SOCK=$E2E_DIR/$gw/api.sock
  ctl --json info >"$E2E_DIR/$gw.info"
  enc=$(json_get 'j["dataplane"]["forward"]["encrypted"]' <"$E2E_DIR/$gw.info")
  dec=$(json_get 'j["dataplane"]["forward"]["decrypted"]' <"$E2E_DIR/$gw.info")
  [ "$enc" -ge 5 ] && [ "$dec" -ge 5 ] || fail "$gw: encrypted=$enc decrypted=$dec, expected >= 5 each"
done
# Outer fragments: a peer that fragments ESP after encrypting. scapy (an
# independent ESP implementation) seals a 980-byte UDP packet with gw1's
# outbound SA, splits the ESP packet into 400-byte IPv4 fragments, and sends
# them in reverse order from gw1's side of the wire; host B must get the
# inner packet. On these af_packet ports the kernel puts the fragments back
# together before vpngwd reads them (DPDK's af_packet PMD joins its socket
# to a fanout group with PACKET_FANOUT_FLAG_DEFRAG), so gw2's own
# reassembly (forward.reassembled, for NIC ports) is not what runs here:
# tests/dataplane/forward/reassembly_test.cpp covers that.
MAC_G1=$(ip netns exec "$NS_G1" cat "/sys/class/net/g1p$$/address")
MAC_G2=$(ip netns exec "$NS_G2" cat "/sys/class/net/g2p$$/address")
ip netns exec "$NS_B" tcpdump -i vb$$ -nn -U -w "$E2E_DIR/reasm_at_b.pcap" "udp port 5555" 2>/dev/null &
CAPB=$!
E2E_PIDS+=("$CAPB")
sleep 1
cat >"$E2E_DIR/send_fragments.py" <<'PY'
import sys
from scapy.all import Ether, IP, UDP, Raw, fragment, sendp
from scapy.layers.ipsec import SecurityAssociation, ESP
iface, src_mac, dst_mac, key, auth = sys.argv[1:6]
sa = SecurityAssociation(ESP, spi=0x1001, crypt_algo="AES-CBC", crypt_key=bytes.fromhex(key),
                         auth_algo="HMAC-SHA1-96", auth_key=bytes.fromhex(auth),
                         tunnel_header=IP(src="198.51.100.1", dst="198.51.100.2"))
inner = IP(src="198.18.1.2", dst="198.19.1.2", ttl=64) / UDP(sport=4444, dport=5555) / Raw(b"vpngw-reassembly" * 60)
esp = IP(bytes(sa.encrypt(inner, seq_num=1000)))
pieces = fragment(esp, fragsize=400)
pieces.reverse()
sendp([Ether(src=src_mac, dst=dst_mac) / p for p in pieces], iface=iface, verbose=False)
print(len(pieces))
PY
n=$(ip netns exec "$NS_G1" /usr/bin/python3 "$E2E_DIR/send_fragments.py" g1p$$ "$MAC_G1" "$MAC_G2" $K1 $A1) \
  || fail "scapy could not send the ESP fragments"
[ "$n" -ge 3 ] || fail "expected the ESP packet in >= 3 fragments, scapy made $n"
sleep 1
kill -INT "$CAPB"; wait "$CAPB" 2>/dev/null || true
tcpdump -nn -A -r "$E2E_DIR/reasm_at_b.pcap" >"$E2E_DIR/reasm_at_b.txt" 2>/dev/null || true
grep -q "198.18.1.2.4444 > 198.19.1.2.5555: UDP, length 960" "$E2E_DIR/reasm_at_b.txt" \
  || fail "host B did not get the reassembled packet's inner UDP: $(head -5 "$E2E_DIR/reasm_at_b.txt")"
grep -q "vpngw-reassembly" "$E2E_DIR/reasm_at_b.txt" || fail "the inner payload did not arrive intact"
echo "outer fragments: $n ESP fragments from scapy reached host B decrypted"

# The same SAs as ESP in UDP 4500 (RFC 3948): replace them on both sides.
resa() {  # resa NAME OUT_SPI OUT_KEY OUT_AUTH IN_SPI IN_KEY IN_AUTH
  SOCK=$E2E_DIR/$1/api.sock
  for id in $(ctl --json sa list | json_get '" ".join(i["id"] for i in j["items"])'); do ctl sa delete "$id" >/dev/null; done
  ctl sa create --tunnel t --direction out --spi "$2" --enc aes128 --enc-key "$3" --auth sha1 --auth-key "$4" \
    --udp-encap >/dev/null
  ctl sa create --tunnel t --direction in --spi "$5" --enc aes128 --enc-key "$6" --auth sha1 --auth-key "$7" \
    --udp-encap >/dev/null
}
resa gw1 0x1101 $K1 $A1 0x2101 $K2 $A2
resa gw2 0x2101 $K2 $A2 0x1101 $K1 $A1
ip netns exec "$NS_G2" tcpdump -i g2p$$ -nn -U -w "$E2E_DIR/udp_at_gw2.pcap" 2>/dev/null &
CAP2=$!
E2E_PIDS+=("$CAP2")
sleep 1
ip netns exec "$NS_A" ping -c 5 -i 0.2 -W 2 198.19.1.2 >"$E2E_DIR/ping" || fail "ping over ESP-in-UDP lost packets: $(cat "$E2E_DIR/ping")"
sleep 0.5
kill -INT "$CAP2"; wait "$CAP2" 2>/dev/null || true
udp=$(tcpdump -nn -r "$E2E_DIR/udp_at_gw2.pcap" "udp port 4500" 2>/dev/null | wc -l)
[ "$udp" -ge 5 ] || fail "expected >= 5 UDP 4500 packets arriving at gw2, saw $udp"

# The public MTU (1500 here). With ESP-in-UDP, AES-128-CBC and HMAC-SHA1-96
# an ESP packet costs 20 (IPv4) + 8 (UDP) + 8 (ESP) + 16 (IV) + 12 (ICV)
# bytes plus padding to 16-byte blocks: the largest inner packet that fits
# is 1422 bytes, so TCP's MSS is clamped to 1382.
# Hosts behind af_packet ports must finish their own TCP checksums (iperf3's
# control connection and the SYN below are TCP).
ip netns exec "$NS_A" ethtool -K va$$ tx off >/dev/null
ip netns exec "$NS_B" ethtool -K vb$$ tx off >/dev/null
info_get() {  # info_get GW PYTHON-EXPRESSION-ON-j
  SOCK=$E2E_DIR/$1/api.sock
  ctl --json info | json_get "$2"
}
# Without DF a big packet is fragmented before encryption, and the replies
# come back the same way through gw2. 1800 bytes rather than 2000: host A
# cuts it into 1500 + 348 bytes, but net_af_packet's fanout socket
# reassembles IPv4 fragments (PACKET_FANOUT_FLAG_DEFRAG) and its frames must
# fit one mbuf (1920 bytes), so the gateway gets 1828-byte packets, over the
# 1422 that fit.
ip netns exec "$NS_A" ping -c 3 -i 0.2 -W 2 -s 1800 198.19.1.2 >"$E2E_DIR/ping-big" \
  || fail "ping -s 1800 through the tunnel: $(cat "$E2E_DIR/ping-big")"
for gw in gw1 gw2; do
  [ "$(info_get $gw 'j["dataplane"]["forward"]["fragmented"]')" -ge 3 ] \
    || fail "$gw fragmented nothing: $(info_get $gw 'j["dataplane"]["forward"]')"
done
# A TCP SYN from A arrives at B with its MSS clamped (A offers 1460; this
# runs before the DF test, after which A would offer the learnt PMTU's).
ip netns exec "$NS_B" timeout 10 tcpdump -i vb$$ -nn -v -c 1 -l \
  'tcp[tcpflags] & tcp-syn != 0 and dst port 5299' >"$E2E_DIR/syn.txt" 2>/dev/null &
SYNCAP=$!
E2E_PIDS+=("$SYNCAP")
sleep 1
ip netns exec "$NS_A" timeout 3 bash -c 'exec 3<>/dev/tcp/198.19.1.2/5299' 2>/dev/null || true
wait "$SYNCAP" 2>/dev/null || true
grep -q "mss 1382" "$E2E_DIR/syn.txt" || fail "SYN at host B without a clamped MSS: $(cat "$E2E_DIR/syn.txt")"
[ "$(info_get gw1 'j["dataplane"]["forward"]["mss_clamped"]')" -ge 1 ] || fail "gw1 clamped no MSS"
echo "TCP SYN at host B: $(grep -o 'mss [0-9]*' "$E2E_DIR/syn.txt")"

# With DF, the sender hears "fragmentation needed" with the MTU that fits.
ip netns exec "$NS_A" ping -M do -c 3 -i 0.3 -W 1 -s 1472 198.19.1.2 >"$E2E_DIR/ping-df" 2>&1 || true
grep -Eq "Frag needed and DF set \(mtu = 1422\)|message too long, mtu=1422" "$E2E_DIR/ping-df" \
  || fail "ping -M do -s 1472 got no fragmentation needed (mtu 1422): $(cat "$E2E_DIR/ping-df")"
[ "$(info_get gw1 'j["dataplane"]["drops"]["too_big"]')" -ge 1 ] || fail "gw1 counted no too_big drop"
[ "$(info_get gw1 'j["dataplane"]["forward"]["icmp_sent"]')" -ge 1 ] || fail "gw1 sent no ICMP error"
echo "DF set: $(grep -Eo 'Frag needed and DF set \(mtu = [0-9]+\)|message too long, mtu=[0-9]+' "$E2E_DIR/ping-df" | head -1)"

# Bandwidth caps: UDP offered at twice the cap arrives at no more than the
# cap (3% tolerance; the cap counts outer bytes, iperf3 counts payload, so
# the floor is lower), at two tiers, the second set while traffic is flowing
# through the same tunnel.
iperf_rate() {  # offered Mbps -> received Mbps
  ip netns exec "$NS_B" iperf3 -s -1 -p 5201 >"$E2E_DIR/iperf3-server.log" 2>&1 &
  E2E_PIDS+=("$!")
  sleep 0.5
  timeout 20 ip netns exec "$NS_A" iperf3 -c 198.19.1.2 -p 5201 -u -b "${1}M" -l 1200 -t 3 -J \
    --connect-timeout 3000 >"$E2E_DIR/iperf.json" 2>&1 || fail "iperf3 failed: $(tail -5 "$E2E_DIR/iperf.json")"
  json_get 'round(j["end"]["sum"]["bits_per_second"] * (1 - j["end"]["sum"]["lost_percent"] / 100) / 1e6, 2)' \
    <"$E2E_DIR/iperf.json"
}
check_cap() {  # check_cap CAP_MBPS
  SOCK=$E2E_DIR/gw1/api.sock
  ctl gateway modify gw --bandwidth "$1" >/dev/null
  got=$(iperf_rate $(($1 * 2)))
  /usr/bin/python3 -c "import sys; got, cap = float(sys.argv[1]), float(sys.argv[2]); \
    sys.exit(0 if 0.75 * cap <= got <= 1.03 * cap else 1)" "$got" "$1" \
    || fail "cap $1 Mbps: received $got Mbps"
  echo "cap $1 Mbps: received $got Mbps of UDP payload"
}
check_cap 5
check_cap 10
SOCK=$E2E_DIR/gw1/api.sock
over=$(ctl --json info | json_get 'j["dataplane"]["drops"]["over_cap"]')
[ "$over" -gt 0 ] || fail "no over_cap drops counted at gw1"
echo "static_sa_tunnel_test: ok (ESP and ESP-in-UDP both ways through two vpngwd; MTU, MSS; caps hold)"
