#!/usr/bin/python3
"""Independent reference for the IKE unit tests (tests/ike/*_test.cpp).

Usage: ike_oracle.py COMMAND IN.json OUT.json

Everything here is computed with Python's hmac/hashlib, the `cryptography`
package and scapy's IKEv2 layer, never with vpngw's code, so agreement
between the two means both follow the RFCs. Algorithm sizes are written out
again here on purpose (not passed in by the C++ side).
"""
import hashlib
import hmac
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile

from cryptography.hazmat.primitives.asymmetric import dh, ec, x25519
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import (Encoding, PublicFormat,
                                                          load_pem_parameters)

HASHES = {"md5": hashlib.md5, "sha1": hashlib.sha1, "sha256": hashlib.sha256,
          "sha384": hashlib.sha384, "sha512": hashlib.sha512}
# RFC 7296 / RFC 4868: HMAC key size = hash output; ICV = truncated output.
INTEG_ICV = {"md5": 12, "sha1": 12, "sha256": 16, "sha384": 24, "sha512": 32}
# (key bytes, salt bytes, iv bytes, block bytes)
CIPHERS = {"des": (8, 0, 8, 8), "3des": (24, 0, 8, 8), "aes128": (16, 0, 16, 16),
           "aes192": (24, 0, 16, 16), "aes256": (32, 0, 16, 16),
           "aes128gcm": (16, 4, 8, 1), "aes256gcm": (32, 4, 8, 1)}


def unhex(s):
    return bytes.fromhex(s)


def prf(alg, key, data):
    return hmac.new(key, data, HASHES[alg]).digest()


def prf_plus(alg, key, seed, length):
    out, t, n = b"", b"", 1
    while len(out) < length:
        t = prf(alg, key, t + seed + bytes([n]))
        out += t
        n += 1
    return out[:length]


def integ_key_size(integ):
    return HASHES[integ]().digest_size if integ else 0


# ---------------------------------------------------------------- key material

def cmd_prf_plus(req):
    return {"outputs": [prf_plus(c["alg"], unhex(c["key"]), unhex(c["seed"]), c["length"]).hex()
                        for c in req["cases"]]}


def cmd_ike_keys(req):
    out = []
    for c in req["cases"]:
        ni, nr, g = unhex(c["ni"]), unhex(c["nr"]), unhex(c["shared"])
        skeyseed = prf(c["prf"], ni + nr, g)
        spis = unhex(c["spi_i"]) + unhex(c["spi_r"])
        prf_len = HASHES[c["prf"]]().digest_size
        integ = c["integ"] if CIPHERS[c["encr"]][1] == 0 else None
        ia = integ_key_size(integ)
        ea = CIPHERS[c["encr"]][0] + CIPHERS[c["encr"]][1]
        sizes = [("sk_d", prf_len), ("sk_ai", ia), ("sk_ar", ia), ("sk_ei", ea), ("sk_er", ea),
                 ("sk_pi", prf_len), ("sk_pr", prf_len)]
        keymat = prf_plus(c["prf"], skeyseed, ni + nr + spis, sum(s for _, s in sizes))
        keys, pos = {"skeyseed": skeyseed.hex()}, 0
        for name, size in sizes:
            keys[name] = keymat[pos:pos + size].hex()
            pos += size
        out.append(keys)
    return {"results": out}


def cmd_child_keys(req):
    out = []
    for c in req["cases"]:
        seed = unhex(c.get("pfs_shared", "")) + unhex(c["ni"]) + unhex(c["nr"])
        integ = c["integ"] if CIPHERS[c["encr"]][1] == 0 else None
        ea = CIPHERS[c["encr"]][0] + CIPHERS[c["encr"]][1]
        ia = integ_key_size(integ)
        keymat = prf_plus(c["prf"], unhex(c["sk_d"]), seed, 2 * (ea + ia))
        out.append({"encr_i": keymat[:ea].hex(), "integ_i": keymat[ea:ea + ia].hex(),
                    "encr_r": keymat[ea + ia:2 * ea + ia].hex(),
                    "integ_r": keymat[2 * ea + ia:].hex()})
    return {"results": out}


def cmd_psk_auth(req):
    out = []
    for c in req["cases"]:
        id_body = bytes([c["id_type"], 0, 0, 0]) + unhex(c["id_data"])
        octets = unhex(c["real_message"]) + unhex(c["nonce"]) + prf(c["prf"], unhex(c["sk_p"]), id_body)
        key = prf(c["prf"], c["psk"].encode(), b"Key Pad for IKEv2")
        out.append(prf(c["prf"], key, octets).hex())
    return {"auth": out}


def cmd_nat_hash(req):
    out = []
    for c in req["cases"]:
        data = unhex(c["spi_i"]) + unhex(c["spi_r"]) + socket.inet_aton(c["ip"]) + struct.pack("!H", c["port"])
        out.append(hashlib.sha1(data).hexdigest())
    return {"hashes": out}


# ------------------------------------------------------------ Diffie-Hellman

def modp_numbers(group):
    """Group parameters from sources other than vpngw: scapy's RFC 2409/3526
    tables and OpenSSL's built-in RFC 5114 group."""
    if group == 24:
        with tempfile.TemporaryDirectory() as d:
            pem = os.path.join(d, "g24.pem")
            subprocess.run(["openssl", "genpkey", "-genparam", "-algorithm", "DHX", "-pkeyopt",
                            "group:dh_2048_256", "-out", pem], check=True, capture_output=True)
            with open(pem, "rb") as f:
                return load_pem_parameters(f.read()).parameter_numbers()
    from scapy.layers.tls.crypto import groups
    table = {1: groups.modp768, 2: groups.modp1024, 5: groups.modp1536, 14: groups.modp2048}
    cls = table[group]
    return dh.DHParameterNumbers(cls.m, cls.g)


CURVES = {19: ec.SECP256R1(), 20: ec.SECP384R1(), 21: ec.SECP521R1()}


def cmd_dh(req):
    out = []
    for c in req["cases"]:
        group, theirs = c["group"], unhex(c["public"])
        if group in CURVES:
            curve = CURVES[group]
            priv = ec.generate_private_key(curve)
            peer = ec.EllipticCurvePublicKey.from_encoded_point(curve, b"\x04" + theirs)
            shared = priv.exchange(ec.ECDH(), peer)
            public = priv.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)[1:]
        elif group == 31:
            priv = x25519.X25519PrivateKey.generate()
            shared = priv.exchange(x25519.X25519PublicKey.from_public_bytes(theirs))
            public = priv.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        else:
            numbers = modp_numbers(group)
            size = (numbers.p.bit_length() + 7) // 8
            params = numbers.parameters()
            priv = params.generate_private_key()
            peer = dh.DHPublicNumbers(int.from_bytes(theirs, "big"), numbers).public_key()
            shared = priv.exchange(peer).rjust(size, b"\0")
            public = priv.public_key().public_numbers().y.to_bytes(size, "big")
        out.append({"public": public.hex(), "shared": shared.hex()})
    return {"results": out}


# --------------------------------------------------------------- SK payload

def cbc_cipher(encr, key, iv):
    if encr == "des":
        # TripleDES with one key three times is single DES.
        return Cipher(algorithms.TripleDES(key * 3), modes.CBC(iv))
    if encr == "3des":
        return Cipher(algorithms.TripleDES(key), modes.CBC(iv))
    return Cipher(algorithms.AES(key), modes.CBC(iv))


def sk_open(c):
    """Verifies and decrypts a message whose only payload is SK."""
    msg, sk_e, sk_a = unhex(c["message"]), unhex(c["sk_e"]), unhex(c["sk_a"])
    key_len, salt_len, iv_len, _ = CIPHERS[c["encr"]]
    first_inner = msg[28]
    sk_len = struct.unpack("!H", msg[30:32])[0]
    assert struct.unpack("!I", msg[24:28])[0] == len(msg) == 28 + sk_len
    body = msg[32:]
    iv = body[:iv_len]
    if salt_len:
        aad = msg[:32]
        nonce = sk_e[key_len:] + iv
        plain = AESGCM(sk_e[:key_len]).decrypt(nonce, body[iv_len:], aad)
    else:
        icv_len = INTEG_ICV[c["integ"]]
        icv = body[-icv_len:]
        want = prf(c["integ"], sk_a, msg[:-icv_len])[:icv_len]
        if not hmac.compare_digest(icv, want):
            return {"ok": False}
        dec = cbc_cipher(c["encr"], sk_e, iv).decryptor()
        plain = dec.update(body[iv_len:-icv_len]) + dec.finalize()
    pad = plain[-1]
    return {"ok": True, "first_inner": first_inner, "inner": plain[:len(plain) - pad - 1].hex()}


def sk_seal(c):
    """Builds header | SK(inner) with random IV and (for CBC) random padding."""
    sk_e, sk_a, inner = unhex(c["sk_e"]), unhex(c["sk_a"]), unhex(c["inner"])
    key_len, salt_len, iv_len, block = CIPHERS[c["encr"]]
    iv = os.urandom(iv_len)
    # CBC: pad with a few extra blocks of random bytes, which receivers must accept.
    pad_len = (block - (len(inner) + 1) % block) % block + (block if block > 1 else 0)
    plain = inner + os.urandom(pad_len) + bytes([pad_len])
    icv_len = 16 if salt_len else INTEG_ICV[c["integ"]]
    sk_len = 4 + iv_len + len(plain) + icv_len
    h = c["header"]
    header = (unhex(h["spi_i"]) + unhex(h["spi_r"]) + bytes([46, 0x20, h["exchange"], h["flags"]]) +
              struct.pack("!II", h["message_id"], 28 + sk_len))
    sk_header = bytes([c["first_inner"], 0]) + struct.pack("!H", sk_len)
    if salt_len:
        nonce = sk_e[key_len:] + iv
        ct = AESGCM(sk_e[:key_len]).encrypt(nonce, plain, header + sk_header)
        msg = header + sk_header + iv + ct
    else:
        enc = cbc_cipher(c["encr"], sk_e, iv).encryptor()
        msg = header + sk_header + iv + enc.update(plain) + enc.finalize()
        msg += prf(c["integ"], sk_a, msg)[:icv_len]
    return {"message": msg.hex()}


def cmd_sk_open(req):
    return {"results": [sk_open(c) for c in req["cases"]]}


def cmd_sk_seal(req):
    return {"results": [sk_seal(c) for c in req["cases"]]}


# -------------------------------------------------------------------- scapy

def scapy_parse(msg):
    from scapy.contrib import ikev2 as k
    pkt = k.IKEv2(msg)
    spec = {"header": {"spi_i": bytes(pkt.init_SPI).hex(), "spi_r": bytes(pkt.resp_SPI).hex(),
                       "exchange": pkt.exch_type, "flags": int(pkt.flags),
                       "message_id": pkt.id, "length": pkt.length}, "payloads": []}
    p = pkt.payload
    while p is not None and not isinstance(p, k.conf.raw_layer) and len(p.fields) > 0:
        if isinstance(p, k.IKEv2_payload_SA):
            props, prop = [], p.prop
            while isinstance(prop, k.IKEv2_payload_Proposal):
                transforms, t = [], prop.trans
                while isinstance(t, k.IKEv2_payload_Transform):
                    transforms.append({"type": t.transform_type, "id": t.transform_id,
                                       "key_bits": t.key_length if t.length > 8 else None})
                    t = t.payload
                assert prop.trans_nb == len(transforms)
                props.append({"number": prop.proposal, "protocol": prop.proto,
                              "spi": bytes(prop.SPI).hex(), "transforms": transforms})
                prop = prop.payload
            spec["payloads"].append({"type": 33, "proposals": props})
        elif isinstance(p, k.IKEv2_payload_KE):
            spec["payloads"].append({"type": 34, "group": p.group, "data": bytes(p.load).hex()})
        elif isinstance(p, (k.IKEv2_payload_IDi, k.IKEv2_payload_IDr)):
            data = socket.inet_aton(p.ID) if p.IDtype == 1 else bytes(p.ID)
            spec["payloads"].append({"type": 35 if isinstance(p, k.IKEv2_payload_IDi) else 36,
                                     "id_type": p.IDtype, "data": data.hex()})
        elif isinstance(p, k.IKEv2_payload_AUTH):
            spec["payloads"].append({"type": 39, "method": p.auth_type, "data": bytes(p.load).hex()})
        elif isinstance(p, k.IKEv2_payload_Nonce):
            spec["payloads"].append({"type": 40, "data": bytes(p.load).hex()})
        elif isinstance(p, k.IKEv2_payload_Notify):
            spec["payloads"].append({"type": 41, "protocol": p.proto, "spi": bytes(p.SPI).hex(),
                                     "notify_type": p.type, "data": bytes(p.load).hex()})
        elif isinstance(p, k.IKEv2_payload_Delete):
            # scapy keeps the Delete body raw: protocol, SPI size, count, SPIs.
            raw = bytes(p.vendorID)
            proto, spi_size, count = raw[0], raw[1], struct.unpack("!H", raw[2:4])[0]
            spis = [raw[4 + i * spi_size:4 + (i + 1) * spi_size].hex() for i in range(count)]
            spec["payloads"].append({"type": 42, "protocol": proto, "spi_size": spi_size, "spis": spis})
        elif isinstance(p, k.IKEv2_payload_VendorID):
            spec["payloads"].append({"type": 43, "data": bytes(p.vendorID).hex()})
        elif isinstance(p, (k.IKEv2_payload_TSi, k.IKEv2_payload_TSr)):
            sels = [{"ts_type": s.TS_type, "protocol": s.IP_protocol_ID, "start_port": s.start_port,
                     "end_port": s.end_port, "start": s.starting_address_v4,
                     "end": s.ending_address_v4} for s in p.traffic_selector]
            assert p.number_of_TSs == len(sels)
            spec["payloads"].append({"type": 44 if isinstance(p, k.IKEv2_payload_TSi) else 45,
                                     "selectors": sels})
        elif isinstance(p, k.IKEv2_payload_Encrypted):
            spec["payloads"].append({"type": 46, "first_inner": p.next_payload, "data": bytes(p.load).hex()})
            break  # what follows the SK header is inside it
        else:
            raise ValueError("scapy produced an unexpected layer: %s" % p.name)
        p = p.payload
    return spec


def scapy_build(spec):
    from scapy.contrib import ikev2 as k
    payloads = spec["payloads"]
    layers = []
    for i, pl in enumerate(payloads):
        t = pl["type"]
        nxt = payloads[i + 1]["type"] if i + 1 < len(payloads) else 0
        if t == 33:
            props = None
            for j, pr in enumerate(pl["proposals"]):
                trans = None
                for n, tr in enumerate(pr["transforms"]):
                    last = n + 1 == len(pr["transforms"])
                    kw = dict(next_payload=0 if last else 3, transform_type=tr["type"],
                              transform_id=tr["id"], length=8)
                    if tr.get("key_bits") is not None:
                        kw.update(length=12, key_length=tr["key_bits"])
                    x = k.IKEv2_payload_Transform(**kw)
                    trans = x if trans is None else trans / x
                last = j + 1 == len(pl["proposals"])
                # SPIsize is explicit: scapy's proposal length counts it only when set.
                x = k.IKEv2_payload_Proposal(next_payload=0 if last else 2, proposal=pr["number"],
                                             proto=pr["protocol"], SPI=unhex(pr["spi"]),
                                             SPIsize=len(unhex(pr["spi"])),
                                             trans_nb=len(pr["transforms"]), trans=trans)
                props = x if props is None else props / x
            layers.append(k.IKEv2_payload_SA(next_payload=nxt, prop=props))
        elif t == 34:
            layers.append(k.IKEv2_payload_KE(next_payload=nxt, group=pl["group"], load=unhex(pl["data"])))
        elif t in (35, 36):
            cls = k.IKEv2_payload_IDi if t == 35 else k.IKEv2_payload_IDr
            data = unhex(pl["data"])
            ident = socket.inet_ntoa(data) if pl["id_type"] == 1 else data
            # scapy's IDi length field points at a field IDi does not have.
            layers.append(cls(next_payload=nxt, IDtype=pl["id_type"], ID=ident, length=8 + len(data)))
        elif t == 39:
            layers.append(k.IKEv2_payload_AUTH(next_payload=nxt, auth_type=pl["method"], load=unhex(pl["data"])))
        elif t == 40:
            layers.append(k.IKEv2_payload_Nonce(next_payload=nxt, load=unhex(pl["data"])))
        elif t == 41:
            # scapy's length omits the SPI; give it the RFC's length explicitly.
            spi, load = unhex(pl["spi"]), unhex(pl["data"])
            layers.append(k.IKEv2_payload_Notify(next_payload=nxt, proto=pl["protocol"], SPI=spi,
                                                 type=pl["notify_type"], load=load,
                                                 length=8 + len(spi) + len(load)))
        elif t == 42:
            raw = bytes([pl["protocol"], pl["spi_size"]]) + struct.pack("!H", len(pl["spis"]))
            raw += b"".join(unhex(s) for s in pl["spis"])
            layers.append(k.IKEv2_payload_Delete(next_payload=nxt, vendorID=raw))
        elif t == 43:
            layers.append(k.IKEv2_payload_VendorID(next_payload=nxt, vendorID=unhex(pl["data"])))
        elif t in (44, 45):
            cls = k.IKEv2_payload_TSi if t == 44 else k.IKEv2_payload_TSr
            sels = [k.IPv4TrafficSelector(TS_type=s["ts_type"], IP_protocol_ID=s["protocol"],
                                          start_port=s["start_port"], end_port=s["end_port"],
                                          starting_address_v4=s["start"], ending_address_v4=s["end"])
                    for s in pl["selectors"]]
            layers.append(cls(next_payload=nxt, number_of_TSs=len(sels), traffic_selector=sels))
        elif t == 46:
            layers.append(k.IKEv2_payload_Encrypted(next_payload=pl["first_inner"], load=unhex(pl["data"])))
        else:
            raise ValueError("no scapy layer for payload type %d" % t)
    h = spec["header"]
    pkt = k.IKEv2(init_SPI=unhex(h["spi_i"]), resp_SPI=unhex(h["spi_r"]),
                  next_payload=payloads[0]["type"] if payloads else 0, exch_type=h["exchange"],
                  flags=h["flags"], id=h["message_id"])
    for layer in layers:
        pkt = pkt / layer
    return bytes(pkt)


def cmd_scapy_parse(req):
    return {"messages": [scapy_parse(unhex(m)) for m in req["messages"]]}


def cmd_scapy_build(req):
    return {"messages": [scapy_build(s).hex() for s in req["specs"]]}


COMMANDS = {"prf_plus": cmd_prf_plus, "ike_keys": cmd_ike_keys, "child_keys": cmd_child_keys,
            "psk_auth": cmd_psk_auth, "nat_hash": cmd_nat_hash, "dh": cmd_dh,
            "sk_open": cmd_sk_open, "sk_seal": cmd_sk_seal, "scapy_parse": cmd_scapy_parse,
            "scapy_build": cmd_scapy_build}


def main():
    command, in_path, out_path = sys.argv[1:4]
    with open(in_path) as f:
        request = json.load(f)
    result = COMMANDS[command](request)
    with open(out_path, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
