#!/bin/bash
# The IKE engine against a real strongSwan (TESTNET.md): ike_socket_peer
# (IkeEngine on UDP 500/4500, recording the SAs it installs) in one network
# namespace, charon with kernel-libipsec in another, a veth between them.
# For each case the tunnel is brought up (our engine initiating, or charon
# with `swanctl --initiate`), and the test asserts, independently of our
# engine's own view:
#   - `swanctl --list-sas` shows the IKE SA ESTABLISHED and the CHILD_SA
#     INSTALLED, with exactly the SPIs our installer got, crossed;
#   - the ESP keys our installer got equal those charon derived (charon logs
#     them at chd = 4);
# then CHILD_SA rekeys (PFS) and IKE SA rekeys started by charon and by us,
# after which both sides agree on SPIs and keys again; DPD finding a killed
# charon dead and restarting the tunnel once it is back; a wrong PSK
# ending in phase1_failed with AUTHENTICATION_FAILED; and charon behind a
# masquerading NAT (nftables) bringing the tunnel up through it.
# charon's userspace ESP is always UDP-encapsulated, so it fakes NAT
# detection and every case also exercises the float to port 4500.
#
# usage: engine_strongswan_test.sh IKE_SOCKET_PEER
set -u

peer_bin=$(readlink -f "$1")
ns_gw="vpngw-ike-gw-$$"
ns_sw="vpngw-ike-sw-$$"
tmp=$(mktemp -d "/tmp/vpngw-ike-$$.XXXXXX")
gw_ip=192.0.2.1
sw_ip=192.0.2.2
psk="e2e-Pre-Shared-Key-1"
charon_pid=
peer_pid=
ns_created=()
failures=0

stop_peer() {
  if [[ -n $peer_pid ]]; then
    kill -TERM "$peer_pid" 2>/dev/null
    wait "$peer_pid" 2>/dev/null
    peer_pid=
  fi
}

stop_charon() {
  if [[ -n $charon_pid ]]; then
    kill -TERM "$charon_pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$charon_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$charon_pid" 2>/dev/null
    wait "$charon_pid" 2>/dev/null
    charon_pid=
  fi
}

cleanup() {
  local rc=$?
  stop_peer
  stop_charon
  for ns in "${ns_created[@]}"; do ip netns delete "$ns" 2>/dev/null; done
  if [[ $rc -ne 0 || $failures -gt 0 ]]; then
    for f in "$tmp"/*/peer.out; do
      [[ -f $f ]] && { echo "---- $f (last 25 lines) ----" >&2; tail -n 25 "$f" >&2; }
    done
  fi
  [[ -n ${KEEP_TMP:-} ]] && echo "kept $tmp" >&2 || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
  echo "FAIL [$case_name]: $*" >&2
  failures=$((failures + 1))
}

die() {
  echo "FATAL: $*" >&2
  exit 1
}

setup_network() {
  ip netns add "$ns_gw" || die "cannot create $ns_gw"
  ns_created+=("$ns_gw")
  ip netns add "$ns_sw" || die "cannot create $ns_sw"
  ns_created+=("$ns_sw")
  ip link add veth-gw netns "$ns_gw" type veth peer name veth-sw netns "$ns_sw" || die "veth"
  ip -n "$ns_gw" addr add "$gw_ip/24" dev veth-gw
  ip -n "$ns_sw" addr add "$sw_ip/24" dev veth-sw
  for ns in "$ns_gw" "$ns_sw"; do
    ip -n "$ns" link set lo up
  done
  # charon routes the tunnel's traffic through its TUN device with a
  # source address of its local selector: give it one.
  ip -n "$ns_sw" addr add 10.2.0.1/24 dev lo
  ip -n "$ns_gw" link set veth-gw up
  ip -n "$ns_sw" link set veth-sw up
}

# start_charon DIR IKE_PROPOSAL ESP_PROPOSAL PSK
start_charon() {
  local dir=$1 ike=$2 esp=$3 secret=$4
  mkdir -p "$dir/conf.d"
  cat > "$dir/strongswan.conf" <<CONF
charon {
  load_modular = no
  load = random nonce openssl pem pkcs1 x509 revocation constraints pubkey aes sha1 sha2 md5 hmac kdf gmp curve25519 kernel-libipsec kernel-netlink socket-default vici updown
  piddir = $dir
  plugins { vici { socket = unix://$dir/charon.vici } }
  filelog { log { path = $dir/charon.log
      flush_line = yes
      default = 1
      ike = 2
      chd = 4
      cfg = 2 } }
}
CONF
  cat > "$dir/swanctl.conf" <<CONF
connections {
  gw {
    version = 2
    local_addrs = $sw_ip
    remote_addrs = $gw_ip
    proposals = $ike
    ${CONN_EXTRA:-}
    local { auth = psk
      id = $sw_ip }
    remote { auth = psk
      id = $gw_ip }
    children {
      net {
        local_ts = 10.2.0.0/24
        remote_ts = 10.1.0.0/24
        esp_proposals = $esp
        start_action = none
        ${CHILD_EXTRA:-}
      }
    }
  }
}
secrets {
  ike-gw {
    id-1 = $gw_ip
    id-2 = $sw_ip
    secret = "$secret"
  }
}
CONF
  ip netns exec "$ns_sw" unshare -m sh -c \
    "mount -t tmpfs tmpfs /run && STRONGSWAN_CONF=$dir/strongswan.conf exec /usr/lib/ipsec/charon" \
    > "$dir/charon.out" 2>&1 &
  charon_pid=$!
  for _ in $(seq 100); do
    [[ -S $dir/charon.vici ]] && break
    kill -0 "$charon_pid" 2>/dev/null || die "charon exited: $(cat "$dir/charon.out")"
    sleep 0.1
  done
  [[ -S $dir/charon.vici ]] || die "charon's vici socket did not appear"
  [[ $(cat "/proc/$charon_pid/comm" 2>/dev/null) == charon ]] || die "PID $charon_pid is not charon"
  swanctl --load-all -u "unix://$dir/charon.vici" -f "$dir/swanctl.conf" > "$dir/load.out" 2>&1 ||
    die "swanctl --load-all: $(cat "$dir/load.out")"
}

# start_peer DIR START IKE ESP PSK
start_peer() {
  local dir=$1 start=$2 ike=$3 esp=$4 secret=$5
  ip netns exec "$ns_gw" "$peer_bin" --gateway "$gw_ip" --peer "${PEER_ADDR:-$sw_ip}" --psk "$secret" \
    --local-ts 10.1.0.0/24 --remote-ts 10.2.0.0/24 --start "$start" --ike "$ike" --esp "$esp" \
    --retries 0 ${PEER_EXTRA:-} --out "$dir/sas.json" > "$dir/peer.out" 2>&1 &
  peer_pid=$!
  for _ in $(seq 50); do
    [[ -f $dir/sas.json ]] && return 0
    kill -0 "$peer_pid" 2>/dev/null || die "ike_socket_peer exited: $(cat "$dir/peer.out")"
    sleep 0.1
  done
  die "ike_socket_peer did not start"
}

json() {  # FILE EXPR
  /usr/bin/python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"
}

wait_status() {  # DIR STATUS
  for _ in $(seq 150); do
    [[ $(json "$1/sas.json" 'j["status"]') == "$2" ]] && return 0
    sleep 0.1
  done
  return 1
}

# The keys charon logged for its CHILD_SA, as "initiator" and "responder"
# hex strings (keymat_v2 hexdumps them at chd = 4).
charon_keys() {  # DIR
  /usr/bin/python3 - "$1/charon.log" <<'PY'
import re, sys
lines = open(sys.argv[1], errors="replace").read().splitlines()
keys = {}
i = 0
while i < len(lines):
    m = re.search(r"(encryption|integrity) (initiator|responder) key => (\d+) bytes", lines[i])
    if m:
        want = int(m.group(3))
        data = ""
        i += 1
        while i < len(lines) and len(data) < 2 * want:
            h = re.match(r".*?\s+\d+: ((?:[0-9A-F]{2} ){1,16})", lines[i] + " ")
            if not h:
                break
            data += h.group(1).replace(" ", "").lower()
            i += 1
        keys[m.group(1) + "_" + m.group(2)] = data[: 2 * want]
        continue
    i += 1
for k in ("encryption_initiator", "integrity_initiator", "encryption_responder", "integrity_responder"):
    print(k, keys.get(k, ""))
PY
}

# run_case NAME WHO_INITIATES OUR_IKE OUR_ESP SWAN_IKE SWAN_ESP
run_case() {
  case_name=$1
  local before=$failures
  local who=$2 our_ike=$3 our_esp=$4 swan_ike=$5 swan_esp=$6
  local dir="$tmp/$case_name"
  mkdir -p "$dir"
  local vici="unix://$dir/charon.vici"
  start_charon "$dir" "$swan_ike" "$swan_esp" "$psk"
  if [[ $who == us ]]; then
    start_peer "$dir" start "$our_ike" "$our_esp" "$psk"
  else
    start_peer "$dir" respond "$our_ike" "$our_esp" "$psk"
    swanctl --initiate --child net --timeout 20 -u "$vici" > "$dir/initiate.out" 2>&1 ||
      fail "swanctl --initiate failed: $(tail -n 5 "$dir/initiate.out")"
  fi
  if ! wait_status "$dir" connected; then
    fail "our engine did not reach connected: $(json "$dir/sas.json" 'j["status"], j["reason"]')"
  else
    sleep 0.5
    local sas
    sas=$(swanctl --list-sas -u "$vici" 2>&1)
    echo "$sas" > "$dir/list-sas.out"
    grep -q "^gw: #[0-9]*, ESTABLISHED, IKEv2" <<< "$sas" || fail "IKE SA not ESTABLISHED: $sas"
    grep -q "^  net: #[0-9]*, reqid [0-9]*, INSTALLED, TUNNEL-in-UDP" <<< "$sas" ||
      fail "CHILD_SA not INSTALLED in UDP: $sas"
    local swan_in swan_out our_in our_out
    swan_in=$(awk '$1 == "in" { sub(",", "", $2); print $2; exit }' <<< "$sas")
    swan_out=$(awk '$1 == "out" { sub(",", "", $2); print $2; exit }' <<< "$sas")
    our_in=$(json "$dir/sas.json" '" ".join(s["spi_hex"] for s in j["inbound"])')
    our_out=$(json "$dir/sas.json" 'j["outbound"]["spi_hex"]')
    [[ -n $swan_in && $swan_in == "$our_out" ]] ||
      fail "charon's inbound SPI '$swan_in' is not our outbound '$our_out'"
    [[ -n $swan_out && $swan_out == "$our_in" ]] ||
      fail "charon's outbound SPI '$swan_out' is not our inbound '$our_in'"
    [[ $(json "$dir/sas.json" 'j["outbound"]["udp_encap"]') == True ]] ||
      fail "our outbound SA is not UDP-encapsulated"
    [[ $(json "$dir/sas.json" 'j["outbound"]["udp_src_port"], j["outbound"]["udp_dst_port"]') == "4500 4500" ]] ||
      fail "our outbound SA's ports are not 4500 -> 4500"
    # Keys: the CHILD_SA's "initiator" keys protect initiator -> responder.
    local keys our_out_enc our_in_enc our_out_int our_in_int
    keys=$(charon_keys "$dir")
    echo "$keys" > "$dir/charon-keys.out"
    our_out_enc=$(json "$dir/sas.json" 'j["outbound"]["enc_key"]')
    our_in_enc=$(json "$dir/sas.json" 'j["inbound"][0]["enc_key"]')
    our_out_int=$(json "$dir/sas.json" 'j["outbound"]["auth_key"]')
    our_in_int=$(json "$dir/sas.json" 'j["inbound"][0]["auth_key"]')
    local mine theirs
    if [[ $who == us ]]; then mine=initiator theirs=responder; else mine=responder theirs=initiator; fi
    local k
    k=$(awk -v n="encryption_$mine" '$1 == n { print $2 }' <<< "$keys")
    [[ -n $k && $k == "$our_out_enc" ]] || fail "outbound encryption key differs from charon's $mine key"
    k=$(awk -v n="encryption_$theirs" '$1 == n { print $2 }' <<< "$keys")
    [[ -n $k && $k == "$our_in_enc" ]] || fail "inbound encryption key differs from charon's $theirs key"
    k=$(awk -v n="integrity_$mine" '$1 == n { print $2 }' <<< "$keys")
    [[ $k == "$our_out_int" ]] || fail "outbound integrity key differs from charon's $mine key"
    k=$(awk -v n="integrity_$theirs" '$1 == n { print $2 }' <<< "$keys")
    [[ $k == "$our_in_int" ]] || fail "inbound integrity key differs from charon's $theirs key"
    [[ $failures -eq $before ]] && echo "ok [$case_name]: SPIs in $our_in out $our_out, keys equal charon's"
  fi
  stop_peer
  stop_charon
}

# The current CHILD_SA of both sides, once they agree (a rekey may be under
# way when we look): charon's SPIs crossed with ours, one inbound SA each.
# Prints "ok" and the SPIs, or why not.
agreed_spis() {  # DIR
  local dir=$1 vici="unix://$1/charon.vici" sas swan_in swan_out our_in our_out n
  sas=$(swanctl --list-sas -u "$vici" 2>&1)
  [[ $(grep -c "INSTALLED" <<< "$sas") -eq 1 ]] || { echo "charon has not one installed CHILD_SA"; return 1; }
  # The installed child's block (charon lists rekeyed ones too, for a while).
  swan_in=$(awk '/INSTALLED/ { on = 1; next } /^  [^ ]/ { on = 0 } on && $1 == "in" { sub(",", "", $2); print $2; exit }' <<< "$sas")
  swan_out=$(awk '/INSTALLED/ { on = 1; next } /^  [^ ]/ { on = 0 } on && $1 == "out" { sub(",", "", $2); print $2; exit }' <<< "$sas")
  our_in=$(json "$dir/sas.json" '" ".join(s["spi_hex"] for s in j["inbound"])')
  our_out=$(json "$dir/sas.json" 'j["outbound"]["spi_hex"] if j["outbound"] else ""')
  # Our old inbound SA may still be in its grace period: the new one must be there.
  [[ -n $swan_in && $swan_in == "$our_out" && " $our_in " == *" $swan_out "* ]] ||
    { echo "charon in $swan_in out $swan_out, ours in '$our_in' out $our_out"; return 1; }
  echo "ok in $swan_out out $our_out"
}

# run_rekey_case NAME WHO_REKEYS: we initiate the tunnel; one side rekeys
# the CHILD_SA every few seconds (PFS modp1024); after two rekeys both
# sides must agree on SPIs and keys again.
run_rekey_case() {
  case_name=$1
  local who=$2 before=$failures
  local dir="$tmp/$case_name"
  mkdir -p "$dir"
  if [[ $who == them ]]; then
    CHILD_EXTRA="rekey_time = 7s
        rand_time = 1s
        life_time = 60s" start_charon "$dir" aes128-sha1-modp1024 aes128-sha1-modp1024 "$psk"
    start_peer "$dir" start aes128-sha1-2 aes128-sha1-2 "$psk"
  else
    start_charon "$dir" aes128-sha1-modp1024 aes128-sha1-modp1024 "$psk"
    PEER_EXTRA="--esp-lifetime 8" start_peer "$dir" start aes128-sha1-2 aes128-sha1-2 "$psk"
  fi
  wait_status "$dir" connected || fail "not connected: $(json "$dir/sas.json" 'j["status"], j["reason"]')"
  sleep 15
  local rekeys
  rekeys=$(json "$dir/sas.json" 'sum(1 for h in j["history"] if h["op"] == "add_inbound") - 1')
  [[ $rekeys -ge 1 ]] || fail "no rekey happened"
  # Keys of the current CHILD_SA: the last ones charon derived; the rekey's
  # initiator holds the "initiator" keys. Both sides must agree on SPIs and
  # keys at one moment between rekeys.
  local mine theirs
  if [[ $who == us ]]; then mine=initiator theirs=responder; else mine=responder theirs=initiator; fi
  local agreed= why=
  for _ in $(seq 40); do
    why=
    if agreed=$(agreed_spis "$dir"); then
      local keys k swan_out=${agreed#ok in }
      swan_out=${swan_out%% *}
      keys=$(charon_keys "$dir")
      k=$(awk -v n="encryption_$mine" '$1 == n { print $2 }' <<< "$keys")
      [[ -n $k && $k == $(json "$dir/sas.json" 'j["outbound"]["enc_key"]') ]] ||
        why="outbound key differs from charon's latest $mine key"
      k=$(awk -v n="encryption_$theirs" '$1 == n { print $2 }' <<< "$keys")
      [[ -n $k && $k == $(json "$dir/sas.json" "[s for s in j['inbound'] if s['spi_hex'] == '$swan_out'][0]['enc_key']") ]] ||
        why="inbound key differs from charon's latest $theirs key"
      [[ -z $why ]] && break
    else
      why=$agreed
    fi
    sleep 0.2
  done
  [[ -z $why ]] || fail "after $rekeys rekeys: $why"
  grep -q "CREATE_CHILD_SA" "$dir/peer.out" || fail "no CREATE_CHILD_SA in our log"
  [[ $(json "$dir/sas.json" 'j["status"]') == connected ]] || fail "status is not connected after rekeys"
  [[ $failures -eq $before ]] && echo "ok [$case_name]: $rekeys rekeys, now ${agreed#ok }, keys equal charon's"
  stop_peer
  stop_charon
}

# run_ike_rekey_case NAME WHO_REKEYS: the IKE SA is rekeyed every few
# seconds by one side; both must then show the same, new IKE SA SPIs, and
# the CHILD_SA (moved to it) is still the agreed one.
run_ike_rekey_case() {
  case_name=$1
  local who=$2 before=$failures
  local dir="$tmp/$case_name"
  mkdir -p "$dir"
  if [[ $who == them ]]; then
    CONN_EXTRA="rekey_time = 6s
    rand_time = 1s" start_charon "$dir" aes128-sha1-modp1024 aes128-sha1-modp1024 "$psk"
    start_peer "$dir" start aes128-sha1-2 aes128-sha1-2 "$psk"
  else
    start_charon "$dir" aes128-sha1-modp1024 aes128-sha1-modp1024 "$psk"
    PEER_EXTRA="--ike-lifetime 7" start_peer "$dir" start aes128-sha1-2 aes128-sha1-2 "$psk"
  fi
  wait_status "$dir" connected || fail "not connected: $(json "$dir/sas.json" 'j["status"], j["reason"]')"
  local first
  first=$(json "$dir/sas.json" 'j["ike"]')
  sleep 9
  local why= ours swan
  for _ in $(seq 30); do
    ours=$(json "$dir/sas.json" 'j["ike"]')
    # charon marks its own SPI with '*': the responder's, or the initiator's
    # when charon started the rekeyed IKE SA. Strip it from either.
    swan=$(swanctl --list-sas -u "unix://$dir/charon.vici" 2>&1 | awk '/ESTABLISHED, IKEv2/ { sub(/\*$/, "", $5); sub(/\*$/, "", $6); print "established", $5, $6; exit }')
    why=
    [[ $ours == "$swan" ]] || why="our IKE SA '$ours', charon's '$swan'"
    [[ $ours != "$first" ]] || why="the IKE SA was not rekeyed ($ours)"
    [[ -z $why ]] && agreed_spis "$dir" > /dev/null && break
    [[ -z $why ]] && why="CHILD_SA: $(agreed_spis "$dir")"
    sleep 0.2
  done
  [[ -z $why ]] || fail "$why"
  grep -q "IKE_SA rekeyed" "$dir/peer.out" || fail "no IKE rekey in our log"
  [[ $failures -eq $before ]] && echo "ok [$case_name]: IKE SA $first -> $ours"
  stop_peer
  stop_charon
}

# DPD: charon is killed (no Delete); our engine must find the peer dead
# within delay + timeout and, with action restart, re-establish the tunnel
# once charon is back.
dpd_restart_case() {
  case_name=dpd-restart
  local before=$failures
  local dir="$tmp/$case_name"
  mkdir -p "$dir"
  start_charon "$dir" aes128-sha1-modp1024 aes128-sha1-modp1024 "$psk"
  PEER_EXTRA="--dpd-delay 3 --dpd-timeout 5 --dpd-action restart" \
    start_peer "$dir" start aes128-sha1-2 aes128-sha1-2 "$psk"
  wait_status "$dir" connected || fail "not connected: $(json "$dir/sas.json" 'j["status"], j["reason"]')"
  sleep 4  # at least one DPD round trip with a live peer
  grep -q "sending DPD" "$dir/peer.out" || fail "no DPD sent to a quiet peer"
  kill -KILL "$charon_pid"
  wait "$charon_pid" 2>/dev/null
  charon_pid=
  local killed=$SECONDS
  for _ in $(seq 150); do
    grep -q "is dead" "$dir/peer.out" && break
    sleep 0.1
  done
  local took=$((SECONDS - killed))
  grep -q "is dead" "$dir/peer.out" || fail "the dead peer was not detected"
  [[ $took -le 10 ]] || fail "dead peer detected after $took s (delay 3 + timeout 5)"
  [[ $(json "$dir/sas.json" 'len(j["inbound"])') == 0 ]] || fail "SAs left after the peer died"
  mv "$dir/charon.log" "$dir/charon-1.log"
  rm -f "$dir/charon.vici"
  start_charon "$dir" aes128-sha1-modp1024 aes128-sha1-modp1024 "$psk"
  wait_status "$dir" connected || fail "not re-established: $(json "$dir/sas.json" 'j["status"], j["reason"]')"
  local agreed=
  for _ in $(seq 30); do agreed=$(agreed_spis "$dir") && break; sleep 0.2; done
  [[ $agreed == ok* ]] || fail "after restart: $agreed"
  [[ $failures -eq $before ]] && echo "ok [$case_name]: dead peer found after ${took}s, re-established: ${agreed#ok }"
  stop_peer
  stop_charon
}

# NAT: charon behind a namespace that masquerades (nftables); our engine
# sees the NAT's address, detects it, and the CHILD_SA is UDP-encapsulated
# to the NAT's mapping of charon's port 4500.
#   [gw 192.0.2.1] --- [192.0.2.2 nat 198.51.100.1] --- [198.51.100.2 charon]
nat_case() {
  case_name=nat
  local before=$failures
  local dir="$tmp/$case_name"
  mkdir -p "$dir"
  local ns_nat="vpngw-ike-nat-$$"
  ns_gw="vpngw-ike-gw2-$$"
  ns_sw="vpngw-ike-sw2-$$"
  for ns in "$ns_gw" "$ns_nat" "$ns_sw"; do
    ip netns add "$ns" || die "cannot create $ns"
    ns_created+=("$ns")
    ip -n "$ns" link set lo up
  done
  ip link add veth-gw netns "$ns_gw" type veth peer name veth-out netns "$ns_nat" || die "veth"
  ip link add veth-in netns "$ns_nat" type veth peer name veth-sw netns "$ns_sw" || die "veth"
  ip -n "$ns_gw" addr add 192.0.2.1/24 dev veth-gw
  ip -n "$ns_nat" addr add 192.0.2.2/24 dev veth-out
  ip -n "$ns_nat" addr add 198.51.100.1/24 dev veth-in
  ip -n "$ns_sw" addr add 198.51.100.2/24 dev veth-sw
  ip -n "$ns_sw" addr add 10.2.0.1/24 dev lo
  for l in "$ns_gw veth-gw" "$ns_nat veth-out" "$ns_nat veth-in" "$ns_sw veth-sw"; do
    ip -n ${l% *} link set ${l#* } up
  done
  ip -n "$ns_sw" route add default via 198.51.100.1
  ip netns exec "$ns_nat" sysctl -qw net.ipv4.ip_forward=1
  ip netns exec "$ns_nat" nft -f - <<NFT || die "nft"
table ip nat {
  chain postrouting {
    type nat hook postrouting priority 100;
    oifname "veth-out" masquerade
  }
}
NFT
  local saved_sw_ip=$sw_ip
  sw_ip=198.51.100.2
  start_charon "$dir" aes128-sha1-modp1024 aes128-sha1-modp1024 "$psk"
  PEER_ADDR=192.0.2.2 PEER_EXTRA="--remote-id 198.51.100.2" \
    start_peer "$dir" respond aes128-sha1-2 aes128-sha1-2 "$psk"
  swanctl --initiate --child net --timeout 20 -u "unix://$dir/charon.vici" > "$dir/initiate.out" 2>&1 ||
    fail "swanctl --initiate failed: $(tail -n 5 "$dir/initiate.out")"
  wait_status "$dir" connected || fail "not connected: $(json "$dir/sas.json" 'j["status"], j["reason"]')"
  grep -q "remote host is behind NAT" "$dir/peer.out" || fail "our engine did not detect the NAT"
  grep -q "local host is behind NAT" "$dir/charon.log" || fail "charon did not detect the NAT"
  [[ $(json "$dir/sas.json" 'j["outbound"]["dst"], j["outbound"]["udp_encap"]') == "192.0.2.2 True" ]] ||
    fail "our outbound SA does not go UDP-encapsulated to the NAT's address"
  local agreed=
  for _ in $(seq 30); do agreed=$(agreed_spis "$dir") && break; sleep 0.2; done
  [[ $agreed == ok* ]] || fail "$agreed"
  [[ $failures -eq $before ]] && echo "ok [$case_name]: through the NAT to $(json "$dir/sas.json" 'j["outbound"]["dst"], j["outbound"]["udp_dst_port"]'), ${agreed#ok }"
  stop_peer
  stop_charon
  sw_ip=$saved_sw_ip
}

# Both ends initiate at about the same time (start action start on both):
# whether charon's request or ours wins the race, there must be one IKE SA
# and one CHILD_SA, agreed, in the end (the duplicate rule itself is
# exercised in engine_exchange_test.cpp, where the race can be forced).
both_initiate_case() {
  case_name=both-initiate
  local before=$failures
  local dir="$tmp/$case_name"
  mkdir -p "$dir"
  start_charon "$dir" aes128-sha1-modp1024 aes128-sha1-modp1024 "$psk"
  swanctl --initiate --child net --timeout 20 -u "unix://$dir/charon.vici" > "$dir/initiate.out" 2>&1 &
  local initiate_pid=$!
  start_peer "$dir" start aes128-sha1-2 aes128-sha1-2 "$psk"
  wait "$initiate_pid"
  wait_status "$dir" connected || fail "not connected: $(json "$dir/sas.json" 'j["status"], j["reason"]')"
  local agreed=
  for _ in $(seq 50); do agreed=$(agreed_spis "$dir") && break; sleep 0.2; done
  [[ $agreed == ok* ]] || fail "$agreed"
  [[ $(swanctl --list-sas -u "unix://$dir/charon.vici" | grep -c "ESTABLISHED") -eq 1 ]] ||
    fail "charon has not exactly one IKE SA: $(swanctl --list-sas -u "unix://$dir/charon.vici")"
  [[ $failures -eq $before ]] && echo "ok [$case_name]: $(grep -c "duplicates" "$dir/peer.out") duplicate(s) removed, ${agreed#ok }"
  stop_peer
  stop_charon
}

wrong_psk_case() {
  case_name=wrong-psk
  local dir="$tmp/$case_name"
  mkdir -p "$dir"
  start_charon "$dir" aes128-sha1-modp1024 aes128-sha1-modp1024 "$psk"
  start_peer "$dir" start aes128-sha1-2 aes128-sha1-2 "not-the-$psk"
  if ! wait_status "$dir" phase1_failed; then
    fail "wrong PSK did not give phase1_failed: $(json "$dir/sas.json" 'j["status"], j["reason"]')"
  else
    json "$dir/sas.json" 'j["reason"]' | grep -q AUTHENTICATION_FAILED ||
      fail "reason lacks AUTHENTICATION_FAILED: $(json "$dir/sas.json" 'j["reason"]')"
    grep -q "N(AUTH_FAILED)" "$dir/peer.out" || fail "log lacks N(AUTH_FAILED)"
    [[ $(json "$dir/sas.json" 'len(j["inbound"])') == 0 ]] || fail "SAs installed despite the wrong PSK"
    echo "ok [$case_name]: $(json "$dir/sas.json" 'j["reason"]')"
  fi
  stop_peer
  stop_charon
}

[[ $(id -u) -eq 0 ]] || { echo "SKIP: needs root"; exit 77; }
command -v swanctl > /dev/null && [[ -x /usr/lib/ipsec/charon ]] || { echo "SKIP: no strongSwan"; exit 77; }
setup_network

run_case default-we-initiate us aes128-sha1-2 aes128-sha1-2 aes128-sha1-modp1024 aes128-sha1-modp1024
run_case default-they-initiate them aes128-sha1-2 aes128-sha1-2 aes128-sha1-modp1024 aes128-sha1-modp1024
run_case sha256-we-initiate us aes256-sha256-14 aes256-sha256-14 aes256-sha256-modp2048 aes256-sha256-modp2048
run_case sha256-they-initiate them aes256-sha256-14 aes256-sha256-14 aes256-sha256-modp2048 aes256-sha256-modp2048
run_case gcm-we-initiate us aes128gcm-sha256-19 aes128gcm-sha1-19 aes128gcm16-prfsha256-ecp256 aes128gcm16-ecp256
run_case gcm-they-initiate them aes128gcm-sha256-19 aes128gcm-sha1-19 aes128gcm16-prfsha256-ecp256 aes128gcm16-ecp256
run_rekey_case rekey-by-them them
run_rekey_case rekey-by-us us
run_ike_rekey_case ike-rekey-by-them them
run_ike_rekey_case ike-rekey-by-us us
dpd_restart_case
both_initiate_case
wrong_psk_case
nat_case

if [[ $failures -gt 0 ]]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "the engine interoperates with strongSwan"
