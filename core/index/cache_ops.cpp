// ReadTxn/WriteTxn: the cache budget (total cached bytes, dropping one file's clean cache)
// and the queries a mount runs once at start to recover from a crash.
#include <fmt/format.h>

#include <string>
#include <vector>

#include "core/index/txn.h"
#include "core/index/txn_util.h"

namespace autosync::index {

Result<uint64_t> ReadTxn::cached_bytes_total() {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt,
                            db().prepare_cached("SELECT coalesce(sum(cached_bytes), 0) FROM inodes"
                                                " WHERE cached_bytes > 0"));
  AUTOSYNC_RETURN_IF_ERROR(stmt->step().status());
  return stmt->uint64(0);
}

// The same conditions as eviction_candidates(), checked again inside the write transaction:
// between the two, the file may have been opened, written or pinned.
Result<uint64_t> WriteTxn::drop_clean_cache(Ino ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("UPDATE inodes SET cached_bytes = 0 WHERE ino = ?"
                                     " AND cached_bytes > 0 AND kind = 1 AND pinned = 0"
                                     " AND open_count = 0 AND local_gen = synced_gen"
                                     " RETURNING (SELECT coalesce(sum(end_off - start_off), 0)"
                                     " FROM ranges WHERE ranges.ino = inodes.ino)"));
  AUTOSYNC_ASSIGN_OR_RETURN(bool evictable, stmt->bind(1, ino).step());
  if (!evictable) return uint64_t{0};
  const uint64_t freed = stmt->uint64(0);
  AUTOSYNC_RETURN_IF_ERROR(stmt->run());  // finish the statement
  AUTOSYNC_ASSIGN_OR_RETURN(auto drop, db().prepare_cached("DELETE FROM ranges WHERE ino = ?"));
  AUTOSYNC_RETURN_IF_ERROR(drop->bind(1, ino).run());
  return freed;
}

Result<std::vector<Ino>> ReadTxn::unjournaled_dirty_inodes() {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt,
      db().prepare_cached("SELECT i.ino FROM inodes i WHERE i.local_gen != i.synced_gen"
                          " AND i.nlink > 0 AND i.kind != 4 AND NOT EXISTS (SELECT 1 FROM"
                          " journal j WHERE j.ino = i.ino AND j.state IN (0, 1)"
                          " AND j.gen >= i.local_gen) ORDER BY i.ino"));
  std::vector<Ino> out;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(bool row, stmt->step());
    if (!row) return out;
    out.push_back(stmt->uint64(0));
  }
}

Result<std::vector<std::string>> ReadTxn::keys_being_removed() {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("SELECT CASE op WHEN 2 THEN key WHEN 3 THEN src_key"
                                     " ELSE key || '/' END FROM journal"
                                     " WHERE op IN (2, 3, 5) AND state IN (0, 1) ORDER BY seq"));
  std::vector<std::string> out;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(bool row, stmt->step());
    if (!row) return out;
    out.emplace_back(stmt->text(0));
  }
}

}  // namespace autosync::index
