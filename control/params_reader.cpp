#include "control/params_reader.hpp"

namespace vpngw {

Result<Cidr> parse_cidr_field(const Json& v, const std::string& field) {
  if (!v.is_string()) return invalid(field, "must be a CIDR string such as 10.0.0.0/24");
  const auto text = v.get<std::string>();
  bool host_bits = false;
  auto c = Cidr::parse_any(text, &host_bits);
  if (!c) return invalid(field, "'" + text + "' is not a CIDR such as 10.0.0.0/24");
  if (host_bits)
    return invalid(field, "'" + text + "' has host bits set; did you mean " + c->first().str() +
                              "/" + std::to_string(c->len) + "?");
  return *c;
}

Status ParamsReader::require(const char* key) const {
  if (has(key)) return std::nullopt;
  return ApiError{ErrorCode::MissingParameter, field(key), "is required"};
}

Status ParamsReader::get(const char* key, std::string& out) const {
  if (!has(key)) return std::nullopt;
  const Json& v = p_.at(key);
  if (!v.is_string()) return invalid(field(key), "must be a string");
  out = v.get<std::string>();
  return std::nullopt;
}

Status ParamsReader::get(const char* key, bool& out) const {
  if (!has(key)) return std::nullopt;
  const Json& v = p_.at(key);
  if (!v.is_boolean()) return invalid(field(key), "must be true or false");
  out = v.get<bool>();
  return std::nullopt;
}

Status ParamsReader::get_uint(const char* key, uint64_t& out, uint64_t max) const {
  if (!has(key)) return std::nullopt;
  const Json& v = p_.at(key);
  // JSON parsers store small non-negative numbers as signed or unsigned.
  if (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() < 0)
    return invalid(field(key), "must not be negative");
  if (v.is_number_integer()) {
    uint64_t n = v.get<uint64_t>();
    if (n > max) return invalid(field(key), "must be at most " + std::to_string(max));
    out = n;
    return std::nullopt;
  }
  return invalid(field(key), "must be a whole number");
}

Status ParamsReader::get(const char* key, uint32_t& out) const {
  uint64_t n = out;
  if (auto err = get_uint(key, n, UINT32_MAX)) return err;
  out = static_cast<uint32_t>(n);
  return std::nullopt;
}

Status ParamsReader::get(const char* key, Ipv4Addr& out) const {
  if (!has(key)) return std::nullopt;
  const Json& v = p_.at(key);
  auto a = v.is_string() ? Ipv4Addr::parse(v.get<std::string>()) : std::nullopt;
  if (!a) return invalid(field(key), "must be an IPv4 address such as 198.51.100.1");
  out = *a;
  return std::nullopt;
}

Status ParamsReader::get(const char* key, Cidr& out) const {
  if (!has(key)) return std::nullopt;
  auto c = parse_cidr_field(p_.at(key), field(key));
  if (!c) return c.error();
  out = *c;
  return std::nullopt;
}

Status ParamsReader::get(const char* key, std::vector<Cidr>& out) const {
  if (!has(key)) return std::nullopt;
  const Json& v = p_.at(key);
  if (!v.is_array()) return invalid(field(key), "must be an array of CIDR strings");
  std::vector<Cidr> list;
  for (size_t i = 0; i < v.size(); ++i) {
    auto c = parse_cidr_field(v[i], field(key) + "[" + std::to_string(i) + "]");
    if (!c) return c.error();
    list.push_back(*c);
  }
  out = std::move(list);
  return std::nullopt;
}

Status ParamsReader::get_dh(const char* key, DhGroup& out, bool allow_disable) const {
  if (!has(key)) return std::nullopt;
  const Json& v = p_.at(key);
  std::string text;
  if (v.is_number_integer())
    text = std::to_string(v.get<int64_t>());
  else if (v.is_string())
    text = v.get<std::string>();
  const std::string choices = allow_disable ? "disable, 1, 2, 5, 14, 24, 19, 20, 21, 31"
                                            : "1, 2, 5, 14, 24, 19, 20, 21, 31";
  auto g = enum_parse(kDhGroupNames, text);
  if (!g || (!allow_disable && *g == DhGroup::none))
    return invalid(field(key), "'" + (text.empty() ? v.dump() : text) + "' is not one of " + choices);
  out = *g;
  return std::nullopt;
}

Status ParamsReader::object(const char* key, const Json** out) const {
  *out = nullptr;
  if (!has(key)) return std::nullopt;
  const Json& v = p_.at(key);
  if (!v.is_object()) return invalid(field(key), "must be an object");
  *out = &v;
  return std::nullopt;
}

}  // namespace vpngw
