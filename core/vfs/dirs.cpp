// CacheVfs: directory handles — opendir lists the store if the listing is stale; readdir
// reads the index a page at a time. A cookie is a position in name order: "." is 1, ".." 2,
// the first child 3. Consecutive readdirs continue after the last name read, so a name
// added or removed meanwhile neither repeats nor hides another; a cookie from elsewhere
// (seekdir) is found again by counting from the start.
#include <sys/stat.h>

#include "core/vfs/cache_vfs.h"

namespace autosync::vfs {

namespace {

constexpr size_t kListPage = 1000;
constexpr uint64_t kFirstChildCookie = 3;
// Children whose attributes readdirplus reads in one snapshot: about what one reply holds.
constexpr size_t kPlusBatch = 128;

}  // namespace

struct CacheVfs::DirCursor {
  Ino dir = 0;
  std::mutex mu;       // one readdir of the handle at a time; guards the fields below
  uint64_t first = 0;  // position among the children of page[0]
  std::vector<index::DirEntryRecord> page;
  bool last_page = false;  // no child after page.back()
};

Result<Handle> CacheVfs::opendir(const Caller& /*who*/, Ino ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, index_.get(ino));
  if (!rec.is_dir()) {
    return Status::error(ErrorKind::kNotDirectory, "opendir inode " + std::to_string(ino));
  }
  AUTOSYNC_RETURN_IF_ERROR(ensure_listed(ino));
  auto cursor = std::make_shared<DirCursor>();
  cursor->dir = ino;
  AUTOSYNC_RETURN_IF_ERROR(load_dir_page(*cursor, 0));
  std::lock_guard lock(mu_);
  const Handle handle = next_handle_++;
  dirs_[handle] = std::move(cursor);
  return handle;
}

// Makes the cursor's page the one holding child `position` (or the last page, when there
// are fewer children). Caller holds cursor.mu.
Status CacheVfs::load_dir_page(DirCursor& cursor, uint64_t position) {
  const bool empty_start = cursor.page.empty() && !cursor.last_page;
  if (position < cursor.first || empty_start) {  // back to the start
    AUTOSYNC_ASSIGN_OR_RETURN(cursor.page, index_.list_dir(cursor.dir, "", kListPage));
    cursor.first = 0;
    cursor.last_page = cursor.page.size() < kListPage;
  }
  while (position >= cursor.first + cursor.page.size() && !cursor.last_page) {
    const std::string after = cursor.page.back().name;
    const uint64_t next_first = cursor.first + cursor.page.size();
    AUTOSYNC_ASSIGN_OR_RETURN(cursor.page, index_.list_dir(cursor.dir, after, kListPage));
    cursor.first = next_first;
    cursor.last_page = cursor.page.size() < kListPage;
  }
  return Status::ok();
}

Result<std::shared_ptr<CacheVfs::DirCursor>> CacheVfs::find_cursor(Ino ino, Handle handle) {
  std::lock_guard lock(mu_);
  auto it = dirs_.find(handle);
  if (it == dirs_.end()) {
    return invalid("readdir inode " + std::to_string(ino) + ": no such handle");
  }
  return it->second;
}

Status CacheVfs::readdir(Ino ino, Handle handle, uint64_t cookie,
                         const std::function<bool(const DirEntry&)>& emit) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto cursor, find_cursor(ino, handle));
  // emit runs without mu_ (it may call back into the Vfs); cursor->mu only orders readdirs
  // of this handle.
  if (cookie == 0 && !emit(DirEntry{".", cursor->dir, S_IFDIR, 1})) return Status::ok();
  if (cookie <= 1 && !emit(DirEntry{"..", cursor->dir, S_IFDIR, 2})) return Status::ok();
  std::lock_guard lock(cursor->mu);
  for (uint64_t position = std::max(cookie, kFirstChildCookie - 1) - 2;; ++position) {
    AUTOSYNC_RETURN_IF_ERROR(load_dir_page(*cursor, position));
    if (position >= cursor->first + cursor->page.size()) return Status::ok();  // the end
    const auto& child = cursor->page[position - cursor->first];
    if (!emit(DirEntry{child.name, child.ino, child.mode & S_IFMT, position + kFirstChildCookie})) {
      return Status::ok();
    }
  }
}

// The attributes come from the index as the entries go out (not from the cursor's page,
// which may be older), kPlusBatch names per snapshot rather than one snapshot per name.
Status CacheVfs::readdirplus(const Caller& /*who*/, Ino ino, Handle handle, uint64_t cookie,
                             const PlusEmit& emit) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto cursor, find_cursor(ino, handle));
  const Result<Entry> no_attributes = not_found("readdirplus: no attributes for this entry");
  if (cookie == 0 && !emit(DirEntry{".", cursor->dir, S_IFDIR, 1}, no_attributes)) {
    return Status::ok();
  }
  if (cookie <= 1 && !emit(DirEntry{"..", cursor->dir, S_IFDIR, 2}, no_attributes)) {
    return Status::ok();
  }
  std::lock_guard lock(cursor->mu);
  std::vector<std::optional<index::InodeRecord>> batch;
  uint64_t batch_first = 0;  // position of batch[0]
  for (uint64_t position = std::max(cookie, kFirstChildCookie - 1) - 2;; ++position) {
    AUTOSYNC_RETURN_IF_ERROR(load_dir_page(*cursor, position));
    if (position >= cursor->first + cursor->page.size()) return Status::ok();  // the end
    const size_t at = position - cursor->first;
    if (position < batch_first || position >= batch_first + batch.size()) {
      std::vector<std::string> names;
      for (size_t i = at; i < cursor->page.size() && names.size() < kPlusBatch; ++i)
        names.push_back(cursor->page[i].name);
      AUTOSYNC_ASSIGN_OR_RETURN(batch, index_.lookup_many(cursor->dir, names));
      batch_first = position;
    }
    const auto& child = cursor->page[at];
    const auto& rec = batch[position - batch_first];
    const DirEntry entry{child.name, rec ? rec->ino : child.ino,
                         (rec ? rec->mode : child.mode) & S_IFMT, position + kFirstChildCookie};
    if (!emit(entry, rec ? Result<Entry>(hand_out(*rec)) : no_attributes)) return Status::ok();
  }
}

Status CacheVfs::releasedir(Ino ino, Handle handle) {
  std::lock_guard lock(mu_);
  if (dirs_.erase(handle) == 0) {
    return invalid("releasedir inode " + std::to_string(ino) + ": no such handle");
  }
  return Status::ok();
}

}  // namespace autosync::vfs
