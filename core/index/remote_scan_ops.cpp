// ReadTxn: what autosyncd's remote watcher asks of the index — which directories to compare
// with the store.
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

}  // namespace autosync::index
