#include "control/static_sa.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "control/params_reader.hpp"

namespace vpngw {

namespace {

// "0a1b..." or "0x0a1b..." into bytes; nullopt on anything else.
std::optional<std::vector<uint8_t>> parse_hex(std::string_view text) {
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) text.remove_prefix(2);
  if (text.size() % 2 != 0) return std::nullopt;
  std::vector<uint8_t> out;
  for (size_t i = 0; i < text.size(); i += 2) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return out;
}

dataplane::EspCipher esp_cipher(Cipher c) {
  switch (c) {
    case Cipher::des: return dataplane::EspCipher::des_cbc;
    case Cipher::des3: return dataplane::EspCipher::des3_cbc;
    case Cipher::aes128: return dataplane::EspCipher::aes128_cbc;
    case Cipher::aes192: return dataplane::EspCipher::aes192_cbc;
    case Cipher::aes256: return dataplane::EspCipher::aes256_cbc;
    case Cipher::aes128gcm: return dataplane::EspCipher::aes128_gcm;
    case Cipher::aes256gcm: return dataplane::EspCipher::aes256_gcm;
  }
  return dataplane::EspCipher::aes128_cbc;
}

// The dataplane's field names, in the API's words.
std::string api_field(const std::string& dp_field) {
  if (dp_field == "cipher_key") return "enc_key";
  if (dp_field == "cipher") return "encryption";
  return dp_field;
}

}  // namespace

Status apply_static_sa_params(const Json& p, StaticSa& sa, const RefResolver& resolve) {
  for (const auto& [key, value] : p.items()) {
    static constexpr std::array<std::string_view, 9> known{"tunnel",   "direction", "spi",
                                                           "encryption", "integrity", "enc_key",
                                                           "auth_key", "udp_encap", "replay_window"};
    if (std::find(known.begin(), known.end(), key) == known.end()) return invalid(key, "unknown parameter");
  }
  ParamsReader r(p, "");
  for (const char* key : {"tunnel", "direction", "spi", "encryption", "enc_key"})
    if (auto err = r.require(key)) return err;
  if (!p.at("tunnel").is_string()) return invalid("tunnel", "must be an ID or a name");
  auto tunnel = resolve(ResourceKind::tunnel, p.at("tunnel").get<std::string>(), "tunnel");
  if (!tunnel) return tunnel.error();
  sa.tunnel_id = *tunnel;
  std::string direction;
  if (auto err = r.get("direction", direction)) return err;
  if (direction != "in" && direction != "out") return invalid("direction", "must be in or out");
  sa.inbound = direction == "in";
  // SPIs are often written in hex: accept "0x1000" as well as 4096.
  const Json& spi = p.at("spi");
  if (spi.is_string()) {
    const std::string text = spi.get<std::string>();
    const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    errno = 0;
    char* end = nullptr;
    const unsigned long long v = std::strtoull(text.c_str(), &end, hex ? 16 : 10);
    if (text.empty() || !std::isxdigit(static_cast<unsigned char>(text.back())) || *end != '\0' ||
        errno != 0 || v > UINT32_MAX || text[0] == '-' || text[0] == '+' || text[0] == ' ')
      return invalid("spi", "must be a 32-bit number, decimal or 0x-prefixed hex");
    sa.spi = static_cast<uint32_t>(v);
  } else if (auto err = r.get("spi", sa.spi)) {
    return err;
  }
  if (auto err = r.get_enum("encryption", kCipherNames, sa.encryption)) return err;
  std::string integrity = is_aead(sa.encryption) ? "none" : "sha1";
  if (auto err = r.get("integrity", integrity)) return err;
  if (integrity == "none") {
    sa.integrity.reset();
  } else {
    auto parsed = enum_parse(kIntegrityNames, integrity);
    if (!parsed || *parsed == Integrity::sha384 || *parsed == Integrity::sha512)
      return invalid("integrity", "'" + integrity + "' is not one of md5, sha1, sha256, none");
    sa.integrity = *parsed;
  }
  if (auto err = r.get("enc_key", sa.enc_key)) return err;
  if (auto err = r.get("auth_key", sa.auth_key)) return err;
  if (auto err = r.get("udp_encap", sa.udp_encap)) return err;
  if (p.contains("replay_window")) {
    if (!sa.inbound) return invalid("replay_window", "only inbound SAs have an anti-replay window");
    if (auto err = r.get("replay_window", sa.replay_window)) return err;
    if (sa.replay_window != 0 && (sa.replay_window < dataplane::kMinReplayWindow ||
                                  sa.replay_window > dataplane::kMaxReplayWindow))
      return invalid("replay_window", "must be 0 (anti-replay off) or " +
                                          std::to_string(dataplane::kMinReplayWindow) + "-" +
                                          std::to_string(dataplane::kMaxReplayWindow));
  }
  if (!parse_hex(sa.enc_key)) return invalid("enc_key", "must be hex digits (an even number of them)");
  if (!parse_hex(sa.auth_key)) return invalid("auth_key", "must be hex digits (an even number of them)");
  return std::nullopt;
}

Result<dataplane::SaParams> to_sa_params(const StaticSa& sa, const Tunnel& tunnel, const VpnGateway& gw,
                                         const CustomerGateway& cgw) {
  dataplane::SaParams p;
  p.direction = sa.inbound ? dataplane::SaDirection::inbound : dataplane::SaDirection::outbound;
  p.spi = sa.spi;
  p.cipher = esp_cipher(sa.encryption);
  p.integrity = !sa.integrity                       ? dataplane::EspIntegrity::none
                : *sa.integrity == Integrity::md5   ? dataplane::EspIntegrity::hmac_md5_96
                : *sa.integrity == Integrity::sha1  ? dataplane::EspIntegrity::hmac_sha1_96
                                                    : dataplane::EspIntegrity::hmac_sha256_128;
  auto enc = parse_hex(sa.enc_key);
  auto auth = parse_hex(sa.auth_key);
  if (!enc || enc->size() > p.cipher_key.size())
    return invalid("enc_key", "must be " + std::to_string(dataplane::info_of(p.cipher).key_len) + " bytes of hex for " +
                                  std::string(name_of(sa.encryption)));
  if (!auth || auth->size() > p.auth_key.size())
    return invalid("auth_key", "must be " + std::to_string(dataplane::info_of(p.integrity).key_len) + " bytes of hex");
  std::copy(enc->begin(), enc->end(), p.cipher_key.begin());
  std::copy(auth->begin(), auth->end(), p.auth_key.begin());
  p.cipher_key_len = static_cast<uint8_t>(enc->size());
  p.auth_key_len = static_cast<uint8_t>(auth->size());
  p.tunnel_src = sa.inbound ? cgw.public_ip : gw.public_ip;
  p.tunnel_dst = sa.inbound ? gw.public_ip : cgw.public_ip;
  p.udp_encap = sa.udp_encap;
  if (sa.inbound) p.replay_window = sa.replay_window;
  for (const auto& rule : tunnel.spd) {
    if (p.local_count < p.local.size()) p.local[p.local_count++] = rule.local;
    for (const auto& peer : rule.peers)
      if (p.peer_count < p.peer.size()) p.peer[p.peer_count++] = peer;
  }
  if (auto err = dataplane::validate_sa_params(p)) {
    if (err->field == "tunnel_dst")
      return invalid("tunnel", "an outbound SA needs the customer gateway's address; this one is 0.0.0.0 (any)");
    return invalid(api_field(err->field), err->message);
  }
  return p;
}

Status check_static_sa(const StaticSa& sa, const ResourceSnapshot& state) {
  auto tunnel = std::find_if(state.tunnels.begin(), state.tunnels.end(),
                             [&](const Tunnel& t) { return t.id == sa.tunnel_id; });
  if (tunnel == state.tunnels.end()) return ApiError{ErrorCode::ResourceNotFound, "tunnel", "no tunnel " + sa.tunnel_id};
  auto gw = std::find_if(state.gateways.begin(), state.gateways.end(),
                         [&](const VpnGateway& g) { return g.id == tunnel->gateway_id; });
  auto cgw = std::find_if(state.customer_gateways.begin(), state.customer_gateways.end(),
                          [&](const CustomerGateway& c) { return c.id == tunnel->customer_gateway_id; });
  if (gw == state.gateways.end() || cgw == state.customer_gateways.end())
    return ApiError{ErrorCode::InternalError, "tunnel", "tunnel references a missing gateway"};
  auto params = to_sa_params(sa, *tunnel, *gw, *cgw);
  if (!params) return params.error();
  for (const auto& other : state.static_sas) {
    if (other.id == sa.id || other.inbound != sa.inbound) continue;
    auto ot = std::find_if(state.tunnels.begin(), state.tunnels.end(),
                           [&](const Tunnel& t) { return t.id == other.tunnel_id; });
    if (ot == state.tunnels.end()) continue;
    // Inbound SAs are found by SPI on the gateway's address.
    if (sa.inbound && other.spi == sa.spi && ot->gateway_id == tunnel->gateway_id)
      return ApiError{ErrorCode::ResourceInUse, "spi",
                      "inbound SPI " + std::to_string(sa.spi) + " is already used by " + other.id + " on this VPN gateway"};
    // A tunnel sends with one SA at a time.
    if (!sa.inbound && other.tunnel_id == sa.tunnel_id)
      return ApiError{ErrorCode::ResourceInUse, "direction",
                      "tunnel " + sa.tunnel_id + " already has the outbound SA " + other.id + "; delete it first"};
  }
  return std::nullopt;
}

}  // namespace vpngw
