#include "dataplane/sa_runtime.hpp"

#include <rte_byteorder.h>
#include <sodium.h>

#include <cstring>

namespace vpngw::dataplane {

namespace {

constexpr size_t kHmacBlockLen = 64;  // MD5, SHA-1 and SHA-256 all use 64-byte blocks
constexpr uint8_t kOuterTtl = 64;
constexpr uint8_t kProtoEsp = 50;
constexpr uint8_t kProtoUdp = 17;

// Expands the cipher key into `keys` and fills the cipher half of `job`.
void set_up_cipher(const SaParams& p, IMB_MGR* mgr, SaKeys& keys, JobTemplate& job) {
  const EspCipherInfo& info = info_of(p.cipher);
  const uint8_t* key = p.cipher_key.data();
  job.iv_len = info.iv_len;
  job.block_len = info.block_len;
  job.gcm = info.aead;
  switch (p.cipher) {
    case EspCipher::des_cbc:
      IMB_DES_KEYSCHED(mgr, keys.des.schedule[0].data(), key);
      job.cipher_mode = IMB_CIPHER_DES;
      job.key_len = 8;
      job.enc_keys = job.dec_keys = keys.des.schedule[0].data();
      break;
    case EspCipher::des3_cbc:
      for (size_t k = 0; k < 3; ++k) {
        IMB_DES_KEYSCHED(mgr, keys.des.schedule[k].data(), key + 8 * k);
        keys.des_schedules[k] = keys.des.schedule[k].data();
      }
      job.cipher_mode = IMB_CIPHER_DES3;
      job.key_len = 24;
      job.enc_keys = job.dec_keys = keys.des_schedules.data();
      break;
    case EspCipher::aes128_cbc:
    case EspCipher::aes192_cbc:
    case EspCipher::aes256_cbc:
      if (p.cipher == EspCipher::aes128_cbc) {
        IMB_AES_KEYEXP_128(mgr, key, keys.aes.enc.data(), keys.aes.dec.data());
      } else if (p.cipher == EspCipher::aes192_cbc) {
        IMB_AES_KEYEXP_192(mgr, key, keys.aes.enc.data(), keys.aes.dec.data());
      } else {
        IMB_AES_KEYEXP_256(mgr, key, keys.aes.enc.data(), keys.aes.dec.data());
      }
      job.cipher_mode = IMB_CIPHER_CBC;
      job.key_len = info.key_len;
      job.enc_keys = keys.aes.enc.data();
      job.dec_keys = keys.aes.dec.data();
      break;
    case EspCipher::aes128_gcm:
    case EspCipher::aes256_gcm: {
      const size_t aes_len = info.key_len - kGcmSaltLen;
      if (aes_len == 16) {
        IMB_AES128_GCM_PRE(mgr, key, &keys.gcm);
      } else {
        IMB_AES256_GCM_PRE(mgr, key, &keys.gcm);
      }
      std::memcpy(job.salt.data(), key + aes_len, kGcmSaltLen);
      job.cipher_mode = IMB_CIPHER_GCM;
      job.hash_alg = IMB_AUTH_AES_GMAC;
      job.key_len = static_cast<uint8_t>(aes_len);
      job.icv_len = kGcmIcvLen;
      job.enc_keys = job.dec_keys = &keys.gcm;
      break;
    }
  }
}

// Precomputes the HMAC inner and outer hash states (RFC 2104) so each packet
// costs only its own blocks, and fills the integrity half of `job`.
void set_up_integrity(const SaParams& p, IMB_MGR* mgr, SaKeys& keys, JobTemplate& job) {
  if (p.integrity == EspIntegrity::none) return;
  std::array<uint8_t, kHmacBlockLen> inner{};
  std::array<uint8_t, kHmacBlockLen> outer{};
  for (size_t k = 0; k < kHmacBlockLen; ++k) {
    const uint8_t key_byte = k < p.auth_key_len ? p.auth_key[k] : 0;
    inner[k] = key_byte ^ 0x36;
    outer[k] = key_byte ^ 0x5c;
  }
  switch (p.integrity) {
    case EspIntegrity::hmac_md5_96:
      IMB_MD5_ONE_BLOCK(mgr, inner.data(), keys.ipad.data());
      IMB_MD5_ONE_BLOCK(mgr, outer.data(), keys.opad.data());
      job.hash_alg = IMB_AUTH_MD5;
      break;
    case EspIntegrity::hmac_sha1_96:
      IMB_SHA1_ONE_BLOCK(mgr, inner.data(), keys.ipad.data());
      IMB_SHA1_ONE_BLOCK(mgr, outer.data(), keys.opad.data());
      job.hash_alg = IMB_AUTH_HMAC_SHA_1;
      break;
    case EspIntegrity::hmac_sha256_128:
      IMB_SHA256_ONE_BLOCK(mgr, inner.data(), keys.ipad.data());
      IMB_SHA256_ONE_BLOCK(mgr, outer.data(), keys.opad.data());
      job.hash_alg = IMB_AUTH_HMAC_SHA_256;
      break;
    case EspIntegrity::none:
      break;
  }
  sodium_memzero(inner.data(), inner.size());
  sodium_memzero(outer.data(), outer.size());
  job.icv_len = info_of(p.integrity).icv_len;
  job.ipad = keys.ipad.data();
  job.opad = keys.opad.data();
}

LifetimeLimits limits_of(const SaParams& p) {
  LifetimeLimits l;
  if (p.max_bytes != 0) {
    l.hard_bytes = p.max_bytes;
    l.soft_bytes = p.max_bytes - p.max_bytes / 10;
  }
  if (p.max_packets != 0) {
    l.hard_packets = p.max_packets;
    l.soft_packets = p.max_packets - p.max_packets / 10;
  }
  return l;
}

void put_be16(uint8_t* at, uint16_t v) {
  at[0] = static_cast<uint8_t>(v >> 8);
  at[1] = static_cast<uint8_t>(v);
}

void put_be32(uint8_t* at, uint32_t v) {
  put_be16(at, static_cast<uint16_t>(v >> 16));
  put_be16(at + 2, static_cast<uint16_t>(v));
}

// The outer IPv4 (+ UDP) header with every per-packet field zero: total
// length, ID, TOS, DF, checksum and UDP length are filled per packet.
void build_outer_template(const SaParams& p, OutboundSa& sa) {
  uint8_t* h = sa.outer_template.data();
  h[0] = 0x45;
  h[8] = kOuterTtl;
  h[9] = p.udp_encap ? kProtoUdp : kProtoEsp;
  put_be32(h + 12, p.tunnel_src.value);
  put_be32(h + 16, p.tunnel_dst.value);
  if (p.udp_encap) {
    put_be16(h + 20, p.udp_src_port);
    put_be16(h + 22, p.udp_dst_port);
    // UDP checksum stays 0: RFC 3948 §2.1 allows it for ESP-in-UDP over IPv4.
  }
  // Sum of the 16-bit words that never change: version/IHL, TTL/protocol,
  // source and destination. The packet path adds the variable words.
  uint32_t sum = 0;
  for (size_t off : {size_t{0}, size_t{8}, size_t{12}, size_t{14}, size_t{16}, size_t{18}})
    sum += static_cast<uint32_t>(h[off] << 8 | h[off + 1]);
  sa.csum_base = sum;
  sa.outer_len = static_cast<uint8_t>(kIpv4HeaderLen + (p.udp_encap ? kUdpHeaderLen : 0));
  sa.header_len = static_cast<uint8_t>(sa.outer_len + kEspHeaderLen + sa.job.iv_len);
  sa.udp_encap = p.udp_encap;
}

SelectorPrefix prefix_of(const Cidr& c) {
  const uint32_t mask = c.mask();
  return {c.addr.value & mask, mask};
}

bool check_params(const SaParams& p, SaDirection want, std::string* error) {
  if (p.direction != want) {
    *error = want == SaDirection::inbound ? "direction: not an inbound SA"
                                          : "direction: not an outbound SA";
    return false;
  }
  if (auto e = validate_sa_params(p)) {
    *error = e->field + ": " + e->message;
    return false;
  }
  if (sodium_init() < 0) {
    *error = "libsodium failed to initialise";
    return false;
  }
  return true;
}

}  // namespace

OutboundSa::~OutboundSa() { sodium_memzero(&keys, sizeof keys); }
InboundSa::~InboundSa() { sodium_memzero(&keys, sizeof keys); }

bool InboundSa::selectors_match(uint32_t inner_src, uint32_t inner_dst) const noexcept {
  bool dst_ok = false;
  for (uint8_t k = 0; k < local_count && !dst_ok; ++k) dst_ok = local[k].contains(inner_dst);
  if (!dst_ok) return false;
  for (uint8_t k = 0; k < peer_count; ++k)
    if (peer[k].contains(inner_src)) return true;
  return false;
}

std::unique_ptr<OutboundSa> make_outbound_sa(const SaParams& p, const ImbManager& key_mgr,
                                             std::string* error) {
  if (!check_params(p, SaDirection::outbound, error)) return nullptr;
  auto sa = std::make_unique<OutboundSa>();
  set_up_cipher(p, key_mgr.get(), sa->keys, sa->job);
  set_up_integrity(p, key_mgr.get(), sa->keys, sa->job);
  sa->job.esn = p.esn;
  sa->spi_be = rte_cpu_to_be_32(p.spi);
  sa->sa_id = p.sa_id;
  build_outer_template(p, *sa);
  randombytes_buf(&sa->id_salt, sizeof sa->id_salt);
  // A random start makes a GCM IV repeat across re-installs of one static
  // key (after a restart) as unlikely as two random 64-bit ranges meeting.
  randombytes_buf(&sa->gcm_iv_base, sizeof sa->gcm_iv_base);
  sa->max_seq = p.esn ? UINT64_MAX : UINT32_MAX;
  sa->seq.store(p.start_seq, std::memory_order_relaxed);
  sa->limits = limits_of(p);
  return sa;
}

std::unique_ptr<InboundSa> make_inbound_sa(const SaParams& p, const ImbManager& key_mgr,
                                           std::string* error) {
  if (!check_params(p, SaDirection::inbound, error)) return nullptr;
  auto sa = std::make_unique<InboundSa>();
  set_up_cipher(p, key_mgr.get(), sa->keys, sa->job);
  set_up_integrity(p, key_mgr.get(), sa->keys, sa->job);
  sa->job.esn = p.esn;
  sa->spi_be = rte_cpu_to_be_32(p.spi);
  sa->sa_id = p.sa_id;
  sa->replay.reset(p.replay_window, p.esn, p.start_seq);
  sa->replay_check = p.replay_window != 0 || p.esn;
  sa->limits = limits_of(p);
  sa->local_count = p.local_count;
  sa->peer_count = p.peer_count;
  for (size_t k = 0; k < p.local_count; ++k) sa->local[k] = prefix_of(p.local[k]);
  for (size_t k = 0; k < p.peer_count; ++k) sa->peer[k] = prefix_of(p.peer[k]);
  return sa;
}

}  // namespace vpngw::dataplane
