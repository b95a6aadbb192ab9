#!/bin/bash
# End-to-end check of the swanctl.conf peer configuration against a real
# strongSwan: every rendered file is loaded UNMODIFIED into a charon running
# in its own network namespace, and `swanctl --list-conns` must show the
# connection, its children, addresses, identities and traffic selectors that
# the fixture tunnels (tests/peer_config/fixtures.cpp) imply, written out here
# independently of the renderer.
#
# usage: swanctl_load_test.sh WRITER   (WRITER OUTDIR renders the fixtures)
#
# Nothing is negotiated: the namespace has only a loopback interface, left
# down, and no routes, so charon's start_action=start initiations fail
# locally (ENETUNREACH) and no IKE packet can leave it.
set -u

writer=$1
ns="vpngw-t-$$"
tmp=$(mktemp -d "/tmp/vpngw-t-$$.XXXXXX")
charon_pid=
ns_created=
failures=0

cleanup() {
  if [[ -n $charon_pid ]]; then
    kill "$charon_pid" 2>/dev/null
    wait "$charon_pid" 2>/dev/null
  fi
  [[ -n $ns_created ]] && ip netns delete "$ns"
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM  # so that the EXIT trap cleans up on a timeout, too

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

die() {
  echo "FATAL: $*" >&2
  [[ -f $tmp/charon.log ]] && tail -n 30 "$tmp/charon.log" >&2
  exit 1
}

vici="unix://$tmp/charon.vici"

start_charon() {
  ip netns add "$ns" || die "cannot create namespace $ns"
  ns_created=1
  [[ $(ip -n "$ns" -o link show | wc -l) -eq 1 ]] || die "namespace $ns has more than loopback"
  [[ -z $(ip -n "$ns" route show) ]] || die "namespace $ns unexpectedly has routes"
  cat > "$tmp/strongswan.conf" <<CONF
charon {
  load_modular = no
  load = random nonce openssl pem pkcs1 x509 revocation constraints pubkey aes sha1 sha2 md5 hmac kdf gmp curve25519 kernel-libipsec kernel-netlink socket-default vici updown
  piddir = $tmp
  plugins { vici { socket = $vici } }
  filelog { log { path = $tmp/charon.log
      default = 1
      ike = 2 } }
}
CONF
  # A private /run: charon must not touch the host's.
  ip netns exec "$ns" unshare -m sh -c \
    "mount -t tmpfs tmpfs /run && STRONGSWAN_CONF=$tmp/strongswan.conf exec /usr/lib/ipsec/charon" \
    > "$tmp/charon.out" 2>&1 &
  charon_pid=$!
  for _ in $(seq 100); do
    [[ -S $tmp/charon.vici ]] && break
    kill -0 "$charon_pid" 2>/dev/null || die "charon exited: $(cat "$tmp/charon.out")"
    sleep 0.1
  done
  [[ -S $tmp/charon.vici ]] || die "charon's vici socket did not appear"
  [[ $(cat "/proc/$charon_pid/comm" 2>/dev/null) == charon ]] || die "PID $charon_pid is not charon"
}

# The lines of `swanctl --list-conns` that describe one child SA: its own
# line and the indented ones under it.
child_block() {
  awk -v child="$2" '
    index($0, "  " child ": ") == 1 { inside = 1; print; next }
    inside && /^    / { print; next }
    { inside = 0 }' <<< "$1"
}

expect_line() {  # TEXT LINE CONTEXT
  grep -qxF -- "$2" <<< "$1" || fail "$3: missing line '$2'"
}

# check_file LABEL CONN IKE_VERSION LOCAL_ADDR LOCAL_ID REMOTE_ID CHILD...
# loads LABEL.swanctl and compares `swanctl --list-conns` with the rest; a
# CHILD is "name|local ts|remote ts" as swanctl lists them. Every connection
# has vpngw's gateway 198.51.100.10 as its remote address.
check_file() {
  local label=$1 conn=$2 version=$3 local_addr=$4 local_id=$5 remote_id=$6
  shift 6
  local file="$tmp/rendered/$label.swanctl"
  [[ -f $file ]] || { fail "$label: $file was not written"; return; }

  local load
  load=$(swanctl --load-all -f "$file" -u "$vici" 2>&1)
  local rc=$?
  [[ $rc -eq 0 ]] || fail "$label: swanctl --load-all exited $rc: $load"
  expect_line "$load" "loaded connection '$conn'" "$label load"
  expect_line "$load" "loaded ike secret 'ike-$conn'" "$label load"
  [[ $(grep -c "^loaded ike secret" <<< "$load") -eq 1 ]] || fail "$label: expected 1 secret: $load"
  grep -q "^successfully loaded 1 connections, " <<< "$load" || fail "$label: expected 1 connection: $load"
  grep -qi "error\|failed" <<< "$(grep -v '^opening directory' <<< "$load")" &&
    fail "$label: swanctl reported an error: $load"

  local conns
  conns=$(swanctl --list-conns -u "$vici" 2>&1)
  grep -q "^$conn: $version, " <<< "$conns" || fail "$label: no $version connection $conn in: $conns"
  [[ $(grep -c '^[^ ]' <<< "$conns") -eq 1 ]] || fail "$label: expected exactly one connection: $conns"
  expect_line "$conns" "  local:  $local_addr" "$label"
  expect_line "$conns" "  remote: 198.51.100.10" "$label"
  expect_line "$conns" "    id: $local_id" "$label"
  expect_line "$conns" "    id: $remote_id" "$label"
  expect_line "$conns" "  local pre-shared key authentication:" "$label"
  expect_line "$conns" "  remote pre-shared key authentication:" "$label"

  local children=$#
  [[ $(grep -c '^  [^ ]*: TUNNEL' <<< "$conns") -eq $children ]] ||
    fail "$label: expected $children children: $conns"
  local spec name lts rts block
  for spec in "$@"; do
    IFS='|' read -r name lts rts <<< "$spec"
    block=$(child_block "$conns" "$name")
    [[ -n $block ]] || { fail "$label: no child $name in: $conns"; continue; }
    grep -q "^  $name: TUNNEL" <<< "$block" || fail "$label: $name is not a tunnel-mode child"
    expect_line "$block" "    local:  $lts" "$label child $name"
    expect_line "$block" "    remote: $rts" "$label child $name"
  done
}

start_charon
"$writer" "$tmp/rendered" swanctl || die "the writer failed"

check_file seed vpnx-1a2b3c4d IKEv2 203.0.113.5 203.0.113.5 198.51.100.10 \
  "vpnx-1a2b3c4d-1|192.0.2.0/24|198.18.0.0/20"
check_file ikev1-aggressive vpnx-2b3c4d5e IKEv1 203.0.113.77 hq.customer.example vpn.gateway.example \
  "vpnx-2b3c4d5e-1-1|192.0.2.0/25|198.18.16.0/24" \
  "vpnx-2b3c4d5e-1-2|198.19.1.0/24|198.18.16.0/24" \
  "vpnx-2b3c4d5e-2|198.19.2.0/24|198.18.17.0/24"
# IKEv2 with two rules: ONE child with both rules' selectors, as vpngw
# negotiates one CHILD_SA per tunnel.
check_file gcm-nat vpnx-3c4d5e6f IKEv2 %any branch7.customer.example 198.51.100.10 \
  "vpnx-3c4d5e6f-1|192.0.2.128/26 192.0.2.192/26 198.19.32.0/24 198.19.33.0/24|198.18.32.0/24 198.18.33.0/24"
check_file legacy vpnx-4d5e6f70 IKEv1 203.0.113.200 203.0.113.200 198.51.100.10 \
  "vpnx-4d5e6f70-1|198.19.48.0/24|198.18.48.0/24"
check_file curve25519 vpnx-5e6f7081 IKEv2 203.0.113.50 203.0.113.50 198.51.100.10 \
  "vpnx-5e6f7081-1|198.19.64.0/24|198.18.64.0/24"

kill -0 "$charon_pid" 2>/dev/null || fail "charon died during the test"
if [[ $failures -gt 0 ]]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all rendered swanctl.conf files loaded into strongSwan as expected"
