// The socket file's life: where it is created, its mode and group, what
// happens to a file already at the path, and its removal on stop().
#include "control/server/unix_listener.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cstring>
#include <fstream>

#include "control/server/api_server.hpp"
#include "tests/server/server_test_support.hpp"

namespace vpngw {
namespace {

using server_test::ServerThread;
using server_test::TempDir;
using server_test::TestClient;

ApiServerOptions options_for(const std::string& path) {
  ApiServerOptions options;
  options.socket_path = path;
  return options;
}

// Leaves a socket file at `path` with nothing listening, as a daemon killed
// with SIGKILL would.
void make_stale_socket(const std::string& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  ASSERT_EQ(::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

TEST(UnixListenerTest, SocketFileIsMode0660InNewParentDirectories) {
  TempDir dir;
  const std::string path = dir.file("run/vpngw/api.sock");
  ServerThread server(options_for(path));
  ASSERT_FALSE(server.start());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0660u);
  ASSERT_EQ(::stat(dir.file("run/vpngw").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  TestClient client(path);
  ASSERT_TRUE(client.connected());
  EXPECT_EQ(client.request("hi"), server_test::expected_echo(2));
}

TEST(UnixListenerTest, SocketFileBelongsToTheConfiguredGroup) {
  TempDir dir;
  ApiServerOptions options = options_for(dir.file("api.sock"));
  options.allowed_group = 54321;
  ServerThread server(options);
  ASSERT_FALSE(server.start());
  struct stat st {};
  ASSERT_EQ(::stat(options.socket_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_gid, 54321u);
  EXPECT_EQ(st.st_uid, ::geteuid());
  EXPECT_EQ(st.st_mode & 07777, 0660u);
}

TEST(UnixListenerTest, SecondServerRefusesToStartWhileTheFirstIsServing) {
  TempDir dir;
  const std::string path = dir.file("api.sock");
  ServerThread first(options_for(path));
  ASSERT_FALSE(first.start());

  EventLoop loop;
  ApiServer second(loop, options_for(path), server_test::echo_handler);
  const Status status = second.start();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code, ErrorCode::ResourceInUse);
  EXPECT_EQ(status->message, "another vpngwd is serving on " + path);

  // The refusal must not have taken the path away from the first daemon.
  TestClient client(path);
  ASSERT_TRUE(client.connected());
  EXPECT_EQ(client.request("still here"), server_test::expected_echo(10));
}

TEST(UnixListenerTest, StaleSocketFileIsReplaced) {
  TempDir dir;
  const std::string path = dir.file("api.sock");
  make_stale_socket(path);
  ASSERT_TRUE(exists(path));
  ASSERT_FALSE(TestClient(path).connected()) << "nobody listens on a stale socket";

  ServerThread server(options_for(path));
  ASSERT_FALSE(server.start());
  TestClient client(path);
  ASSERT_TRUE(client.connected());
  EXPECT_EQ(client.request("x"), server_test::expected_echo(1));
}

TEST(UnixListenerTest, SomethingElseAtThePathIsLeftAlone) {
  TempDir dir;
  const std::string path = dir.file("api.sock");
  std::ofstream(path) << "operator notes";
  EventLoop loop;
  ApiServer server(loop, options_for(path), server_test::echo_handler);
  const Status status = server.start();
  ASSERT_TRUE(status.has_value());
  EXPECT_NE(status->message.find("not a socket"), std::string::npos) << status->message;
  std::ifstream kept(path);
  std::string content;
  std::getline(kept, content);
  EXPECT_EQ(content, "operator notes");
}

TEST(UnixListenerTest, OverlongSocketPathIsRejected) {
  EventLoop loop;
  ApiServer server(loop, options_for("/tmp/" + std::string(200, 'p')), server_test::echo_handler);
  const Status status = server.start();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code, ErrorCode::InternalError);
  EXPECT_EQ(status->field, "socket_path");
}

TEST(UnixListenerTest, StopRemovesTheSocketFileAndClosesClients) {
  TempDir dir;
  const std::string path = dir.file("api.sock");
  EventLoop loop;
  ApiServer server(loop, options_for(path), server_test::echo_handler);
  ASSERT_FALSE(server.start());
  ASSERT_TRUE(exists(path));
  TestClient client(path);
  ASSERT_TRUE(client.connected());
  // Let the loop accept the client, then stop.
  loop.add_timer(std::chrono::milliseconds(20), [&] {
    EXPECT_EQ(server.client_count(), 1u);
    server.stop();
    loop.stop();
  });
  loop.run();
  EXPECT_FALSE(exists(path));
  EXPECT_EQ(server.client_count(), 0u);
  EXPECT_TRUE(client.wait_closed());
  EXPECT_FALSE(TestClient(path).connected());
}

TEST(UnixListenerTest, StopLeavesAReplacementSocketFileAlone) {
  TempDir dir;
  const std::string path = dir.file("api.sock");
  EventLoop loop;
  ApiServer server(loop, options_for(path), server_test::echo_handler);
  ASSERT_FALSE(server.start());
  // Someone (a newer daemon) replaced the file meanwhile.
  ASSERT_EQ(::unlink(path.c_str()), 0);
  make_stale_socket(path);
  server.stop();
  EXPECT_TRUE(exists(path));
}

TEST(UnixListenerTest, ServerCanBeRestartedAfterStop) {
  TempDir dir;
  const std::string path = dir.file("api.sock");
  EventLoop loop;
  ApiServer server(loop, options_for(path), server_test::echo_handler);
  ASSERT_FALSE(server.start());
  server.stop();
  ASSERT_FALSE(server.start());
  EXPECT_TRUE(exists(path));
}

}  // namespace
}  // namespace vpngw
