// The ZeroMQ doorbell over real ipc sockets in a temp directory.
#include "core/doorbell/doorbell.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <zmq.hpp>

#include "syncd/doorbell_pump.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/syncd/syncd_fixture.h"

namespace autosync::syncd {
namespace {

using doorbell::doorbell_path;
using doorbell::DoorbellClient;
using doorbell::DoorbellListener;

using std::chrono::milliseconds;

TEST_CASE("doorbell: a ring wakes the listener, a burst of rings is one wake-up") {
  autosync::testing::TempDir dir;
  zmq::context_t context;
  auto listener = DoorbellListener::bind(context, doorbell_path(dir.path()));
  INFO(listener.status().to_string());
  REQUIRE(listener.is_ok());
  CHECK(std::filesystem::exists(dir.path() / "syncd.sock"));
  CHECK_FALSE((*listener)->wait(milliseconds(10)));

  DoorbellClient client(context, doorbell_path(dir.path()));
  client.ring();
  CHECK((*listener)->wait(milliseconds(2000)));
  for (int i = 0; i < 3; ++i)
    client.ring();
  std::this_thread::sleep_for(milliseconds(50));  // all three queued at the listener
  CHECK((*listener)->wait(milliseconds(2000)));
  CHECK_FALSE((*listener)->wait(milliseconds(20)));  // drained into the one wake-up
}

TEST_CASE("doorbell: ringing with nobody listening never blocks") {
  autosync::testing::TempDir dir;
  zmq::context_t context;
  DoorbellClient client(context, doorbell_path(dir.path()));
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i)
    client.ring();
  CHECK(std::chrono::steady_clock::now() - started < milliseconds(1000));

  // A daemon that starts later still hears later rings.
  auto listener = DoorbellListener::bind(context, doorbell_path(dir.path()));
  REQUIRE(listener.is_ok());
  CHECK(testing::eventually([&] {
    client.ring();
    return (*listener)->wait(milliseconds(20));
  }));
}

TEST_CASE("doorbell: rings from many threads at once") {
  autosync::testing::TempDir dir;
  zmq::context_t context;
  auto listener = DoorbellListener::bind(context, doorbell_path(dir.path()));
  REQUIRE(listener.is_ok());
  DoorbellClient client(context, doorbell_path(dir.path()));
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&client] {
        for (int i = 0; i < 100; ++i)
          client.ring();
      });
    }
  }
  CHECK((*listener)->wait(milliseconds(2000)));
}

TEST_CASE("doorbell: a socket path too long for a Unix socket is refused") {
  zmq::context_t context;
  const std::filesystem::path deep = "/tmp/" + std::string(200, 'x') + "/syncd.sock";
  auto listener = DoorbellListener::bind(context, deep);
  REQUIRE_FALSE(listener.is_ok());
  CHECK(listener.status().is(ErrorKind::kInvalid));
  CHECK_THAT(listener.status().message(), Catch::Contains("too long"));
}

TEST_CASE("doorbell: the listener removes its socket file, the pump calls back on rings") {
  autosync::testing::TempDir dir;
  zmq::context_t context;
  std::atomic<int> wakes{0};
  {
    auto listener = DoorbellListener::bind(context, doorbell_path(dir.path()));
    REQUIRE(listener.is_ok());
    DoorbellPump pump(
        std::move(listener).value(), [&wakes] { ++wakes; }, milliseconds(10));
    DoorbellClient client(context, doorbell_path(dir.path()));
    client.ring();
    CHECK(testing::eventually([&] { return wakes.load() >= 1; }, milliseconds(2000)));
  }
  CHECK_FALSE(std::filesystem::exists(dir.path() / "syncd.sock"));
}

}  // namespace
}  // namespace autosync::syncd
