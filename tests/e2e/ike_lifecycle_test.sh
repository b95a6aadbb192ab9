#!/usr/bin/env bash
# The life of an IKE tunnel against a real strongSwan, under traffic:
# - rekeys: charon rekeys the CHILD_SA every few seconds, vpngw rekeys it
#   when its volume lifetime runs low; a UDP stream and a ping run through
#   it all the time and must lose nothing (make-before-break);
# - malformed IKE input (random bytes, truncated and corrupted messages) on
#   ports 500 and 4500 is counted and dropped; the tunnel stays up;
# - DPD: a killed peer is declared dead within delay + timeout; with action
#   restart the tunnel comes back by itself once the peer does.
# usage: ike_lifecycle_test.sh VPNGWD VPNGWCTL
source "$(dirname "$0")/ike_lib.sh"
ike_setup "$1" "$2"

ctl tunnel create --name t --gateway gw --customer-gateway peer --psk "e2e-psk-$$" \
  --spd 198.18.1.0/24=198.19.1.0/24 --start-action start --esp-lifetime-kb 8192 \
  --dpd-delay 2 --dpd-timeout 6 --dpd-action restart >/dev/null
TID=$(ctl --json tunnel show t | json_get 'j["id"]')
# fast_rekeying_peer: charon loads vpngw's export, rekeying its CHILD_SAs
# every 6 s (the export says 90 % of an hour) and the IKE SA after 9 s; the
# volume limit is left to vpngw, so both sides start rekeys.
fast_rekeying_peer() {
  load_peer none
  sed -i '/children {/,$ { s/rekey_time = .*/rekey_time = 6s\n        rand_time = 0s/; s/life_time = .*/life_time = 60s/ }
          /rekey_bytes\|life_bytes/d
          0,/children {/ { s/rekey_time = .*/rekey_time = 9s\n        rand_time = 0s/; s/over_time = .*/over_time = 30s/ }' \
    "$SW/swanctl.conf"
  swan --load-all --file "$SW/swanctl.conf" >"$SW/load.out" 2>&1 || fail "reload: $(cat "$SW/load.out")"
}
fast_rekeying_peer
wait_connected 30
check_traffic "before rekeys"
first_spi=$(ctl --json tunnel status t | json_get 'j["ike_sa"]["child_sas"][0]["spi_in"]')

# ---------------------------------------------------------------- rekeys
# rekey_run LABEL MBPS SECONDS: UDP A -> B plus a fast ping, nothing lost.
rekey_run() {
  ip netns exec "$NS_B" iperf3 -s -1 -p 5202 >"$E2E_DIR/iperf3-server.log" 2>&1 &
  E2E_PIDS+=("$!")
  sleep 0.5
  local pings=$(($3 * 20))
  ip netns exec "$NS_A" ping -i 0.05 -c "$pings" -W 2 198.19.1.2 >"$E2E_DIR/rekey-ping" 2>&1 &
  PING=$!
  E2E_PIDS+=("$PING")
  timeout 60 ip netns exec "$NS_A" iperf3 -c 198.19.1.2 -p 5202 -u -b "${2}M" -l 1200 -t "$3" -J \
    --connect-timeout 3000 >"$E2E_DIR/rekey-iperf.json" 2>&1 \
    || fail "$1: iperf3 under rekeys failed: $(tail -5 "$E2E_DIR/rekey-iperf.json")"
  wait "$PING" || fail "$1: ping lost packets during rekeys: $(tail -3 "$E2E_DIR/rekey-ping")"
  lost=$(json_get 'j["end"]["sum"]["lost_packets"]' <"$E2E_DIR/rekey-iperf.json")
  sent=$(json_get 'j["end"]["sum"]["packets"]' <"$E2E_DIR/rekey-iperf.json")
  ctl tunnel logs t >"$E2E_DIR/logs"
  ours=$(grep -c "rekeying CHILD_SA" "$E2E_DIR/logs" || true)
  theirs=$(grep -c "peer rekeys CHILD_SA" "$E2E_DIR/logs" || true)
  ike_rekeys=$(grep -c "IKE_SA rekeyed" "$E2E_DIR/logs" || true)
  echo "$1: rekeys so far: CHILD_SA $ours by vpngw, $theirs by charon; IKE_SA $ike_rekeys; UDP lost $lost of $sent; $(grep -o '[0-9]* received' "$E2E_DIR/rekey-ping") of $pings pings"
  [ "$lost" -eq 0 ] || fail "$1: $lost of $sent UDP packets lost across rekeys"
}
# 2 Mbit/s for 14 s stays under vpngw's 8 MiB volume lifetime: charon's 6 s
# timer rekeys. 16 Mbit/s for 12 s crosses it every ~4 s: vpngw rekeys first.
rekey_run "charon rekeys" 2 14
[ "$theirs" -ge 2 ] || fail "charon's rekeys did not reach vpngw"
[ "$ike_rekeys" -ge 1 ] || fail "charon's IKE SA rekey did not happen"
rekey_run "vpngw rekeys" 16 12
[ "$ours" -ge 2 ] || fail "vpngw never rekeyed on its volume lifetime"
now_spi=$(ctl --json tunnel status t | json_get 'j["ike_sa"]["child_sas"][0]["spi_in"]')
[ "$now_spi" != "$first_spi" ] || fail "the CHILD_SA's SPI never changed"
check_spis
check_traffic "after rekeys"

# ------------------------------------------------------- malformed input
before=$(ctl --json info | json_get 'j["ike"]["malformed"] + j["ike"]["frames_bad"] + j["ike"]["unknown_spi"]')
ip netns exec "$NS_S" /usr/bin/python3 - <<'PY'
import os, random, socket, struct
random.seed(7)
s500 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s500.bind(("0.0.0.0", 0))
dst = "198.51.100.1"
hdr = struct.pack("!QQBBBBII", 0x1122334455667788, 0, 33, 0x20, 34, 0x08, 0, 28)
for i in range(300):
    kind = i % 4
    if kind == 0:
        msg = os.urandom(random.randint(1, 600))            # random bytes
    elif kind == 1:
        msg = hdr[:random.randint(1, 27)]                   # truncated header
    elif kind == 2:
        msg = hdr[:24] + struct.pack("!I", 5000)            # length beyond the datagram
    else:
        msg = bytearray(hdr + os.urandom(64)); msg[16] = 46 # SK with garbage
        msg = bytes(msg[:24]) + struct.pack("!I", len(msg)) + bytes(msg[28:])
    s500.sendto(msg, (dst, 500))
    s500.sendto(b"\0\0\0\0" + msg, (dst, 4500))
PY
sleep 1
after=$(ctl --json info | json_get 'j["ike"]["malformed"] + j["ike"]["frames_bad"] + j["ike"]["unknown_spi"]')
echo "malformed IKE input: counted $((after - before)) of 600 datagrams as malformed/unknown"
[ $((after - before)) -ge 300 ] || fail "malformed input not counted (before $before, after $after)"
[ "$(ctl --json tunnel show t | json_get 'j["connection_status"]')" = connected ] || fail "malformed input broke the tunnel"
check_traffic "after malformed input"

# ------------------------------------------------------------------- DPD
kill -9 "$CHARON"
wait "$CHARON" 2>/dev/null || true
killed=$(date +%s)
dead=false
for _ in $(seq 1 100); do
  if logs_have -i "dead\|DPD.*timed out\|timeout"; then dead=true; break; fi
  sleep 0.2
done
took=$(( $(date +%s) - killed ))
$dead || fail "DPD did not declare the killed peer dead within 20 s"
echo "DPD: dead peer detected after ${took} s (delay 2 s + timeout 6 s)"
[ "$took" -le 12 ] || fail "DPD took $took s, more than delay + timeout + slack"
start_charon
load_peer none
wait_connected 40
check_traffic "after DPD restart"
# ------------------------------------------------- rekeys without PFS
# The same under a policy without PFS: CREATE_CHILD_SA carries no KE.
# charon must have the new policy before vpngw reconnects with it: respond
# only while charon reloads, then start again.
old_ike=$(ctl --json tunnel status t | json_get 'j["ike_sa"]["spi_i"]')
ctl tunnel modify t --pfs disable --start-action respond >/dev/null
fast_rekeying_peer
ctl tunnel modify t --start-action start >/dev/null
# The changed policy makes vpngw reconnect: wait for the new IKE SA.
for _ in $(seq 1 200); do
  ctl --json tunnel status t >"$E2E_DIR/status.json"
  [ "$(json_get 'j["connection_status"] == "connected" and (j["ike_sa"] or {}).get("spi_i") != "'"$old_ike"'"' <"$E2E_DIR/status.json")" = True ] && break
  sleep 0.2
done
[ "$(json_get '(j["ike_sa"] or {}).get("spi_i")' <"$E2E_DIR/status.json")" != "$old_ike" ] || fail "no reconnect after the PFS change"
check_traffic "after the PFS change"
ctl tunnel logs t >"$E2E_DIR/logs"
pfs_rekeys_before=$(grep -c "rekeying CHILD_SA\|peer rekeys CHILD_SA" "$E2E_DIR/logs" || true)
rekey_run "rekeys without PFS" 16 10
[ $((ours + theirs)) -gt "$pfs_rekeys_before" ] || fail "no rekey without PFS happened"
grep -q "CREATE_CHILD_SA re[a-z]* [0-9]* \[ N(REKEY_SA) SA No TSi TSr \]" "$E2E_DIR/logs" \
  || fail "no CREATE_CHILD_SA without KE in the log"
grep "CREATE_CHILD_SA" "$E2E_DIR/logs" | tail -n 2
echo "ike_lifecycle_test: ok"
