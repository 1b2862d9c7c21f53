// The store misbehaving under the workers, as the fault-injecting backend plays it: throttling,
// a connection reset mid-body and slow answers are retried until the change lands; a permanent
// error fails the row and is told as an error event. Every finished row is told too.
#include <catch2/catch.hpp>
#include <mutex>
#include <vector>

#include "core/events/event.h"
#include "syncd/worker_pool.h"
#include "tests/unit/syncd/syncd_fixture.h"

namespace autosync::syncd {
namespace {

using std::chrono::milliseconds;
using testing::SyncFixture;
constexpr auto kDrain = milliseconds(10000);

class RecordingSink final : public events::EventSink {
 public:
  void publish(const events::Event& event) override {
    std::lock_guard lock(mu_);
    events_.push_back(event);
  }
  std::vector<events::Event> of_kind(events::EventKind kind) {
    std::lock_guard lock(mu_);
    std::vector<events::Event> out;
    for (const auto& e : events_) {
      if (e.kind == kind) out.push_back(e);
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<events::Event> events_;
};

WorkerOptions quick_retries() {
  WorkerOptions options = SyncFixture::fast_options();
  options.backoff = {.initial = milliseconds(10), .max = milliseconds(50)};
  return options;
}

TEST_CASE("throttling, a reset mid-body and slow answers are retried until the upload lands") {
  backends::FaultPlan plan;
  const std::set<backends::StoreOp> puts = {backends::StoreOp::kPut};
  plan.rules.push_back({.ops = puts,
                        .on_calls = {1},
                        .error = Status::error(ErrorKind::kThrottled, "slow down (fault plan)")});
  plan.rules.push_back({.ops = puts,
                        .on_calls = {2},
                        .error = transient("connection reset (fault plan)"),
                        .timing = backends::FaultTiming::kMidBody});
  plan.rules.push_back(
      {.ops = puts, .on_calls = {3}, .delay = milliseconds(300), .error = std::nullopt});
  SyncFixture f(std::move(plan));
  const auto file = f.add_file(index::kRootIno, "flaky.txt", std::string(64 << 10, 'x'));
  RecordingSink events;
  WorkerPool pool(*f.index, *f.content, *f.store, quick_retries(), "test", events);
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());

  CHECK(f.body("flaky.txt") == std::string(64 << 10, 'x'));
  CHECK_FALSE(f.inode(file.ino).dirty());
  CHECK(f.index->pending_stats()->failed == 0);
  CHECK(events.of_kind(events::EventKind::kError).empty());
  const auto uploaded = events.of_kind(events::EventKind::kUploaded);
  REQUIRE(uploaded.size() == 1);
  CHECK(uploaded[0].path == "flaky.txt");
  CHECK(uploaded[0].ino == file.ino);
}

TEST_CASE("a permanent store error fails the row and is told as an error event") {
  backends::FaultPlan plan;
  plan.rules.push_back({.ops = {backends::StoreOp::kPut},
                        .on_calls = {1},
                        .error = Status::error(ErrorKind::kAccessDenied, "denied (fault plan)")});
  SyncFixture f(std::move(plan));
  f.add_file(index::kRootIno, "secret.txt", "no");
  RecordingSink events;
  WorkerPool pool(*f.index, *f.content, *f.store, quick_retries(), "test", events);
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());

  CHECK(f.index->pending_stats()->failed == 1);
  const auto errors = events.of_kind(events::EventKind::kError);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].path == "secret.txt");
  CHECK_THAT(errors[0].detail, Catch::Contains("denied (fault plan)"));
  CHECK(errors[0].time_ns > 0);
  CHECK(events.of_kind(events::EventKind::kUploaded).empty());
}

TEST_CASE("a finished delete and move are told as removed and moved") {
  SyncFixture f;
  const auto file = f.add_file(index::kRootIno, "a.txt", "a");
  RecordingSink events;
  WorkerPool pool(*f.index, *f.content, *f.store, quick_retries(), "test", events);
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());
  REQUIRE(f.index->rename(index::kRootIno, "a.txt", index::kRootIno, "b.txt", 0).is_ok());
  f.journal(index::JournalOp::kMove, file.ino, "b.txt", "a.txt");
  REQUIRE(pool.drain(kDrain).is_ok());
  REQUIRE(f.index->unlink(index::kRootIno, "b.txt").is_ok());
  f.journal(index::JournalOp::kDelete, file.ino, "b.txt");
  REQUIRE(pool.drain(kDrain).is_ok());

  const auto moved = events.of_kind(events::EventKind::kMoved);
  REQUIRE(moved.size() == 1);
  CHECK(moved[0].path == "b.txt");
  CHECK(moved[0].detail == "a.txt");
  const auto removed = events.of_kind(events::EventKind::kRemoved);
  REQUIRE(removed.size() == 1);
  CHECK(removed[0].path == "b.txt");
  CHECK_FALSE(f.exists("b.txt"));
}

}  // namespace
}  // namespace autosync::syncd
