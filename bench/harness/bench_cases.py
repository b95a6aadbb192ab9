"""The benchmark's fixed inputs, shared by every stage of scripts/bench.

One place for the algorithms, keys, SPIs and addresses, so that the pcaps,
the ipsec-secgw config and (when it lands) the vpngwd config all describe the
same SAs and the same packets.
"""

# Algorithms as scripts/bench names them, with how ipsec-secgw and scapy
# spell them. Keys are fixed test values (not secrets): the same bytes go to
# the secgw config and to scapy, which must agree for decrypt to succeed.
ALGS = {
    "aes128-cbc-sha1": {
        "secgw": "cipher_algo aes-128-cbc cipher_key {ck} auth_algo sha1-hmac auth_key {ak}",
        "cipher_key_len": 16, "auth_key_len": 20,
        "scapy_crypt": "AES-CBC", "scapy_auth": "HMAC-SHA1-96",
    },
    "aes256-cbc-sha256": {
        "secgw": "cipher_algo aes-256-cbc cipher_key {ck} auth_algo sha256-hmac auth_key {ak}",
        "cipher_key_len": 32, "auth_key_len": 32,
        "scapy_crypt": "AES-CBC", "scapy_auth": "SHA2-256-128",
    },
    "3des-cbc-sha1": {
        "secgw": "cipher_algo 3des-cbc cipher_key {ck} auth_algo sha1-hmac auth_key {ak}",
        "cipher_key_len": 24, "auth_key_len": 20,
        "scapy_crypt": "3DES", "scapy_auth": "HMAC-SHA1-96",
    },
    # GCM: the key carries the 4-byte salt at its end (RFC 4106), in both tools.
    "aes128-gcm": {
        "secgw": "aead_algo aes-128-gcm aead_key {ck}",
        "cipher_key_len": 20, "auth_key_len": 0,
        "scapy_crypt": "AES-GCM", "scapy_auth": None,
    },
}

SIZES = [64, 512, 1420]
DIRS = ["encrypt", "decrypt"]

# SPIs: outbound (what the encrypt case produces) and inbound (what the
# decrypt case consumes). RFC 2544 / RFC 5737 ranges only.
SPI_OUT = 1001
SPI_IN = 2001
INNER_SRC = "198.18.0.1"
INNER_DST_OUT = "198.18.1.1"     # plaintext entering the protected port
INNER_NET_OUT = "198.18.1.0/24"
INNER_DST_IN = "198.18.2.1"      # what decrypted packets carry
INNER_NET_IN = "198.18.2.0/24"
TUNNEL_LOCAL = "203.0.113.1"
TUNNEL_PEER = "203.0.113.2"
# The MAC of what sits behind vpngwd's output port (the peer, or the inner
# destination): a static neighbour in vpngwd's config, since the pcap sink
# answers no ARP.
SINK_MAC = "02:00:00:00:00:02"

# vpngwd's own port addresses (the VPN gateway's public IP is TUNNEL_LOCAL,
# an extra address of the public port). The peer is on the public subnet, so
# it is its own next hop; in the decrypt case the inner destination is on
# the private subnet.
VPNGW_PUBLIC_ADDR = "203.0.113.10/24"
VPNGW_PRIVATE_ADDR_OUT = "198.18.0.254/24"   # encrypt: the VPC is 198.18.0.0/24
VPNGW_PRIVATE_ADDR_IN = "198.18.2.254/24"    # decrypt: the VPC is 198.18.2.0/24
# vpngw's names for the algorithms (vpngwctl sa create --enc/--auth).
VPNGW_ALG = {
    "aes128-cbc-sha1": ("aes128", "sha1"),
    "aes256-cbc-sha256": ("aes256", "sha256"),
    "3des-cbc-sha1": ("3des", "sha1"),
    "aes128-gcm": ("aes128gcm", "none"),
}


def key_bytes(length, seed):
    """Deterministic test key: seed, seed+1, ... (mod 256)."""
    return bytes((seed + i) & 0xFF for i in range(length))


def cipher_key(alg):
    return key_bytes(ALGS[alg]["cipher_key_len"], 0x10)


def auth_key(alg):
    return key_bytes(ALGS[alg]["auth_key_len"], 0x40)
