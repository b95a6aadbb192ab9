// The only checks vpngwctl makes on flag values: that they have the shape
// their JSON type needs. Everything else is validated by the daemon.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vpngw::cli {

// A whole decimal integer, optionally signed; nullopt for anything else
// (including trailing text and values outside int64).
std::optional<int64_t> parse_integer(std::string_view text);

// "true" or "false"; an empty value is a bare flag and means true.
std::optional<bool> parse_boolean(std::string_view text);

struct SpdRuleText {
  std::string local;
  std::vector<std::string> peers;
};

// "LOCAL=PEER[,PEER...]", blanks around items ignored; nullopt when the
// shape is wrong (no '=', more than one, an empty side or an empty peer).
std::optional<SpdRuleText> parse_spd_rule(std::string_view text);

}  // namespace vpngw::cli
