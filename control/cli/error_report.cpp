#include "control/cli/error_report.hpp"

#include <optional>
#include <vector>

#include "control/cli/flag_syntax.hpp"
#include "control/cli/flag_table.hpp"

namespace vpngw::cli {
namespace {

struct PathSegment {
  std::string name;             // "spd"
  std::optional<int64_t> index;  // 1 for "spd[1]"
};

std::vector<PathSegment> split_field(std::string_view field) {
  std::vector<PathSegment> segments;
  while (!field.empty()) {
    const auto dot = field.find('.');
    std::string_view part = field.substr(0, dot);
    PathSegment segment;
    const auto bracket = part.find('[');
    if (bracket != std::string_view::npos && part.back() == ']')
      segment.index = parse_integer(part.substr(bracket + 1, part.size() - bracket - 2));
    segment.name = std::string(part.substr(0, bracket));
    segments.push_back(std::move(segment));
    if (dot == std::string_view::npos) break;
    field = field.substr(dot + 1);
  }
  return segments;
}

}  // namespace

std::string flag_for_field(std::string_view field) {
  if (field == "id") return "ID";
  const auto segments = split_field(field);
  // The longest leading part of the path that a flag fills: "spd[1].local"
  // is not a flag, "spd" is (--spd).
  for (size_t count = segments.size(); count > 0; --count) {
    std::string param;
    for (size_t i = 0; i < count; ++i) {
      if (i > 0) param += '.';
      param += segments[i].name;
    }
    const FlagSpec* flag = find_flag_for_param(param);
    if (flag == nullptr) continue;
    const auto& index = segments[0].index;
    if (is_repeatable(flag->kind) && index && *index >= 0)
      return std::string(flag->name) + " #" + std::to_string(*index + 1);
    return std::string(flag->name);
  }
  return {};
}

std::string format_api_error(std::string_view code, std::string_view field,
                             std::string_view message) {
  std::string line = "error: " + std::string(code) + ": ";
  if (!field.empty()) line += std::string(field) + ": ";
  line += message;
  const auto flag = flag_for_field(field);
  if (flag.starts_with("--"))
    line += " (flag " + flag + ")";
  else if (!flag.empty())
    line += " (argument " + flag + ")";
  return line;
}

std::string format_usage_error(const UsageError& error) {
  if (error.flag.empty()) return "error: " + error.message;
  return "error: " + error.flag + ": " + error.message;
}

}  // namespace vpngw::cli
