// Conflict resolution through the WorkerPool (local backend, real index and content store):
// each policy, a modification against a deletion both ways, a conflict of a conflict copy,
// what the conflicts table and the events say.
#include <catch2/catch.hpp>
#include <functional>
#include <mutex>

#include "backends/decorators/forwarding_store.h"
#include "core/events/event.h"
#include "core/layout/object_meta.h"
#include "syncd/remote_watcher.h"
#include "syncd/worker_pool.h"
#include "tests/unit/syncd/syncd_fixture.h"

namespace autosync::syncd {
namespace {

using index::kRootIno;
using testing::SyncFixture;
constexpr auto kDrain = std::chrono::milliseconds(5000);
constexpr int64_t kSecond = 1'000'000'000;

class RecordingSink final : public events::EventSink {
 public:
  void publish(const events::Event& event) override {
    const std::lock_guard lock(mu_);
    events_.push_back(event);
  }
  std::vector<events::Event> of(events::EventKind kind) {
    const std::lock_guard lock(mu_);
    std::vector<events::Event> out;
    for (const auto& e : events_) {
      if (e.kind == kind) out.push_back(e);
    }
    return out;
  }
  bool has_entry(index::Ino parent, std::string_view name) {
    for (const auto& e : of(events::EventKind::kInvalidateEntry)) {
      if (e.parent == parent && e.name == name) return true;
    }
    return false;
  }

 private:
  std::mutex mu_;
  std::vector<events::Event> events_;
};

struct Harness {
  // `before_start` may change the fixture (wrap its store) before the pool takes it.
  explicit Harness(ConflictOptions conflicts = {},
                   const std::function<void(SyncFixture&)>& before_start = {}) {
    if (before_start) before_start(f);
    WorkerOptions options = SyncFixture::fast_options();
    conflicts.host = conflicts.host.empty() ? "laptop" : conflicts.host;
    options.conflicts = std::move(conflicts);
    pool = std::make_unique<WorkerPool>(*f.index, *f.content, *f.store, options, "test", sink);
    REQUIRE(pool->start().is_ok());
  }
  void drain() {
    const Status s = pool->drain(kDrain);
    INFO(s.to_string());
    REQUIRE(s.is_ok());
  }
  // Someone else's version at `key`: their host, priority and mtime (seconds) as metadata.
  backends::ObjectInfo put_theirs(const std::string& key, std::string_view body,
                                  int64_t mtime_s = 2'000'000'000, int64_t priority = 0) {
    backends::PutOptions options;
    options.metadata = layout::encode_meta(
        {.mode = S_IFREG | 0640, .uid = 7, .gid = 8, .mtime_ns = mtime_s * kSecond});
    layout::add_origin(options.metadata,
                       {.host = "desktop", .priority = priority, .has_priority = true});
    const backends::BufferSource source(body);
    auto info = f.store->put(key, source, options);
    REQUIRE(info.is_ok());
    return *info;
  }
  std::vector<index::ConflictRecord> conflicts() {
    auto list = f.index->list_conflicts(false);
    REQUIRE(list.is_ok());
    return *list;
  }
  index::InodeRecord at(std::string_view name, index::Ino dir = kRootIno) {
    auto found = f.index->lookup(dir, name);
    REQUIRE(found.is_ok());
    REQUIRE(found->has_value());
    return **found;
  }
  void set_mtime(index::Ino ino, int64_t seconds) {
    REQUIRE(f.index->set_attrs(ino, testing::attr_changes({}, {}, {}, seconds * kSecond)).is_ok());
  }
  void require_no_failures() { CHECK(f.index->pending_stats()->failed == 0); }

  SyncFixture f;
  RecordingSink sink;
  std::unique_ptr<WorkerPool> pool;
};

ConflictOptions with_policy(ConflictPolicy policy, int64_t priority = 0) {
  ConflictOptions options;
  options.policy = policy;
  options.priority = priority;
  return options;
}

TEST_CASE("keep-both: the remote keeps the name, the local version becomes a conflict copy") {
  Harness h;
  const auto file = h.f.add_file(kRootIno, "report.txt", "ours v1");
  h.drain();
  const auto theirs = h.put_theirs("report.txt", "their version");
  h.f.rewrite(file.ino, "ours v2");
  h.drain();
  h.require_no_failures();

  const auto records = h.conflicts();
  REQUIRE(records.size() == 1);
  const auto& c = records[0];
  CHECK(c.path == "report.txt");
  CHECK_THAT(c.copy_path, Catch::StartsWith("report.conflict-") && Catch::EndsWith("-laptop.txt"));
  CHECK(c.kind == index::ConflictKind::kBothChanged);
  CHECK(c.policy == "keep-both");
  CHECK_FALSE(c.resolved);
  CHECK(c.remote.etag == theirs.etag);
  CHECK(c.remote.size == 13);
  CHECK(c.remote.host == "desktop");
  CHECK(c.remote.mtime_ns == 2'000'000'000 * kSecond);
  CHECK(c.local.host == "laptop");
  CHECK(c.local.size == 7);
  CHECK(c.local.etag == h.f.head(c.copy_path).etag);

  // The store has both.
  CHECK(h.f.body("report.txt") == "their version");
  CHECK(h.f.body(c.copy_path) == "ours v2");
  CHECK(h.f.head(c.copy_path).metadata.at("autosync-host") == "laptop");

  // The local inode moved to the copy's name and is clean there.
  const auto local = h.f.inode(file.ino);
  CHECK_FALSE(local.dirty());
  CHECK(local.remote->key == c.copy_path);
  CHECK(h.at(c.copy_path).ino == file.ino);
  // A fresh, uncached inode at the name points at their version.
  const auto fresh = h.at("report.txt");
  CHECK(fresh.ino != file.ino);
  CHECK(fresh.remote->etag == theirs.etag);
  CHECK(fresh.size == 13);
  CHECK(fresh.cached_bytes == 0);
  CHECK(fresh.mode == (S_IFREG | 0640));
  CHECK_FALSE(fresh.dirty());

  CHECK(h.sink.has_entry(kRootIno, "report.txt"));
  CHECK(h.sink.has_entry(kRootIno, c.copy_path));
  const auto conflict_events = h.sink.of(events::EventKind::kConflict);
  REQUIRE(conflict_events.size() == 1);
  CHECK(conflict_events[0].path == "report.txt");
  CHECK_THAT(conflict_events[0].detail, Catch::Contains(c.copy_path));

  // The copy's later edits go to the copy's key.
  h.f.rewrite(file.ino, "ours v3");
  h.drain();
  CHECK(h.f.body(c.copy_path) == "ours v3");
  CHECK(h.f.body("report.txt") == "their version");
  h.require_no_failures();
}

TEST_CASE("keep-both in a subdirectory, for a file never uploaded that met someone's object") {
  Harness h;
  const auto dir = h.f.add_dir(kRootIno, "docs");
  h.drain();
  h.put_theirs("docs/new.txt", "already here");
  const auto file = h.f.add_file(dir.ino, "new.txt", "mine");
  h.drain();
  h.require_no_failures();
  const auto records = h.conflicts();
  REQUIRE(records.size() == 1);
  CHECK_THAT(records[0].copy_path, Catch::StartsWith("docs/new.conflict-"));
  CHECK(h.f.body(records[0].copy_path) == "mine");
  CHECK(h.f.body("docs/new.txt") == "already here");
  const std::string copy_name = records[0].copy_path.substr(5);
  CHECK(h.at(copy_name, dir.ino).ino == file.ino);
  CHECK(h.at("new.txt", dir.ino).ino != file.ino);
  CHECK(h.sink.has_entry(dir.ino, "new.txt"));
}

// Runs `after_copy_put` once, after the first put of a conflict copy.
class CopyHookStore final : public backends::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::function<void()> after_copy_put;
  Result<backends::ObjectInfo> put(std::string_view key, const backends::ByteSource& data,
                                   const backends::PutOptions& options) override {
    auto info = ForwardingStore::put(key, data, options);
    if (key.find(".conflict-") != std::string_view::npos && after_copy_put) {
      std::exchange(after_copy_put, nullptr)();
    }
    return info;
  }
};

// The remote watcher lists the directory between the copy's upload and the step that gives
// the local inode the copy's name, and brings the copy in as an inode of its own.
TEST_CASE("keep-both whose copy a remote listing brought in meanwhile makes one copy") {
  CopyHookStore* hook = nullptr;
  Harness h({}, [&](SyncFixture& f) {
    auto wrapped = std::make_unique<CopyHookStore>(std::move(f.store));
    hook = wrapped.get();
    f.store = std::move(wrapped);
  });
  RecordingSink watcher_events;
  RemoteWatcherOptions watch_options;
  watch_options.poll_interval = std::chrono::milliseconds(0);  // scans only when called
  RemoteWatcher watcher(*h.f.index, *h.f.content, *h.f.store, watcher_events, watch_options);
  REQUIRE(h.f.index->set_listed(kRootIno, 0, true).is_ok());  // the mount has shown the root
  const auto file = h.f.add_file(kRootIno, "plan.txt", "ours v1");
  h.drain();
  h.put_theirs("plan.txt", "their version");
  hook->after_copy_put = [&] {
    auto scanned = watcher.scan(ScanScope::kListed);
    REQUIRE(scanned.is_ok());
    CHECK(scanned->added == 1);  // the copy, as a stranger's new object
  };
  h.f.rewrite(file.ino, "ours v2");
  h.drain();
  h.require_no_failures();

  const auto records = h.conflicts();
  REQUIRE(records.size() == 1);
  const std::string copy = records[0].copy_path;
  CHECK(h.f.body(copy) == "ours v2");
  CHECK(h.at(copy).ino == file.ino);  // the local inode has the copy's name
  CHECK(h.f.body("plan.txt") == "their version");
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(h.f.bucket))
    names.push_back(entry.path().filename().string());
  CHECK(std::count_if(names.begin(), names.end(), [](const std::string& name) {
          return name.find(".conflict-") != std::string::npos;
        }) == 1);  // no second copy from a retry
}

TEST_CASE("a conflict on a conflict copy is named after the original, never a copy of a copy") {
  Harness h;
  const auto file = h.f.add_file(kRootIno, "r.txt", "v1");
  h.drain();
  h.put_theirs("r.txt", "theirs");
  h.f.rewrite(file.ino, "v2");
  h.drain();
  const std::string first = h.conflicts().at(0).copy_path;
  h.put_theirs(first, "theirs again");
  h.f.rewrite(file.ino, "v3");
  h.drain();
  h.require_no_failures();
  const auto records = h.conflicts();
  REQUIRE(records.size() == 2);
  const std::string second = records[1].copy_path;
  CHECK(second != first);
  CHECK(second.find(".conflict-") == second.rfind(".conflict-"));  // one suffix only
  CHECK_THAT(second, Catch::StartsWith("r.conflict-") && Catch::EndsWith(".txt"));
  CHECK(h.f.body(second) == "v3");
  CHECK(h.f.body(first) == "theirs again");
}

TEST_CASE("local wins: uploaded again over the remote's current version") {
  Harness h(with_policy(ConflictPolicy::kLocal));
  const auto file = h.f.add_file(kRootIno, "mine.txt", "v1");
  h.drain();
  const auto theirs = h.put_theirs("mine.txt", "theirs");
  h.f.rewrite(file.ino, "v2");
  h.drain();
  h.require_no_failures();
  CHECK(h.f.body("mine.txt") == "v2");
  const auto records = h.conflicts();
  REQUIRE(records.size() == 1);
  CHECK(records[0].policy == "local");
  CHECK(records[0].resolved);
  CHECK(records[0].remote.etag == theirs.etag);
  CHECK(records[0].copy_path.empty());
  CHECK(h.f.inode(file.ino).remote->etag == h.f.head("mine.txt").etag);
  CHECK(h.at("mine.txt").ino == file.ino);
}

TEST_CASE("remote wins: the local inode becomes the remote version, clean and uncached") {
  Harness h(with_policy(ConflictPolicy::kRemote));
  const auto file = h.f.add_file(kRootIno, "theirs.txt", "v1");
  h.drain();
  const auto theirs = h.put_theirs("theirs.txt", "their text");
  h.f.rewrite(file.ino, "v2");
  h.drain();
  h.require_no_failures();
  CHECK(h.f.body("theirs.txt") == "their text");
  const auto reset = h.f.inode(file.ino);
  CHECK_FALSE(reset.dirty());
  CHECK(reset.remote->etag == theirs.etag);
  CHECK(reset.size == 10);
  CHECK(reset.cached_bytes == 0);
  CHECK(reset.mode == (S_IFREG | 0640));
  CHECK(h.f.index->load_ranges(file.ino)->empty());
  std::array<char, 16> buf{};
  CHECK(h.f.content->read(file.ino, 0, buf).value() == 0);  // the bytes are gone
  const auto records = h.conflicts();
  REQUIRE(records.size() == 1);
  CHECK(records[0].resolved);
  CHECK_THAT(records[0].resolution, Catch::Contains("remote won"));
  const auto inval = h.sink.of(events::EventKind::kInvalidateInode);
  REQUIRE(inval.size() == 1);
  CHECK(inval[0].ino == file.ino);
  CHECK(h.sink.has_entry(kRootIno, "theirs.txt"));  // the kernel looks the name up again
  CHECK(reset.generation == file.generation + 1);   // and makes a new kernel inode
}

TEST_CASE("remote wins over an open file keeps both instead: nothing is lost") {
  Harness h(with_policy(ConflictPolicy::kRemote));
  const auto file = h.f.add_file(kRootIno, "open.txt", "v1");
  h.drain();
  h.put_theirs("open.txt", "theirs");
  REQUIRE(h.f.index->add_open(file.ino).is_ok());
  h.f.rewrite(file.ino, "v2");
  h.drain();
  h.require_no_failures();
  const auto records = h.conflicts();
  REQUIRE(records.size() == 1);
  CHECK(records[0].policy == "remote");
  CHECK_FALSE(records[0].copy_path.empty());
  CHECK(h.f.body(records[0].copy_path) == "v2");
  CHECK(h.f.body("open.txt") == "theirs");
}

TEST_CASE("newest: the later mtime wins, to the second") {
  Harness h(with_policy(ConflictPolicy::kNewest));
  const auto older = h.f.add_file(kRootIno, "older.txt", "v1");
  const auto newer = h.f.add_file(kRootIno, "newer.txt", "v1");
  const auto tie = h.f.add_file(kRootIno, "tie.txt", "v1");
  h.drain();
  h.put_theirs("older.txt", "theirs", 2000);
  h.put_theirs("newer.txt", "theirs", 2000);
  h.put_theirs("tie.txt", "theirs", 2000);
  h.f.rewrite(older.ino, "ours");
  h.set_mtime(older.ino, 1000);
  h.f.rewrite(newer.ino, "ours");
  h.set_mtime(newer.ino, 3000);
  h.f.rewrite(tie.ino, "ours");
  REQUIRE(
      h.f.index->set_attrs(tie.ino, testing::attr_changes({}, {}, {}, 2000 * kSecond + 5)).is_ok());
  h.drain();
  h.require_no_failures();
  CHECK(h.f.body("older.txt") == "theirs");
  CHECK_FALSE(h.f.inode(older.ino).dirty());
  CHECK(h.f.body("newer.txt") == "ours");
  CHECK(h.f.body("tie.txt") == "theirs");
  CHECK(h.at("tie.txt").ino != tie.ino);  // kept both
  CHECK(h.conflicts().size() == 3);
}

TEST_CASE("priority: the higher client wins, a tie keeps both") {
  Harness h(with_policy(ConflictPolicy::kPriority, 5));
  const auto low = h.f.add_file(kRootIno, "low.txt", "v1");
  const auto high = h.f.add_file(kRootIno, "high.txt", "v1");
  const auto same = h.f.add_file(kRootIno, "same.txt", "v1");
  h.drain();
  h.put_theirs("low.txt", "theirs", 2000, 3);
  h.put_theirs("high.txt", "theirs", 2000, 9);
  h.put_theirs("same.txt", "theirs", 2000, 5);
  h.f.rewrite(low.ino, "ours");
  h.f.rewrite(high.ino, "ours");
  h.f.rewrite(same.ino, "ours");
  h.drain();
  h.require_no_failures();
  CHECK(h.f.body("low.txt") == "ours");  // theirs had 3 < 5
  CHECK(h.f.head("low.txt").metadata.at("autosync-priority") == "5");
  CHECK(h.f.body("high.txt") == "theirs");
  CHECK_FALSE(h.f.inode(high.ino).dirty());
  CHECK(h.f.body("same.txt") == "theirs");
  CHECK(h.at("same.txt").ino != same.ino);
}

TEST_CASE("per-path rules choose the policy, the global one covers the rest") {
  ConflictOptions options = with_policy(ConflictPolicy::kRemote);
  options.rules = parse_rules("*.doc=local").value();
  Harness h(options);
  const auto doc = h.f.add_file(kRootIno, "a.doc", "v1");
  const auto txt = h.f.add_file(kRootIno, "b.txt", "v1");
  h.drain();
  h.put_theirs("a.doc", "theirs");
  h.put_theirs("b.txt", "theirs");
  h.f.rewrite(doc.ino, "ours");
  h.f.rewrite(txt.ino, "ours");
  h.drain();
  CHECK(h.f.body("a.doc") == "ours");
  CHECK(h.f.body("b.txt") == "theirs");
}

TEST_CASE("a local edit beats a remote delete: the file is uploaded again") {
  Harness h(with_policy(ConflictPolicy::kRemote));  // whatever the policy
  const auto file = h.f.add_file(kRootIno, "kept.txt", "v1");
  h.drain();
  REQUIRE(h.f.store->remove("kept.txt").is_ok());
  h.f.rewrite(file.ino, "v2");
  h.drain();
  h.require_no_failures();
  CHECK(h.f.body("kept.txt") == "v2");
  const auto records = h.conflicts();
  REQUIRE(records.size() == 1);
  CHECK(records[0].kind == index::ConflictKind::kRemoteDeleted);
  CHECK(records[0].resolved);
  CHECK(records[0].remote.etag.empty());
  CHECK_FALSE(h.f.inode(file.ino).dirty());
}

TEST_CASE("a remote edit beats a local delete: the remote file comes back into the mount") {
  Harness h(with_policy(ConflictPolicy::kLocal));  // whatever the policy
  const auto file = h.f.add_file(kRootIno, "back.txt", "v1");
  h.drain();
  const std::string ours = h.f.inode(file.ino).remote->etag;
  const auto theirs = h.put_theirs("back.txt", "edited there");
  REQUIRE(h.f.index->unlink(kRootIno, "back.txt").is_ok());
  index::JournalEntry del;
  del.op = index::JournalOp::kDelete;
  del.ino = file.ino;
  del.key = "back.txt";
  del.base_etag = ours;
  REQUIRE(h.f.index->enqueue(del).is_ok());
  h.drain();
  h.require_no_failures();
  CHECK(h.f.body("back.txt") == "edited there");
  const auto back = h.at("back.txt");
  CHECK(back.ino != file.ino);
  CHECK(back.remote->etag == theirs.etag);
  CHECK(back.cached_bytes == 0);
  CHECK(h.sink.has_entry(kRootIno, "back.txt"));
  const auto records = h.conflicts();
  REQUIRE(records.size() == 1);
  CHECK(records[0].kind == index::ConflictKind::kLocalDeleted);
  CHECK(records[0].local.etag == ours);
  CHECK_THAT(records[0].resolution, Catch::Contains("restored"));
}

TEST_CASE("a delete whose key another local file took and uploaded leaves that object") {
  Harness h;
  const auto file = h.f.add_file(kRootIno, "swap.txt", "old");
  h.drain();
  const std::string old_etag = h.f.inode(file.ino).remote->etag;
  REQUIRE(h.f.index->unlink(kRootIno, "swap.txt").is_ok());
  // Another file took the name and its version is on the store (as after a rename over it).
  const backends::BufferSource body("new");
  const auto written = h.f.store->put("swap.txt", body, {});
  REQUIRE(written.is_ok());
  index::NewInode spec;
  spec.mode = S_IFREG | 0644;
  spec.size = 3;
  spec.remote = index::RemoteVersion{
      .key = "swap.txt", .etag = written->etag, .version = "", .size = 3, .mtime_ns = 0};
  const auto replacement = h.f.index->create(kRootIno, "swap.txt", spec);
  REQUIRE(replacement.is_ok());
  index::JournalEntry del;
  del.op = index::JournalOp::kDelete;
  del.ino = file.ino;
  del.key = "swap.txt";
  del.base_etag = old_etag;
  REQUIRE(h.f.index->enqueue(del).is_ok());
  h.drain();
  h.require_no_failures();
  CHECK(h.f.body("swap.txt") == "new");
  CHECK(h.conflicts().empty());
  CHECK(h.at("swap.txt").ino == replacement->ino);
}

TEST_CASE("a new file waits for the pending delete of the object it replaces: no conflict") {
  Harness h;
  const auto old_file = h.f.add_file(kRootIno, "again.txt", "old");
  h.drain();
  const std::string old_etag = h.f.inode(old_file.ino).remote->etag;
  REQUIRE(h.f.index->unlink(kRootIno, "again.txt").is_ok());
  index::JournalEntry del;
  del.op = index::JournalOp::kDelete;
  del.ino = old_file.ino;
  del.key = "again.txt";
  del.base_etag = old_etag;
  // The delete is held back (as after a failed attempt): the new file's upload runs first.
  del.not_before_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          (std::chrono::system_clock::now() + std::chrono::milliseconds(300)).time_since_epoch())
          .count();
  REQUIRE(h.f.index->enqueue(del).is_ok());
  const auto new_file = h.f.add_file(kRootIno, "again.txt", "new");
  h.drain();
  h.require_no_failures();
  CHECK(h.f.body("again.txt") == "new");
  CHECK(h.conflicts().empty());
  CHECK(h.f.inode(new_file.ino).remote->key == "again.txt");
}

TEST_CASE("uploads record the versions this client wrote") {
  Harness h;
  const auto file = h.f.add_file(kRootIno, "v.txt", "one");
  h.drain();
  h.f.rewrite(file.ino, "two!");
  h.drain();
  auto versions = h.f.index->list_versions("v.txt");
  REQUIRE(versions.is_ok());
  REQUIRE(versions->size() == 2);
  CHECK((*versions)[0].size == 3);
  CHECK((*versions)[1].size == 4);
  CHECK((*versions)[1].etag == h.f.head("v.txt").etag);
  CHECK((*versions)[1].uploaded);
  CHECK((*versions)[1].host == "laptop");
  CHECK((*versions)[1].ino == file.ino);
}

}  // namespace
}  // namespace autosync::syncd
