// A reference ESP tunnel-mode implementation on OpenSSL, written straight
// from RFC 4303/4106/3948 and independent of IPsec-MB. Tests use it to read
// what vpngw sends (including ESN with HMAC, which scapy does not cover) and
// to forge authentic packets that break one rule at a time (padding, next
// header, inner header) for the inbound checks.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "dataplane/sa_params.hpp"
#include "tests/dataplane/packet_builder.hpp"

namespace vpngw::dataplane::test {

struct RefSealSpec {
  uint64_t seq = 1;                   // full number; the low half goes on the wire
  Bytes payload;                      // what is encrypted before the trailer (an inner packet)
  Bytes iv;                           // empty: a fixed test IV of the right size
  std::optional<Bytes> padding;       // default: 1, 2, 3, ... to the block size
  std::optional<uint8_t> pad_length;  // default: the padding's real length
  uint8_t next_header = 4;
};

// Outer IPv4 [+ UDP] + ESP, as a peer with these parameters would send it.
Bytes ref_seal(const SaParams& p, const RefSealSpec& spec);

struct RefOpened {
  bool icv_ok = false;
  uint32_t spi = 0;
  uint32_t seq_low = 0;
  Bytes iv;
  Bytes plaintext;  // payload + padding + pad length + next header
  Bytes payload() const { return Bytes(plaintext.begin(), plaintext.end() - 2 - pad_length()); }
  uint8_t pad_length() const { return plaintext[plaintext.size() - 2]; }
  uint8_t next_header() const { return plaintext.back(); }
};

// Parses and decrypts an outer IPv4 [+ UDP] ESP packet; `seq_high` is the
// ESN high half to authenticate with. nullopt if it cannot be parsed.
std::optional<RefOpened> ref_open(const SaParams& p, std::span<const uint8_t> packet,
                                  uint32_t seq_high = 0);

}  // namespace vpngw::dataplane::test
