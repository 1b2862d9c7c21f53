// The WorkerPool's machinery: retries with backoff on injected faults, permanent failures,
// stale claims requeued on start, doorbell wake-ups, the rescan timer, drain, restart.
#include "syncd/worker_pool.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <zmq.hpp>

#include "core/doorbell/doorbell.h"
#include "syncd/doorbell_pump.h"
#include "tests/unit/syncd/syncd_fixture.h"

namespace autosync::syncd {
namespace {

using doorbell::doorbell_path;
using doorbell::DoorbellClient;
using doorbell::DoorbellListener;

using std::chrono::milliseconds;
using testing::eventually;
using testing::SyncFixture;
constexpr auto kDrain = milliseconds(5000);

backends::FaultPlan failing_puts(std::vector<uint64_t> calls, Status error) {
  backends::FaultPlan plan;
  plan.rules.push_back(
      {.ops = {backends::StoreOp::kPut}, .on_calls = std::move(calls), .error = std::move(error)});
  return plan;
}

// A clock the test moves by hand, so a retry's not_before is under the test's control.
struct ManualClock {
  std::atomic<int64_t> now{2'000'000'000'000'000'000};
  index::Clock as_clock() {
    return [this] { return now.load(); };
  }
};

TEST_CASE("a transient store fault is retried later with backoff") {
  SyncFixture f(failing_puts({1}, transient("connection reset by fault plan")));
  const auto file = f.add_file(index::kRootIno, "flaky.txt", "eventually");
  const int64_t seq = f.row(1).seq;
  ManualClock clock;
  auto options = SyncFixture::fast_options();
  options.clock = clock.as_clock();
  options.backoff = {.initial = milliseconds(10'000), .max = milliseconds(60'000)};  // fake time
  WorkerPool pool(*f.index, *f.content, *f.store, options, "test");
  REQUIRE(pool.start().is_ok());

  REQUIRE(eventually([&] { return f.row(seq).attempts == 1; }));
  const auto waiting = f.row(seq);
  CHECK(waiting.state == index::JournalState::kPending);
  CHECK_THAT(waiting.last_error, Catch::Contains("connection reset by fault plan"));
  CHECK(waiting.not_before_ns == clock.now.load() + 10'000'000'000);
  CHECK_FALSE(f.exists("flaky.txt"));

  clock.now += 10'000'000'000;  // the backoff has passed
  REQUIRE(pool.drain(kDrain).is_ok());
  CHECK(f.body("flaky.txt") == "eventually");
  CHECK_FALSE(f.row_exists(seq));
  CHECK_FALSE(f.inode(file.ino).dirty());
}

TEST_CASE("retry_delay doubles from the initial delay up to the maximum") {
  const RetryBackoff backoff;  // 1 s .. 5 min
  CHECK(retry_delay(backoff, 0) == milliseconds(1000));
  CHECK(retry_delay(backoff, 1) == milliseconds(2000));
  CHECK(retry_delay(backoff, 3) == milliseconds(8000));
  CHECK(retry_delay(backoff, 8) == milliseconds(256'000));
  CHECK(retry_delay(backoff, 9) == milliseconds(300'000));
  CHECK(retry_delay(backoff, 1000) == milliseconds(300'000));
}

TEST_CASE("a permanent store error fails the row with its message") {
  SyncFixture f(failing_puts({1}, Status::error(ErrorKind::kAccessDenied, "denied by fault plan")));
  const auto file = f.add_file(index::kRootIno, "secret.txt", "no");
  WorkerPool pool(*f.index, *f.content, *f.store, SyncFixture::fast_options(), "test");
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());
  const auto row = f.row(1);
  CHECK(row.state == index::JournalState::kFailed);
  CHECK_THAT(row.last_error,
             Catch::Contains("upload secret.txt") && Catch::Contains("denied by fault plan"));
  CHECK(f.inode(file.ino).dirty());
  CHECK_FALSE(f.exists("secret.txt"));
}

TEST_CASE("start requeues rows a dead worker claimed long ago, not fresh claims") {
  SyncFixture f;
  f.add_file(index::kRootIno, "stale.txt", "left behind");
  f.add_file(index::kRootIno, "fresh.txt", "in flight elsewhere");
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
  const int64_t hour_ns = 3600LL * 1'000'000'000;
  auto stale = f.index->claim("crashed-daemon", now_ns - hour_ns, 1);
  REQUIRE(stale.is_ok());
  REQUIRE(stale->size() == 1);
  auto fresh = f.index->claim("live-daemon", now_ns, 1);
  REQUIRE(fresh.is_ok());
  REQUIRE(fresh->size() == 1);

  WorkerPool pool(*f.index, *f.content, *f.store, SyncFixture::fast_options(), "test");
  REQUIRE(pool.start().is_ok());
  // The row goes once the object is written and recorded.
  REQUIRE(eventually([&] { return !f.row_exists(stale->front().seq); }));
  CHECK(f.body(stale->front().key) == "left behind");
  const auto untouched = f.row(fresh->front().seq);
  CHECK(untouched.state == index::JournalState::kRunning);
  CHECK(untouched.claimed_by == "live-daemon");
}

TEST_CASE("drain waits for every row, it times out when no worker runs") {
  SyncFixture f;
  for (int i = 0; i < 12; ++i)
    f.add_file(index::kRootIno, "f" + std::to_string(i), "n" + std::to_string(i));
  WorkerPool pool(*f.index, *f.content, *f.store, SyncFixture::fast_options(), "test");
  const Status idle = pool.drain(milliseconds(50));
  CHECK(idle.is(ErrorKind::kTransient));
  CHECK_THAT(idle.message(), Catch::Contains("12 rows still pending"));

  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());
  CHECK(f.index->pending_stats()->count == 0);
  for (int i = 0; i < 12; ++i)
    CHECK(f.body("f" + std::to_string(i)) == "n" + std::to_string(i));
}

TEST_CASE("stop joins the workers, the pool restarts, start twice is refused") {
  SyncFixture f;
  WorkerPool pool(*f.index, *f.content, *f.store, SyncFixture::fast_options(), "test");
  REQUIRE(pool.start().is_ok());
  CHECK(pool.start().is(ErrorKind::kInvalid));
  pool.stop();
  CHECK_FALSE(pool.running());
  pool.stop();  // idempotent
  f.add_file(index::kRootIno, "after-restart", "ok");
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());
  CHECK(f.body("after-restart") == "ok");
}

TEST_CASE("a doorbell ring wakes an idle pool at once") {
  SyncFixture f;
  zmq::context_t context;
  auto options = SyncFixture::fast_options();
  options.rescan_interval = milliseconds(60'000);  // only the doorbell can wake it in time
  WorkerPool pool(*f.index, *f.content, *f.store, options, "test");
  auto listener = DoorbellListener::bind(context, doorbell_path(f.dir.path()));
  REQUIRE(listener.is_ok());
  DoorbellPump pump(
      std::move(listener).value(), [&pool] { pool.wake(); }, milliseconds(20));
  DoorbellClient client(context, doorbell_path(f.dir.path()));
  REQUIRE(pool.start().is_ok());
  std::this_thread::sleep_for(milliseconds(50));  // let the workers go idle

  const auto started = std::chrono::steady_clock::now();
  f.add_file(index::kRootIno, "rung.txt", "ding");
  client.ring();
  REQUIRE(eventually([&] { return f.exists("rung.txt"); }, milliseconds(1000)));
  const auto latency = std::chrono::steady_clock::now() - started;
  CHECK(latency < milliseconds(1000));
  pool.stop();
}

TEST_CASE("without a ring, the rescan timer still finds the work") {
  SyncFixture f;
  auto options = SyncFixture::fast_options();
  options.rescan_interval = milliseconds(100);
  WorkerPool pool(*f.index, *f.content, *f.store, options, "test");
  REQUIRE(pool.start().is_ok());
  std::this_thread::sleep_for(milliseconds(50));
  f.add_file(index::kRootIno, "unrung.txt", "found anyway");  // the ring is "lost"
  REQUIRE(eventually([&] { return f.exists("unrung.txt"); }, milliseconds(2000)));
  CHECK(f.body("unrung.txt") == "found anyway");
}

}  // namespace
}  // namespace autosync::syncd
