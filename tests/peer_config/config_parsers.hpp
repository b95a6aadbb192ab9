// Just enough parsing of the rendered forms for tests to assert on values in
// their place (this key of this child) rather than on loose substrings.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace vpngw::peer_test {

// Non-empty lines, leading and trailing blanks removed.
std::vector<std::string> trimmed_lines(std::string_view text);

// swanctl.conf / strongswan.conf syntax flattened to dotted keys:
// {"connections.c1.children.c1-1.local_ts": "192.0.2.0/24", ...}. Fails the
// current test on unbalanced braces or a line it cannot read.
std::map<std::string, std::string> parse_swanctl(std::string_view text);

// ipsec.conf: conn name -> keyword -> value.
std::map<std::string, std::map<std::string, std::string>> parse_ipsec_conf(std::string_view text);

// Cisco-style blocks (also Huawei VRP and H3C Comware): a line starting in
// column 0 and the indented lines under it, comment lines dropped. Keyed by
// the head line.
std::map<std::string, std::vector<std::string>> parse_ios_blocks(std::string_view text,
                                                                 char comment = '!');

// FortiOS `config X` / `edit "N"` / `set ...` / `next` / `end`: the set lines
// of every edit, keyed "X/N" (quotes dropped). Repeated `edit 0` entries
// (FortiOS's "next free index") share one key.
std::map<std::string, std::vector<std::string>> parse_fortios_edits(std::string_view text);

}  // namespace vpngw::peer_test
