#include "tests/unit/syncd/syncd_fixture.h"

#include <catch2/catch.hpp>
#include <thread>

#include "backends/open.h"

namespace autosync::syncd::testing {

SyncFixture::SyncFixture(std::optional<backends::FaultPlan> faults) {
  bucket = dir.path() / "bucket";
  std::filesystem::create_directories(bucket);
  index::IndexOptions index_options;
  index_options.pool.max_connections = 8;  // workers + the test thread
  auto opened = index::Index::open(dir.path() / "index.db", index_options);
  REQUIRE(opened.is_ok());
  index = std::move(opened).value();
  auto content_store = content::ContentStore::open(dir.path() / "content");
  REQUIRE(content_store.is_ok());
  content = std::move(content_store).value();

  backends::StoreConfig config;
  auto url = backends::parse_remote_url("file://" + bucket.string());
  REQUIRE(url.is_ok());
  config.remote = *url;
  config.retry.max_attempts = 1;
  config.faults = std::move(faults);
  auto opened_store = backends::open(config);
  INFO(opened_store.status().to_string());
  REQUIRE(opened_store.is_ok());
  store = std::move(opened_store).value();
}

WorkerOptions SyncFixture::fast_options() {
  WorkerOptions options;
  options.workers = 2;
  options.rescan_interval = std::chrono::milliseconds(50);
  options.metadata_writeback_delay = std::chrono::milliseconds(0);  // tests that wait say so
  options.backoff = {.initial = std::chrono::milliseconds(10),
                     .max = std::chrono::milliseconds(40)};
  return options;
}

index::InodeRecord SyncFixture::add_file(index::Ino parent, std::string_view name,
                                         std::string_view data) {
  index::NewInode spec;
  spec.mode = S_IFREG | 0644;
  spec.uid = 1000;
  spec.gid = 1001;
  auto created = index->create(parent, name, spec);
  INFO(created.status().to_string());
  REQUIRE(created.is_ok());
  rewrite(created->ino, data);
  return inode(created->ino);
}

index::InodeRecord SyncFixture::add_dir(index::Ino parent, std::string_view name) {
  index::NewInode spec;
  spec.mode = S_IFDIR | 0750;
  spec.uid = 1000;
  spec.gid = 1001;
  auto created = index->create(parent, name, spec);
  REQUIRE(created.is_ok());
  auto path = index->path_of(created->ino);
  REQUIRE(path.is_ok());
  REQUIRE(index->bump_local_gen(created->ino).is_ok());
  journal(index::JournalOp::kMkdirMarker, created->ino, *path);
  return inode(created->ino);
}

int64_t SyncFixture::rewrite(index::Ino ino, std::string_view data) {
  REQUIRE(content->truncate(ino, 0).is_ok());
  REQUIRE(content->write(ino, 0, std::span<const char>(data.data(), data.size())).is_ok());
  REQUIRE(index->set_attrs(ino, attr_changes({}, {}, data.size(), {})).is_ok());
  REQUIRE(index->bump_local_gen(ino).is_ok());
  auto path = index->path_of(ino);
  REQUIRE(path.is_ok());
  return journal(index::JournalOp::kUpload, ino, *path);
}

int64_t SyncFixture::journal(index::JournalOp op, index::Ino ino, std::string key,
                             std::string src_key) {
  index::JournalEntry entry;
  entry.op = op;
  entry.ino = ino;
  entry.key = std::move(key);
  entry.src_key = std::move(src_key);
  entry.gen = inode(ino).local_gen;
  auto seq = index->enqueue(entry);
  INFO(seq.status().to_string());
  REQUIRE(seq.is_ok());
  return *seq;
}

std::string SyncFixture::body(std::string_view key) {
  backends::BufferSink sink;
  auto info = store->get(key, {}, sink);
  INFO(key << ": " << info.status().to_string());
  REQUIRE(info.is_ok());
  return sink.take();
}

bool SyncFixture::exists(std::string_view key) {
  return store->head(key).is_ok();
}

backends::ObjectInfo SyncFixture::head(std::string_view key) {
  auto info = store->head(key);
  INFO(key << ": " << info.status().to_string());
  REQUIRE(info.is_ok());
  return *info;
}

index::InodeRecord SyncFixture::inode(index::Ino ino) {
  auto record = index->get(ino);
  REQUIRE(record.is_ok());
  return *record;
}

index::JournalEntry SyncFixture::row(int64_t seq) {
  auto entry = index->journal_entry(seq);
  INFO(entry.status().to_string());
  REQUIRE(entry.is_ok());
  return *entry;
}

bool SyncFixture::row_exists(int64_t seq) {
  return index->journal_entry(seq).is_ok();
}

index::AttrChanges attr_changes(std::optional<mode_t> mode, std::optional<uid_t> uid,
                                std::optional<uint64_t> size, std::optional<int64_t> mtime_ns) {
  index::AttrChanges changes;
  changes.mode = mode;
  changes.uid = uid;
  changes.size = size;
  changes.mtime_ns = mtime_ns;
  return changes;
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace autosync::syncd::testing
