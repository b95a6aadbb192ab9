#include "tests/dataplane/ref_esp.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>
#include <stdexcept>

namespace vpngw::dataplane::test {

namespace {

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const EVP_CIPHER* evp_cipher(EspCipher c) {
  switch (c) {
    case EspCipher::des_cbc:  // run as 3DES with K1 = K2 = K3, which is DES
    case EspCipher::des3_cbc:
      return EVP_des_ede3_cbc();
    case EspCipher::aes128_cbc:
      return EVP_aes_128_cbc();
    case EspCipher::aes192_cbc:
      return EVP_aes_192_cbc();
    case EspCipher::aes256_cbc:
      return EVP_aes_256_cbc();
    case EspCipher::aes128_gcm:
      return EVP_aes_128_gcm();
    case EspCipher::aes256_gcm:
      return EVP_aes_256_gcm();
  }
  throw std::logic_error("cipher");
}

const EVP_MD* evp_md(EspIntegrity i) {
  switch (i) {
    case EspIntegrity::hmac_md5_96:
      return EVP_md5();
    case EspIntegrity::hmac_sha1_96:
      return EVP_sha1();
    case EspIntegrity::hmac_sha256_128:
      return EVP_sha256();
    case EspIntegrity::none:
      break;
  }
  throw std::logic_error("integrity");
}

Bytes cipher_key(const SaParams& p) {
  Bytes key(p.cipher_key.begin(), p.cipher_key.begin() + p.cipher_key_len);
  if (p.cipher == EspCipher::des_cbc) {
    Bytes k3;
    for (int r = 0; r < 3; ++r) k3.insert(k3.end(), key.begin(), key.end());
    return k3;
  }
  if (info_of(p.cipher).aead) key.resize(key.size() - kGcmSaltLen);
  return key;
}

Bytes gcm_nonce(const SaParams& p, std::span<const uint8_t> iv) {
  Bytes n(p.cipher_key.begin() + p.cipher_key_len - kGcmSaltLen,
          p.cipher_key.begin() + p.cipher_key_len);
  n.insert(n.end(), iv.begin(), iv.end());
  return n;
}

Bytes gcm_aad(const SaParams& p, uint32_t spi, uint64_t seq) {
  Bytes a;
  auto put32 = [&a](uint32_t v) {
    for (int k = 0; k < 4; ++k) a.push_back(static_cast<uint8_t>(v >> (24 - 8 * k)));
  };
  put32(spi);
  if (p.esn) put32(static_cast<uint32_t>(seq >> 32));
  put32(static_cast<uint32_t>(seq));
  return a;
}

// Returns ciphertext (GCM: followed by the 16-byte tag).
Bytes run_cipher(const SaParams& p, bool encrypt, std::span<const uint8_t> iv,
                 std::span<const uint8_t> in, const Bytes& aad, const Bytes* tag_in, bool* tag_ok) {
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  const Bytes key = cipher_key(p);
  const bool gcm = info_of(p.cipher).aead;
  const Bytes nonce = gcm ? gcm_nonce(p, iv) : Bytes(iv.begin(), iv.end());
  if (EVP_CipherInit_ex(ctx.get(), evp_cipher(p.cipher), nullptr, nullptr, nullptr, encrypt) != 1)
    throw std::runtime_error("EVP init");
  if (gcm)
    EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()), nullptr);
  if (EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce.data(), encrypt) != 1)
    throw std::runtime_error("EVP key");
  EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
  int len = 0;
  if (gcm) EVP_CipherUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size()));
  Bytes out(in.size() + 32);
  int total = 0;
  EVP_CipherUpdate(ctx.get(), out.data(), &len, in.data(), static_cast<int>(in.size()));
  total = len;
  if (gcm && !encrypt)
    EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, const_cast<uint8_t*>(tag_in->data()));
  const int final_ok = EVP_CipherFinal_ex(ctx.get(), out.data() + total, &len);
  total += len;
  out.resize(static_cast<size_t>(total));
  if (gcm && encrypt) {
    Bytes tag(16);
    EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, tag.data());
    out.insert(out.end(), tag.begin(), tag.end());
  }
  if (tag_ok != nullptr) *tag_ok = final_ok == 1;
  return out;
}

Bytes hmac_icv(const SaParams& p, std::span<const uint8_t> esp_until_icv, uint64_t seq) {
  Bytes data(esp_until_icv.begin(), esp_until_icv.end());
  if (p.esn)
    for (int k = 0; k < 4; ++k) data.push_back(static_cast<uint8_t>(seq >> (56 - 8 * k)));
  uint8_t md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  HMAC(evp_md(p.integrity), p.auth_key.data(), p.auth_key_len, data.data(), data.size(), md,
       &md_len);
  return Bytes(md, md + info_of(p.integrity).icv_len);
}

void put16(Bytes& b, size_t at, uint16_t v) {
  b[at] = static_cast<uint8_t>(v >> 8);
  b[at + 1] = static_cast<uint8_t>(v);
}

uint32_t get32(std::span<const uint8_t> b, size_t at) {
  return uint32_t{b[at]} << 24 | uint32_t{b[at + 1]} << 16 | uint32_t{b[at + 2]} << 8 | b[at + 3];
}

}  // namespace

Bytes ref_seal(const SaParams& p, const RefSealSpec& spec) {
  const EspCipherInfo& c = info_of(p.cipher);
  Bytes iv = spec.iv;
  if (iv.empty())
    for (size_t k = 0; k < c.iv_len; ++k) iv.push_back(static_cast<uint8_t>(0x5a ^ k));
  Bytes plain = spec.payload;
  if (spec.padding) {
    plain.insert(plain.end(), spec.padding->begin(), spec.padding->end());
  } else {
    const size_t pad = (c.block_len - (plain.size() + 2) % c.block_len) % c.block_len;
    for (size_t k = 1; k <= pad; ++k) plain.push_back(static_cast<uint8_t>(k));
  }
  plain.push_back(
      spec.pad_length.value_or(static_cast<uint8_t>(plain.size() - spec.payload.size())));
  plain.push_back(spec.next_header);

  Bytes esp(8);
  for (int k = 0; k < 4; ++k) {
    esp[k] = static_cast<uint8_t>(p.spi >> (24 - 8 * k));
    esp[4 + k] = static_cast<uint8_t>(spec.seq >> (24 - 8 * k));
  }
  esp.insert(esp.end(), iv.begin(), iv.end());
  const Bytes sealed =
      run_cipher(p, true, iv, plain, gcm_aad(p, p.spi, spec.seq), nullptr, nullptr);
  esp.insert(esp.end(), sealed.begin(), sealed.end());
  if (!c.aead) {
    const Bytes icv = hmac_icv(p, esp, spec.seq);
    esp.insert(esp.end(), icv.begin(), icv.end());
  }

  const size_t outer = p.udp_encap ? 28 : 20;
  Bytes pkt(outer, 0);
  pkt[0] = 0x45;
  put16(pkt, 2, static_cast<uint16_t>(outer + esp.size()));
  pkt[8] = 64;
  pkt[9] = p.udp_encap ? 17 : 50;
  for (int k = 0; k < 4; ++k) {
    pkt[12 + k] = static_cast<uint8_t>(p.tunnel_src.value >> (24 - 8 * k));
    pkt[16 + k] = static_cast<uint8_t>(p.tunnel_dst.value >> (24 - 8 * k));
  }
  if (p.udp_encap) {
    put16(pkt, 20, p.udp_src_port);
    put16(pkt, 22, p.udp_dst_port);
    put16(pkt, 24, static_cast<uint16_t>(8 + esp.size()));
  }
  set_ipv4_checksum(pkt);
  pkt.insert(pkt.end(), esp.begin(), esp.end());
  return pkt;
}

std::optional<RefOpened> ref_open(const SaParams& p, std::span<const uint8_t> packet,
                                  uint32_t seq_high) {
  const EspCipherInfo& c = info_of(p.cipher);
  const size_t icv_len = c.aead ? kGcmIcvLen : info_of(p.integrity).icv_len;
  if (packet.size() < 20) return std::nullopt;
  size_t off = (packet[0] & 0x0f) * 4u;
  if (packet[9] == 17) off += 8;
  if (packet.size() < off + 8 + c.iv_len + icv_len) return std::nullopt;
  std::span<const uint8_t> esp = packet.subspan(off);
  RefOpened r;
  r.spi = get32(esp, 0);
  r.seq_low = get32(esp, 4);
  const uint64_t seq = uint64_t{seq_high} << 32 | r.seq_low;
  r.iv.assign(esp.begin() + 8, esp.begin() + 8 + c.iv_len);
  const std::span<const uint8_t> body =
      esp.subspan(8 + c.iv_len, esp.size() - 8 - c.iv_len - icv_len);
  const Bytes icv(esp.end() - static_cast<long>(icv_len), esp.end());
  if (c.aead) {
    r.plaintext = run_cipher(p, false, r.iv, body, gcm_aad(p, r.spi, seq), &icv, &r.icv_ok);
  } else {
    r.icv_ok = hmac_icv(p, esp.first(esp.size() - icv_len), seq) == icv;
    r.plaintext = run_cipher(p, false, r.iv, body, {}, nullptr, nullptr);
  }
  if (r.plaintext.size() < 2) return std::nullopt;
  return r;
}

}  // namespace vpngw::dataplane::test
