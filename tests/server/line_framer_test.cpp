#include "control/server/line_framer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vpngw {
namespace {

// Drains every complete line; stops at need_more or overlong.
std::vector<std::string> drain(LineFramer& framer, LineFramer::Next* last = nullptr) {
  std::vector<std::string> lines;
  for (;;) {
    std::string_view line;
    const LineFramer::Next next = framer.next(line);
    if (next != LineFramer::Next::line) {
      if (last != nullptr) {
        *last = next;
      }
      framer.compact();
      return lines;
    }
    lines.emplace_back(line);
  }
}

TEST(LineFramerTest, SplitsOnNewlineAndStripsOneTrailingCarriageReturn) {
  LineFramer framer(100);
  framer.append("one\ntwo\r\n\nthree\r\r\nfour");
  EXPECT_EQ(drain(framer), (std::vector<std::string>{"one", "two", "", "three\r"}));
  EXPECT_TRUE(framer.has_buffered());
  EXPECT_EQ(framer.buffered_bytes(), 4u);
}

TEST(LineFramerTest, ReassemblesLinesFedOneByteAtATime) {
  const std::string stream = "{\"op\":\"a\"}\n{\"op\":\"bb\"}\r\nlast\n";
  LineFramer framer(100);
  std::vector<std::string> lines;
  for (char byte : stream) {
    framer.append(std::string_view(&byte, 1));
    for (auto& line : drain(framer)) {
      lines.push_back(line);
    }
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"{\"op\":\"a\"}", "{\"op\":\"bb\"}", "last"}));
  EXPECT_FALSE(framer.has_buffered());
}

TEST(LineFramerTest, LineOfExactlyTheLimitIsAccepted) {
  LineFramer framer(10);
  framer.append(std::string(10, 'a') + "\n");
  LineFramer::Next last{};
  EXPECT_EQ(drain(framer, &last), (std::vector<std::string>{std::string(10, 'a')}));
  EXPECT_EQ(last, LineFramer::Next::need_more);
}

TEST(LineFramerTest, CompleteLineOverTheLimitIsOverlongAfterEarlierLines) {
  LineFramer framer(10);
  framer.append("ok\n" + std::string(11, 'a') + "\nnever\n");
  LineFramer::Next last{};
  EXPECT_EQ(drain(framer, &last), (std::vector<std::string>{"ok"}));
  EXPECT_EQ(last, LineFramer::Next::overlong);
}

TEST(LineFramerTest, PartialLineIsOverlongAsSoonAsItPassesTheLimit) {
  LineFramer framer(10);
  framer.append(std::string(10, 'a'));
  LineFramer::Next last{};
  drain(framer, &last);
  EXPECT_EQ(last, LineFramer::Next::need_more);
  framer.append("a");  // 11 bytes, no newline yet: no need to wait for one
  drain(framer, &last);
  EXPECT_EQ(last, LineFramer::Next::overlong);
}

TEST(LineFramerTest, UnterminatedRemainderIsTakenAtEndOfStream) {
  LineFramer framer(10);
  framer.append("a\nbc\r");
  EXPECT_EQ(drain(framer), (std::vector<std::string>{"a"}));
  std::string_view line;
  ASSERT_EQ(framer.take_unterminated(line), LineFramer::Next::line);
  EXPECT_EQ(line, "bc");
  EXPECT_EQ(framer.take_unterminated(line), LineFramer::Next::need_more);
  EXPECT_FALSE(framer.has_buffered());
}

TEST(LineFramerTest, OverlongUnterminatedRemainderIsReported) {
  LineFramer framer(3);
  framer.append("abcd");
  std::string_view line;
  EXPECT_EQ(framer.take_unterminated(line), LineFramer::Next::overlong);
}

TEST(LineFramerTest, CompactionKeepsLinesIntactAcrossManyAppends) {
  LineFramer framer(1000);
  std::vector<std::string> sent;
  std::vector<std::string> received;
  std::string pending;
  for (int i = 0; i < 2000; ++i) {
    sent.push_back("line-" + std::to_string(i) + std::string(static_cast<size_t>(i % 37), 'z'));
    pending += sent.back() + "\n";
    // Append in uneven chunks that cut lines anywhere.
    const size_t cut = pending.size() / 2 + static_cast<size_t>(i % 5);
    if (cut < pending.size()) {
      framer.append(pending.substr(0, cut));
      pending.erase(0, cut);
    }
    for (auto& line : drain(framer)) {
      received.push_back(line);
    }
  }
  framer.append(pending);
  for (auto& line : drain(framer)) {
    received.push_back(line);
  }
  EXPECT_EQ(received, sent);
}

}  // namespace
}  // namespace vpngw
