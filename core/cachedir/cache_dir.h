// CacheDir: one cache directory, as autosyncfs and autosyncd share it.
//
//   CACHE/index.db       the cache index and journal (core/index), SQLite in WAL mode
//   CACHE/content/       file bytes, one sparse file per inode (core/content)
//   CACHE/syncd.sock     the doorbell autosyncd listens on (core/doorbell/doorbell.h)
//   CACHE/events.sock    autosyncd's event stream, PUB/SUB (core/events)
//   CACHE/control.sock   autosyncd's control socket, REQ/REP JSON (autosyncctl talks to it)
//   CACHE/mount.json     written by the mounted autosyncfs: its mountpoint, remote and pid
//   CACHE/client-id      this cache's random id, made once: tells its own objects from others'
//   CACHE/cache-limit    the size limit autosyncctl cache set-limit chose (cache_limit.cpp)
//   CACHE/mount.lock     held by the autosyncfs that has this cache mounted
//   CACHE/syncd.lock     held by the autosyncd that uploads from this cache
//   CACHE/autosyncfs.log, CACHE/autosyncd.log   the daemons' logs once they run detached
//
// open() creates what is missing (the directory itself 0700: file names and contents of a
// private bucket live here). Ownership: a CacheDir owns its Index and ContentStore; move-only.
// Threading: as Index and ContentStore (any thread).
#pragma once

#include <filesystem>
#include <memory>

#include "core/base/result.h"
#include "core/content/content_store.h"
#include "core/index/index.h"

namespace autosync::cachedir {

struct Paths {
  explicit Paths(std::filesystem::path dir) : root(std::move(dir)) {}
  std::filesystem::path root;
  std::filesystem::path index() const { return root / "index.db"; }
  std::filesystem::path content() const { return root / "content"; }
  std::filesystem::path mount_lock() const { return root / "mount.lock"; }
  std::filesystem::path syncd_lock() const { return root / "syncd.lock"; }
  std::filesystem::path events_socket() const { return root / "events.sock"; }
  std::filesystem::path control_socket() const { return root / "control.sock"; }
  std::filesystem::path mount_info() const { return root / "mount.json"; }
  std::filesystem::path client_id() const { return root / "client-id"; }
  std::filesystem::path cache_limit() const { return root / "cache-limit"; }
  std::filesystem::path fs_log() const { return root / "autosyncfs.log"; }
  std::filesystem::path syncd_log() const { return root / "autosyncd.log"; }
};

struct OpenOptions {
  size_t connections = 4;  // index connections: one per thread using it at the same time
};

class CacheDir {
 public:
  // kInvalid/kIo/kAccessDenied with the path when the directory cannot be made or used;
  // kCorrupt when index.db is not a usable cache index.
  static Result<CacheDir> open(const std::filesystem::path& dir, const OpenOptions& options);

  const Paths& paths() const { return paths_; }
  index::Index& index() { return *index_; }
  content::ContentStore& content() { return *content_; }

 private:
  CacheDir(Paths paths, std::unique_ptr<index::Index> index,
           std::unique_ptr<content::ContentStore> content)
      : paths_(std::move(paths)), index_(std::move(index)), content_(std::move(content)) {}

  Paths paths_;
  std::unique_ptr<index::Index> index_;
  std::unique_ptr<content::ContentStore> content_;
};

// This cache's client id (32 hex digits), made on first use and kept in CACHE/client-id:
// written into the objects this cache uploads, so a retry after a crash can tell its own
// unrecorded upload from someone else's change. Safe when several processes ask at once.
Result<std::string> client_id(const Paths& paths);

// CACHE/cache-limit (cache_limit.cpp): the limit autosyncctl chose for this cache, if any.
// kCorrupt when the file holds no number.
Result<std::optional<uint64_t>> read_cache_limit(const Paths& paths);
Status write_cache_limit(const Paths& paths, uint64_t bytes);  // atomically (rename)
// The limit a mount or daemon starting now uses: cache.size when the config file or -o gave
// it, else the chosen one, else cache.size's default (`configured`). An unreadable file is
// ignored (the default applies).
uint64_t effective_cache_limit(const Paths& paths, uint64_t configured, bool configured_explicitly);

// Creates `dir` (and parents) when missing; the leaf gets mode 0700.
Status make_private_dir(const std::filesystem::path& dir);

}  // namespace autosync::cachedir
