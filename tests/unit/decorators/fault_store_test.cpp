// Unit tests for with_faults: schedules fire exactly, random faults are reproducible from
// the seed, latency and mid-body drops behave as planned, and counters are thread-safe.
#include "backends/decorators/fault_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "tests/unit/transfer/memory_store.h"
#include "tests/unit/transfer/test_util.h"

namespace autosync::backends {
namespace {

using std::chrono::milliseconds;
using testing::MemoryStore;

struct Faulty {
  MemoryStore* memory = nullptr;
  std::unique_ptr<ObjectStore> store;
};

Faulty make_faulty(FaultPlan plan) {
  auto memory = std::make_unique<MemoryStore>();
  Faulty faulty;
  faulty.memory = memory.get();
  faulty.store = with_faults(std::move(memory), std::move(plan));
  return faulty;
}

FaultPlan plan_of(std::vector<FaultRule> rules, uint64_t seed = 1) {
  FaultPlan plan;
  plan.rules = std::move(rules);
  plan.seed = seed;
  return plan;
}

TEST_CASE("faults: the 2nd and 3rd put fail kThrottled, the others pass") {
  // Written as the header documents it.
  Faulty faulty =
      make_faulty(plan_of({{.ops = {StoreOp::kPut},
                            .on_calls = {2, 3},
                            .error = Status::error(ErrorKind::kThrottled, "slow down")}}));
  std::vector<ErrorKind> kinds;
  kinds.reserve(5);
  for (int i = 0; i < 5; ++i) {
    kinds.push_back(faulty.store->put("k", BufferSource("v"), {}).status().kind());
  }
  const std::vector<ErrorKind> expected = {ErrorKind::kOk, ErrorKind::kThrottled,
                                           ErrorKind::kThrottled, ErrorKind::kOk, ErrorKind::kOk};
  CHECK(kinds == expected);
  CHECK(faulty.memory->calls("put") == 3);  // failed-before-call puts never reach the store
  CHECK(faulty.store->head("k").is_ok());   // other operations are not affected
}

TEST_CASE("faults: an injected error names the operation and key") {
  FaultRule rule;
  rule.ops = {StoreOp::kHead};
  rule.on_calls = {1};
  rule.error = transient("connection reset");
  Faulty faulty = make_faulty(plan_of({rule}));
  auto info = faulty.store->head("docs/a.txt");
  CHECK(info.status().kind() == ErrorKind::kTransient);
  CHECK(info.status().message() == "head docs/a.txt: connection reset");
}

TEST_CASE("faults: kAfterCall does the work but loses the answer") {
  FaultRule rule;
  rule.ops = {StoreOp::kPut};
  rule.on_calls = {1};
  rule.error = transient("timeout");
  rule.timing = FaultTiming::kAfterCall;
  Faulty faulty = make_faulty(plan_of({rule}));
  CHECK(faulty.store->put("k", BufferSource("stored"), {}).status().kind() ==
        ErrorKind::kTransient);
  CHECK(faulty.memory->content("k") == "stored");
}

std::vector<bool> failure_pattern(uint64_t seed) {
  FaultRule rule;  // no ops: every call is watched
  rule.probability = 0.1;
  rule.error = transient("connection reset");
  Faulty faulty = make_faulty(plan_of({rule}, seed));
  std::vector<bool> failed;
  for (int i = 0; i < 400; ++i) {
    const bool head_failed = !faulty.store->head("missing").status().is(ErrorKind::kNotFound);
    const bool list_failed = !faulty.store->list({}).is_ok();
    failed.push_back(head_failed);
    failed.push_back(list_failed);
  }
  return failed;
}

TEST_CASE("faults: 10% random failures are reproducible from the seed") {
  const std::vector<bool> first = failure_pattern(42);
  CHECK(first == failure_pattern(42));
  CHECK(first != failure_pattern(43));
  const auto failures = std::count(first.begin(), first.end(), true);
  CHECK(failures > 40);  // 800 calls at 10%: 80 expected
  CHECK(failures < 130);
}

TEST_CASE("faults: every get waits 50 ms, nothing else does") {
  FaultRule rule;
  rule.ops = {StoreOp::kGet};
  rule.probability = 1.0;
  rule.delay = milliseconds{50};
  FaultPlan plan = plan_of({rule});
  std::vector<milliseconds> waits;
  plan.sleep = [&](milliseconds wait) { waits.push_back(wait); };
  Faulty faulty = make_faulty(std::move(plan));
  REQUIRE(faulty.store->put("k", BufferSource("v"), {}).is_ok());
  BufferSink sink;
  REQUIRE(faulty.store->get("k", {}, sink).is_ok());
  REQUIRE(faulty.store->get("k", {}, sink).is_ok());
  REQUIRE(faulty.store->head("k").is_ok());
  CHECK(waits == std::vector<milliseconds>{milliseconds{50}, milliseconds{50}});
}

TEST_CASE("faults: the default sleep really waits") {
  FaultRule rule;
  rule.ops = {StoreOp::kHead};
  rule.probability = 1.0;
  rule.delay = milliseconds{50};
  Faulty faulty = make_faulty(plan_of({rule}));
  const auto start = std::chrono::steady_clock::now();
  CHECK(faulty.store->head("missing").status().is(ErrorKind::kNotFound));
  CHECK(std::chrono::steady_clock::now() - start >= milliseconds{50});
}

TEST_CASE("faults: a get delivers half its bytes then fails kTransient") {
  FaultRule rule;
  rule.ops = {StoreOp::kGet};
  rule.on_calls = {1};
  rule.error = transient("connection reset");
  rule.timing = FaultTiming::kMidBody;
  rule.body_fraction = 0.5;
  Faulty faulty = make_faulty(plan_of({rule}));
  const std::string data = testing::test_bytes(1000);
  REQUIRE(faulty.store->put("k", BufferSource(data), {}).is_ok());
  BufferSink cut;
  auto info = faulty.store->get("k", {}, cut);
  CHECK(info.status().kind() == ErrorKind::kTransient);
  CHECK(cut.data() == data.substr(0, 500));
  BufferSink whole;
  REQUIRE(faulty.store->get("k", {}, whole).is_ok());  // the 2nd get is not planned to fail
  CHECK(whole.data() == data);
}

TEST_CASE("faults: rules only watch their operations") {
  FaultRule rule;
  rule.ops = {StoreOp::kUploadPart};
  rule.probability = 1.0;
  rule.error = transient("reset");
  Faulty faulty = make_faulty(plan_of({rule}));
  CHECK(faulty.store->put("k", BufferSource("v"), {}).is_ok());
  auto id = faulty.store->create_multipart("m", {});
  REQUIRE(id.is_ok());
  CHECK(
      faulty.store->upload_part("m", *id, 1, BufferSource("p")).status().is(ErrorKind::kTransient));
}

TEST_CASE("faults: scheduled calls fire exactly once under many threads") {
  FaultRule rule;
  rule.ops = {StoreOp::kHead};
  rule.on_calls = {50, 150, 250};
  rule.error = transient("reset");
  Faulty faulty = make_faulty(plan_of({rule}));
  REQUIRE(faulty.store->put("k", BufferSource("v"), {}).is_ok());
  std::atomic<int> failures{0};
  {
    std::vector<std::jthread> threads;
    threads.reserve(4);
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = 0; i < 100; ++i) {
          if (!faulty.store->head("k").is_ok()) ++failures;
        }
      });
    }
  }
  CHECK(failures == 3);
  CHECK(faulty.memory->calls("head") == 397);
}

}  // namespace
}  // namespace autosync::backends
