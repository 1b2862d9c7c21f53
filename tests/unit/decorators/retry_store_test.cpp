// Unit tests for with_retry: what is retried, how often, how long it waits, and the
// complete_multipart answer-lost case. Sleeping is injected, so nothing waits for real.
#include "backends/decorators/retry_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "backends/decorators/fault_store.h"
#include "tests/unit/transfer/memory_store.h"
#include "tests/unit/transfer/test_util.h"

namespace autosync::backends {
namespace {

using std::chrono::milliseconds;
using testing::MemoryStore;

// Records the waits a RetryPolicy asks for instead of sleeping.
struct SleepLog {
  std::mutex mutex;
  std::vector<milliseconds> waits;
  std::function<void(milliseconds)> recorder() {
    return [this](milliseconds wait) {
      const std::lock_guard lock(mutex);
      waits.push_back(wait);
    };
  }
};

RetryPolicy test_policy(SleepLog& log, int max_attempts = 5, uint64_t seed = 7) {
  RetryPolicy policy;
  policy.max_attempts = max_attempts;
  policy.seed = seed;
  policy.sleep = log.recorder();
  return policy;
}

FaultRule failing(StoreOp op, std::vector<uint64_t> calls, Status error,
                  FaultTiming timing = FaultTiming::kBeforeCall) {
  FaultRule rule;
  rule.ops = {op};
  rule.on_calls = std::move(calls);
  rule.error = std::move(error);
  rule.timing = timing;
  return rule;
}

Status throttled(std::string message) {
  return Status::error(ErrorKind::kThrottled, std::move(message))
      .with_server_code("SlowDown")
      .with_http_status(503)
      .with_request_id("REQ123");
}

// memory <- faults <- retry, keeping a handle on the memory store for checks.
struct Stack {
  MemoryStore* memory = nullptr;
  std::unique_ptr<ObjectStore> store;
};

Stack make_stack(std::vector<FaultRule> rules, RetryPolicy policy) {
  auto memory = std::make_unique<MemoryStore>();
  Stack stack;
  stack.memory = memory.get();
  FaultPlan plan;
  plan.rules = std::move(rules);
  stack.store = with_retry(with_faults(std::move(memory), std::move(plan)), std::move(policy));
  return stack;
}

void put_text(ObjectStore& store, std::string_view key, std::string_view text) {
  REQUIRE(store.put(key, BufferSource(text), {}).is_ok());
}

TEST_CASE("retry: transient failures are retried until the call succeeds") {
  SleepLog log;
  Stack stack = make_stack({failing(StoreOp::kHead, {1, 2}, transient("connection reset"))},
                           test_policy(log));
  put_text(*stack.store, "a.txt", "hello");
  auto info = stack.store->head("a.txt");
  REQUIRE(info.is_ok());
  CHECK(info->size == 5);
  CHECK(log.waits.size() == 2);
  CHECK(stack.memory->calls("head") == 1);  // the two failures never reached the store
}

TEST_CASE("retry: gives up after max_attempts and keeps the server's details") {
  SleepLog log;
  FaultRule always = failing(StoreOp::kPut, {}, throttled("put a.txt: slow down"));
  always.probability = 1.0;
  Stack stack = make_stack({always}, test_policy(log, 4));
  auto put = stack.store->put("a.txt", BufferSource("x"), {});
  REQUIRE_FALSE(put.is_ok());
  CHECK(put.status().kind() == ErrorKind::kThrottled);
  CHECK_THAT(put.status().message(), Catch::Contains("(after 4 attempts)"));
  CHECK_THAT(put.status().message(), Catch::Contains("slow down"));
  CHECK(put.status().server_code() == "SlowDown");
  CHECK(put.status().http_status() == 503);
  CHECK(put.status().request_id() == "REQ123");
  CHECK(log.waits.size() == 3);
  CHECK(stack.memory->object_count() == 0);
}

TEST_CASE("retry: permanent errors pass through at once") {
  SleepLog log;
  Stack stack =
      make_stack({failing(StoreOp::kPut, {1}, Status::error(ErrorKind::kAccessDenied, "denied"))},
                 test_policy(log));
  auto put = stack.store->put("a.txt", BufferSource("x"), {});
  CHECK(put.status().kind() == ErrorKind::kAccessDenied);
  CHECK_THAT(put.status().message(), !Catch::Contains("attempts"));

  auto missing = stack.store->head("missing");
  CHECK(missing.status().kind() == ErrorKind::kNotFound);
  CHECK(stack.memory->calls("head") == 1);
  CHECK(log.waits.empty());
}

TEST_CASE("retry: max_attempts 1 means a single try") {
  SleepLog log;
  Stack stack = make_stack({failing(StoreOp::kHead, {1}, transient("reset"))}, test_policy(log, 1));
  auto info = stack.store->head("a");
  CHECK(info.status().kind() == ErrorKind::kTransient);
  CHECK_THAT(info.status().message(), !Catch::Contains("attempts"));
  CHECK(log.waits.empty());
}

TEST_CASE("retry: backoff ceilings grow by the multiplier up to max_delay") {
  RetryPolicy policy;
  policy.initial_delay = milliseconds{100};
  policy.multiplier = 2.0;
  policy.max_delay = milliseconds{1000};
  const std::vector<int64_t> expected = {100, 200, 400, 800, 1000, 1000};
  for (size_t i = 0; i < expected.size(); ++i) {
    CHECK(backoff_ceiling(policy, static_cast<int>(i)).count() == expected[i]);
  }
  CHECK(backoff_ceiling(policy, 500).count() == 1000);  // no overflow far out
}

TEST_CASE("retry: jittered waits stay within the ceilings") {
  SleepLog log;
  RetryPolicy policy = test_policy(log, 9, 12345);
  policy.initial_delay = milliseconds{100};
  policy.max_delay = milliseconds{1000};
  FaultRule always = failing(StoreOp::kHead, {}, transient("reset"));
  always.probability = 1.0;
  Stack stack = make_stack({always}, policy);
  CHECK_FALSE(stack.store->head("a").is_ok());
  REQUIRE(log.waits.size() == 8);
  int64_t total = 0;
  for (size_t i = 0; i < log.waits.size(); ++i) {
    CHECK(log.waits[i].count() >= 0);
    CHECK(log.waits[i] <= backoff_ceiling(policy, static_cast<int>(i)));
    total += log.waits[i].count();
  }
  CHECK(total > 0);  // full jitter, not no wait at all
}

std::vector<milliseconds> waits_for_seed(uint64_t seed) {
  SleepLog log;
  FaultRule always = failing(StoreOp::kHead, {}, transient("reset"));
  always.probability = 1.0;
  Stack stack = make_stack({always}, test_policy(log, 8, seed));
  CHECK_FALSE(stack.store->head("a").is_ok());
  return log.waits;
}

TEST_CASE("retry: the jitter is reproducible from its seed") {
  CHECK(waits_for_seed(99) == waits_for_seed(99));
  CHECK(waits_for_seed(99) != waits_for_seed(100));
}

TEST_CASE("retry: a get cut off mid-body is retried and the sink ends byte-exact") {
  SleepLog log;
  Stack stack = make_stack(
      {failing(StoreOp::kGet, {1}, transient("connection reset"), FaultTiming::kMidBody)},
      test_policy(log));
  const std::string data = testing::test_bytes(300'000);
  put_text(*stack.store, "big.bin", data);
  BufferSink sink;
  auto info = stack.store->get("big.bin", {}, sink);
  REQUIRE(info.is_ok());
  CHECK(sink.data() == data);
  CHECK(log.waits.size() == 1);
  CHECK(stack.memory->calls("get") == 2);
}

TEST_CASE("retry: many threads retrying at once all get through") {
  SleepLog log;
  FaultRule flaky;
  flaky.probability = 0.3;
  flaky.error = transient("connection reset");
  Stack stack = make_stack({flaky}, test_policy(log, 30));
  std::atomic<int> failures{0};
  {
    std::vector<std::jthread> threads;
    threads.reserve(4);
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 50; ++i) {
          const std::string key = "t" + std::to_string(t) + "/" + std::to_string(i);
          if (!stack.store->put(key, BufferSource(key), {}).is_ok()) ++failures;
        }
      });
    }
  }
  CHECK(failures == 0);
  CHECK(stack.memory->object_count() == 200);
  CHECK(log.waits.size() > 20);  // about 86 retries expected at 30%
}

}  // namespace
}  // namespace autosync::backends
