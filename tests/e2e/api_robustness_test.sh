#!/usr/bin/env bash
# Hostile and concurrent API clients against a live vpngwd (see api_robustness.py).
source "$(dirname "$0")/lib.sh"
e2e_init "$1" "$2"
start_daemon api
/usr/bin/python3 "$(dirname "$0")/api_robustness.py" "$SOCK" "$DAEMON_PID"
stop_daemon
