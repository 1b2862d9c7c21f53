// Contract: bad configuration and misbehaving servers give clear errors, never a crash or
// a hang. Cloud-only cases return early on the local backend.
#include <catch2/catch.hpp>
#include <chrono>

#include "tests/contract/backend_fixture.h"
#include "tests/support/fake_http_server.h"

using namespace autosync;
using namespace autosync::backends;
using autosync::testing::backend;
using autosync::testing::FakeHttpServer;
using autosync::testing::unique_prefix;

namespace {

using Clock = std::chrono::steady_clock;

// Opens `config` and runs a head; returns the first error (open or head).
Status first_error(StoreConfig config) {
  auto store = backends::open(config);
  if (!store.is_ok()) return store.status();
  return (*store)->head("some/key").status();
}

StoreConfig impatient(StoreConfig c) {
  c.retry.max_attempts = 2;
  c.s3.stall_timeout = std::chrono::seconds(1);
  c.azure.stall_timeout = std::chrono::seconds(1);
  c.s3.connect_timeout = std::chrono::milliseconds(1000);
  c.azure.connect_timeout = std::chrono::milliseconds(1000);
  return c;
}

Status against_fake(const std::string& answer) {
  FakeHttpServer server([&](const std::string&) { return answer; });
  return first_error(impatient(backend().config_with_endpoint(server.endpoint())));
}

}  // namespace

TEST_CASE("wrong credentials are reported as rejected credentials", "[bad-input]") {
  if (!backend().is_cloud()) return;
  const Status s = first_error(backend().config_with_wrong_credentials());
  INFO(s.to_string());
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.is(ErrorKind::kAccessDenied));
  CHECK(s.to_string().find("not-the-secret") == std::string::npos);  // never echo secrets
}

TEST_CASE("an unknown bucket is reported by name", "[bad-input]") {
  StoreConfig config = backend().config_with_unknown_bucket();
  Status s;
  auto store = backends::open(config);
  if (!store.is_ok()) {
    s = store.status();
  } else {
    s = (*store)->list({}).status();
  }
  INFO(s.to_string());
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.is(ErrorKind::kNotFound));
  CHECK(s.message().find("no-such-bucket") != std::string::npos);
}

TEST_CASE("a server that is not listening fails fast with a transient error", "[bad-input]") {
  if (!backend().is_cloud()) return;
  const uint16_t port = autosync::testing::free_port();
  const auto start = Clock::now();
  const Status s = first_error(
      impatient(backend().config_with_endpoint("http://127.0.0.1:" + std::to_string(port))));
  INFO(s.to_string());
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.is(ErrorKind::kTransient));
  CHECK(Clock::now() - start < std::chrono::seconds(10));
}

TEST_CASE("a server answering garbage gives an error, not a crash", "[bad-input]") {
  if (!backend().is_cloud()) return;
  const Status s = against_fake(FakeHttpServer::garbage());
  INFO(s.to_string());
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.retryable());
}

TEST_CASE("a body cut short by a closed connection is an error", "[bad-input]") {
  if (!backend().is_cloud()) return;
  FakeHttpServer server(
      [](const std::string&) { return FakeHttpServer::truncated_body(1000, 10); });
  auto store = backends::open(impatient(backend().config_with_endpoint(server.endpoint())));
  REQUIRE(store.is_ok());
  BufferSink sink;
  auto got = (*store)->get("some/key", {}, sink);
  INFO(got.status().to_string());
  REQUIRE_FALSE(got.is_ok());
  CHECK(got.status().retryable());
}

TEST_CASE("an HTML error page from a proxy is reported as such", "[bad-input]") {
  if (!backend().is_cloud()) return;
  const Status s = against_fake(FakeHttpServer::html_page(502));
  INFO(s.to_string());
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.retryable());
  CHECK(s.http_status() == 502);
}

TEST_CASE("a server that accepts and then says nothing times out", "[bad-input]") {
  if (!backend().is_cloud()) return;
  const auto start = Clock::now();
  const Status s = against_fake("");  // hangs
  INFO(s.to_string());
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.is(ErrorKind::kTransient));
  CHECK(Clock::now() - start < std::chrono::seconds(15));
}

TEST_CASE("keys the store cannot hold are rejected as invalid", "[bad-input]") {
  const std::string too_long(backend().store().capabilities().max_key_bytes + 1, 'k');
  auto r = backend().store().put(too_long, BufferSource("x"), {});
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().is(ErrorKind::kInvalid));
}
