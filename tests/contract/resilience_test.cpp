// Contract: the full store stack (faults under retry) rides out dropped connections and
// throttling on every backend, with byte-exact results.
#include <catch2/catch.hpp>

#include "tests/contract/backend_fixture.h"

using namespace autosync;
using namespace autosync::backends;
using autosync::testing::backend;
using autosync::testing::unique_prefix;

TEST_CASE("retries absorb injected throttling and mid-body drops", "[resilience]") {
  StoreConfig config = backend().config();
  FaultPlan plan;
  plan.seed = 7;
  plan.sleep = [](std::chrono::milliseconds) {};
  FaultRule throttle;
  throttle.probability = 0.25;
  throttle.error = Status::error(ErrorKind::kThrottled, "injected slow down");
  FaultRule drop;
  drop.ops = {StoreOp::kGet};
  drop.probability = 0.25;
  drop.error = transient("injected connection reset");
  drop.timing = FaultTiming::kMidBody;
  plan.rules = {throttle, drop};
  config.faults = plan;
  config.retry.max_attempts = 12;
  config.retry.initial_delay = std::chrono::milliseconds(1);
  config.retry.max_delay = std::chrono::milliseconds(5);
  auto store = backends::open(config);
  REQUIRE(store.is_ok());

  const std::string p = unique_prefix();
  for (int i = 0; i < 20; ++i) {
    const std::string key = p + "obj" + std::to_string(i);
    const std::string data(static_cast<size_t>(1000 + 37 * i), static_cast<char>('a' + i % 26));
    auto put = (*store)->put(key, BufferSource(data), {});
    INFO(put.status().to_string());
    REQUIRE(put.is_ok());
    BufferSink sink;
    auto got = (*store)->get(key, {}, sink);
    INFO(got.status().to_string());
    REQUIRE(got.is_ok());
    CHECK(sink.data() == data);
  }
}

TEST_CASE("a permanent error is not retried and surfaces at once", "[resilience]") {
  StoreConfig config = backend().config();
  FaultPlan plan;
  int calls = 0;
  plan.sleep = [](std::chrono::milliseconds) {};
  FaultRule deny;
  deny.ops = {StoreOp::kHead};
  deny.probability = 1.0;
  deny.error = Status::error(ErrorKind::kAccessDenied, "injected denial");
  plan.rules = {deny};
  config.faults = plan;
  config.retry.sleep = [&calls](std::chrono::milliseconds) { ++calls; };
  auto store = backends::open(config);
  REQUIRE(store.is_ok());
  auto head = (*store)->head(unique_prefix() + "x");
  REQUIRE_FALSE(head.is_ok());
  CHECK(head.status().is(ErrorKind::kAccessDenied));
  CHECK(calls == 0);
}
