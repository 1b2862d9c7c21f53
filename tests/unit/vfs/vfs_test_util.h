// Helpers for the core/vfs unit tests: a CacheVfs over a temp index, a temp content store
// and the local backend (file://), with a fake clock, a store wrapper that counts calls and
// can go offline, and a notifier that counts rings.
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "backends/decorators/forwarding_store.h"
#include "core/content/content_store.h"
#include "core/index/index.h"
#include "core/vfs/cache_vfs.h"
#include "tests/support/temp_dir.h"

namespace autosync::vfs::testing {

// Counts gets and lists; when offline, every call fails kTransient before reaching the store.
// `after_list`, when set, runs once each list has its answer (before the caller sees it).
class CountingStore final : public backends::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;

  Result<backends::ObjectInfo> get(std::string_view key, const backends::GetOptions& options,
                                   backends::ByteSink& sink) override;
  Result<backends::ListPage> list(const backends::ListOptions& options) override;
  Result<backends::ObjectInfo> head(std::string_view key) override;

  std::atomic<int> gets{0};
  std::atomic<int> lists{0};
  std::atomic<bool> offline{false};
  std::function<void()> after_list;
  std::mutex ranges_mu;                     // large fetches get ranges from several threads
  std::vector<backends::ByteRange> ranges;  // of every get, in order of arrival
};

class CountingNotifier final : public ChangeNotifier {
 public:
  void journal_ready() override { ++rings; }
  std::atomic<int> rings{0};
};

struct VfsFixture {
  VfsFixture();

  // Writes an object straight to the store (behind the Vfs's back).
  void put_remote(const std::string& key, std::string_view body,
                  backends::UserMetadata metadata = {});
  void remove_remote(const std::string& key);
  // A new CacheVfs over the same index, content and store, with `options` as they are now
  // (the old one's in-memory state — handles, tombstones — is gone, as after a restart).
  void rebuild_vfs();
  // Moves the fake clock past dir_ttl, so the next lookup/opendir lists again.
  void expire_listings();
  // Every journal row still in the index, oldest first.
  std::vector<index::JournalEntry> journal();
  // What syncd records when an upload of the inode's current bytes to `key` ends as `etag`;
  // `own` adds the versions row that says this client made it.
  void record_upload(Ino ino, const std::string& key, const std::string& etag, bool own);

  // Shorthands that REQUIRE success.
  Entry make_file(Ino parent, std::string_view name, std::string_view body);
  std::string read_all(Ino ino);
  Ino lookup_ino(Ino parent, std::string_view name);

  autosync::testing::TempDir dir;
  std::atomic<int64_t> now_ns{1'700'000'000'000'000'000};
  std::unique_ptr<index::Index> index;
  std::unique_ptr<content::ContentStore> content;
  std::unique_ptr<CountingStore> store;
  CountingNotifier notifier;
  VfsOptions options;
  std::unique_ptr<CacheVfs> vfs;
  Caller who{.uid = 1000, .gid = 1000, .pid = 1, .umask = 022};
};

}  // namespace autosync::vfs::testing
