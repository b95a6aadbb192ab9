#include "control/cli/flag_syntax.hpp"

#include <charconv>

namespace vpngw::cli {
namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return s.substr(first, last - first + 1);
}

}  // namespace

std::optional<int64_t> parse_integer(std::string_view text) {
  // from_chars rejects a leading '+'; operators do write "+5" rarely enough
  // that rejecting it as "not an integer" is the clearer behaviour.
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end) return std::nullopt;
  return value;
}

std::optional<bool> parse_boolean(std::string_view text) {
  if (text.empty() || text == "true") return true;
  if (text == "false") return false;
  return std::nullopt;
}

std::optional<SpdRuleText> parse_spd_rule(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || text.find('=', eq + 1) != std::string_view::npos)
    return std::nullopt;
  SpdRuleText rule;
  rule.local = std::string(trim(text.substr(0, eq)));
  if (rule.local.empty()) return std::nullopt;
  std::string_view rest = text.substr(eq + 1);
  while (true) {
    const auto comma = rest.find(',');
    const auto peer = trim(rest.substr(0, comma));
    if (peer.empty()) return std::nullopt;
    rule.peers.emplace_back(peer);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return rule;
}

}  // namespace vpngw::cli
