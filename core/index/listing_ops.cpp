// ReadTxn/WriteTxn: listing passes — marking the children a pass saw on the store, and
// finding those it did not.
#include <fmt/format.h>

#include "core/index/txn.h"
#include "core/index/txn_util.h"

namespace autosync::index {

Status WriteTxn::mark_seen(Ino ino, int64_t epoch) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt,
      db().prepare_cached("UPDATE inodes SET listed_epoch = max(listed_epoch, ?) WHERE ino = ?"));
  AUTOSYNC_RETURN_IF_ERROR(stmt->bind(1, epoch).bind(2, ino).run());
  if (db().changes() == 0) return not_found(fmt::format("mark {} seen: no such inode", ino));
  return Status::ok();
}

Result<std::vector<DirEntryRecord>> ReadTxn::unseen_children(Ino dir, int64_t epoch,
                                                             std::string_view after_name,
                                                             size_t limit) {
  AUTOSYNC_RETURN_IF_ERROR(
      detail::load_dir(db(), dir, fmt::format("unseen children of {}", dir)).status());
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("SELECT d.name, d.ino, i.mode FROM dentries d JOIN inodes i"
                                     " ON i.ino = d.ino WHERE d.parent = ? AND d.name > ?"
                                     " AND i.listed_epoch < ? ORDER BY d.name LIMIT ?"));
  stmt->bind(1, dir).bind(2, detail::name_blob(after_name)).bind(3, epoch).bind(4, limit);
  std::vector<DirEntryRecord> entries;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(bool row, stmt->step());
    if (!row) return entries;
    entries.push_back(DirEntryRecord{detail::blob_string(stmt->blob(0)), stmt->uint64(1),
                                     static_cast<mode_t>(stmt->int64(2))});
  }
}

Result<bool> ReadTxn::seen_since(Ino ino, int64_t epoch) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("SELECT listed_epoch >= ? FROM inodes WHERE ino = ?"));
  stmt->bind(1, epoch).bind(2, ino);
  AUTOSYNC_ASSIGN_OR_RETURN(bool row, stmt->step());
  if (!row) return not_found(fmt::format("inode {}", ino));
  return stmt->int64(0) != 0;
}

}  // namespace autosync::index
