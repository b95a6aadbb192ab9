#include "tests/peer_config/config_parsers.hpp"

#include <gtest/gtest.h>

namespace vpngw::peer_test {

namespace {

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> raw_lines(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    out.emplace_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

}  // namespace

std::vector<std::string> trimmed_lines(std::string_view text) {
  std::vector<std::string> out;
  for (const std::string& line : raw_lines(text)) {
    std::string t = trim(line);
    if (!t.empty()) out.push_back(t);
  }
  return out;
}

std::map<std::string, std::string> parse_swanctl(std::string_view text) {
  std::map<std::string, std::string> out;
  std::vector<std::string> path;
  for (const std::string& raw : raw_lines(text)) {
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    auto joined = [&path](const std::string& last) {
      std::string key;
      for (const std::string& p : path) key += p + ".";
      return key + last;
    };
    if (line.back() == '{') {
      path.push_back(trim(line.substr(0, line.size() - 1)));
    } else if (line == "}") {
      if (path.empty()) {
        ADD_FAILURE() << "unbalanced '}' in:\n" << text;
        return out;
      }
      path.pop_back();
    } else if (size_t eq = line.find('='); eq != std::string::npos) {
      out[joined(trim(line.substr(0, eq)))] = trim(line.substr(eq + 1));
    } else {
      ADD_FAILURE() << "unreadable line '" << line << "'";
    }
  }
  if (!path.empty()) ADD_FAILURE() << "unclosed section " << path.back();
  return out;
}

std::map<std::string, std::map<std::string, std::string>> parse_ipsec_conf(
    std::string_view text) {
  std::map<std::string, std::map<std::string, std::string>> out;
  std::string conn;
  for (const std::string& raw : raw_lines(text)) {
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    if (raw.rfind("conn ", 0) == 0) {
      conn = trim(line.substr(5));
      out[conn];
      continue;
    }
    size_t eq = line.find('=');
    if (conn.empty() || eq == std::string::npos || raw[0] != ' ') {
      ADD_FAILURE() << "unreadable ipsec.conf line '" << raw << "'";
      continue;
    }
    out[conn][line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

std::map<std::string, std::vector<std::string>> parse_ios_blocks(std::string_view text,
                                                                 char comment) {
  std::map<std::string, std::vector<std::string>> out;
  std::string head;
  for (const std::string& raw : raw_lines(text)) {
    std::string line = trim(raw);
    if (line.empty() || line[0] == comment) continue;
    if (raw[0] != ' ') {
      head = line;
      out[head];
    } else if (!head.empty()) {
      out[head].push_back(line);
    }
  }
  return out;
}

std::map<std::string, std::vector<std::string>> parse_fortios_edits(std::string_view text) {
  std::map<std::string, std::vector<std::string>> out;
  std::string section, edit;
  for (const std::string& raw : raw_lines(text)) {
    std::string line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("config ", 0) == 0) {
      section = line.substr(7);
    } else if (line.rfind("edit ", 0) == 0) {
      edit = line.substr(5);
      if (edit.size() >= 2 && edit.front() == '"') edit = edit.substr(1, edit.size() - 2);
      out[section + "/" + edit];
    } else if (line == "next") {
      edit.clear();
    } else if (line == "end") {
      section.clear();
    } else if (!section.empty() && !edit.empty()) {
      out[section + "/" + edit].push_back(line);
    } else {
      ADD_FAILURE() << "FortiOS line outside an edit: '" << line << "'";
    }
  }
  return out;
}

}  // namespace vpngw::peer_test
