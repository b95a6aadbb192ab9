// IKE and IPsec policy vocabulary: the lower-case words of PRODUCT.md and
// their enums. One table per enum is the single source of the spelling used
// by the API, the CLI, the store and the peer-config renderers.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vpngw {

enum class IkeVersion : uint8_t { ikev1, ikev2 };
enum class IkeMode : uint8_t { main, aggressive };
enum class Cipher : uint8_t { des, des3, aes128, aes192, aes256, aes128gcm, aes256gcm };
enum class Integrity : uint8_t { md5, sha1, sha256, sha384, sha512 };
// DH groups by IANA number; 0 stands for "PFS disabled" in the IPsec policy.
enum class DhGroup : uint8_t {
  none = 0, modp768 = 1, modp1024 = 2, modp1536 = 5, modp2048 = 14, modp2048s256 = 24,
  ecp256 = 19, ecp384 = 20, ecp521 = 21, curve25519 = 31,
};
enum class DpdAction : uint8_t { clear, hold, restart };
enum class StartAction : uint8_t { start, trap, respond };

template <typename E>
struct EnumName {
  E value;
  std::string_view name;
};

inline constexpr std::array<EnumName<IkeVersion>, 2> kIkeVersionNames{{
    {IkeVersion::ikev1, "ikev1"}, {IkeVersion::ikev2, "ikev2"}}};
inline constexpr std::array<EnumName<IkeMode>, 2> kIkeModeNames{{
    {IkeMode::main, "main"}, {IkeMode::aggressive, "aggressive"}}};
inline constexpr std::array<EnumName<Cipher>, 7> kCipherNames{{
    {Cipher::des, "des"}, {Cipher::des3, "3des"}, {Cipher::aes128, "aes128"},
    {Cipher::aes192, "aes192"}, {Cipher::aes256, "aes256"},
    {Cipher::aes128gcm, "aes128gcm"}, {Cipher::aes256gcm, "aes256gcm"}}};
inline constexpr std::array<EnumName<Integrity>, 5> kIntegrityNames{{
    {Integrity::md5, "md5"}, {Integrity::sha1, "sha1"}, {Integrity::sha256, "sha256"},
    {Integrity::sha384, "sha384"}, {Integrity::sha512, "sha512"}}};
// DH groups are spelled by number ("2", "14"); PFS additionally accepts "disable".
inline constexpr std::array<EnumName<DhGroup>, 10> kDhGroupNames{{
    {DhGroup::none, "disable"}, {DhGroup::modp768, "1"}, {DhGroup::modp1024, "2"},
    {DhGroup::modp1536, "5"}, {DhGroup::modp2048, "14"}, {DhGroup::modp2048s256, "24"},
    {DhGroup::ecp256, "19"}, {DhGroup::ecp384, "20"}, {DhGroup::ecp521, "21"},
    {DhGroup::curve25519, "31"}}};
inline constexpr std::array<EnumName<DpdAction>, 3> kDpdActionNames{{
    {DpdAction::clear, "clear"}, {DpdAction::hold, "hold"}, {DpdAction::restart, "restart"}}};
inline constexpr std::array<EnumName<StartAction>, 3> kStartActionNames{{
    {StartAction::start, "start"}, {StartAction::trap, "trap"},
    {StartAction::respond, "respond"}}};

template <typename E, size_t N>
constexpr std::string_view enum_name(const std::array<EnumName<E>, N>& table, E value) {
  for (const auto& e : table)
    if (e.value == value) return e.name;
  return "?";
}

template <typename E, size_t N>
constexpr std::optional<E> enum_parse(const std::array<EnumName<E>, N>& table,
                                      std::string_view name) {
  for (const auto& e : table)
    if (e.name == name) return e.value;
  return std::nullopt;
}

// "a, b, c" of a table's names, for error messages.
template <typename E, size_t N>
std::string enum_choices(const std::array<EnumName<E>, N>& table) {
  std::string out;
  for (const auto& e : table) {
    if (!out.empty()) out += ", ";
    out += e.name;
  }
  return out;
}

inline std::string_view name_of(IkeVersion v) { return enum_name(kIkeVersionNames, v); }
inline std::string_view name_of(IkeMode v) { return enum_name(kIkeModeNames, v); }
inline std::string_view name_of(Cipher v) { return enum_name(kCipherNames, v); }
inline std::string_view name_of(Integrity v) { return enum_name(kIntegrityNames, v); }
inline std::string_view name_of(DhGroup v) { return enum_name(kDhGroupNames, v); }
inline std::string_view name_of(DpdAction v) { return enum_name(kDpdActionNames, v); }
inline std::string_view name_of(StartAction v) { return enum_name(kStartActionNames, v); }

inline bool is_aead(Cipher c) { return c == Cipher::aes128gcm || c == Cipher::aes256gcm; }
inline int dh_group_number(DhGroup g) { return static_cast<int>(g); }

}  // namespace vpngw
