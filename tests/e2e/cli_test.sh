#!/usr/bin/env bash
# The CLI against a real vpngwd: seed 001's quick start, rejections with
# exit status 2 naming the field, an unreachable daemon (exit 1), masked
# PSKs, the configuration export, persistence across kill -9, and a clean
# SIGTERM shutdown.
source "$(dirname "$0")/lib.sh"
e2e_init "$1" "$2"
start_daemon gw

# Seed 001's quick start, on documentation addresses.
ctl vpc create --name TomVPC --cidr 192.168.0.0/16 >/dev/null
ctl gateway create --name TomVPNGw --vpc TomVPC --public-ip 203.0.113.82 --bandwidth 100 >/dev/null
ctl customer-gateway create --name TomVPNUserGw --public-ip 198.51.100.5 >/dev/null
ctl tunnel create --name TomVPNConn --gateway TomVPNGw --customer-gateway TomVPNUserGw \
  --psk 's3cret-PSK' --spd 192.168.1.0/24=10.0.1.0/24 --ike-dh 14 --esp-enc aes256 --pfs disable >/dev/null
ctl route create --vpc TomVPC --destination 10.0.1.0/24 --gateway TomVPNGw >/dev/null

# Human output is a table naming what was made; the PSK is never shown.
ctl tunnel list >"$E2E_DIR/list"
grep -q TomVPNConn "$E2E_DIR/list" || fail "tunnel list lacks TomVPNConn"
ctl tunnel show TomVPNConn >"$E2E_DIR/show"
grep -q 'aes256' "$E2E_DIR/show" || fail "tunnel show lacks the ESP cipher"
if grep -rq 's3cret-PSK' "$E2E_DIR/list" "$E2E_DIR/show"; then fail "PSK shown in list/show"; fi
ctl --json tunnel show TomVPNConn >"$E2E_DIR/show.json"
[ "$(json_get 'j["psk"]' <"$E2E_DIR/show.json")" = "********" ] || fail "PSK not masked in --json"
[ "$(json_get 'j["ike"]["dh_group"]' <"$E2E_DIR/show.json")" = "14" ] || fail "ike.dh_group not applied"
[ "$(json_get 'j["ipsec"]["pfs"]' <"$E2E_DIR/show.json")" = "disable" ] || fail "ipsec.pfs not applied"
[ "$(ctl --json gateway list | json_get 'len(j["items"])')" = "1" ] || fail "gateway list --json"

# The export for the customer's device carries the PSK and the swapped subnets.
ctl tunnel config TomVPNConn --vendor strongswan >"$E2E_DIR/ipsec.conf"
grep -q 's3cret-PSK' "$E2E_DIR/ipsec.conf" || fail "export lacks the PSK"
grep -Eq 'leftsubnet *= *10.0.1.0/24' "$E2E_DIR/ipsec.conf" || fail "export: leftsubnet is not the customer's subnet"
grep -Eq 'right *= *203.0.113.82' "$E2E_DIR/ipsec.conf" || fail "export: right is not our gateway"

# Rejections: exit 2, and the message names the field and the rule.
expect_exit 2 ctl gateway create --name g2 --vpc TomVPC --public-ip 203.0.113.83 --bandwidth 30
grep -q bandwidth "$E2E_DIR/err" || fail "bandwidth error does not name the field: $(cat "$E2E_DIR/err")"
expect_exit 2 ctl customer-gateway create --name bad --public-ip 224.0.0.5
grep -q 'public' "$E2E_DIR/err" || fail "address error does not name the field"
expect_exit 2 ctl tunnel create --name t2 --gateway TomVPNGw --customer-gateway TomVPNUserGw --psk 'a b' \
  --spd 192.168.2.0/24=10.0.2.0/24
expect_exit 2 ctl gateway delete TomVPNGw
grep -qi 'in use\|ResourceInUse\|still has' "$E2E_DIR/err" || fail "delete protection message: $(cat "$E2E_DIR/err")"
expect_exit 2 ctl vpc show no-such-vpc
[ "$(ctl --json customer-gateway list | json_get 'len(j["items"])')" = "1" ] || fail "a rejected create left something behind"

# Unreachable daemon: exit 1.
expect_exit 1 "$VPNGWCTL" --socket "$E2E_DIR/nowhere.sock" vpc list

# Manually keyed SAs: created through the CLI, listed without their keys.
ENC_KEY=00112233445566778899aabbccddeeff
AUTH_KEY=a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3
ctl sa create --tunnel TomVPNConn --direction in --spi 0x1001 --enc aes128 --enc-key $ENC_KEY \
  --auth sha1 --auth-key $AUTH_KEY >/dev/null
ctl sa list >"$E2E_DIR/sa.list"
grep -q 4097 "$E2E_DIR/sa.list" || fail "sa list lacks SPI 0x1001: $(cat "$E2E_DIR/sa.list")"
if grep -q "$ENC_KEY" "$E2E_DIR/sa.list"; then fail "sa list shows the key"; fi
expect_exit 2 ctl sa create --tunnel TomVPNConn --direction in --spi 0x1001 --enc aes128 \
  --enc-key $ENC_KEY --auth sha1 --auth-key $AUTH_KEY
grep -q spi "$E2E_DIR/err" || fail "duplicate SPI error does not name the field"
expect_exit 2 ctl sa create --tunnel TomVPNConn --direction out --spi 300 --enc aes128 \
  --enc-key 0011 --auth sha1 --auth-key $AUTH_KEY
grep -q enc-key "$E2E_DIR/err" || fail "short key error does not name --enc-key: $(cat "$E2E_DIR/err")"

# Modify takes effect and is visible.
ctl gateway modify TomVPNGw --bandwidth 1000 >/dev/null
[ "$(ctl --json gateway show TomVPNGw | json_get 'j["bandwidth"]')" = "1000" ] || fail "bandwidth not modified"

# kill -9, restart on the same state: everything acknowledged is still there.
for r in vpc gateway customer-gateway tunnel route sa; do ctl --json $r list >"$E2E_DIR/before.$r"; done
kill -9 "$DAEMON_PID"; wait "$DAEMON_PID" 2>/dev/null || true
start_daemon gw
for r in vpc gateway customer-gateway tunnel route sa; do
  ctl --json $r list >"$E2E_DIR/after.$r"
  cmp -s "$E2E_DIR/before.$r" "$E2E_DIR/after.$r" || fail "$r list differs after kill -9 and restart"
done
ctl tunnel config TomVPNConn --vendor swanctl | grep -q 's3cret-PSK' || fail "PSK lost across restart"
# The PSK is sealed in the store, never in clear.
if grep -rqa 's3cret-PSK' "$E2E_DIR/gw/state"; then fail "PSK stored in clear"; fi
if grep -rqa "$ENC_KEY" "$E2E_DIR/gw/state"; then fail "SA key stored in clear"; fi

# A second daemon on the same state directory is refused.
expect_exit 1 "$VPNGWD" --state-dir "$E2E_DIR/gw/state" --socket "$E2E_DIR/other.sock" -- \
  --no-huge -m 256 --no-pci --file-prefix "vpngw-e2e-$$-second" --vdev=net_null0 --vdev=net_null1 -l 0
grep -q "another vpngwd" "$E2E_DIR/err" || fail "second daemon on one state dir: $(cat "$E2E_DIR/err")"

# Clean shutdown on SIGTERM.
stop_daemon
echo "cli_test: ok"
