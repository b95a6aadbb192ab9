#include <gtest/gtest.h>

#include "control/ike/connection_log.hpp"

namespace vpngw::ike_glue {
namespace {

TEST(ConnectionLog, KeepsTheNewestLinesPerTunnelWithTimestamps) {
  int64_t now = 1764088800123;  // 2025-11-25T16:40:00.123Z
  ConnectionLogBook book([&] { return now; }, 3);
  for (int i = 0; i < 5; ++i) {
    book.add("t1", "line " + std::to_string(i));
    now += 1000;
  }
  book.add("t2", "other");
  auto lines = book.lines("t1");
  ASSERT_EQ(lines.size(), 3u);  // capped, oldest dropped
  EXPECT_EQ(lines[0].line, "line 2");
  EXPECT_EQ(lines[2].line, "line 4");
  EXPECT_EQ(format_utc(lines[0].unix_ms), "2025-11-25T16:40:02.123Z");
  EXPECT_LT(lines[0].seq, lines[1].seq);
  EXPECT_EQ(book.lines("t1", 2).front().line, "line 3");         // newest two
  EXPECT_EQ(book.lines("t1", 0, lines[1].seq).size(), 1u);       // after a seq
  EXPECT_EQ(book.lines("t2").size(), 1u);
  EXPECT_TRUE(book.lines("nope").empty());
  book.retain({"t2"});
  EXPECT_TRUE(book.lines("t1").empty());
  EXPECT_EQ(book.lines("t2").size(), 1u);
}

}  // namespace
}  // namespace vpngw::ike_glue
