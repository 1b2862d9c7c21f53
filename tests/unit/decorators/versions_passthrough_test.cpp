// The decorators pass list_versions and GetOptions::version_id through: the prefix store
// puts its prefix on the key, the retry store retries a transient failure, the fault store
// can fail the call; a store that keeps no versions answers kUnsupported through all of them.
#include <catch2/catch.hpp>
#include <mutex>
#include <string>
#include <vector>

#include "backends/decorators/fault_store.h"
#include "backends/decorators/forwarding_store.h"
#include "backends/decorators/prefix_store.h"
#include "backends/decorators/retry_store.h"
#include "tests/unit/transfer/memory_store.h"
#include "tests/unit/transfer/test_util.h"

namespace autosync::backends {
namespace {

// A store with versions in name only: records what it is asked; the first `failures` calls
// of list_versions fail as a dropped connection would.
class VersionedFake final : public ForwardingStore {
 public:
  explicit VersionedFake(int failures)
      : ForwardingStore(std::make_unique<testing::MemoryStore>()), failures_(failures) {}
  Result<VersionPage> list_versions(std::string_view key, std::string_view token) override {
    const std::lock_guard lock(mu_);
    calls.push_back(std::string(key) + "|" + std::string(token));
    if (failures_-- > 0) return transient("connection reset");
    return VersionPage{.versions = {ObjectVersion{.version_id = "v1",
                                                  .etag = "e",
                                                  .size = 1,
                                                  .last_modified = {},
                                                  .is_latest = true,
                                                  .delete_marker = false}},
                       .next_token = ""};
  }
  Result<ObjectInfo> get(std::string_view key, const GetOptions& options, ByteSink& sink) override {
    const std::lock_guard lock(mu_);
    calls.push_back("get " + std::string(key) + "@" + options.version_id);
    return ForwardingStore::get(key, options, sink);
  }
  std::vector<std::string> calls;

 private:
  std::mutex mu_;
  int failures_;
};

}  // namespace

TEST_CASE("versions: the prefix store asks for its own key, token untouched") {
  auto fake = std::make_unique<VersionedFake>(0);
  VersionedFake* raw = fake.get();
  auto store = with_prefix(std::move(fake), "team/");
  auto page = store->list_versions("a.txt", "tok");
  REQUIRE(page.is_ok());
  CHECK(page->versions.at(0).version_id == "v1");
  REQUIRE(store->put("a.txt", BufferSource("x"), {}).is_ok());
  GetOptions old;
  old.version_id = "v1";
  BufferSink sink;
  REQUIRE(store->get("a.txt", old, sink).is_ok());
  CHECK(raw->calls == std::vector<std::string>{"team/a.txt|tok", "get team/a.txt@v1"});
}

TEST_CASE("versions: the retry store retries a transient failure") {
  auto fake = std::make_unique<VersionedFake>(2);
  VersionedFake* raw = fake.get();
  auto store = with_retry(std::move(fake), testing::sleepless_retries(3));
  auto page = store->list_versions("k", "");
  REQUIRE(page.is_ok());
  CHECK(raw->calls.size() == 3);
}

TEST_CASE("versions: the fault store can fail list_versions and passes it otherwise") {
  FaultPlan plan;
  plan.rules.push_back(FaultRule{.ops = {StoreOp::kListVersions},
                                 .on_calls = {1},
                                 .probability = 0,
                                 .delay = {},
                                 .error = Status::error(ErrorKind::kThrottled, "slow down"),
                                 .timing = FaultTiming::kBeforeCall,
                                 .body_fraction = 0.5});
  auto store = with_faults(std::make_unique<VersionedFake>(0), plan);
  CHECK(store->list_versions("k", "").status().is(ErrorKind::kThrottled));
  CHECK(store->list_versions("k", "").is_ok());
  CHECK(to_string(StoreOp::kListVersions) == "list_versions");
}

TEST_CASE("versions: a store without versions is kUnsupported through every decorator") {
  auto store = with_prefix(with_retry(with_faults(std::make_unique<testing::MemoryStore>(), {}),
                                      testing::sleepless_retries(3)),
                           "p/");
  auto page = store->list_versions("k", "");
  REQUIRE_FALSE(page.is_ok());
  CHECK(page.status().is(ErrorKind::kUnsupported));
}

}  // namespace autosync::backends
