// ReadTxn: the reports autosyncctl shows — journal rows, pending work under a path, and
// counts over the cache. Read-only; each is a plain query over the tables schema.h describes.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "core/index/txn.h"

namespace autosync::index {

Result<std::vector<JournalEntry>> ReadTxn::journal_rows(size_t limit) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt,
                            db().prepare_cached("SELECT seq FROM journal ORDER BY seq LIMIT ?"));
  stmt->bind(1, static_cast<int64_t>(std::min<size_t>(limit, INT64_MAX)));
  std::vector<int64_t> seqs;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(bool row, stmt->step());
    if (!row) break;
    seqs.push_back(stmt->int64(0));
  }
  std::vector<JournalEntry> out;
  out.reserve(seqs.size());
  for (const int64_t seq : seqs) {  // one snapshot: every seq is still there
    AUTOSYNC_ASSIGN_OR_RETURN(auto entry, journal_entry(seq));
    out.push_back(std::move(entry));
  }
  return out;
}

Result<PendingStats> ReadTxn::pending_stats_under(std::string_view path) {
  if (path.empty()) return pending_stats();
  // substr, not LIKE: keys may hold '%' and '_'.
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt,
      db().prepare_cached("SELECT coalesce(sum(j.state IN (0, 1)), 0),"
                          " coalesce(sum(CASE WHEN j.state IN (0, 1) AND j.op = 1"
                          " THEN i.size END), 0), coalesce(sum(j.state = 2), 0)"
                          " FROM journal j LEFT JOIN inodes i ON i.ino = j.ino"
                          " WHERE j.key = ?1 OR substr(j.key, 1, length(?2)) = ?2"
                          " OR j.src_key = ?1 OR substr(j.src_key, 1, length(?2)) = ?2"));
  const std::string under = std::string(path) + "/";
  AUTOSYNC_RETURN_IF_ERROR(stmt->bind(1, path).bind(2, std::string_view(under)).step().status());
  return PendingStats{stmt->uint64(0), stmt->uint64(1), stmt->uint64(2)};
}

Result<CacheCounts> ReadTxn::cache_counts() {
  CacheCounts counts;
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt,
      db().prepare_cached("SELECT coalesce(sum(kind = 1), 0),"
                          " coalesce(sum(local_gen != synced_gen), 0),"
                          " coalesce(sum(pinned != 0 AND kind = 1), 0),"
                          " coalesce(sum(cached_bytes), 0) FROM inodes WHERE nlink > 0"));
  AUTOSYNC_RETURN_IF_ERROR(stmt->step().status());
  counts.files = stmt->uint64(0);
  counts.dirty = stmt->uint64(1);
  counts.pinned = stmt->uint64(2);
  counts.cached_bytes = stmt->uint64(3);
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto error, db().prepare_cached("SELECT last_error FROM journal"
                                      " WHERE last_error != '' ORDER BY seq DESC LIMIT 1"));
  AUTOSYNC_ASSIGN_OR_RETURN(bool found, error->step());
  if (found) counts.last_error = std::string(error->text(0));
  return counts;
}

}  // namespace autosync::index
