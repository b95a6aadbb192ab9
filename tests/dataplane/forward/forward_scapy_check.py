#!/usr/bin/python3
"""Checks what the forwarding hook made of inner packets, with scapy as the
independent parser: ICMP errors (time exceeded, fragmentation needed),
clamped TCP MSS options, decremented TTLs, and fragments that must
reassemble into the original packet.

Usage: forward_scapy_check.py CASES.json
CASES.json: {"cases": [{"kind": ..., ...}, ...]} (see the check_* functions).
Prints "scapy checked N forwarding cases" and exits 0 when all hold; prints
each failure and exits 1 otherwise.
"""
import json
import sys

from scapy.all import ICMP, IP, TCP, IPerror, Raw, defragment, raw  # noqa: F401

failures = []


def fail(case, message):
    failures.append(f"{case.get('name', case['kind'])}: {message}")


def checksums_ok(pkt):
    """True when the IPv4 header checksum (and the ICMP/TCP one) are what
    scapy computes from scratch."""
    ip = IP(raw(pkt))
    fresh = ip.copy()
    del fresh.chksum
    if IP(raw(fresh)).chksum != ip.chksum:
        return False
    for layer in (ICMP, TCP):
        if layer in ip:
            fresh = IP(raw(ip))
            del fresh[layer].chksum
            if IP(raw(fresh))[layer].chksum != ip[layer].chksum:
                return False
    return True


def check_icmp_error(case):
    """An ICMP error about `orig`: from `src` to orig's source, `type`/`code`,
    next-hop MTU `mtu` for fragmentation needed, quoting orig's start."""
    pkt = IP(bytes.fromhex(case["packet"]))
    orig = bytes.fromhex(case["orig"])
    if not checksums_ok(pkt):
        fail(case, "bad IPv4 or ICMP checksum")
    if ICMP not in pkt:
        return fail(case, f"not ICMP: {pkt.summary()}")
    icmp = pkt[ICMP]
    if (icmp.type, icmp.code) != (case["type"], case["code"]):
        fail(case, f"type/code {icmp.type}/{icmp.code}, expected {case['type']}/{case['code']}")
    if pkt.src != case["src"] or pkt.dst != IP(orig).src:
        fail(case, f"{pkt.src} -> {pkt.dst}, expected {case['src']} -> {IP(orig).src}")
    if pkt.ttl != 64:
        fail(case, f"TTL {pkt.ttl}")
    if case["type"] == 3 and case["code"] == 4 and icmp.nexthopmtu != case["mtu"]:
        fail(case, f"next-hop MTU {icmp.nexthopmtu}, expected {case['mtu']}")
    quoted = raw(icmp.payload)
    want = orig[: 576 - 28]
    if quoted != want:
        fail(case, f"quotes {len(quoted)} bytes that differ from the packet's first {len(want)}")
    if IPerror not in pkt or pkt[IPerror].dst != IP(orig).dst:
        fail(case, "quoted header does not parse as the original")
    if len(pkt) > 576:
        fail(case, f"{len(pkt)} bytes, more than 576")


def check_tcp_mss(case):
    """A TCP SYN whose MSS option is now `mss`, checksums valid, the rest of
    the segment as `orig` had it."""
    pkt = IP(bytes.fromhex(case["packet"]))
    orig = IP(bytes.fromhex(case["orig"]))
    if not checksums_ok(pkt):
        fail(case, "bad IPv4 or TCP checksum")
    opts = dict((k, v) for k, v in pkt[TCP].options if isinstance(k, str))
    if opts.get("MSS") != case["mss"]:
        fail(case, f"MSS {opts.get('MSS')}, expected {case['mss']}")
    want_opts = [(k, case["mss"] if k == "MSS" else v) for k, v in orig[TCP].options]
    if pkt[TCP].options != want_opts:
        fail(case, f"options {pkt[TCP].options}, expected {want_opts}")
    if (pkt[TCP].flags, pkt[TCP].seq, pkt[TCP].ack) != (orig[TCP].flags, orig[TCP].seq, orig[TCP].ack):
        fail(case, "TCP header changed beyond the MSS")
    if pkt.ttl != case["ttl"]:
        fail(case, f"TTL {pkt.ttl}, expected {case['ttl']}")


def check_ttl(case):
    """The packet is `orig` with TTL `ttl` and a valid header checksum."""
    pkt = IP(bytes.fromhex(case["packet"]))
    orig = IP(bytes.fromhex(case["orig"]))
    if not checksums_ok(pkt):
        fail(case, "bad IPv4 checksum")
    if pkt.ttl != case["ttl"]:
        fail(case, f"TTL {pkt.ttl}, expected {case['ttl']}")
    orig.ttl = case["ttl"]
    del orig.chksum
    if raw(pkt) != raw(IP(raw(orig))):
        fail(case, "differs from the original beyond TTL and checksum")


def check_fragments(case):
    """Fragments of at most `max_len` bytes, each a valid IPv4 packet, that
    scapy reassembles into `orig` with TTL `ttl`."""
    frags = [IP(bytes.fromhex(h)) for h in case["fragments"]]
    orig = IP(bytes.fromhex(case["orig"]))
    for i, f in enumerate(frags):
        if not checksums_ok(f):
            fail(case, f"fragment {i}: bad header checksum")
        if len(raw(f)) > case["max_len"]:
            fail(case, f"fragment {i}: {len(raw(f))} bytes > {case['max_len']}")
        last = i == len(frags) - 1
        if bool(f.flags.MF) == last:
            fail(case, f"fragment {i}: MF={f.flags.MF}")
        if f.id != orig.id:
            fail(case, f"fragment {i}: ID {f.id}")
        if not last and (len(raw(f)) - f.ihl * 4) % 8:
            fail(case, f"fragment {i}: data not a multiple of 8")
    whole = defragment(frags)
    if len(whole) != 1:
        return fail(case, f"reassembled into {len(whole)} packets")
    got = IP(raw(whole[0]))
    want = orig.copy()
    want.ttl = case["ttl"]
    want.flags = 0
    del want.chksum
    want = IP(raw(want))
    # scapy leaves the reassembled header's checksum as the first fragment's
    # (whose length differs): compare what the header says and the payload.
    fields = ("src", "dst", "proto", "ttl", "id", "tos", "len", "flags", "frag")
    for field in fields:
        if getattr(got, field) != getattr(want, field):
            fail(case, f"reassembled {field} {getattr(got, field)}, expected {getattr(want, field)}")
    if raw(got.payload) != raw(want.payload):
        fail(case, "reassembled payload differs from the original")


CHECKS = {
    "icmp_error": check_icmp_error,
    "tcp_mss": check_tcp_mss,
    "ttl": check_ttl,
    "fragments": check_fragments,
}


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)["cases"]
    for case in cases:
        try:
            CHECKS[case["kind"]](case)
        except Exception as e:  # a parse error is a failure of that case
            fail(case, f"{type(e).__name__}: {e}")
    for line in failures:
        print("FAIL", line)
    if failures:
        sys.exit(1)
    print(f"scapy checked {len(cases)} forwarding cases")


if __name__ == "__main__":
    main()
