// Helpers for the syncd unit tests: a cache (index + content store) and a local-backend
// store in one temp directory, with shorthands that do what autosyncfs will do on close
// (write the bytes, bump the generation, journal the upload) and that read objects back.
#pragma once

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "backends/decorators/fault_store.h"
#include "backends/object_store.h"
#include "core/content/content_store.h"
#include "core/index/index.h"
#include "syncd/worker_options.h"
#include "tests/support/temp_dir.h"

namespace autosync::syncd::testing {

struct SyncFixture {
  // `faults`: injected under a retry layer that makes one attempt only, so every injected
  // failure reaches the workers.
  explicit SyncFixture(std::optional<backends::FaultPlan> faults = std::nullopt);

  // Short intervals so tests never wait long.
  static WorkerOptions fast_options();

  // A file `name` in `parent` holding `data`, with its upload journaled. Returns the inode
  // as it is after (local_gen 1).
  index::InodeRecord add_file(index::Ino parent, std::string_view name, std::string_view data);
  index::InodeRecord add_dir(index::Ino parent, std::string_view name);
  // New bytes for an existing file and the upload that carries them (local_gen + 1).
  int64_t rewrite(index::Ino ino, std::string_view data);  // -> the upload row's seq
  // Journals `op` for `ino` at its current local_gen; returns the row's seq.
  int64_t journal(index::JournalOp op, index::Ino ino, std::string key, std::string src_key = "");

  std::string body(std::string_view key);  // REQUIREs the object exists
  bool exists(std::string_view key);
  backends::ObjectInfo head(std::string_view key);  // REQUIREs success
  index::InodeRecord inode(index::Ino ino);
  index::JournalEntry row(int64_t seq);  // REQUIREs the row exists
  bool row_exists(int64_t seq);

  autosync::testing::TempDir dir;
  std::filesystem::path bucket;  // the local backend's root
  std::unique_ptr<index::Index> index;
  std::unique_ptr<content::ContentStore> content;
  std::unique_ptr<backends::ObjectStore> store;
};

// AttrChanges with only the named fields set (designated initializers would warn).
index::AttrChanges attr_changes(std::optional<mode_t> mode, std::optional<uid_t> uid,
                                std::optional<uint64_t> size, std::optional<int64_t> mtime_ns);

// Polls `done` every 5 ms until it holds or `timeout` passes; returns its last value.
bool eventually(const std::function<bool()>& done,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

}  // namespace autosync::syncd::testing
