// CacheVfs: construction, attribute conversion, getattr/readlink, statfs, forget, link.
#include "core/vfs/cache_vfs.h"

#include <sys/statvfs.h>

#include <cerrno>
#include <chrono>

namespace autosync::vfs {

namespace {

Timespec to_timespec(int64_t ns) {
  return Timespec{.sec = ns / 1'000'000'000, .nsec = ns % 1'000'000'000};
}

}  // namespace

CacheVfs::CacheVfs(index::Index& index, content::ContentStore& content,
                   backends::ObjectStore& store, ChangeNotifier& notifier, VfsOptions options)
    : index_(index),
      content_(content),
      store_(store),
      notifier_(notifier),
      options_(std::move(options)),
      budget_(index_, content_, inode_locks_, options_.cache_limit_bytes,
              [this] { return now_ns(); }) {}

int64_t CacheVfs::now_ns() const {
  if (options_.clock) return options_.clock();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status CacheVfs::check_writable(std::string_view what) const {
  if (!options_.read_only) return Status::ok();
  return Status::error(ErrorKind::kReadOnly, std::string(what) + ": the mount is read-only");
}

Attr CacheVfs::make_attr(const index::InodeRecord& rec) const {
  Attr attr;
  attr.ino = rec.ino;
  attr.mode = rec.mode;
  attr.nlink = rec.nlink;
  attr.uid = rec.uid;
  attr.gid = rec.gid;
  attr.size = rec.size;
  attr.blocks = (rec.cached_bytes + 511) / 512;
  attr.rdev = rec.rdev;
  attr.atime = to_timespec(rec.atime_ns);
  attr.mtime = to_timespec(rec.mtime_ns);
  attr.ctime = to_timespec(rec.ctime_ns);
  return attr;
}

Entry CacheVfs::make_entry(const index::InodeRecord& rec) const {
  Entry entry;
  entry.attr = make_attr(rec);
  entry.generation = rec.generation;
  entry.attr_timeout = options_.attr_ttl;
  entry.entry_timeout = options_.attr_ttl;
  return entry;
}

Result<Attr> CacheVfs::getattr(Ino ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, index_.get(ino));
  return make_attr(rec);
}

Result<std::string> CacheVfs::readlink(Ino ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, index_.get(ino));
  if (rec.kind != index::InodeKind::kSymlink) {
    return invalid("readlink inode " + std::to_string(ino) + ": not a symbolic link");
  }
  return rec.symlink_target;
}

Entry CacheVfs::hand_out(const index::InodeRecord& rec) {
  {
    std::lock_guard lock(mu_);
    ++lookups_[rec.ino];
  }
  return make_entry(rec);
}

// The kernel dropped `count` references; an unlinked inode it no longer knows may go.
bool CacheVfs::forget(Ino ino, uint64_t count) {
  {
    std::lock_guard lock(mu_);
    auto it = lookups_.find(ino);
    if (it == lookups_.end()) return true;  // a reference from before a restart: nothing to drop
    if (it->second > count) {
      it->second -= count;
      return false;
    }
    lookups_.erase(it);
  }
  purge_if_unused(ino);
  return true;
}

Result<Entry> CacheVfs::link(const Caller& /*who*/, Ino /*ino*/, Ino /*new_parent*/,
                             std::string_view new_name) {
  // One object per name on the store: a hard link has no representation there.
  return unsupported("link " + std::string(new_name) + ": hard links are not supported");
}

Result<FsStats> CacheVfs::statfs(Ino /*ino*/) {
  struct statvfs vfs {};
  if (::statvfs(content_.dir().c_str(), &vfs) != 0) {
    return from_errno(errno, "statfs " + content_.dir().string());
  }
  FsStats stats;
  stats.block_size = vfs.f_frsize;
  stats.blocks = vfs.f_blocks;
  stats.blocks_free = vfs.f_bfree;
  stats.blocks_available = vfs.f_bavail;
  stats.files = vfs.f_files;
  stats.files_free = vfs.f_ffree;
  stats.name_max = static_cast<uint32_t>(index::kMaxNameBytes);
  return stats;
}

}  // namespace autosync::vfs
