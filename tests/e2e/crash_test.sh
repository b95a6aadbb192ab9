#!/usr/bin/env bash
# kill -9 while writing: a client creates customer gateways as fast as it
# can and records each one the daemon acknowledged; vpngwd is killed at a
# random moment. After a restart every acknowledged resource must be there.
source "$(dirname "$0")/lib.sh"
e2e_init "$1" "$2"
# The default quota is 20 customer gateways; raise it for this test.
cat >"$E2E_DIR/crash.toml" <<TOML
[quotas]
customer_gateways = 1000
TOML
start_daemon crash --config "$E2E_DIR/crash.toml"

writer() {
  local i=1
  while [ $i -le 1000 ]; do
    # 198.18.0.1 ... : valid, distinct customer gateway addresses (RFC 2544 range)
    if "$VPNGWCTL" --socket "$SOCK" customer-gateway create --name "cgw$i" \
         --public-ip "198.18.$((i / 250)).$((i % 250 + 1))" \
         >/dev/null 2>&1; then
      echo "cgw$i" >>"$E2E_DIR/acked"
    else
      break  # the daemon is gone
    fi
    i=$((i + 1))
  done
}

: >"$E2E_DIR/acked"
writer &
WRITER=$!
E2E_PIDS+=("$WRITER")
# Let some writes land, then kill the daemon mid-stream.
sleep "0.$((RANDOM % 5 + 5))"
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
wait "$WRITER" 2>/dev/null || true

acked=$(wc -l <"$E2E_DIR/acked")
[ "$acked" -gt 0 ] || fail "no write was acknowledged before the kill"
[ "$acked" -lt 1000 ] || fail "the kill came after every write; nothing was tested"

start_daemon crash --config "$E2E_DIR/crash.toml"

ctl --json customer-gateway list | /usr/bin/python3 -c '
import json, sys
items = json.load(sys.stdin)
items = items["items"] if isinstance(items, dict) else items
names = {i["name"] for i in items}
acked = [l.strip() for l in open(sys.argv[1]) if l.strip()]
missing = [a for a in acked if a not in names]
if missing:
    sys.exit("acknowledged but lost after kill -9: " + ", ".join(missing))
print(f"crash_test: {len(acked)} acknowledged, {len(names)} present, none lost")
' "$E2E_DIR/acked"
stop_daemon
