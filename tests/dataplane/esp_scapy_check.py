#!/usr/bin/python3
"""Cross-check of vpngw's ESP with scapy's independent implementation.

Usage: esp_scapy_check.py DIR

Reads DIR/to_scapy.json, written by the dataplane test (esp_scapy_test.cpp):
SA parameters and the ESP packets vpngw produced, with the inner packets it
was given. For each packet, scapy must decrypt it back to exactly that inner
packet, and the outer headers and the ESP trailer must follow the RFCs.

Then, for each SA, scapy encrypts its own inner packets and writes them to
DIR/from_scapy.json, with copies that have one bit flipped, for vpngw to
decapsulate (it must return the exact inner packets and reject the copies).

Exits non-zero, saying why, on the first kind of failure it finds; a missing
scapy is a failure, not a skip.
"""

import json
import struct
import sys
from pathlib import Path

from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.ipsec import ESP, SecurityAssociation
from scapy.packet import Raw, raw

CIPHERS = {
    "des-cbc": "DES",
    "3des-cbc": "3DES",
    "aes128-cbc": "AES-CBC",
    "aes192-cbc": "AES-CBC",
    "aes256-cbc": "AES-CBC",
    "aes128-gcm": "AES-GCM",
    "aes256-gcm": "AES-GCM",
}
INTEGRITY = {
    "none": "NULL",
    "hmac-md5-96": "HMAC-MD5-96",
    "hmac-sha1-96": "HMAC-SHA1-96",
    "hmac-sha256-128": "SHA2-256-128",
}

failures = []


def fail(case, message):
    failures.append(f"{case['name']}: {message}")


def make_sa(case, esn_high):
    tunnel = IP(src=case["src"], dst=case["dst"])
    nat_t = UDP(sport=case["sport"], dport=case["dport"]) if case["udp"] else None
    return SecurityAssociation(
        ESP,
        spi=case["spi"],
        crypt_algo=CIPHERS[case["cipher"]],
        crypt_key=bytes.fromhex(case["cipher_key"]),
        auth_algo=INTEGRITY[case["integrity"]],
        auth_key=bytes.fromhex(case["auth_key"]) if case["auth_key"] else None,
        tunnel_header=tunnel,
        nat_t_header=nat_t,
        esn_en=case["esn"],
        esn=esn_high,
    )


def ip_checksum_ok(header):
    total = sum(struct.unpack(f"!{len(header) // 2}H", header))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total == 0xFFFF


def full_plaintext(sa, case, esp_bytes, esn_high):
    """Decrypts the whole ESP payload, trailer included (scapy's own decrypt
    drops the padding), with the primitives scapy itself is built on."""
    algo = sa.crypt_algo
    iv = esp_bytes[8 : 8 + algo.iv_size]
    icv_size = 16 if case["cipher"].endswith("gcm") else sa.auth_algo.icv_size
    body = esp_bytes[8 + algo.iv_size : len(esp_bytes) - icv_size]
    if case["cipher"].endswith("gcm"):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        spi, seq = struct.unpack("!II", esp_bytes[:8])
        aad = struct.pack("!III", spi, esn_high, seq) if case["esn"] else esp_bytes[:8]
        tag = esp_bytes[len(esp_bytes) - 16 :]
        return AESGCM(sa.crypt_key).decrypt(sa.crypt_salt + iv, body + tag, aad)
    decryptor = algo.new_cipher(sa.crypt_key, iv).decryptor()
    return decryptor.update(body) + decryptor.finalize()


def check_vpngw_packet(case, packet):
    wire = bytes.fromhex(packet["wire"])
    inner = bytes.fromhex(packet["inner"])
    seq = packet["seq"]
    esn_high = seq >> 32
    outer = IP(wire)
    if outer.len != len(wire) or outer.ttl != 64 or not ip_checksum_ok(wire[:20]):
        return fail(case, f"seq {seq}: bad outer IPv4 header {outer.summary()}")
    if outer.src != case["src"] or outer.dst != case["dst"]:
        return fail(case, f"seq {seq}: outer addresses {outer.src} > {outer.dst}")
    if outer.tos != inner[1] or (outer.flags.value & 2) != (inner[6] >> 5 & 2):
        return fail(case, f"seq {seq}: TOS/DF not copied from the inner header")
    if case["udp"]:
        if outer.proto != 17 or UDP not in outer:
            return fail(case, f"seq {seq}: expected ESP in UDP")
        udp = outer[UDP]
        if (udp.sport, udp.dport, udp.len, udp.chksum) != (
            case["sport"], case["dport"], len(wire) - 20, 0):
            return fail(case, f"seq {seq}: bad UDP header "
                              f"{udp.sport} {udp.dport} {udp.len} {udp.chksum}")
    elif outer.proto != 50:
        return fail(case, f"seq {seq}: outer protocol {outer.proto}, expected ESP")
    esp = outer[ESP]
    if esp.spi != case["spi"] or esp.seq != (seq & 0xFFFFFFFF):
        return fail(case, f"seq {seq}: ESP header spi {esp.spi:#x} seq {esp.seq}")
    sa = make_sa(case, esn_high)
    try:
        decrypted = sa.decrypt(IP(wire), esn_en=case["esn"], esn=esn_high)
    except Exception as e:  # noqa: BLE001 - any scapy failure is a finding
        return fail(case, f"seq {seq}: scapy cannot decrypt: {type(e).__name__} {e}")
    if raw(decrypted) != inner:
        return fail(case, f"seq {seq}: scapy decrypted {raw(decrypted).hex()} "
                          f"expected {inner.hex()}")
    plain = full_plaintext(sa, case, raw(esp), esn_high)
    pad_len, next_header = plain[-2], plain[-1]
    padding = plain[len(plain) - 2 - pad_len : len(plain) - 2]
    if next_header != 4 or padding != bytes(range(1, pad_len + 1)):
        return fail(case, f"seq {seq}: trailer pad {padding.hex()} next header {next_header}")
    if plain[: len(plain) - 2 - pad_len] != inner:
        return fail(case, f"seq {seq}: payload differs from the inner packet")
    return None


def scapy_packets(case):
    """Packets scapy encrypts for vpngw, and tampered copies."""
    esn_high = 1 if case["esn"] else 0
    sa = make_sa(case, esn_high)
    src, dst = "198.18.1.10", "198.19.2.20"
    inners = [
        IP(src=src, dst=dst, id=7) / UDP(sport=5000, dport=53) / Raw(b"q" * 12),
        IP(src=src, dst=dst, tos=0xb8, flags="DF")
        / TCP(sport=40000, dport=443, flags="PA") / Raw(bytes(range(256)) * 2),
        IP(src="198.18.200.1", dst="198.19.0.9") / UDP(sport=1, dport=2) / Raw(b"\x00" * 1372),
    ]
    good, tampered = [], []
    for k, inner in enumerate(inners, start=1):
        inner = IP(raw(inner))  # freeze lengths and checksums
        wire = bytearray(raw(sa.encrypt(inner, seq_num=k, esn_en=case["esn"], esn=esn_high)))
        if case["udp"]:
            # scapy 2.5 leaves the UDP length at 8 (its header alone); a real
            # stack sends the full length, which vpngw checks.
            struct.pack_into("!H", wire, 24, len(wire) - 20)
        good.append({"wire": bytes(wire).hex(), "inner": raw(inner).hex(),
                     "seq": (esn_high << 32) | k})
        esp = 28 if case["udp"] else 20
        for at in (esp + 7, esp + 8, (esp + len(wire)) // 2, len(wire) - 1):
            bad = bytearray(wire)
            bad[at] ^= 0x04
            tampered.append({"wire": bytes(bad).hex(), "offset": at})
    return {"name": case["name"], "good": good, "tampered": tampered}


def main():
    directory = Path(sys.argv[1])
    cases = json.loads((directory / "to_scapy.json").read_text())["cases"]
    checked = 0
    produced = []
    for case in cases:
        for packet in case["packets"]:
            check_vpngw_packet(case, packet)
            checked += 1
        produced.append(scapy_packets(case))
    (directory / "from_scapy.json").write_text(json.dumps({"cases": produced}))
    for f in failures:
        print(f, file=sys.stderr)
    print(f"scapy checked {checked} vpngw packets in {len(cases)} SAs, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
