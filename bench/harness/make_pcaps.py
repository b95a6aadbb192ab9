#!/usr/bin/python3
"""Writes the pcaps one benchmark case feeds to its input port.

  make_pcaps.py ALG SIZE OUT_DIR
writes OUT_DIR/plain-SIZE.pcap (plaintext, for encrypt), OUT_DIR/esp-ALG-SIZE.pcap
(ESP from the peer, for decrypt) and OUT_DIR/empty.pcap (for the idle port).
SIZE is the inner IPv4 packet's length in bytes.
"""
import os
import sys

from scapy.all import Ether, IP, UDP, Raw, wrpcap, PcapWriter
from scapy.layers.ipsec import SecurityAssociation, ESP

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_cases as bc  # noqa: E402

# A few different packets per pcap (varying source port) so the input is not
# one buffer replayed; anti-replay is off in the decrypt case (see
# docs/performance.md), so a replayed sequence number is accepted.
PACKETS = 16
MAC_SRC = "02:00:00:00:00:01"
MAC_DST = "02:00:00:00:00:02"


def inner_packet(dst, size, sport):
    ip = IP(src=bc.INNER_SRC, dst=dst, ttl=64) / UDP(sport=sport, dport=5001)
    pad = size - len(ip)
    if pad < 0:
        raise SystemExit(f"size {size} below the IPv4+UDP header")
    return IP(bytes(ip / Raw(b"\x5a" * pad)))


def plain_pcap(size, path):
    pkts = [Ether(src=MAC_SRC, dst=MAC_DST) / inner_packet(bc.INNER_DST_OUT, size, 10000 + i)
            for i in range(PACKETS)]
    wrpcap(path, pkts)


def esp_pcap(alg, size, path):
    spec = bc.ALGS[alg]
    kwargs = dict(spi=bc.SPI_IN, crypt_algo=spec["scapy_crypt"], crypt_key=bc.cipher_key(alg),
                  tunnel_header=IP(src=bc.TUNNEL_PEER, dst=bc.TUNNEL_LOCAL))
    if spec["scapy_auth"]:
        kwargs.update(auth_algo=spec["scapy_auth"], auth_key=bc.auth_key(alg))
    sa = SecurityAssociation(ESP, **kwargs)
    pkts = []
    for i in range(PACKETS):
        esp = sa.encrypt(inner_packet(bc.INNER_DST_IN, size, 10000 + i), seq_num=i + 1)
        pkts.append(Ether(src=MAC_SRC, dst=MAC_DST) / esp)
    wrpcap(path, pkts)


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    alg, size, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.makedirs(out, exist_ok=True)
    plain_pcap(size, os.path.join(out, f"plain-{size}.pcap"))
    esp_pcap(alg, size, os.path.join(out, f"esp-{alg}-{size}.pcap"))
    empty = os.path.join(out, "empty.pcap")
    if not os.path.exists(empty):
        PcapWriter(empty, linktype=1, sync=True).close()


if __name__ == "__main__":
    main()
