// Events: kind names, the JSON wire format, and PUB/SUB over real ipc sockets in a temp dir.
#include <catch2/catch.hpp>
#include <thread>
#include <zmq.hpp>

#include "core/events/event_socket.h"
#include "core/events/wire.h"
#include "tests/support/temp_dir.h"

namespace autosync::events {
namespace {

using std::chrono::milliseconds;

Event sample() {
  Event e;
  e.kind = EventKind::kInvalidateEntry;
  e.ino = 7;
  e.parent = 3;
  e.name = "b c.txt";
  e.path = "a/b c.txt";
  e.detail = "etag \"x\"";
  e.time_ns = 1700000000123456789;
  return e;
}

bool same(const Event& a, const Event& b) {
  return a.kind == b.kind && a.ino == b.ino && a.parent == b.parent && a.name == b.name &&
         a.path == b.path && a.detail == b.detail && a.time_ns == b.time_ns;
}

// Publishes `event` until the subscriber has one (a PUB drops what it sends before the
// subscription reaches it), and returns what arrived.
std::optional<Event> deliver(EventPublisher& pub, EventSubscriber& sub, const Event& event) {
  for (int i = 0; i < 200; ++i) {
    pub.publish(event);
    if (auto got = sub.receive(milliseconds(20))) return got;
  }
  return std::nullopt;
}

TEST_CASE("events: every kind has a wire name that parses back") {
  for (int k = 0; k <= static_cast<int>(EventKind::kInvalidateEntry); ++k) {
    const auto kind = static_cast<EventKind>(k);
    const auto name = kind_name(kind);
    CHECK(name != "unknown");
    EventKind back = EventKind::kUploaded;
    CHECK(parse_kind(name, back));
    CHECK(back == kind);
  }
  EventKind ignored{};
  CHECK_FALSE(parse_kind("no-such-kind", ignored));
  CHECK(kind_name(EventKind::kRemoteChanged) == "remote-changed");
}

TEST_CASE("events: the wire format round-trips and is versioned") {
  const std::string text = encode(sample());
  CHECK(text.find("\"v\":1") != std::string::npos);
  auto back = decode(text);
  REQUIRE(back.is_ok());
  CHECK(same(*back, sample()));

  // Unknown fields are ignored, absent ones take the defaults.
  auto minimal = decode(R"({"v":1,"kind":"remote-added","future":[1,2]})");
  REQUIRE(minimal.is_ok());
  CHECK(minimal->kind == EventKind::kRemoteAdded);
  CHECK(minimal->ino == 0);
  CHECK(minimal->name.empty());
}

TEST_CASE("events: malformed messages are refused") {
  for (const char* bad :
       {"", "not json", "[1,2]", R"({"kind":"uploaded"})", R"({"v":2,"kind":"uploaded"})",
        R"({"v":1,"kind":"nonsense"})", R"({"v":1,"kind":"uploaded","ino":"seven"})"}) {
    INFO(bad);
    CHECK(decode(bad).status().is(ErrorKind::kInvalid));
  }
}

TEST_CASE("events: a subscriber receives what the publisher sends") {
  autosync::testing::TempDir dir;
  zmq::context_t context;
  auto sub = EventSubscriber::connect(context, dir.path() / "events.sock");
  REQUIRE(sub.is_ok());  // before the publisher exists: it connects when one binds
  auto pub = EventPublisher::bind(context, dir.path() / "events.sock");
  INFO(pub.status().to_string());
  REQUIRE(pub.is_ok());
  CHECK(std::filesystem::exists(dir.path() / "events.sock"));

  auto got = deliver(**pub, **sub, sample());
  REQUIRE(got);
  CHECK(same(*got, sample()));

  // time_ns 0 is stamped by the publisher.
  Event unstamped = sample();
  unstamped.time_ns = 0;
  std::optional<Event> stamped;
  for (int i = 0; i < 50 && !(stamped && stamped->time_ns != sample().time_ns); ++i) {
    (*pub)->publish(unstamped);
    stamped = (*sub)->receive(milliseconds(50));
  }
  REQUIRE(stamped);
  CHECK(stamped->time_ns > 0);

  pub->reset();
  CHECK_FALSE(std::filesystem::exists(dir.path() / "events.sock"));
}

TEST_CASE("events: a malformed message is skipped, the next one arrives") {
  autosync::testing::TempDir dir;
  zmq::context_t context;
  const auto path = dir.path() / "events.sock";
  auto sub = EventSubscriber::connect(context, path);
  REQUIRE(sub.is_ok());
  // A raw PUB that sends garbage, in place of the daemon.
  zmq::socket_t raw(context, zmq::socket_type::pub);
  raw.set(zmq::sockopt::linger, 0);
  raw.bind("ipc://" + path.string());
  std::this_thread::sleep_for(milliseconds(100));  // let the subscription arrive
  const std::string good = encode(sample());
  bool got_good = false;
  for (int i = 0; i < 100 && !got_good; ++i) {
    (void)raw.send(zmq::buffer(std::string("{garbage")), zmq::send_flags::dontwait);
    (void)raw.send(zmq::buffer(good), zmq::send_flags::dontwait);
    for (int j = 0; j < 2 && !got_good; ++j) {
      auto got = (*sub)->receive(milliseconds(20));
      if (got) {
        CHECK(same(*got, sample()));
        got_good = true;
      }
    }
  }
  CHECK(got_good);
}

TEST_CASE("events: publishing with nobody listening never blocks, from many threads") {
  autosync::testing::TempDir dir;
  zmq::context_t context;
  auto pub = EventPublisher::bind(context, dir.path() / "events.sock");
  REQUIRE(pub.is_ok());
  const auto started = std::chrono::steady_clock::now();
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 20000; ++i)
          (*pub)->publish(sample());
      });
    }
  }
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
}

TEST_CASE("events: a subscriber hears a publisher that restarts") {
  autosync::testing::TempDir dir;
  zmq::context_t context;
  const auto path = dir.path() / "events.sock";
  auto sub = EventSubscriber::connect(context, path);
  REQUIRE(sub.is_ok());
  {
    auto first = EventPublisher::bind(context, path);
    REQUIRE(first.is_ok());
    CHECK(deliver(**first, **sub, sample()));
  }
  auto second = EventPublisher::bind(context, path);
  REQUIRE(second.is_ok());
  CHECK(deliver(**second, **sub, sample()));
}

TEST_CASE("events: a socket path too long for a Unix socket is refused") {
  zmq::context_t context;
  const std::filesystem::path path = "/tmp/" + std::string(200, 'x') + "/events.sock";
  CHECK(EventPublisher::bind(context, path).status().is(ErrorKind::kInvalid));
  CHECK(EventSubscriber::connect(context, path).status().is(ErrorKind::kInvalid));
}

}  // namespace
}  // namespace autosync::events
