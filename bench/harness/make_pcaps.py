#!/usr/bin/python3
"""Writes the pcaps one benchmark case feeds to its input port.

  make_pcaps.py ALG SIZE OUT_DIR
writes OUT_DIR/plain-SIZE.pcap (plaintext, for encrypt), OUT_DIR/esp-ALG-SIZE.pcap
(ESP from the peer, for decrypt) and OUT_DIR/empty.pcap (for the output port,
whose neighbour is a static entry in vpngwd's config). SIZE is the inner IPv4
packet's length in bytes.

  make_pcaps.py --spread ALG SIZE N OUT_DIR
writes OUT_DIR/esp-ALG-SIZE-xN.pcap: ESP packets spread over N SPIs
(SPI_IN .. SPI_IN+N-1, same keys), for the SA-table scale case.

  make_pcaps.py --spd SIZE RULES PEERS OUT_DIR
writes OUT_DIR/plain-SIZE-spdM.pcap (M = RULES x PEERS): plaintext spread over
the SPD-scale tunnel's rules (spd_rules() below), for the SPD scale case.
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
# Scale case: packets in the spread pcap (each one a different SA up to this
# many; the pcap is replayed, so larger SA counts are covered in part).
SPREAD_PACKETS = 2048  # net_pcap replays from mbufs: vpngwd's pool has 8191
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


def esp_sa(alg, spi):
    spec = bc.ALGS[alg]
    kwargs = dict(spi=spi, crypt_algo=spec["scapy_crypt"], crypt_key=bc.cipher_key(alg),
                  tunnel_header=IP(src=bc.TUNNEL_PEER, dst=bc.TUNNEL_LOCAL))
    if spec["scapy_auth"]:
        kwargs.update(auth_algo=spec["scapy_auth"], auth_key=bc.auth_key(alg))
    return SecurityAssociation(ESP, **kwargs)


def esp_pcap(alg, size, path):
    sa = esp_sa(alg, bc.SPI_IN)
    pkts = []
    for i in range(PACKETS):
        esp = sa.encrypt(inner_packet(bc.INNER_DST_IN, size, 10000 + i), seq_num=i + 1)
        pkts.append(Ether(src=MAC_SRC, dst=MAC_DST) / esp)
    wrpcap(path, pkts)


def spread_pcap(alg, size, sas, path, packets):
    """`packets` ESP packets whose SPIs walk SPI_IN .. SPI_IN+sas-1 with a
    stride coprime to `sas`, so consecutive packets hit far-apart SAs."""
    stride = 7919 if sas % 7919 else 1
    inner = inner_packet(bc.INNER_DST_IN, size, 10000)
    pkts = []
    for i in range(packets):
        spi = bc.SPI_IN + (i * stride) % sas
        esp = esp_sa(alg, spi).encrypt(inner, seq_num=1)
        pkts.append(Ether(src=MAC_SRC, dst=MAC_DST) / esp)
    wrpcap(path, pkts)


def spd_rules(rules, peers_per_rule):
    """The SPD-scale tunnel's rules: local 198.18.R.0/24 for rule R, each
    with `peers_per_rule` disjoint /30s of 198.19.0.0/16 (peer K =
    198.19.0.0 + 4K)."""
    out = []
    for r in range(rules):
        peers = []
        for j in range(peers_per_rule):
            k = 4 * (r * peers_per_rule + j)
            peers.append(f"198.19.{k // 256}.{k % 256}/30")
        out.append((f"198.18.{r}.0/24", peers))
    return out


def spd_pcap(size, rules, peers_per_rule, path, packets):
    """Plaintext spread over every rule and peer of spd_rules()."""
    pkts = []
    total = rules * peers_per_rule
    stride = 7919 if total % 7919 else 1
    for i in range(packets):
        k = (i * stride) % total
        r = k // peers_per_rule
        a = 4 * k + 1
        ip = IP(src=f"198.18.{r}.1", dst=f"198.19.{a // 256}.{a % 256}", ttl=64) / \
            UDP(sport=10000, dport=5001)
        pkts.append(Ether(src=MAC_SRC, dst=MAC_DST) /
                    IP(bytes(ip / Raw(b"\x5a" * (size - len(ip))))))
    wrpcap(path, pkts)


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "--spread":
        alg, size, sas, out = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
        spread_pcap(alg, size, sas, os.path.join(out, f"esp-{alg}-{size}-x{sas}.pcap"),
                    min(max(sas, PACKETS), SPREAD_PACKETS))
        return
    if len(sys.argv) == 6 and sys.argv[1] == "--spd":
        size, rules, peers, out = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
        spd_pcap(size, rules, peers, os.path.join(out, f"plain-{size}-spd{rules * peers}.pcap"),
                 SPREAD_PACKETS)
        return
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
