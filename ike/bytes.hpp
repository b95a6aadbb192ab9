// Byte strings as IKE uses them: owned (Bytes) and borrowed (ByteView).
// Secret material uses crypto/secret_bytes.hpp instead.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace vpngw::ike {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

inline ByteView as_bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

inline void append(Bytes& out, ByteView more) { out.insert(out.end(), more.begin(), more.end()); }

}  // namespace vpngw::ike
