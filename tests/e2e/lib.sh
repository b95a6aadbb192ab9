# Shared helpers for the end-to-end scripts: a private state directory, a
# vpngwd on virtual ports, and cleanup of exactly what the test started.
# Usage: source lib.sh; e2e_init VPNGWD VPNGWCTL
set -euo pipefail

e2e_init() {
  VPNGWD=$(readlink -f "$1")
  VPNGWCTL=$(readlink -f "$2")
  E2E_DIR=$(mktemp -d /tmp/vpngw-e2e.XXXXXX)
  E2E_PIDS=()
  trap e2e_cleanup EXIT
}

# Ends the processes this test started (and only those), by PID.
e2e_stop_pids() {
  for pid in "${E2E_PIDS[@]}"; do
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  E2E_PIDS=()
}

# A test may define e2e_extra_cleanup (e.g. to delete its namespaces); it
# runs after the processes are gone.
e2e_cleanup() {
  local rc=$?
  set +e  # clean up everything even after a failure
  e2e_stop_pids
  if declare -F e2e_extra_cleanup >/dev/null; then e2e_extra_cleanup; fi
  if [ $rc -ne 0 ] && [ -f "$E2E_DIR/vpngwd.log" ]; then
    echo "---- vpngwd log (last 30 lines) ----" >&2
    tail -n 30 "$E2E_DIR/vpngwd.log" >&2 || true
  fi
  rm -rf "$E2E_DIR"
  # DPDK leaves a runtime directory per --file-prefix behind.
  rm -rf /var/run/dpdk/vpngw-e2e-$$-*
  exit $rc
}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# start_daemon NAME [VPNGWD FLAGS...]: vpngwd with state in $E2E_DIR/NAME,
# API on $E2E_DIR/NAME/api.sock, two net_null ports. Sets DAEMON_PID, SOCK.
E2E_STARTS=0
start_daemon() {
  local name=$1
  shift
  mkdir -p "$E2E_DIR/$name"
  SOCK="$E2E_DIR/$name/api.sock"
  E2E_STARTS=$((E2E_STARTS + 1))
  "$VPNGWD" "$@" --state-dir "$E2E_DIR/$name/state" --socket "$SOCK" -- \
    --no-huge -m 256 --no-pci --file-prefix "vpngw-e2e-$$-$name-$E2E_STARTS" --log-level=error \
    --vdev=net_null0,no-rx=1 --vdev=net_null1,no-rx=1 -l 0 >>"$E2E_DIR/vpngwd.log" 2>&1 &
  DAEMON_PID=$!
  E2E_PIDS+=("$DAEMON_PID")
  for _ in $(seq 1 100); do
    [ -S "$SOCK" ] && "$VPNGWCTL" --socket "$SOCK" info >/dev/null 2>&1 && return 0
    kill -0 "$DAEMON_PID" 2>/dev/null || fail "vpngwd exited during start-up"
    sleep 0.1
  done
  fail "vpngwd did not serve $SOCK within 10 s"
}

stop_daemon() {
  kill -TERM "$DAEMON_PID"
  local rc=0
  wait "$DAEMON_PID" || rc=$?
  [ $rc -eq 0 ] || fail "vpngwd exited with $rc on SIGTERM"
}

ctl() { "$VPNGWCTL" --socket "$SOCK" "$@"; }

# gw_eal_workers N: the EAL arguments for N worker lcores (plus the main
# one) floating over the machine's CPUs, which may be fewer (this one has
# two). Each af_packet port then needs qpairs=N: one queue pair a worker.
gw_eal_workers() { echo "--lcores=(0-$1)@(0-$(($(nproc) - 1)))"; }

# json_get EXPR: evaluates a Python expression on the JSON read from stdin (as j).
json_get() { /usr/bin/python3 -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

expect_exit() {
  local want=$1
  shift
  local got=0
  "$@" >"$E2E_DIR/out" 2>"$E2E_DIR/err" || got=$?
  [ "$got" -eq "$want" ] || fail "'$*' exited $got, expected $want: $(cat "$E2E_DIR/err")"
}
