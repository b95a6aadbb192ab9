#include "control/cli/text_table.hpp"

#include <algorithm>

namespace vpngw::cli {
namespace {

void append_padded(std::string& out, const std::string& cell, size_t width) {
  out += cell;
  out.append(width - std::min(width, display_width(cell)), ' ');
}

void append_row(std::string& out, const std::vector<std::string>& cells,
                const std::vector<size_t>& widths) {
  std::string line;
  for (size_t i = 0; i < widths.size(); ++i) {
    const std::string empty;
    const std::string& cell = i < cells.size() ? cells[i] : empty;
    if (i + 1 == widths.size()) {
      line += cell;
    } else {
      append_padded(line, cell, widths[i]);
      line += "  ";
    }
  }
  // A short last cell would otherwise leave the padding of the columns before it.
  line.erase(line.find_last_not_of(' ') + 1);
  out += line;
  out += '\n';
}

}  // namespace

size_t display_width(const std::string& text) {
  // Count bytes that are not UTF-8 continuation bytes (10xxxxxx).
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string render_table(const std::vector<std::string>& headers,
                         const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& header : headers) widths.push_back(display_width(header));
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], display_width(row[i]));

  std::string out;
  append_row(out, headers, widths);
  for (const auto& row : rows) append_row(out, row, widths);
  return out;
}

std::string render_key_values(const std::vector<KeyValue>& entries) {
  size_t key_width = 0;
  for (const auto& entry : entries) key_width = std::max(key_width, display_width(entry.key));

  std::string out;
  for (const auto& entry : entries) {
    std::string line;
    append_padded(line, entry.key, key_width);
    line += "  ";
    line += entry.value;
    line.erase(line.find_last_not_of(' ') + 1);
    out += line;
    out += '\n';
  }
  return out;
}

}  // namespace vpngw::cli
