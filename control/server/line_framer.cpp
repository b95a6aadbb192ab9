#include "control/server/line_framer.hpp"

namespace vpngw {

LineFramer::Next LineFramer::next(std::string_view& line) {
  // Resume the search where the last call stopped, so a line that arrives
  // one byte at a time is scanned once in total, not once per byte.
  const size_t search_from = scanned_ > line_start_ ? scanned_ : line_start_;
  const size_t newline = buffer_.find('\n', search_from);
  if (newline == std::string::npos) {
    scanned_ = buffer_.size();
    return buffered_bytes() > max_line_bytes_ ? Next::overlong : Next::need_more;
  }
  if (newline - line_start_ > max_line_bytes_) {
    return Next::overlong;
  }
  line = strip_cr(line_start_, newline);
  line_start_ = newline + 1;
  scanned_ = line_start_;
  return Next::line;
}

LineFramer::Next LineFramer::take_unterminated(std::string_view& line) {
  if (!has_buffered()) {
    return Next::need_more;
  }
  if (buffered_bytes() > max_line_bytes_) {
    return Next::overlong;
  }
  line = strip_cr(line_start_, buffer_.size());
  line_start_ = buffer_.size();
  scanned_ = line_start_;
  return Next::line;
}

void LineFramer::compact() {
  if (line_start_ == 0 || line_start_ < buffer_.size() - line_start_) {
    return;
  }
  buffer_.erase(0, line_start_);
  scanned_ -= line_start_;
  line_start_ = 0;
}

std::string_view LineFramer::strip_cr(size_t begin, size_t end) const {
  if (end > begin && buffer_[end - 1] == '\r') {
    --end;
  }
  return std::string_view(buffer_).substr(begin, end - begin);
}

}  // namespace vpngw
