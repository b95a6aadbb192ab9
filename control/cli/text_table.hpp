// Plain-text layouts for a terminal: an aligned table and a two-column
// key/value listing. Pure string functions; what goes in them is decided by
// output_format.hpp.
#pragma once

#include <string>
#include <vector>

namespace vpngw::cli {

// Each column as wide as its widest cell (header included), columns separated
// by two spaces, no trailing blanks; one '\n'-terminated line per row.
std::string render_table(const std::vector<std::string>& headers,
                         const std::vector<std::vector<std::string>>& rows);

struct KeyValue {
  std::string key;  // empty for a continuation line of the key above
  std::string value;
};

// Keys padded to the widest key plus two spaces; one line per entry.
std::string render_key_values(const std::vector<KeyValue>& entries);

// Width on a terminal: UTF-8 code points (names are ASCII, but a daemon
// message may not be).
size_t display_width(const std::string& text);

}  // namespace vpngw::cli
