#!/usr/bin/env bash
# One CHILD_SA per SPD pair against a real strongSwan configured the
# Cisco/Juniper way (one child per ACL entry):
#   host A 198.18.1.2 -- [vpngwd] -- [charon] -- host B 198.19.1.2 and 198.19.2.2
# vpngw's tunnel has one SPD rule with two peer CIDRs (two pairs); charon's
# swanctl.conf (written here from vpngw's export) has two children, one per
# pair, with a short lifetime so that charon rekeys both during the test.
# Checked, with vpngw initiating and with charon initiating: both children
# up on both sides (swanctl --list-sas shows two INSTALLED CHILD_SAs whose
# SPIs are the ones vpngw reports, each with its pair's selectors), ping
# through each pair, and both children rekeyed by charon under a continuous
# ping of each host without losing a packet.
#
# usage: ike_children_test.sh VPNGWD VPNGWCTL
source "$(dirname "$0")/ike_lib.sh"
ike_setup "$1" "$2"

# Host B answers on a second address, behind a second peer CIDR.
ip -n "$NS_B" addr add 198.19.2.2/24 dev vb$$
ip -n "$NS_S" addr add 198.19.2.1/24 dev sv$$
ctl route create --vpc vpc --destination 198.19.2.0/24 --gateway gw >/dev/null

# write_peer START_ACTION: vpngw's swanctl export with its one child replaced
# by one child per pair (rekey after ~12 s, hard lifetime 60 s).
write_peer() {
  ctl tunnel config t --vendor swanctl >"$SW/export.conf"
  /usr/bin/python3 - "$SW/export.conf" "$SW/swanctl.conf" "$1" "$TID" <<'PY'
import re, sys
src, dst, action, tid = sys.argv[1:5]
text = open(src).read()
esp = re.search(r"esp_proposals = (\S+)", text).group(1)
start = text.index("children {")
depth, i = 0, start
while True:
    if text[i] == "{": depth += 1
    elif text[i] == "}":
        depth -= 1
        if depth == 0: break
    i += 1
def child(name, local):
    return (f"        {name} {{\n            mode = tunnel\n            local_ts = {local}\n"
            f"            remote_ts = 198.18.1.0/24\n            esp_proposals = {esp}\n"
            f"            rekey_time = 12s\n            rand_time = 2s\n            life_time = 60s\n"
            f"            start_action = {action}\n        }}\n")
children = ("children {\n" + child(f"{tid}-p1", "198.19.1.0/24") + child(f"{tid}-p2", "198.19.2.0/24")
            + "    ")
open(dst, "w").write(text[:start] + children + text[i:])
PY
  swan --load-all --file "$SW/swanctl.conf" >"$SW/load.out" 2>&1 || fail "swanctl --load-all: $(cat "$SW/load.out")"
}

# Two children on both sides, SPIs agreeing, each with its pair's selectors.
check_children() {  # check_children LABEL
  local ok=false
  for _ in $(seq 1 50); do
    ctl --json tunnel status t >"$E2E_DIR/status.json"
    swan --list-sas --raw >"$E2E_DIR/sas.raw" 2>/dev/null || true
    if [ "$(json_get 'len(j["ike_sa"]["child_sas"])' <"$E2E_DIR/status.json")" = 2 ] &&
       [ "$(grep -o 'state=INSTALLED' "$E2E_DIR/sas.raw" | wc -l)" = 2 ]; then ok=true; break; fi
    sleep 0.2
  done
  $ok || fail "$1: not two CHILD_SAs on both sides: vpngw $(json_get 'j["ike_sa"]["child_sas"]' <"$E2E_DIR/status.json"), charon $(cat "$E2E_DIR/sas.raw")"
  for spi in $(json_get '" ".join(c["spi_in"] + " " + c["spi_out"] for c in j["ike_sa"]["child_sas"])' <"$E2E_DIR/status.json"); do
    grep -q "$spi" "$E2E_DIR/sas.raw" || fail "$1: SPI $spi of vpngw not in charon's SAs: $(cat "$E2E_DIR/sas.raw")"
  done
  pairs=$(json_get '" ".join(sorted(",".join(c["local_ts"]) + "=" + ",".join(c["remote_ts"]) for c in j["ike_sa"]["child_sas"]))' <"$E2E_DIR/status.json")
  [ "$pairs" = "198.18.1.0/24=198.19.1.0/24 198.18.1.0/24=198.19.2.0/24" ] \
    || fail "$1: vpngw's children carry $pairs, not one pair each"
  for net in 198.19.1.0/24 198.19.2.0/24; do
    grep -q "local-ts=\[$net\]" "$E2E_DIR/sas.raw" || fail "$1: charon has no CHILD_SA for $net: $(cat "$E2E_DIR/sas.raw")"
  done
}

ping_each() {  # ping_each LABEL: A reaches both of B's addresses, and back
  for dst in 198.19.1.2 198.19.2.2; do
    local ok=false
    for _ in $(seq 1 10); do
      if ip netns exec "$NS_A" ping -c 1 -W 1 "$dst" >/dev/null 2>&1; then ok=true; break; fi
    done
    $ok || fail "$1: no reply from $dst through the tunnel"
    ip netns exec "$NS_A" ping -c 3 -i 0.2 -W 2 "$dst" >"$E2E_DIR/ping" \
      || fail "$1: ping $dst lost packets: $(cat "$E2E_DIR/ping")"
  done
  ip netns exec "$NS_B" ping -c 3 -i 0.2 -W 2 -I 198.19.2.2 198.18.1.2 >"$E2E_DIR/ping" \
    || fail "$1: ping from 198.19.2.2 lost packets: $(cat "$E2E_DIR/ping")"
}

# Both children rekeyed by charon (rekey_time 12 s) while each pair carries
# a continuous ping: no packet lost, new SPIs on both sides.
rekey_under_ping() {  # rekey_under_ping LABEL
  local before
  before=$(json_get '" ".join(sorted(c["spi_in"] for c in j["ike_sa"]["child_sas"]))' <"$E2E_DIR/status.json")
  ip netns exec "$NS_A" ping -c 160 -i 0.1 -W 2 198.19.1.2 >"$E2E_DIR/ping1" 2>&1 &
  local p1=$!
  E2E_PIDS+=("$p1")
  ip netns exec "$NS_A" ping -c 160 -i 0.1 -W 2 198.19.2.2 >"$E2E_DIR/ping2" 2>&1 &
  local p2=$!
  E2E_PIDS+=("$p2")
  wait "$p1" || fail "$1: ping 198.19.1.2 lost packets across the rekey: $(tail -3 "$E2E_DIR/ping1")"
  wait "$p2" || fail "$1: ping 198.19.2.2 lost packets across the rekey: $(tail -3 "$E2E_DIR/ping2")"
  grep -q " 0% packet loss" "$E2E_DIR/ping1" || fail "$1: $(tail -2 "$E2E_DIR/ping1")"
  grep -q " 0% packet loss" "$E2E_DIR/ping2" || fail "$1: $(tail -2 "$E2E_DIR/ping2")"
  check_children "$1 after the rekeys"
  local after
  after=$(json_get '" ".join(sorted(c["spi_in"] for c in j["ike_sa"]["child_sas"]))' <"$E2E_DIR/status.json")
  for spi in $before; do
    echo " $after " | grep -q " $spi " && fail "$1: CHILD_SA $spi was not rekeyed (before: $before, after: $after)"
  done
  logs_have "peer rekeys CHILD_SA" || fail "$1: no CHILD_SA rekey in the connection log"
  echo "$1: both children rekeyed by charon, 2 x 160 pings, 0 lost ($before -> $after)"
}

end_case() {
  ctl tunnel delete t >/dev/null
  for _ in $(seq 1 25); do
    swan --list-sas --raw >"$E2E_DIR/sas.raw" 2>/dev/null || true
    grep -q "state=ESTABLISHED" "$E2E_DIR/sas.raw" || break
    sleep 0.2
  done
  grep -q "state=ESTABLISHED" "$E2E_DIR/sas.raw" && fail "charon kept its IKE SA after the tunnel was deleted"
  unload_peer
  sleep 0.5
}

# --- vpngw initiates: IKE_AUTH brings up one pair, CREATE_CHILD_SA the other.
ctl tunnel create --name t --gateway gw --customer-gateway peer --psk "e2e-psk-$$-ok" \
  --spd 198.18.1.0/24=198.19.1.0/24,198.19.2.0/24 --start-action respond >/dev/null
TID=$(ctl --json tunnel show t | json_get 'j["id"]')
write_peer none
ctl tunnel modify t --start-action start >/dev/null
wait_connected 30
check_children "vpngw initiates"
logs_have "creating CHILD_SA for" || fail "vpngw initiates: no CREATE_CHILD_SA for the second pair in the log"
ping_each "vpngw initiates"
echo "vpngw initiates: two CHILD_SAs, one per pair, SPIs agree, ping through each"
rekey_under_ping "vpngw initiates"
# charon deletes pair 2's CHILD_SA: vpngw drops just that one, keeps pair 1
# and the IKE SA up, and (start tunnel) negotiates pair 2 again after its
# retry delay. (Pair 1's CHILD_SA rekeys every ~12 s: its SPI may change.)
ike_spi=$(json_get 'j["ike_sa"]["spi_i"] + j["ike_sa"]["spi_r"]' <"$E2E_DIR/status.json")
swan --terminate --child "$TID-p2" --timeout 10 >"$SW/terminate.out" 2>&1 \
  || fail "charon could not delete $TID-p2: $(tail -5 "$SW/terminate.out")"
logs_have "received DELETE for ESP CHILD_SA" || fail "vpngw initiates: the peer's Delete of one child is not in the log"
[ "$(ctl --json tunnel show t | json_get 'j["connection_status"]')" = connected ] \
  || fail "vpngw initiates: the tunnel left connected when one of two children was deleted"
sleep 1
check_children "vpngw initiates, after charon deleted one child"
[ "$(json_get 'j["ike_sa"]["spi_i"] + j["ike_sa"]["spi_r"]' <"$E2E_DIR/status.json")" = "$ike_spi" ] \
  || fail "vpngw initiates: the IKE SA changed when charon deleted one child"
logs_have "peer deleted the CHILD_SA" && fail "vpngw initiates: the Delete of one child was taken for the last one"
ping_each "vpngw initiates, after charon deleted one child"
echo "vpngw initiates: charon deleted one child; the IKE SA and the other child stayed, the pair came back"
end_case

# --- charon initiates both children; vpngw responds.
ctl tunnel create --name t --gateway gw --customer-gateway peer --psk "e2e-psk-$$-ok" \
  --spd 198.18.1.0/24=198.19.1.0/24,198.19.2.0/24 --start-action respond >/dev/null
TID=$(ctl --json tunnel show t | json_get 'j["id"]')
write_peer none
swan --initiate --child "$TID-p1" --timeout 20 >"$SW/initiate.out" 2>&1 \
  || fail "charon could not initiate $TID-p1: $(tail -5 "$SW/initiate.out")"
swan --initiate --child "$TID-p2" --timeout 20 >"$SW/initiate.out" 2>&1 \
  || fail "charon could not initiate $TID-p2: $(tail -5 "$SW/initiate.out")"
wait_connected 30
check_children "charon initiates"
logs_have "peer requests a new CHILD_SA" || fail "charon initiates: no new-CHILD_SA request in the log"
ping_each "charon initiates"
echo "charon initiates: two CHILD_SAs, one per pair, SPIs agree, ping through each"
rekey_under_ping "charon initiates"
end_case
echo "ike_children_test: ok"
