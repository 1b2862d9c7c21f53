// The conflicts and versions tables (schema v4), and the index changes a conflict's
// resolution makes: a file reset to the remote version, journal rows that follow a conflict
// copy to its key or are dropped with the local changes that lost. Used by autosyncd's
// workers (syncd/conflict_resolve.cpp) and, for listings, autosyncctl.
#include <fmt/format.h>
#include <sys/stat.h>

#include "core/index/index.h"
#include "core/index/txn.h"
#include "core/index/txn_util.h"

namespace autosync::index {
namespace {

#define AUTOSYNC_CONFLICT_COLUMNS                                                         \
  "id, path, copy_path, kind, local_etag, local_size, local_mtime_ns, local_host,"        \
  " remote_etag, remote_size, remote_mtime_ns, remote_host, policy, resolution, time_ns," \
  " resolved"

Result<ConflictRecord> read_conflict(const db::Statement& stmt) {
  ConflictRecord r;
  r.id = stmt.int64(0);
  r.path = std::string(stmt.text(1));
  r.copy_path = std::string(stmt.text(2));
  const int64_t kind = stmt.int64(3);
  if (kind < 1 || kind > 3) {
    return Status::error(ErrorKind::kCorrupt,
                         fmt::format("conflict {} has unknown kind {}", r.id, kind));
  }
  r.kind = static_cast<ConflictKind>(kind);
  r.local = {std::string(stmt.text(4)), stmt.uint64(5), stmt.int64(6), std::string(stmt.text(7))};
  r.remote = {std::string(stmt.text(8)), stmt.uint64(9), stmt.int64(10),
              std::string(stmt.text(11))};
  r.policy = std::string(stmt.text(12));
  r.resolution = std::string(stmt.text(13));
  r.time_ns = stmt.int64(14);
  r.resolved = stmt.int64(15) != 0;
  return r;
}

constexpr int64_t kVersionsKept = 64;

VersionRecord read_version(const db::Statement& stmt) {
  VersionRecord v;
  v.path = std::string(stmt.text(0));
  v.ino = stmt.uint64(1);
  v.etag = std::string(stmt.text(2));
  v.version_id = std::string(stmt.text(3));
  v.size = stmt.uint64(4);
  v.mtime_ns = stmt.int64(5);
  v.host = std::string(stmt.text(6));
  v.uploaded = stmt.int64(7) != 0;
  v.seen_ns = stmt.int64(8);
  return v;
}

}  // namespace

Result<std::vector<ConflictRecord>> ReadTxn::list_conflicts(bool unresolved_only, int64_t after_id,
                                                            size_t limit) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("SELECT " AUTOSYNC_CONFLICT_COLUMNS " FROM conflicts"
                                     " WHERE id > ?1 AND (?2 = 0 OR resolved = 0)"
                                     " ORDER BY id LIMIT ?3"));
  stmt->bind(1, after_id).bind(2, unresolved_only).bind(3, limit);
  std::vector<ConflictRecord> out;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(bool row, stmt->step());
    if (!row) break;
    AUTOSYNC_ASSIGN_OR_RETURN(auto record, read_conflict(*stmt));
    out.push_back(std::move(record));
  }
  return out;
}

Result<bool> ReadTxn::uploaded_here(Ino ino, std::string_view etag, uint64_t size,
                                    int64_t mtime_ns) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("SELECT 1 FROM versions WHERE ino = ? AND etag = ?"
                                     " AND uploaded = 1 AND size = ? AND mtime_ns = ? LIMIT 1"));
  stmt->bind(1, ino).bind(2, etag).bind(3, size).bind(4, mtime_ns);
  return stmt->step();
}

Result<std::vector<VersionRecord>> ReadTxn::list_versions(std::string_view path) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("SELECT path, ino, etag, version_id, size, mtime_ns, host,"
                                     " uploaded, seen_ns FROM versions WHERE path = ?"
                                     " ORDER BY id"));
  stmt->bind(1, path);
  std::vector<VersionRecord> out;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(bool row, stmt->step());
    if (!row) break;
    out.push_back(read_version(*stmt));
  }
  return out;
}

Result<std::optional<Ino>> ReadTxn::dir_at(std::string_view dir_path) {
  Ino at = kRootIno;
  while (!dir_path.empty()) {
    const size_t slash = dir_path.find('/');
    const std::string_view name = dir_path.substr(0, slash);
    dir_path = slash == std::string_view::npos ? std::string_view() : dir_path.substr(slash + 1);
    if (name.empty()) continue;
    AUTOSYNC_ASSIGN_OR_RETURN(auto child, detail::load_child(db(), at, name));
    if (!child || !child->is_dir()) return std::optional<Ino>();
    at = child->ino;
  }
  return std::optional<Ino>(at);
}

Result<bool> ReadTxn::delete_pending(std::string_view key, std::string_view etag) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("SELECT 1 FROM journal WHERE op = 2 AND state IN (0, 1)"
                                     " AND key = ? AND base_etag = ? LIMIT 1"));
  return stmt->bind(1, key).bind(2, etag).step();
}

Result<int64_t> WriteTxn::add_conflict(const ConflictRecord& r) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt,
      db().prepare_cached("INSERT INTO conflicts (path, copy_path, kind, local_etag, local_size,"
                          " local_mtime_ns, local_host, remote_etag, remote_size,"
                          " remote_mtime_ns, remote_host, policy, resolution, time_ns, resolved)"
                          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt->bind(1, r.path).bind(2, r.copy_path).bind(3, static_cast<int>(r.kind));
  stmt->bind(4, r.local.etag).bind(5, r.local.size).bind(6, r.local.mtime_ns);
  stmt->bind(7, r.local.host).bind(8, r.remote.etag).bind(9, r.remote.size);
  stmt->bind(10, r.remote.mtime_ns).bind(11, r.remote.host).bind(12, r.policy);
  stmt->bind(13, r.resolution).bind(14, r.time_ns).bind(15, r.resolved);
  AUTOSYNC_RETURN_IF_ERROR(stmt->run());
  return db().last_insert_rowid();
}

Status WriteTxn::set_conflict_resolved(int64_t id, bool resolved) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt,
                            db().prepare_cached("UPDATE conflicts SET resolved = ? WHERE id = ?"));
  AUTOSYNC_RETURN_IF_ERROR(stmt->bind(1, resolved).bind(2, id).run());
  if (db().changes() == 0) return not_found(fmt::format("conflict {}: no such conflict", id));
  return Status::ok();
}

Status WriteTxn::settle_conflict(int64_t id, std::string_view how) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt,
                            db().prepare_cached("UPDATE conflicts SET resolved = 1,"
                                                " resolution = resolution || '; settled: ' || ?1"
                                                " WHERE id = ?2 AND resolved = 0"));
  AUTOSYNC_RETURN_IF_ERROR(stmt->bind(1, how).bind(2, id).run());
  if (db().changes() != 0) return Status::ok();
  AUTOSYNC_ASSIGN_OR_RETURN(auto exists,
                            db().prepare_cached("SELECT 1 FROM conflicts WHERE id = ?"));
  AUTOSYNC_ASSIGN_OR_RETURN(const bool found, exists->bind(1, id).step());
  if (!found) return not_found(fmt::format("conflict {}: no such conflict", id));
  return invalid(fmt::format("conflict {} is settled already", id));
}

Status WriteTxn::add_version(const VersionRecord& v) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt,
      db().prepare_cached("INSERT INTO versions (path, ino, etag, version_id, size, mtime_ns,"
                          " host, uploaded, seen_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                          " ON CONFLICT (path, etag) DO UPDATE SET"
                          " uploaded = max(uploaded, excluded.uploaded),"
                          " host = CASE WHEN host = '' THEN excluded.host ELSE host END,"
                          " version_id = CASE WHEN version_id = '' THEN excluded.version_id"
                          " ELSE version_id END"));
  stmt->bind(1, v.path).bind(2, v.ino).bind(3, v.etag).bind(4, v.version_id).bind(5, v.size);
  stmt->bind(6, v.mtime_ns).bind(7, v.host).bind(8, v.uploaded).bind(9, now_ns());
  AUTOSYNC_RETURN_IF_ERROR(stmt->run());
  // The history stays bounded: the newest kVersionsKept of a path.
  AUTOSYNC_ASSIGN_OR_RETURN(auto prune,
                            db().prepare_cached("DELETE FROM versions WHERE path = ?1 AND id <="
                                                " (SELECT id FROM versions WHERE path = ?1"
                                                " ORDER BY id DESC LIMIT 1 OFFSET ?2)"));
  return prune->bind(1, v.path).bind(2, kVersionsKept).run();
}

Result<InodeRecord> WriteTxn::reset_to_remote(Ino ino, const NewInode& spec) {
  const std::string what = fmt::format("reset {} to the remote version", ino);
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, detail::load_inode(db(), ino, what));
  if (rec.kind != InodeKind::kFile) return invalid(what + ": not a regular file");
  if (!spec.remote) return invalid(what + ": no remote version given");
  rec.mode = (rec.mode & S_IFMT) | (spec.mode & 07777);
  rec.uid = spec.uid;
  rec.gid = spec.gid;
  rec.size = spec.size;
  rec.mtime_ns = spec.mtime_ns.value_or(rec.mtime_ns);
  rec.ctime_ns = now_ns();
  rec.remote = spec.remote;
  rec.synced_gen = rec.local_gen;
  AUTOSYNC_RETURN_IF_ERROR(detail::store_inode(db(), rec, now_ns()));
  AUTOSYNC_RETURN_IF_ERROR(clear_ranges(ino));
  return detail::load_inode(db(), ino, what);
}

Status WriteTxn::retarget_rows(Ino ino, std::string_view old_key, std::string_view new_key,
                               int64_t after_seq) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto keys, db().prepare_cached("UPDATE journal SET key = ?2 WHERE seq > ?3 AND state = 0"
                                     " AND ino = ?4 AND key = ?1"));
  keys->bind(1, old_key).bind(2, new_key).bind(3, after_seq).bind(4, ino);
  AUTOSYNC_RETURN_IF_ERROR(keys->run());
  return rekey_move_sources(ino, old_key, new_key, after_seq);
}

Result<uint64_t> WriteTxn::drop_pending_changes(Ino ino, int64_t after_seq) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt,
                            db().prepare_cached("DELETE FROM journal WHERE seq > ? AND state = 0"
                                                " AND ino = ? AND op IN (1, 6)"));
  AUTOSYNC_RETURN_IF_ERROR(stmt->bind(1, after_seq).bind(2, ino).run());
  return static_cast<uint64_t>(db().changes());
}

// ---- Index: each in a transaction of its own ----

Result<std::vector<ConflictRecord>> Index::list_conflicts(bool unresolved_only, int64_t after_id,
                                                          size_t limit) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, read());
  return txn.list_conflicts(unresolved_only, after_id, limit);
}

Result<std::vector<VersionRecord>> Index::list_versions(std::string_view path) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, read());
  return txn.list_versions(path);
}

Result<bool> Index::uploaded_here(Ino ino, std::string_view etag, uint64_t size, int64_t mtime_ns) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, read());
  return txn.uploaded_here(ino, etag, size, mtime_ns);
}

Result<int64_t> Index::add_conflict(const ConflictRecord& record) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, write());
  AUTOSYNC_ASSIGN_OR_RETURN(const int64_t id, txn.add_conflict(record));
  AUTOSYNC_RETURN_IF_ERROR(txn.commit());
  return id;
}

Status Index::set_conflict_resolved(int64_t id, bool resolved) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, write());
  AUTOSYNC_RETURN_IF_ERROR(txn.set_conflict_resolved(id, resolved));
  return txn.commit();
}

Status Index::settle_conflict(int64_t id, std::string_view how) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, write());
  AUTOSYNC_RETURN_IF_ERROR(txn.settle_conflict(id, how));
  return txn.commit();
}

}  // namespace autosync::index
