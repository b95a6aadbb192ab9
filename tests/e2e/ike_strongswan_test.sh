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
source "$(dirname "$0")/ike_lib.sh"
ike_setup "$1" "$2"

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
  check_iperf "$label"
  ctl tunnel logs t >"$E2E_DIR/logs"
  grep -q "IKE_SA_INIT" "$E2E_DIR/logs" || fail "$label: no IKE_SA_INIT in the connection log"
  grep -q "IKE_AUTH" "$E2E_DIR/logs" || fail "$label: no IKE_AUTH in the connection log"
  grep -q "e2e-psk-$$" "$E2E_DIR/logs" && fail "$label: the PSK appears in the connection log"
  echo "$label: connected, SPIs agree, traffic flows"
}

end_case() {
  ctl tunnel delete t >/dev/null
  # vpngw sends Delete for the IKE SA: charon drops it by itself.
  for _ in $(seq 1 25); do
    swan --list-sas --raw >"$E2E_DIR/sas.raw" 2>/dev/null || true
    grep -q "state=ESTABLISHED" "$E2E_DIR/sas.raw" || break
    sleep 0.2
  done
  grep -q "state=ESTABLISHED" "$E2E_DIR/sas.raw" && fail "charon kept its IKE SA after the tunnel was deleted"
  unload_peer
  sleep 0.5
}

run_case "default proposal, vpngw initiates" initiator
end_case
run_case "default proposal, charon initiates" responder
end_case
run_case "aes256-sha256-modp2048, vpngw initiates" initiator \
  --ike-enc aes256 --ike-auth sha256 --ike-dh 14 --esp-enc aes256 --esp-auth sha256 --pfs 14
end_case
run_case "3des-md5-modp1536, charon initiates" responder \
  --ike-enc 3des --ike-auth md5 --ike-dh 5 --esp-enc 3des --esp-auth md5 --pfs 5
end_case
run_case "aes128gcm16-prfsha256-ecp256, charon initiates" responder \
  --ike-enc aes128gcm --ike-auth sha256 --ike-dh 19 --esp-enc aes128gcm --pfs disable
end_case

# start_action=trap: nothing is negotiated until traffic matches the SPD.
ctl tunnel create --name t --gateway gw --customer-gateway peer --psk "e2e-psk-$$-ok" \
  --spd 198.18.1.0/24=198.19.1.0/24 --start-action trap >/dev/null
TID=$(ctl --json tunnel show t | json_get 'j["id"]')
load_peer none
sleep 3
logs_have "IKE_SA_INIT" && fail "trap: negotiated before any traffic"
ip netns exec "$NS_A" ping -c 1 -W 1 198.19.1.2 >/dev/null 2>&1 || true  # the first packet triggers IKE
wait_connected 20
check_traffic "trap"
echo "trap: the first packet started the negotiation"
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
logs_have "AUTHENTICATION_FAILED" || fail "wrong PSK: no AUTHENTICATION_FAILED in the log"
echo "wrong PSK: phase1_failed ($reason)"
end_case

# Proposal mismatches: charon keeps the configuration it loaded, vpngw's
# tunnel is then changed to want something else. IKE proposal -> phase 1,
# ESP proposal (negotiated inside IKE_AUTH) -> phase 2.
# mismatch LABEL WANT_STATUS LOG_PATTERN MODIFY_FLAGS...
mismatch() {
  local label=$1 want=$2 pattern=$3
  shift 3
  ctl tunnel create --name t --gateway gw --customer-gateway peer --psk "e2e-psk-$$-ok" \
    --spd 198.18.1.0/24=198.19.1.0/24 --start-action respond >/dev/null
  TID=$(ctl --json tunnel show t | json_get 'j["id"]')
  load_peer none
  ctl tunnel modify t --start-action start "$@" >/dev/null
  for _ in $(seq 1 300); do
    [ "$(ctl --json tunnel show t | json_get 'j["connection_status"]')" = "$want" ] && break
    sleep 0.2
  done
  ctl --json tunnel show t >"$E2E_DIR/t.json"
  [ "$(json_get 'j["connection_status"]' <"$E2E_DIR/t.json")" = "$want" ] \
    || fail "$label: status $(json_get 'j["connection_status"], j["connection_reason"]' <"$E2E_DIR/t.json")"
  logs_have "$pattern" || fail "$label: no '$pattern' in the connection log"
  echo "$label: $want ($(json_get 'j["connection_reason"]' <"$E2E_DIR/t.json"))"
  end_case
}
mismatch "IKE proposal mismatch" phase1_failed NO_PROPOSAL_CHOSEN --ike-enc aes256
mismatch "ESP proposal mismatch" phase2_failed NO_PROPOSAL_CHOSEN --esp-enc aes256
echo "ike_strongswan_test: ok"
