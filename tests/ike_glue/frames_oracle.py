#!/usr/bin/python3
"""Independent reference for control/ike/ike_frames: scapy parses the frames
vpngw builds and builds the frames vpngw parses.

  frames_oracle.py parse HEX   -> JSON: addresses, ports, checksums verified, payload
  frames_oracle.py build JSON  -> HEX of Ether/IP/UDP/payload (scapy fills lengths/checksums)
"""
import json
import sys

from scapy.all import IP, UDP, Ether, Raw  # noqa: E402


def parse(hexframe):
    raw = bytes.fromhex(hexframe)
    pkt = Ether(raw)
    ip, udp = pkt[IP], pkt[UDP]
    # Recompute both checksums with scapy and compare with what we sent.
    ip_ref = IP(bytes(ip))
    ip_ref.chksum = None
    ip_ok = IP(bytes(ip_ref)).chksum == ip.chksum
    udp_ref = IP(bytes(ip))
    udp_ref[UDP].chksum = None
    udp_ok = IP(bytes(udp_ref))[UDP].chksum == udp.chksum
    print(json.dumps({
        "dst_mac": pkt.dst, "src_mac": pkt.src,
        "src": ip.src, "dst": ip.dst, "ttl": ip.ttl, "id": ip.id, "ip_len": ip.len,
        "sport": udp.sport, "dport": udp.dport, "udp_len": udp.len,
        "ip_checksum_ok": ip_ok, "udp_checksum_ok": udp_ok,
        "payload": bytes(udp.payload).hex(),
    }))


def build(spec):
    s = json.loads(spec)
    pkt = (Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") /
           IP(src=s["src"], dst=s["dst"], flags=s.get("flags", 0), frag=s.get("frag", 0)) /
           UDP(sport=s["sport"], dport=s["dport"]) / Raw(bytes.fromhex(s["payload"])))
    print(bytes(pkt).hex())


if __name__ == "__main__":
    {"parse": parse, "build": build}[sys.argv[1]](sys.argv[2])
