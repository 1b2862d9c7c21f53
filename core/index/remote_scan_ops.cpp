// ReadTxn/WriteTxn: what a remote scan asks of the index — which directories to compare with
// the store (autosyncd's remote watcher), and a changed file's new kernel inode.
#include <string>

#include "core/index/txn.h"
#include "core/index/txn_util.h"

namespace autosync::index {

Result<std::vector<Ino>> ReadTxn::scan_dirs(bool all, Ino after, size_t limit) {
  // kind 2: a directory; nlink > 0: still linked (an rmdir'ed one open somewhere is not).
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt,
      all ? db().prepare_cached("SELECT ino FROM inodes WHERE kind = 2 AND nlink > 0 AND ino > ?"
                                " ORDER BY ino LIMIT ?")
          : db().prepare_cached("SELECT i.ino FROM inodes i JOIN dir_state s ON s.ino = i.ino"
                                " WHERE i.kind = 2 AND i.nlink > 0 AND s.complete = 1"
                                " AND i.ino > ? ORDER BY i.ino LIMIT ?"));
  stmt->bind(1, after).bind(2, limit);
  std::vector<Ino> out;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(bool row, stmt->step());
    if (!row) return out;
    out.push_back(stmt->uint64(0));
  }
}

Status WriteTxn::renew_kernel_inode(Ino ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt,
      db().prepare_cached("UPDATE inodes SET generation = generation + 1 WHERE ino = ?"));
  AUTOSYNC_RETURN_IF_ERROR(stmt->bind(1, ino).run());
  if (db().changes() == 0) return not_found("renew kernel inode " + std::to_string(ino));
  return Status::ok();
}

}  // namespace autosync::index
