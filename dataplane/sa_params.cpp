#include "dataplane/sa_params.hpp"

#include <span>

#include "dataplane/des_keys.hpp"

namespace vpngw::dataplane {

namespace {

bool known_cipher(EspCipher c) { return static_cast<size_t>(c) < kEspCiphers.size(); }
bool known_integrity(EspIntegrity i) { return static_cast<size_t>(i) < kEspIntegrities.size(); }

SaParamError error(std::string field, std::string message) {
  return {std::move(field), std::move(message)};
}

std::optional<SaParamError> check_algorithms(const SaParams& p) {
  if (!known_cipher(p.cipher)) return error("cipher", "unknown cipher");
  if (!known_integrity(p.integrity)) return error("integrity", "unknown integrity algorithm");
  const EspCipherInfo& c = info_of(p.cipher);
  if (c.aead && p.integrity != EspIntegrity::none)
    return error("integrity",
                 std::string(c.name) + " authenticates by itself: integrity must be none");
  if (!c.aead && p.integrity == EspIntegrity::none)
    return error("integrity", std::string(c.name) + " needs an integrity algorithm");
  return std::nullopt;
}

std::optional<SaParamError> check_keys(const SaParams& p) {
  const EspCipherInfo& c = info_of(p.cipher);
  if (p.cipher_key_len != c.key_len)
    return error("cipher_key", std::string(c.name) + " needs a " + std::to_string(c.key_len) +
                                   "-byte key" + (c.aead ? " (key and 4-byte salt)" : "") +
                                   ", got " + std::to_string(p.cipher_key_len));
  const std::span<const uint8_t> key(p.cipher_key.data(), p.cipher_key_len);
  if (p.cipher == EspCipher::des_cbc || p.cipher == EspCipher::des3_cbc) {
    if (auto why = check_des_key(key)) return error("cipher_key", *why);
  }
  const EspIntegrityInfo& i = info_of(p.integrity);
  if (p.auth_key_len != i.key_len)
    return error("auth_key", std::string(i.name) + " needs a " + std::to_string(i.key_len) +
                                 "-byte key, got " + std::to_string(p.auth_key_len));
  return std::nullopt;
}

std::optional<SaParamError> check_selectors(const SaParams& p) {
  if (p.local_count > kMaxLocalSelectors)
    return error("local", "at most " + std::to_string(kMaxLocalSelectors) + " local selectors");
  if (p.peer_count > kMaxPeerSelectors)
    return error("peer", "at most " + std::to_string(kMaxPeerSelectors) + " peer selectors");
  if (p.direction != SaDirection::inbound) return std::nullopt;
  if (p.local_count == 0) return error("local", "an inbound SA needs at least one local selector");
  if (p.peer_count == 0) return error("peer", "an inbound SA needs at least one peer selector");
  for (size_t k = 0; k < p.local_count; ++k)
    if (p.local[k].len > 32) return error("local", "prefix length must be 0-32");
  for (size_t k = 0; k < p.peer_count; ++k)
    if (p.peer[k].len > 32) return error("peer", "prefix length must be 0-32");
  return std::nullopt;
}

}  // namespace

std::optional<SaParamError> validate_sa_params(const SaParams& p) {
  if (p.direction != SaDirection::inbound && p.direction != SaDirection::outbound)
    return error("direction", "must be inbound or outbound");
  if (p.spi < 256) return error("spi", "must be 256 or more (0-255 are reserved)");
  if (auto e = check_algorithms(p)) return e;
  if (auto e = check_keys(p)) return e;
  // Only outbound SAs write a source address; an inbound SA's peer may be
  // anywhere (0.0.0.0: behind NAT, address unknown), it is found by SPI.
  if (p.direction == SaDirection::outbound && p.tunnel_src.is_unspecified())
    return error("tunnel_src", "must be an address, not 0.0.0.0");
  if (p.tunnel_dst.is_unspecified()) return error("tunnel_dst", "must be an address, not 0.0.0.0");
  if (p.udp_encap && (p.udp_src_port == 0 || p.udp_dst_port == 0))
    return error("udp_port", "UDP encapsulation needs non-zero ports");
  if (p.replay_window != 0 &&
      (p.replay_window < kMinReplayWindow || p.replay_window > kMaxReplayWindow))
    return error("replay_window", "must be 0 (off) or " + std::to_string(kMinReplayWindow) + "-" +
                                      std::to_string(kMaxReplayWindow));
  if (!p.esn && p.start_seq > UINT32_MAX)
    return error("start_seq", "exceeds 32 bits and the SA has no extended sequence numbers");
  return check_selectors(p);
}

}  // namespace vpngw::dataplane
