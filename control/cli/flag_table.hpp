// Every flag vpngwctl accepts, and the API param it fills. One table serves
// the parser (which flags exist, their help), the request builder (flag ->
// param) and the error report (param in a daemon error -> the flag to fix).
#pragma once

#include <cstdint>
#include <string_view>

namespace vpngw::cli {

// How a flag's text becomes a JSON value. The CLI checks only this syntax;
// every rule about the value itself is the daemon's to enforce.
enum class FlagKind : uint8_t {
  text,       // a JSON string, sent as given
  text_list,  // repeatable; a JSON array of strings
  integer,    // a JSON number
  boolean,    // bare flag means true; or an explicit true/false
  spd_rule,   // repeatable LOCAL=PEER[,PEER...]; a JSON array of {local, peers}
  local,      // read by vpngwctl itself (--output), never sent
};

struct FlagSpec {
  std::string_view name;        // "--ike-dh"
  std::string_view param;       // "ike.dh_group": a dot path into params; empty for local flags
  FlagKind kind;
  std::string_view value_name;  // the placeholder in help: "GROUP"
  std::string_view help;
};

inline bool is_repeatable(FlagKind kind) {
  return kind == FlagKind::text_list || kind == FlagKind::spd_rule;
}

// nullptr when no flag has that name.
const FlagSpec* find_flag(std::string_view name);
// The flag whose param is exactly `param` ("ike.dh_group", "spd"), or nullptr.
const FlagSpec* find_flag_for_param(std::string_view param);

}  // namespace vpngw::cli
