// Splits a byte stream into request lines for the API's framing: one request
// per '\n'-terminated line, a trailing '\r' tolerated, and a hard limit on the
// line length so a client cannot make the daemon buffer without bound.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vpngw {

class LineFramer {
 public:
  enum class Next {
    line,       // `line` holds the next request line (may be empty)
    need_more,  // no complete line buffered yet
    overlong,   // the next line exceeds the limit; the stream cannot resync
  };

  explicit LineFramer(size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}

  void append(std::string_view bytes) { buffer_.append(bytes); }

  // Extracts the next line without its '\n' (and without a '\r' before it).
  // The view stays valid until the next append() or compact(). The length
  // limit counts the bytes before '\n'; a partial line is judged as soon as
  // it is over the limit, without waiting for its end.
  Next next(std::string_view& line);

  // At end of stream: the unterminated remainder, if any, as a last line, so
  // `printf '{...}' | socat - UNIX:...` works.
  Next take_unterminated(std::string_view& line);

  // Frees the bytes of lines already returned, once they are at least half
  // of the buffer, so the copying stays linear in the bytes received however
  // often it is called.
  void compact();

  // Bytes not yet returned as lines: a partial line, plus any complete
  // lines the caller has not asked for yet.
  bool has_buffered() const { return buffer_.size() > line_start_; }
  size_t buffered_bytes() const { return buffer_.size() - line_start_; }

 private:
  std::string_view strip_cr(size_t begin, size_t end) const;

  size_t max_line_bytes_;
  std::string buffer_;
  size_t line_start_ = 0;  // first byte not yet returned as a line
  size_t scanned_ = 0;     // bytes before this are known not to be '\n'
};

}  // namespace vpngw
