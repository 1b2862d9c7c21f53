// The upload journal: enqueue (with coalescing), claim, finish, retry, fail, requeue, stats.
#include <fmt/format.h>

#include <algorithm>

#include "core/index/txn.h"
#include "core/index/txn_util.h"

namespace autosync::index {
namespace {

#define AUTOSYNC_JOURNAL_COLUMNS                                                            \
  "seq, op, ino, key, src_key, gen, base_etag, state, attempts, not_before_ns, claimed_by," \
  " claimed_at_ns, last_error, created_ns"

Result<JournalEntry> read_entry(const db::Statement& stmt) {
  JournalEntry e;
  e.seq = stmt.int64(0);
  const int64_t op = stmt.int64(1), state = stmt.int64(7);
  if (op < 1 || op > 6 || state < 0 || state > 2) {
    return Status::error(ErrorKind::kCorrupt,
                         fmt::format("journal row {} has op {} state {}", e.seq, op, state));
  }
  e.op = static_cast<JournalOp>(op);
  e.ino = stmt.uint64(2);
  e.key = std::string(stmt.text(3));
  e.src_key = std::string(stmt.text(4));
  e.gen = stmt.uint64(5);
  e.base_etag = std::string(stmt.text(6));
  e.state = static_cast<JournalState>(state);
  e.attempts = static_cast<uint32_t>(stmt.int64(8));
  e.not_before_ns = stmt.int64(9);
  e.claimed_by = std::string(stmt.text(10));
  e.claimed_at_ns = stmt.int64(11);
  e.last_error = std::string(stmt.text(12));
  e.created_ns = stmt.int64(13);
  return e;
}

Status check_changed(db::Database& db, int64_t seq, std::string_view what) {
  if (db.changes() == 0) return not_found(fmt::format("{} journal row {}: no such row", what, seq));
  return Status::ok();
}

// How much a row does, for coalescing: a marker PUT carries the directory's metadata and an
// upload the file's, so either covers a setmeta; kMove and the removals never merge.
int merge_rank(JournalOp op) {
  switch (op) {
    case JournalOp::kSetMeta:
      return 1;
    case JournalOp::kMkdirMarker:
      return 2;
    case JournalOp::kUpload:
      return 3;
    default:
      return 0;
  }
}

// SQL: whether row `r` names a key (or a move's source) under directory move `m`'s old or
// new prefix (src_key "old/", key "new/"); a key is taken with a '/' added, so a
// directory's own key ("a/d") counts as under "a/d/".
std::string under_dir_move(std::string_view r, std::string_view m) {
  const auto prefix_of = [](std::string_view prefix, std::string_view key) {
    return fmt::format("substr({1} || '/', 1, length({0})) = {0}", prefix, key);
  };
  const std::string key = fmt::format("{}.key", r), src = fmt::format("{}.src_key", r);
  const std::string m_key = fmt::format("{}.key", m), m_src = fmt::format("{}.src_key", m);
  return fmt::format("{} OR {} OR ({} != '' AND ({} OR {}))", prefix_of(m_src, key),
                     prefix_of(m_key, key), src, prefix_of(m_src, src), prefix_of(m_key, src));
}

// The rows a worker may take now, oldest first: due, past the metadata quiet time, and
// ordered after the rows they depend on.
const std::string& claim_sql() {
  static const std::string sql = fmt::format(
      "UPDATE journal SET state = 1, claimed_by = ?1, claimed_at_ns = ?2 WHERE seq IN"
      " (SELECT j.seq FROM journal j WHERE j.state = 0 AND j.not_before_ns <= ?2"
      " AND (j.op NOT IN (4, 6) OR j.created_ns <= ?2 - ?4)"
      " AND (j.op != 1 OR ?5 = 0 OR j.created_ns <= ?2 - ?5)"
      // An inode's rows run one at a time, in order.
      " AND NOT EXISTS (SELECT 1 FROM journal o WHERE o.ino = j.ino AND o.seq < j.seq"
      " AND o.state IN (0, 1))"
      // Rows on keys a directory move touches run in journal order with it. Later work under
      // its old or new prefix (a chmod of a file in the moved directory, a write into it, a
      // rename inside it) waits for the move: before it, the objects are not where that
      // work looks. The unary + keeps SQLite on journal_moves (the few moves) rather than
      // journal_by_state (every pending row: 20,000 rows waiting on a move took 18 s).
      " AND NOT EXISTS (SELECT 1 FROM journal o WHERE o.op = 3 AND o.seq < j.seq"
      " AND +o.state IN (0, 1) AND substr(o.src_key, -1) = '/' AND ({}))"
      // And the move waits for earlier work there (an upload journaled just before the
      // rename), or it would copy the prefix without it.
      " AND NOT (j.op = 3 AND substr(j.src_key, -1) = '/' AND EXISTS (SELECT 1 FROM journal o"
      " WHERE o.state IN (0, 1) AND o.seq < j.seq AND ({})))"
      // No row starts while another inode's row on its key runs: a file replaced during its
      // first upload removes that upload's object before the new file's row looks at the key.
      // (Rows claimed together in one call are not checked against each other.)
      " AND NOT EXISTS (SELECT 1 FROM journal o WHERE o.state = 1 AND o.key = j.key"
      " AND o.ino != j.ino)"
      " ORDER BY j.seq LIMIT ?3)"
      " RETURNING " AUTOSYNC_JOURNAL_COLUMNS,
      under_dir_move("j", "o"), under_dir_move("o", "j"));
  return sql;
}

}  // namespace

Result<JournalEntry> ReadTxn::journal_entry(int64_t seq) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt, db().prepare_cached("SELECT " AUTOSYNC_JOURNAL_COLUMNS
                                                           " FROM journal WHERE seq = ?"));
  AUTOSYNC_ASSIGN_OR_RETURN(bool found, stmt->bind(1, seq).step());
  if (!found) return not_found(fmt::format("journal row {}: no such row", seq));
  return read_entry(*stmt);
}

Result<PendingStats> ReadTxn::pending_stats() {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("SELECT coalesce(sum(j.state IN (0, 1)), 0),"
                                     " coalesce(sum(CASE WHEN j.state IN (0, 1) AND j.op = 1"
                                     " THEN i.size END), 0), coalesce(sum(j.state = 2), 0)"
                                     " FROM journal j LEFT JOIN inodes i ON i.ino = j.ino"));
  AUTOSYNC_RETURN_IF_ERROR(stmt->step().status());
  return PendingStats{stmt->uint64(0), stmt->uint64(1), stmt->uint64(2)};
}

// A burst of changes should make one request: when the inode's newest row is an upload,
// marker or setmeta no worker has taken yet, that row takes the newer generation (and the
// op that does the most of the two) instead of a new row. Only the newest row: an upload
// queued before a move must stay before it. Rows merge at the same key only, so a row
// queued before a directory's move keeps the key the move waits on; but an upload of a file
// never on the store (no base etag) may take a new key: it is written nowhere else yet.
Result<std::optional<int64_t>> WriteTxn::coalesce(const JournalEntry& entry) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto newest,
                            db().prepare_cached("SELECT seq, op, state, key, base_etag FROM journal"
                                                " WHERE ino = ? ORDER BY seq DESC LIMIT 1"));
  AUTOSYNC_ASSIGN_OR_RETURN(bool found, newest->bind(1, entry.ino).step());
  if (!found || newest->int64(2) != static_cast<int>(JournalState::kPending)) {
    return std::optional<int64_t>();
  }
  const auto pending_op = static_cast<JournalOp>(newest->int64(1));
  // A file never uploaded has one pending upload, whatever its name now: a rename moves it
  // (and gives it the base version of a stored file the rename replaced).
  const bool new_file_upload =
      pending_op == JournalOp::kUpload && entry.op == JournalOp::kUpload && newest->text(4).empty();
  if (merge_rank(pending_op) == 0 || (!new_file_upload && newest->text(3) != entry.key)) {
    return std::optional<int64_t>();
  }
  const int64_t seq = newest->int64(0);
  const JournalOp op = merge_rank(entry.op) > merge_rank(pending_op) ? entry.op : pending_op;
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto update, db().prepare_cached("UPDATE journal SET gen = max(gen, ?1), key = ?2, op = ?3,"
                                       " base_etag = CASE WHEN ?5 != '' THEN ?5 ELSE base_etag END"
                                       " WHERE seq = ?4"));
  update->bind(1, entry.gen).bind(2, entry.key).bind(3, static_cast<int>(op));
  AUTOSYNC_RETURN_IF_ERROR(update->bind(4, seq).bind(5, entry.base_etag).run());
  return std::optional<int64_t>(seq);
}

Result<int64_t> WriteTxn::enqueue(const JournalEntry& entry) {
  if (entry.key.empty() || (entry.op == JournalOp::kMove && entry.src_key.empty())) {
    return invalid(fmt::format("enqueue for inode {}: a key is missing", entry.ino));
  }
  if (merge_rank(entry.op) > 0) {
    AUTOSYNC_ASSIGN_OR_RETURN(auto seq, coalesce(entry));
    if (seq) return *seq;
  }
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt,
      db().prepare_cached("INSERT INTO journal (op, ino, key, src_key, gen, base_etag,"
                          " not_before_ns, created_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt->bind(1, static_cast<int>(entry.op)).bind(2, entry.ino).bind(3, entry.key);
  stmt->bind(4, entry.src_key).bind(5, entry.gen).bind(6, entry.base_etag);
  AUTOSYNC_RETURN_IF_ERROR(stmt->bind(7, entry.not_before_ns).bind(8, now_ns()).run());
  return db().last_insert_rowid();
}

Result<std::vector<JournalEntry>> WriteTxn::claim(std::string_view worker, int64_t now,
                                                  size_t limit, int64_t metadata_quiet_ns,
                                                  int64_t upload_min_age_ns) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt, db().prepare_cached(claim_sql()));
  stmt->bind(1, worker).bind(2, now).bind(3, limit).bind(4, metadata_quiet_ns);
  stmt->bind(5, upload_min_age_ns);
  std::vector<JournalEntry> claimed;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(bool row, stmt->step());
    if (!row) break;
    AUTOSYNC_ASSIGN_OR_RETURN(auto entry, read_entry(*stmt));
    claimed.push_back(std::move(entry));
  }
  std::sort(claimed.begin(), claimed.end(),
            [](const JournalEntry& a, const JournalEntry& b) { return a.seq < b.seq; });
  return claimed;
}

Status WriteTxn::finish(int64_t seq) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt, db().prepare_cached("DELETE FROM journal WHERE seq = ?"));
  AUTOSYNC_RETURN_IF_ERROR(stmt->bind(1, seq).run());
  return check_changed(db(), seq, "finish");
}

// The vfs journals a delete, a file's setmeta and a file move's source at the inode's remote
// key, which a move journaled before them but not yet run had still to change. Rows after a
// directory move that name keys under its old prefix were all journaled while it was pending
// (they wait for it), so they name objects it moved; a directory's setmeta names its path and
// stays.
Status WriteTxn::rekey_after_move(const JournalEntry& move) {
  if (move.op != JournalOp::kMove) return invalid("rekey: not a move row");
  if (move.src_key.ends_with('/')) {
    const std::string dst = move.key.ends_with('/') ? move.key : move.key + "/";
    AUTOSYNC_ASSIGN_OR_RETURN(
        auto keys,
        db().prepare_cached("UPDATE journal SET key = ?2 || substr(key, length(?1) + 1)"
                            " WHERE seq > ?3 AND state = 0 AND substr(key, 1, length(?1)) = ?1"
                            " AND (op = 2 OR (op = 6 AND NOT EXISTS (SELECT 1 FROM inodes i"
                            " WHERE i.ino = journal.ino AND i.kind = 2)))"));
    AUTOSYNC_RETURN_IF_ERROR(keys->bind(1, move.src_key).bind(2, dst).bind(3, move.seq).run());
    AUTOSYNC_ASSIGN_OR_RETURN(
        auto sources, db().prepare_cached(
                          "UPDATE journal SET src_key = ?2 || substr(src_key, length(?1) + 1)"
                          " WHERE seq > ?3 AND state = 0 AND op = 3 AND substr(src_key, -1) != '/'"
                          " AND substr(src_key, 1, length(?1)) = ?1"));
    return sources->bind(1, move.src_key).bind(2, dst).bind(3, move.seq).run();
  }
  return rekey(move.ino, move.src_key, move.key, move.seq);
}

Status WriteTxn::rekey(Ino ino, std::string_view old_key, std::string_view new_key,
                       int64_t after_seq) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto keys, db().prepare_cached("UPDATE journal SET key = ?2 WHERE seq > ?3 AND state = 0"
                                     " AND ino = ?4 AND op IN (2, 6) AND key = ?1"));
  keys->bind(1, old_key).bind(2, new_key).bind(3, after_seq).bind(4, ino);
  AUTOSYNC_RETURN_IF_ERROR(keys->run());
  return rekey_move_sources(ino, old_key, new_key, after_seq);
}

Status WriteTxn::rekey_move_sources(Ino ino, std::string_view old_key, std::string_view new_key,
                                    int64_t after_seq) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto sources,
      db().prepare_cached("UPDATE journal SET src_key = ?2 WHERE seq > ?3 AND state = 0"
                          " AND ino = ?4 AND op = 3 AND src_key = ?1"));
  sources->bind(1, old_key).bind(2, new_key).bind(3, after_seq).bind(4, ino);
  return sources->run();
}

Status WriteTxn::retry_later(int64_t seq, std::string_view error, int64_t not_before_ns) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("UPDATE journal SET state = 0, attempts = attempts + 1,"
                                     " last_error = ?, not_before_ns = ?, claimed_by = '',"
                                     " claimed_at_ns = 0 WHERE seq = ?"));
  AUTOSYNC_RETURN_IF_ERROR(stmt->bind(1, error).bind(2, not_before_ns).bind(3, seq).run());
  return check_changed(db(), seq, "retry");
}

Status WriteTxn::fail(int64_t seq, std::string_view error) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("UPDATE journal SET state = 2, attempts = attempts + 1,"
                                     " last_error = ?, claimed_by = '', claimed_at_ns = 0"
                                     " WHERE seq = ?"));
  AUTOSYNC_RETURN_IF_ERROR(stmt->bind(1, error).bind(2, seq).run());
  return check_changed(db(), seq, "fail");
}

Result<uint64_t> WriteTxn::requeue_stale(int64_t claimed_before_ns) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("UPDATE journal SET state = 0, claimed_by = '',"
                                     " claimed_at_ns = 0 WHERE state = 1 AND claimed_at_ns < ?"));
  AUTOSYNC_RETURN_IF_ERROR(stmt->bind(1, claimed_before_ns).run());
  return static_cast<uint64_t>(db().changes());
}

}  // namespace autosync::index
