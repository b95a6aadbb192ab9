"""Hostile and heavy clients against a live vpngwd API socket.

Each scenario ends by checking that an ordinary client is still served and
the daemon is alive. Usage: api_robustness.py SOCKET DAEMON_PID
"""
import json
import os
import random
import socket
import sys
import threading
import time

SOCK, PID = sys.argv[1], int(sys.argv[2])


def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(SOCK)
    return s


def read_line(s):
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError("closed before a full line")
        buf += chunk
    return json.loads(buf)


def request(s, op, params=None):
    s.sendall(json.dumps({"version": 1, "op": op, "params": params or {}}).encode() + b"\n")
    return read_line(s)


def still_serving(what):
    os.kill(PID, 0)  # raises if the daemon died
    with connect() as s:
        r = request(s, "daemon.info")
        assert r["result"]["pid"] == PID, r
    print(f"ok: {what}")


def malformed():
    with connect() as s:
        for line in [b"{not json", b"[]", b'{"version":1}', b'{"version":1,"op":"nope.nope"}', b"\x00\xff\xfe"]:
            s.sendall(line + b"\n")
            r = read_line(s)
            assert "error" in r and r["error"]["code"], r
    still_serving("malformed JSON and unknown ops are answered with errors")


def oversized():
    with connect() as s:
        s.sendall(b'{"version":1,"op":"vpc.list","pad":"' + b"x" * (1 << 20) + b'"}\n')
        r = read_line(s)
        assert r["error"]["code"] == "MalformedRequest", r
        # ...and the connection is closed afterwards.
        s.settimeout(5)
        assert s.recv(1) == b""
    still_serving("a line over 1 MiB is refused and its client dropped")


def random_bytes():
    rng = random.Random(4303)
    for _ in range(20):
        with connect() as s:
            s.sendall(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4096))) + b"\n")
            try:
                s.settimeout(2)
                s.recv(65536)
            except (socket.timeout, ConnectionError):
                pass
    still_serving("random bytes")


def stalled():
    stall = connect()
    stall.sendall(b'{"version":1,"op":"vpc.li')  # and then nothing
    still_serving("while a client stalls mid-line")
    stall.close()


def concurrent(n=100):
    errors = []
    barrier = threading.Barrier(n)

    def client(i):
        try:
            with connect() as s:
                barrier.wait()
                for _ in range(5):
                    r = request(s, "vpc.list")
                    assert "result" in r, r
        except Exception as e:  # noqa: BLE001 - collected and reported below
            errors.append(f"client {i}: {e!r}")

    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors[:5]
    still_serving(f"{n} concurrent clients, 5 requests each")


def pipelined():
    with connect() as s:
        s.sendall(b"".join(json.dumps({"version": 1, "op": "vpc.list", "request_id": i}).encode() + b"\n"
                           for i in range(50)))
        buf = b""
        while buf.count(b"\n") < 50:
            buf += s.recv(65536)
        ids = [json.loads(l)["request_id"] for l in buf.splitlines()]
        assert ids == list(range(50)), ids
    still_serving("50 pipelined requests answered in order")


for scenario in (malformed, oversized, random_bytes, stalled, concurrent, pipelined):
    scenario()
