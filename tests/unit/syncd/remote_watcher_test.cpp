// RemoteWatcher against a real index, content store and the local backend in a temp dir:
// objects added, changed and removed on the store behind the cache's back; dirty and open
// files; journaled removals; a store that goes away and comes back; the back-off.
#include "syncd/remote_watcher.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "backends/byte_io.h"
#include "backends/decorators/forwarding_store.h"
#include "tests/unit/syncd/syncd_fixture.h"

namespace autosync::syncd {
namespace {

using events::Event;
using events::EventKind;
using index::kRootIno;
using std::chrono::milliseconds;

class RecordingSink final : public events::EventSink {
 public:
  void publish(const Event& event) override {
    const std::lock_guard lock(mu_);
    events_.push_back(event);
  }
  std::vector<Event> take() {
    const std::lock_guard lock(mu_);
    return std::exchange(events_, {});
  }
  size_t count(EventKind kind) {
    const std::lock_guard lock(mu_);
    return std::count_if(events_.begin(), events_.end(),
                         [&](const Event& e) { return e.kind == kind; });
  }

 private:
  std::mutex mu_;
  std::vector<Event> events_;
};

bool has(const std::vector<Event>& events, EventKind kind, index::Ino ino, index::Ino parent,
         std::string_view name) {
  return std::any_of(events.begin(), events.end(), [&](const Event& e) {
    return e.kind == kind && e.ino == ino && e.parent == parent && e.name == name;
  });
}

// The store, unreachable while `down` is set. `after_head`, when set, runs once each HEAD has
// its answer (before the caller sees it).
class SwitchableStore final : public backends::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  std::atomic<bool> down{false};
  std::function<void(std::string_view key)> after_head;
  std::function<void()> after_list;  // likewise, after each list
  Result<backends::ObjectInfo> head(std::string_view key) override {
    if (down) return transient("store down (test)");
    auto info = ForwardingStore::head(key);
    if (after_head) after_head(key);
    return info;
  }
  Result<backends::ListPage> list(const backends::ListOptions& options) override {
    if (down) return transient("store down (test)");
    auto page = ForwardingStore::list(options);
    if (after_list) after_list();
    return page;
  }
};

struct WatchFixture {
  WatchFixture() : store(std::move(f.store)) {
    options.poll_interval = milliseconds(20);
    options.poll_max_interval = milliseconds(80);
    options.full_scan_interval = milliseconds(0);
    options.content_in_use = [] { return false; };
    REQUIRE(f.index->set_listed(kRootIno, 0, true).is_ok());  // the mount has shown the root
  }

  std::string put(std::string_view key, std::string_view data) {
    auto info = store.put(key, backends::BufferSource(data), backends::PutOptions{});
    REQUIRE(info.is_ok());
    return info->etag;
  }
  void remove(std::string_view key) { REQUIRE(store.remove(key).is_ok()); }

  ScanReport scan(RemoteWatcher& watcher, ScanScope scope = ScanScope::kListed) {
    auto report = watcher.scan(scope);
    INFO(report.status().to_string());
    REQUIRE(report.is_ok());
    return *report;
  }
  std::optional<index::InodeRecord> lookup(index::Ino parent, std::string_view name) {
    auto found = f.index->lookup(parent, name);
    REQUIRE(found.is_ok());
    return *found;
  }
  // Caches `data` as the file's bytes, as a read through the mount would.
  void cache(index::Ino ino, std::string_view data) {
    REQUIRE(f.content->write(ino, 0, data).is_ok());
    REQUIRE(f.index->add_range(ino, 0, data.size()).is_ok());
  }

  testing::SyncFixture f;
  SwitchableStore store;
  RecordingSink sink;
  RemoteWatcherOptions options;
};

TEST_CASE("remote watcher: objects added on the store appear under listed directories") {
  WatchFixture w;
  RemoteWatcher watcher(*w.f.index, *w.f.content, w.store, w.sink, w.options);
  w.put("a.txt", "hello");
  w.put("d/x.txt", "deep");
  auto report = w.scan(watcher);
  CHECK(report.added == 2);  // a.txt and the directory d
  auto a = w.lookup(kRootIno, "a.txt");
  REQUIRE(a);
  CHECK(a->size == 5);
  CHECK_FALSE(a->dirty());
  auto d = w.lookup(kRootIno, "d");
  REQUIRE(d);
  CHECK(d->is_dir());
  auto events = w.sink.take();
  CHECK(has(events, EventKind::kRemoteAdded, a->ino, kRootIno, "a.txt"));
  CHECK(has(events, EventKind::kInvalidateEntry, 0, kRootIno, "a.txt"));
  CHECK(has(events, EventKind::kInvalidateInode, kRootIno, 0, ""));

  // d was never listed by the mount: only a full scan goes into it.
  CHECK(w.scan(watcher).added == 0);
  CHECK_FALSE(w.lookup(d->ino, "x.txt"));
  CHECK(w.scan(watcher, ScanScope::kFull).added == 1);
  CHECK(w.lookup(d->ino, "x.txt"));
  // Nothing new: nothing found, nothing told.
  w.sink.take();
  CHECK_FALSE(w.scan(watcher, ScanScope::kFull).found_changes());
  CHECK(w.sink.take().empty());
}

TEST_CASE("remote watcher: a clean file changed on the store takes the new version") {
  WatchFixture w;
  RemoteWatcher watcher(*w.f.index, *w.f.content, w.store, w.sink, w.options);
  w.put("a.txt", "version one");
  w.scan(watcher);
  auto a = w.lookup(kRootIno, "a.txt");
  REQUIRE(a);
  w.cache(a->ino, "version one");
  w.sink.take();

  const std::string etag = w.put("a.txt", "version two, longer");
  auto report = w.scan(watcher);
  CHECK(report.changed == 1);
  auto after = w.f.inode(a->ino);
  REQUIRE(after.remote);
  CHECK(after.remote->etag == etag);
  CHECK(after.size == 19);
  CHECK(after.cached_bytes == 0);                // the old bytes are stale
  CHECK(after.generation == a->generation + 1);  // a new kernel inode at the next lookup
  CHECK_FALSE(after.dirty());
  std::string buf(32, '\0');
  auto got = w.f.content->read(a->ino, 0, buf);
  CHECK((!got.is_ok() || *got == 0));  // freed: no mount uses the cache
  auto events = w.sink.take();
  CHECK(has(events, EventKind::kRemoteChanged, a->ino, kRootIno, "a.txt"));
  CHECK(has(events, EventKind::kInvalidateInode, a->ino, 0, ""));
  CHECK(has(events, EventKind::kInvalidateEntry, 0, kRootIno, "a.txt"));
}

TEST_CASE("remote watcher: a file removed on the store disappears") {
  WatchFixture w;
  RemoteWatcher watcher(*w.f.index, *w.f.content, w.store, w.sink, w.options);
  w.put("a.txt", "hello");
  w.put("b.txt", "stays");
  w.scan(watcher);
  auto a = w.lookup(kRootIno, "a.txt");
  REQUIRE(a);
  w.sink.take();
  w.remove("a.txt");
  auto report = w.scan(watcher);
  CHECK(report.removed == 1);
  CHECK_FALSE(w.lookup(kRootIno, "a.txt"));
  CHECK(w.lookup(kRootIno, "b.txt"));
  auto events = w.sink.take();
  CHECK(has(events, EventKind::kRemoteRemoved, a->ino, kRootIno, "a.txt"));
  CHECK(has(events, EventKind::kInvalidateEntry, 0, kRootIno, "a.txt"));
}

// The race the HEAD alone does not close: the listing and the HEAD are answered before a new
// file's upload finishes, and the upload is recorded before the pass drops what it did not see.
TEST_CASE("remote watcher: a file whose upload finished during the pass stays") {
  WatchFixture w;
  RemoteWatcher watcher(*w.f.index, *w.f.content, w.store, w.sink, w.options);
  const auto file = w.f.add_file(kRootIno, "new.txt", "uploaded meanwhile");
  w.store.after_head = [&](std::string_view key) {
    if (key != "new.txt") return;
    w.store.after_head = nullptr;
    const std::string etag = w.put("new.txt", "uploaded meanwhile");  // syncd's upload
    REQUIRE(w.f.index
                ->mark_synced(file.ino, file.local_gen,
                              index::RemoteVersion{.key = "new.txt",
                                                   .etag = etag,
                                                   .version = "",
                                                   .size = 18,
                                                   .mtime_ns = file.mtime_ns})
                .is_ok());
  };
  CHECK(w.scan(watcher).removed == 0);
  CHECK(w.lookup(kRootIno, "new.txt"));
  CHECK(w.sink.count(EventKind::kRemoteRemoved) == 0);

  w.remove("new.txt");  // a later pass that does not find it removes it
  CHECK(w.scan(watcher).removed == 1);
  CHECK_FALSE(w.lookup(kRootIno, "new.txt"));
}

// A rename journaled while the pass is listing: the old name's object is still listed (the
// move has not run), and must not come back as a new inode (the move would then leave the
// object behind, taking it for someone's file).
TEST_CASE("remote watcher: a name renamed during the pass does not come back") {
  WatchFixture w;
  RemoteWatcher watcher(*w.f.index, *w.f.content, w.store, w.sink, w.options);
  w.put("old.txt", "moving");
  w.scan(watcher);
  const auto file = w.lookup(kRootIno, "old.txt");
  REQUIRE(file);
  w.store.after_list = [&] {
    w.store.after_list = nullptr;
    REQUIRE(w.f.index->rename(kRootIno, "old.txt", kRootIno, "new.txt", 0).is_ok());
    w.f.journal(index::JournalOp::kMove, file->ino, "new.txt", "old.txt");
  };
  CHECK(w.scan(watcher).added == 0);
  CHECK_FALSE(w.lookup(kRootIno, "old.txt"));
  CHECK(w.lookup(kRootIno, "new.txt"));
}

TEST_CASE("remote watcher: a dirty file is left alone") {
  WatchFixture w;
  RemoteWatcher watcher(*w.f.index, *w.f.content, w.store, w.sink, w.options);
  const std::string first = w.put("a.txt", "base");
  w.scan(watcher);
  auto a = w.lookup(kRootIno, "a.txt");
  REQUIRE(a);
  REQUIRE(w.f.index->bump_local_gen(a->ino).is_ok());  // a local change, not uploaded yet
  w.sink.take();

  w.put("a.txt", "someone else's change");
  CHECK_FALSE(w.scan(watcher).found_changes());
  auto after = w.f.inode(a->ino);
  REQUIRE(after.remote);
  CHECK(after.remote->etag == first);  // the upload's If-Match meets the conflict
  w.remove("a.txt");
  CHECK_FALSE(w.scan(watcher).found_changes());
  CHECK(w.lookup(kRootIno, "a.txt"));
  CHECK(w.sink.take().empty());
}

TEST_CASE("remote watcher: an open file keeps its version until it is closed") {
  WatchFixture w;
  RemoteWatcher watcher(*w.f.index, *w.f.content, w.store, w.sink, w.options);
  const std::string first = w.put("a.txt", "one");
  w.scan(watcher);
  auto a = w.lookup(kRootIno, "a.txt");
  REQUIRE(a);
  REQUIRE(w.f.index->add_open(a->ino).is_ok());
  w.cache(a->ino, "one");

  const std::string second = w.put("a.txt", "two!");
  auto report = w.scan(watcher);
  CHECK(report.deferred == 1);
  CHECK(report.changed == 0);
  CHECK(w.f.inode(a->ino).remote->etag == first);
  CHECK(w.f.inode(a->ino).cached_bytes == 3);
  CHECK(w.f.inode(a->ino).generation == a->generation);  // the open kernel inode stays good
  CHECK(w.sink.count(EventKind::kRemoteChanged) == 0);

  REQUIRE(w.f.index->drop_open(a->ino).is_ok());
  CHECK(w.scan(watcher).changed == 1);
  CHECK(w.f.inode(a->ino).remote->etag == second);
  CHECK(w.sink.count(EventKind::kRemoteChanged) == 1);

  // Removed on the store while open: the name stays until the close.
  REQUIRE(w.f.index->add_open(a->ino).is_ok());
  w.remove("a.txt");
  CHECK(w.scan(watcher).removed == 0);
  CHECK(w.lookup(kRootIno, "a.txt"));
  REQUIRE(w.f.index->drop_open(a->ino).is_ok());
  CHECK(w.scan(watcher).removed == 1);
  CHECK_FALSE(w.lookup(kRootIno, "a.txt"));
}

TEST_CASE("remote watcher: a key journaled for removal is not brought back") {
  WatchFixture w;
  RemoteWatcher watcher(*w.f.index, *w.f.content, w.store, w.sink, w.options);
  w.put("gone.txt", "deleted here, not yet on the store");
  index::JournalEntry row;
  row.op = index::JournalOp::kDelete;
  row.ino = 999;
  row.key = "gone.txt";
  REQUIRE(w.f.index->enqueue(row).is_ok());
  CHECK(w.scan(watcher).added == 0);
  CHECK_FALSE(w.lookup(kRootIno, "gone.txt"));
}

TEST_CASE("remote watcher: an unreachable store is one error event, then it catches up") {
  WatchFixture w;
  RemoteWatcher watcher(*w.f.index, *w.f.content, w.store, w.sink, w.options);
  w.store.down = true;
  CHECK_FALSE(watcher.scan(ScanScope::kListed).is_ok());

  watcher.start();
  std::this_thread::sleep_for(milliseconds(400));  // several polls, backing off
  CHECK(w.sink.count(EventKind::kError) == 1);
  w.store.down = false;
  w.put("late.txt", "after the outage");
  CHECK(testing::eventually([&] { return w.lookup(kRootIno, "late.txt").has_value(); }));
  // A second outage is a second error.
  w.store.down = true;
  CHECK(testing::eventually([&] { return w.sink.count(EventKind::kError) == 2; }));
  watcher.stop();
  CHECK(w.sink.count(EventKind::kError) == 2);
}

TEST_CASE("remote watcher: quiet polls back off, a change resets the wait") {
  RemoteWatcherOptions options;
  options.poll_interval = milliseconds(1000);
  options.poll_max_interval = milliseconds(5000);
  auto next = [&](milliseconds previous, bool quiet) {
    return RemoteWatcher::next_interval(options, previous, quiet);
  };
  CHECK(next(milliseconds(1000), true) == milliseconds(2000));
  CHECK(next(milliseconds(2000), true) == milliseconds(4000));
  CHECK(next(milliseconds(4000), true) == milliseconds(5000));
  CHECK(next(milliseconds(5000), true) == milliseconds(5000));
  CHECK(next(milliseconds(5000), false) == milliseconds(1000));
  options.poll_max_interval = milliseconds(0);  // below the interval: no back-off
  CHECK(next(milliseconds(1000), true) == milliseconds(1000));
}

TEST_CASE("remote watcher: a zero poll interval starts no thread") {
  WatchFixture w;
  w.options.poll_interval = milliseconds(0);
  RemoteWatcher watcher(*w.f.index, *w.f.content, w.store, w.sink, w.options);
  w.put("a.txt", "x");
  watcher.start();
  std::this_thread::sleep_for(milliseconds(100));
  watcher.stop();
  CHECK_FALSE(w.lookup(kRootIno, "a.txt"));
}

}  // namespace
}  // namespace autosync::syncd

namespace autosync::syncd {
namespace {

// Polls scan_result until request `id` is done (the loop serves it on its own thread).
RequestedScan wait_for_scan(RemoteWatcher& watcher, uint64_t id) {
  for (;;) {
    auto result = watcher.scan_result(id);
    REQUIRE(result.is_ok());
    if (result->done) return *result;
    std::this_thread::sleep_for(milliseconds(5));
  }
}

TEST_CASE("remote watcher: a requested scan runs without polling, only under its path") {
  WatchFixture w;
  w.options.poll_interval = milliseconds(0);  // no polls: only requests wake the loop
  w.put("d/x.txt", "deep");
  w.put("e/y.txt", "other");
  RemoteWatcher watcher(*w.f.index, *w.f.content, w.store, w.sink, w.options);
  watcher.start();
  auto all = wait_for_scan(watcher, watcher.request_scan(""));
  REQUIRE(all.status.is_ok());
  CHECK(all.report.added == 2);  // the directories d and e
  // Full scope: the directories the mount never listed are listed too.
  auto under_d = wait_for_scan(watcher, watcher.request_scan("d"));
  REQUIRE(under_d.status.is_ok());
  CHECK(under_d.report.dirs == 1);
  CHECK(under_d.report.added == 1);
  auto d = w.lookup(kRootIno, "d");
  auto e = w.lookup(kRootIno, "e");
  REQUIRE(d);
  REQUIRE(e);
  CHECK(w.lookup(d->ino, "x.txt"));
  CHECK_FALSE(w.lookup(e->ino, "y.txt"));  // outside the path asked for

  w.store.down = true;
  auto failed = wait_for_scan(watcher, watcher.request_scan(""));
  CHECK(failed.status.is(ErrorKind::kTransient));
  CHECK(watcher.scan_result(9999).status().is(ErrorKind::kNotFound));
  watcher.stop();
}

}  // namespace
}  // namespace autosync::syncd
