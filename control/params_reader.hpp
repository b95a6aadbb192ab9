// Typed access to a request's "params" object. Every getter leaves its output
// untouched when the key is absent, and returns an error naming the full field
// path ("ike.dh_group", "spd[1].peers[0]") when the value has the wrong type
// or spelling. Semantic rules live in resource_rules.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/net.hpp"
#include "control/api_error.hpp"
#include "control/model_json.hpp"
#include "control/policy.hpp"

namespace vpngw {

class ParamsReader {
 public:
  // params must be an object (checked by the caller); prefix is the path of
  // this object within the request ("" at the top, "ike." for a nested one).
  ParamsReader(const Json& params, std::string prefix) : p_(params), prefix_(std::move(prefix)) {}

  bool has(const char* key) const { return p_.contains(key) && !p_.at(key).is_null(); }
  std::string field(const char* key) const { return prefix_ + key; }

  Status require(const char* key) const;
  Status get(const char* key, std::string& out) const;
  Status get(const char* key, bool& out) const;
  Status get_uint(const char* key, uint64_t& out, uint64_t max) const;
  Status get(const char* key, uint32_t& out) const;
  Status get(const char* key, Ipv4Addr& out) const;
  Status get(const char* key, Cidr& out) const;
  Status get(const char* key, std::vector<Cidr>& out) const;
  Status get_dh(const char* key, DhGroup& out, bool allow_disable) const;

  template <typename E, size_t N>
  Status get_enum(const char* key, const std::array<EnumName<E>, N>& table, E& out) const {
    if (!has(key)) return std::nullopt;
    const Json& v = p_.at(key);
    if (!v.is_string()) return invalid(field(key), "must be a string, one of " + enum_choices(table));
    auto parsed = enum_parse(table, v.get<std::string>());
    if (!parsed)
      return invalid(field(key), "'" + v.get<std::string>() + "' is not one of " + enum_choices(table));
    out = *parsed;
    return std::nullopt;
  }

  // A nested object ("ike", "ipsec", "dpd"): error if present and not an object.
  Status object(const char* key, const Json** out) const;

 private:
  const Json& p_;
  std::string prefix_;
};

// Parses "a.b.c.d/n" for a field, naming the rule it breaks.
Result<Cidr> parse_cidr_field(const Json& v, const std::string& field);

}  // namespace vpngw
