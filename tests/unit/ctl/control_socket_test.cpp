// The control socket end to end: a ControlServer on a real ipc socket and ControlClient
// calls, including a server that is not there and the socket file's life.
#include <catch2/catch.hpp>
#include <chrono>

#include "syncd/control_client.h"
#include "syncd/control_server.h"
#include "tests/support/temp_dir.h"

using namespace autosync;
using namespace autosync::syncd;
using namespace std::chrono_literals;

TEST_CASE("a client's requests are answered by the server's commands", "[ctl]") {
  autosync::testing::TempDir dir;
  const auto socket = dir.path() / "control.sock";
  zmq::context_t context;
  ControlCommands commands;
  int calls = 0;
  commands["count"] = [&calls](const Json&) -> Result<Json> { return Json{{"calls", ++calls}}; };
  auto server = ControlServer::start(context, socket, std::move(commands));
  REQUIRE(server.is_ok());
  CHECK(std::filesystem::exists(socket));

  ControlClient client(socket, 5s);
  for (int i = 1; i <= 3; ++i) {
    auto reply = client.call("count");
    REQUIRE(reply.is_ok());
    CHECK((*reply)["calls"] == i);
  }
  auto unknown = client.call("nope");
  REQUIRE_FALSE(unknown.is_ok());
  CHECK_THAT(unknown.status().message(), Catch::Contains("unknown command"));
  // The server still answers after an error.
  CHECK(client.call("count").is_ok());

  server->reset();
  CHECK_FALSE(std::filesystem::exists(socket));
}

TEST_CASE("a client gives up on a socket nobody serves", "[ctl]") {
  autosync::testing::TempDir dir;
  ControlClient client(dir.path() / "control.sock", 300ms);
  const auto started = std::chrono::steady_clock::now();
  auto reply = client.call("status");
  REQUIRE_FALSE(reply.is_ok());
  CHECK(reply.status().is(ErrorKind::kTransient));
  CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("a control socket path too long for a Unix socket is refused", "[ctl]") {
  zmq::context_t context;
  auto server = ControlServer::start(context, "/tmp/" + std::string(200, 'x') + "/control.sock",
                                     ControlCommands{});
  REQUIRE_FALSE(server.is_ok());
  CHECK(server.status().is(ErrorKind::kInvalid));
}
