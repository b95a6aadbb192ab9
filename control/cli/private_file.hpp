// Writing a file only its owner may read: `tunnel config --output` puts the
// pre-shared key in it.
#pragma once

#include <string>
#include <string_view>

namespace vpngw::cli {

// Creates or truncates `path` with mode 0600 (an existing file is narrowed to
// 0600 too) and writes `content`. Returns why it failed, empty on success.
std::string write_private_file(const std::string& path, std::string_view content);

}  // namespace vpngw::cli
