// CacheVfs: directory handles — opendir lists the store if the listing is stale and takes a
// snapshot of the names, so readdir cookies stay valid while the directory changes.
#include <sys/stat.h>

#include "core/vfs/cache_vfs.h"

namespace autosync::vfs {

namespace {

constexpr size_t kListPage = 1000;

}  // namespace

Result<Handle> CacheVfs::opendir(const Caller& /*who*/, Ino ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, index_.get(ino));
  if (!rec.is_dir()) {
    return Status::error(ErrorKind::kNotDirectory, "opendir inode " + std::to_string(ino));
  }
  AUTOSYNC_RETURN_IF_ERROR(ensure_listed(ino));
  std::vector<DirEntry> entries{{".", ino, S_IFDIR, 1}, {"..", ino, S_IFDIR, 2}};
  std::string after;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(auto page, index_.list_dir(ino, after, kListPage));
    for (auto& child : page) {
      const uint64_t cookie = entries.size() + 1;
      entries.push_back(DirEntry{child.name, child.ino, child.mode & S_IFMT, cookie});
    }
    if (page.size() < kListPage) break;
    after = page.back().name;
  }
  std::lock_guard lock(mu_);
  const Handle handle = next_handle_++;
  dirs_[handle] = std::move(entries);
  return handle;
}

Status CacheVfs::readdir(Ino ino, Handle handle, uint64_t cookie,
                         const std::function<bool(const DirEntry&)>& emit) {
  std::vector<DirEntry> rest;
  {
    std::lock_guard lock(mu_);
    auto it = dirs_.find(handle);
    if (it == dirs_.end()) {
      return invalid("readdir inode " + std::to_string(ino) + ": no such handle");
    }
    if (cookie < it->second.size()) {
      rest.assign(it->second.begin() + static_cast<std::ptrdiff_t>(cookie), it->second.end());
    }
  }
  for (const auto& entry : rest) {  // emit without mu_: it may call back into the Vfs
    if (!emit(entry)) break;
  }
  return Status::ok();
}

Status CacheVfs::releasedir(Ino ino, Handle handle) {
  std::lock_guard lock(mu_);
  if (dirs_.erase(handle) == 0) {
    return invalid("releasedir inode " + std::to_string(ino) + ": no such handle");
  }
  return Status::ok();
}

}  // namespace autosync::vfs
