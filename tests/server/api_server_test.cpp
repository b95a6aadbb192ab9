// The API transport under normal and hostile clients. Every test runs a real
// ApiServer on its own loop thread and talks to it over the Unix socket.
#include "control/server/api_server.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/server_test_support.hpp"

namespace vpngw {
namespace {

using namespace std::chrono_literals;
using server_test::expected_echo;
using server_test::ServerThread;
using server_test::TempDir;
using server_test::TestClient;
using Clock = std::chrono::steady_clock;

const std::string kOverlongError =
    R"({"version":1,"error":{"code":"MalformedRequest","field":"","message":"request line exceeds 1048576 bytes"}})";

class ApiServerTest : public ::testing::Test {
 protected:
  TempDir dir_;  // first: options_ below uses it
  // Options the test may change before start().
  ApiServerOptions options_ = [this] {
    ApiServerOptions options;
    options.socket_path = dir_.file("api.sock");
    // Generous, so a loaded machine cannot make a well-behaved client look
    // stalled; the tests about stalls shorten it.
    options.client_timeout = 2s;
    return options;
  }();

  void start() {
    server_ = std::make_unique<ServerThread>(options_);
    ASSERT_FALSE(server_->start());
  }
  std::unique_ptr<TestClient> connect() {
    auto client = std::make_unique<TestClient>(options_.socket_path);
    EXPECT_TRUE(client->connected());
    return client;
  }

  std::unique_ptr<ServerThread> server_;
};

TEST_F(ApiServerTest, AnswersRequestsInOrderOnOneConnection) {
  start();
  auto client = connect();
  EXPECT_EQ(client->request("hello"), expected_echo(5));
  EXPECT_EQ(client->request(R"({"version":1,"op":"vpc.list"})"), expected_echo(29));
  EXPECT_EQ(server_->stats().requests, 2u);
  EXPECT_EQ(server_->stats().accepted, 1u);
}

TEST_F(ApiServerTest, StripsCarriageReturnAndIgnoresEmptyLines) {
  start();
  auto client = connect();
  ASSERT_TRUE(client->send_all("\n\r\n\nabc\r\n\nxy\n"));
  EXPECT_EQ(client->read_line(), expected_echo(3));
  EXPECT_EQ(client->read_line(), expected_echo(2));
  EXPECT_EQ(client->read_line(100ms), std::nullopt) << "empty lines get no response";
  EXPECT_EQ(server_->stats().requests, 2u);
}

TEST_F(ApiServerTest, PipelinedRequestsInOneWriteAreAnsweredInOrder) {
  start();
  auto client = connect();
  std::string batch;
  for (size_t i = 1; i <= 200; ++i) {
    batch += std::string(i, 'r') + "\n";
  }
  ASSERT_TRUE(client->send_all(batch));
  for (size_t i = 1; i <= 200; ++i) {
    ASSERT_EQ(client->read_line(), expected_echo(i)) << "response " << i;
  }
}

TEST_F(ApiServerTest, RequestsSplitIntoSingleBytesAreReassembled) {
  start();
  auto client = connect();
  const std::string stream = "first request\nsecond\r\nthird one here\n";
  for (size_t i = 0; i < stream.size(); ++i) {
    ASSERT_TRUE(client->send_all(stream.substr(i, 1)));
    if (i % 4 == 0) {
      std::this_thread::sleep_for(1ms);  // make the server see the pieces separately
    }
  }
  EXPECT_EQ(client->read_line(), expected_echo(13));
  EXPECT_EQ(client->read_line(), expected_echo(6));
  EXPECT_EQ(client->read_line(), expected_echo(14));
}

TEST_F(ApiServerTest, LineOfExactlyOneMebibyteIsServed) {
  start();
  auto client = connect();
  EXPECT_EQ(client->request(std::string(1 << 20, 'a')), expected_echo(1 << 20));
}

TEST_F(ApiServerTest, OverlongLineGetsMalformedRequestAndCloseWhileOthersAreServed) {
  start();
  auto bystander = connect();
  EXPECT_EQ(bystander->request("before"), expected_echo(6));

  auto offender = connect();
  // A valid request first: its answer must still arrive before the error.
  std::string stream = "ok\n" + std::string((1 << 20) + 1, 'a');
  std::thread writer([&] { offender->send_all(stream); });  // may fail with EPIPE: fine
  EXPECT_EQ(bystander->request("during"), expected_echo(6));
  EXPECT_EQ(offender->read_line(), expected_echo(2));
  EXPECT_EQ(offender->read_line(), kOverlongError);
  EXPECT_TRUE(offender->wait_closed());
  writer.join();

  EXPECT_EQ(bystander->request("after"), expected_echo(5));
  EXPECT_EQ(server_->stats().dropped_overlong, 1u);
  EXPECT_TRUE(server_->wait_client_count(1));
}

TEST_F(ApiServerTest, OverlongLineIsDetectedWithoutWaitingForItsNewline) {
  start();
  auto client = connect();
  // The line never ends; the server must not buffer it waiting.
  std::thread writer([&] { client->send_all(std::string(3 << 20, 'z')); });
  EXPECT_EQ(client->read_line(), kOverlongError);
  EXPECT_TRUE(client->wait_closed());
  writer.join();
}

TEST_F(ApiServerTest, RandomBinaryGarbageIsFramedAndAnsweredWithoutHarm) {
  start();
  auto bystander = connect();
  std::mt19937 random(20240611);  // fixed seed: a failure is reproducible
  for (int round = 0; round < 4; ++round) {
    std::string garbage(128 * 1024, '\0');
    for (char& byte : garbage) {
      byte = static_cast<char>(random() & 0xff);
    }
    // What the framing rules say the server must answer.
    std::vector<size_t> expected_lengths;
    size_t start = 0;
    for (size_t newline = garbage.find('\n'); newline != std::string::npos;
         start = newline + 1, newline = garbage.find('\n', start)) {
      size_t length = newline - start;
      if (length > 0 && garbage[newline - 1] == '\r') {
        --length;
      }
      if (length > 0) {
        expected_lengths.push_back(length);
      }
    }
    auto client = connect();
    std::thread writer([&] { EXPECT_TRUE(client->send_all(garbage.substr(0, start))); });
    for (size_t i = 0; i < expected_lengths.size(); ++i) {
      ASSERT_EQ(client->read_line(), expected_echo(expected_lengths[i]))
          << "round " << round << " line " << i;
    }
    writer.join();
    // The unterminated tail and an abrupt close mid-line.
    ASSERT_TRUE(client->send_all(garbage.substr(start)));
    client->close();
    EXPECT_EQ(bystander->request("still fine"), expected_echo(10)) << "round " << round;
  }
  EXPECT_TRUE(server_->wait_client_count(1));
}

TEST_F(ApiServerTest, ClientStalledMidLineIsDroppedWhileOthersAreServed) {
  options_.client_timeout = 500ms;
  start();
  auto staller = connect();
  auto worker = connect();
  const auto stalled_at = Clock::now();
  ASSERT_TRUE(staller->send_all(R"({"version":1,"op":)"));

  std::atomic<bool> staller_closed{false};
  Clock::duration closed_after{};
  std::thread watcher([&] {
    if (staller->wait_closed(5s)) {
      closed_after = Clock::now() - stalled_at;
    }
    staller_closed = true;
  });
  // A server that waited for the staller's line would answer nothing until
  // it gave up on the staller.
  int served = 0;
  while (!staller_closed) {
    ASSERT_EQ(worker->request("ping"), expected_echo(4));
    ++served;
    std::this_thread::sleep_for(10ms);
  }
  watcher.join();
  EXPECT_GE(closed_after, 500ms);
  EXPECT_LT(closed_after, 3s);
  EXPECT_GE(served, 5) << "others must be served while a client stalls";
  EXPECT_EQ(server_->stats().dropped_stalled, 1u);
  EXPECT_EQ(worker->request("pong"), expected_echo(4));
}

TEST_F(ApiServerTest, ClientThatKeepsSendingIsNotDroppedMidLine) {
  options_.client_timeout = 300ms;
  start();
  auto client = connect();
  // 600 ms of a slow but steady line: longer than the timeout in total,
  // never stalled for that long.
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(client->send_all("ab"));
    std::this_thread::sleep_for(30ms);
  }
  EXPECT_EQ(client->request("c"), expected_echo(41));
}

TEST_F(ApiServerTest, IdleClientWithNothingInFlightStays) {
  options_.client_timeout = 200ms;
  start();
  auto client = connect();
  EXPECT_EQ(client->request("one"), expected_echo(3));
  std::this_thread::sleep_for(500ms);  // 2.5 x client_timeout
  EXPECT_EQ(client->request("two"), expected_echo(3));
  EXPECT_EQ(server_->stats().dropped_stalled, 0u);
}

TEST_F(ApiServerTest, AbandonedIdleClientIsClosedAfterTheIdleTimeout) {
  options_.idle_timeout = 300ms;
  start();
  auto client = connect();
  EXPECT_EQ(client->request("one"), expected_echo(3));
  const auto idle_since = Clock::now();
  EXPECT_TRUE(client->wait_closed(5s));
  EXPECT_GE(Clock::now() - idle_since, 250ms);
  EXPECT_EQ(server_->stats().dropped_idle, 1u);
}

TEST_F(ApiServerTest, HundredConcurrentClientsAllGetTheirOwnAnswers) {
  start();
  constexpr int kClients = 100;
  constexpr int kRequests = 10;
  std::atomic<int> correct{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      TestClient client(options_.socket_path);
      if (!client.connected()) {
        return;
      }
      // Each client's lengths are unique to it, so a crossed wire shows.
      std::string pipelined;
      for (int r = 0; r < kRequests / 2; ++r) {
        pipelined += std::string(static_cast<size_t>(c * kRequests + r + 1), 'q') + "\n";
      }
      client.send_all(pipelined);
      for (int r = 0; r < kRequests / 2; ++r) {
        if (client.read_line() == expected_echo(static_cast<size_t>(c * kRequests + r + 1))) {
          ++correct;
        }
      }
      for (int r = kRequests / 2; r < kRequests; ++r) {
        const size_t length = static_cast<size_t>(c * kRequests + r + 1);
        if (client.request(std::string(length, 'q')) == expected_echo(length)) {
          ++correct;
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(correct, kClients * kRequests);
  EXPECT_EQ(server_->stats().accepted, static_cast<uint64_t>(kClients));
  EXPECT_TRUE(server_->wait_client_count(0));
}

TEST_F(ApiServerTest, ClientThatNeverReadsDoesNotBlockOthersAndIsDropped) {
  options_.client_timeout = 200ms;
  start();
  auto hog = connect();
  auto worker = connect();
  // Ask for 100 KB answers and never read them: the hog's socket buffers
  // fill, the server stops reading its requests and finally drops it.
  std::thread writer([&] {
    std::string requests;
    for (int i = 0; i < 200; ++i) {
      requests += "repeat:100000\n";
    }
    hog->send_all(requests);  // blocks until the server drops it
  });
  const auto until = Clock::now() + 400ms;
  while (Clock::now() < until) {
    const auto asked = Clock::now();
    ASSERT_EQ(worker->request("ping"), expected_echo(4));
    // A server blocked on the hog would not answer until it gave up on it.
    EXPECT_LT(Clock::now() - asked, 1s);
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_TRUE(server_->wait_client_count(1));
  EXPECT_EQ(server_->stats().dropped_stalled, 1u);
  ::shutdown(hog->fd(), SHUT_RDWR);  // unblock the writer if still sending
  writer.join();
  EXPECT_EQ(worker->request("pong"), expected_echo(4));
}

TEST_F(ApiServerTest, OutputOverTheCapDropsTheClient) {
  options_.max_pending_output = 4 << 20;
  start();
  auto hog = connect();
  ASSERT_TRUE(hog->send_all("repeat:5000000\n"));
  EXPECT_TRUE(server_->wait_client_count(0));
  EXPECT_EQ(server_->stats().dropped_output_cap, 1u);
}

TEST_F(ApiServerTest, LargeResponsesReachAClientThatReads) {
  start();
  auto client = connect();
  // 8 x 3 MB pipelined: far more than the socket buffers and the pause
  // threshold, but well-behaved because the client reads.
  std::string requests;
  for (int i = 0; i < 8; ++i) {
    requests += "repeat:3000000\n";
  }
  ASSERT_TRUE(client->send_all(requests));
  for (int i = 0; i < 8; ++i) {
    const std::optional<std::string> line = client->read_line();
    ASSERT_TRUE(line.has_value())
        << "response " << i << "; dropped as stalled: " << server_->stats().dropped_stalled;
    EXPECT_EQ(line->size(), 3000000u);
  }
  EXPECT_EQ(client->request("done"), expected_echo(4));
}

TEST_F(ApiServerTest, ClientsBeyondMaxClientsAreRefusedAtOnce) {
  options_.max_clients = 2;
  start();
  auto first = connect();
  auto second = connect();
  EXPECT_EQ(first->request("a"), expected_echo(1));
  EXPECT_EQ(second->request("b"), expected_echo(1));
  auto third = connect();
  const std::optional<std::string> refusal = third->read_line();
  ASSERT_TRUE(refusal.has_value());
  EXPECT_NE(refusal->find("\"code\":\"LimitExceeded\""), std::string::npos) << *refusal;
  EXPECT_TRUE(third->wait_closed());
  EXPECT_EQ(server_->stats().refused_capacity, 1u);

  first->close();
  EXPECT_TRUE(server_->wait_client_count(1));
  auto fourth = connect();
  EXPECT_EQ(fourth->request("d"), expected_echo(1));
}

TEST_F(ApiServerTest, HandlerExceptionBecomesAnInternalErrorLine) {
  start();
  auto client = connect();
  EXPECT_EQ(client->request("throw"),
            R"({"version":1,"error":{"code":"InternalError","field":"","message":"handler exploded"}})");
  EXPECT_EQ(client->request("next"), expected_echo(4));
}

TEST_F(ApiServerTest, NewlineInAResponseCannotBreakTheFraming) {
  start();
  auto client = connect();
  EXPECT_EQ(client->request("newline"), "a b");
  EXPECT_EQ(client->request("next"), expected_echo(4));
}

TEST_F(ApiServerTest, HalfClosedClientGetsAllAnswersIncludingAnUnterminatedLast) {
  start();
  auto client = connect();
  ASSERT_TRUE(client->send_all("one\ntwo\nlast-without-newline"));
  ASSERT_EQ(::shutdown(client->fd(), SHUT_WR), 0);
  EXPECT_EQ(client->read_line(), expected_echo(3));
  EXPECT_EQ(client->read_line(), expected_echo(3));
  EXPECT_EQ(client->read_line(), expected_echo(20));
  EXPECT_TRUE(client->wait_closed());
  EXPECT_TRUE(server_->wait_client_count(0));
}

TEST_F(ApiServerTest, ClientVanishingWithAnswersPendingIsHarmless) {
  start();
  for (int i = 0; i < 20; ++i) {
    auto client = connect();
    ASSERT_TRUE(client->send_all("repeat:500000\nrepeat:500000\nx\n"));
    client->close();  // the server's writes now fail with EPIPE/ECONNRESET
  }
  EXPECT_TRUE(server_->wait_client_count(0));
  EXPECT_EQ(connect()->request("alive"), expected_echo(5));
}

TEST_F(ApiServerTest, HandlerMayStopTheServer) {
  start();
  auto other = connect();
  auto client = connect();
  EXPECT_EQ(other->request("a"), expected_echo(1));
  ASSERT_TRUE(client->send_all("stop-server\nnever answered\n"));
  EXPECT_TRUE(client->wait_closed());
  EXPECT_TRUE(other->wait_closed());
  EXPECT_EQ(server_->client_count(), 0u);
  EXPECT_FALSE(TestClient(options_.socket_path).connected());
}

}  // namespace
}  // namespace vpngw
