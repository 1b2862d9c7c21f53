// The index's self-check and the repairs autosyncctl fsck makes (check_records.h). Queries
// over whole tables: for a tool run by hand, never on the mount's paths.
#include <fmt/format.h>

#include "core/index/index.h"
#include "core/index/txn.h"
#include "core/index/txn_util.h"

namespace autosync::index {
namespace {

// Each query yields (ino, parent, name, seq, detail) for one defect kind.
struct DefectQuery {
  DefectKind kind;
  const char* sql;
};

constexpr DefectQuery kDefectQueries[] = {
    {DefectKind::kDanglingEntry,
     "SELECT d.ino, d.parent, d.name, 0, 'the name points at inode ' || d.ino ||"
     " CASE WHEN i.ino IS NULL THEN ', which has no row' ELSE '' END ||"
     " CASE WHEN p.ino IS NULL THEN ' from directory ' || d.parent || ', which has no row'"
     " ELSE '' END"
     " FROM dentries d LEFT JOIN inodes i ON i.ino = d.ino LEFT JOIN inodes p ON p.ino = d.parent"
     " WHERE i.ino IS NULL OR p.ino IS NULL"},
    {DefectKind::kOrphanRows,
     "SELECT ino, 0, '', 0, 'cached ranges, xattrs or listing state of inode ' || ino ||"
     " ', which has no row' FROM (SELECT ino FROM ranges UNION SELECT ino FROM xattrs"
     " UNION SELECT ino FROM dir_state) WHERE ino NOT IN (SELECT ino FROM inodes)"},
    {DefectKind::kUnknownInodeJournal,
     "SELECT ino, 0, key, seq, 'journal row ' || seq || ' (' || CASE op WHEN 1 THEN 'upload'"
     " ELSE 'setmeta' END || ' ' || key || ') for inode ' || ino || ', which has no row'"
     " FROM journal WHERE op IN (1, 6) AND ino NOT IN (SELECT ino FROM inodes)"},
    {DefectKind::kNegativeSize,
     "SELECT ino, 0, '', 0, 'inode ' || ino || ' has size ' || size || ' and cached_bytes ' ||"
     " cached_bytes FROM inodes WHERE size < 0 OR cached_bytes < 0"},
};

}  // namespace

Result<std::vector<std::string>> ReadTxn::integrity_problems() {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt, db().prepare("PRAGMA integrity_check"));
  std::vector<std::string> out;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
    if (!row) break;
    std::string line(stmt.text(0));
    if (line != "ok") out.push_back(std::move(line));
  }
  return out;
}

Result<std::vector<IndexDefect>> ReadTxn::index_defects() {
  std::vector<IndexDefect> out;
  for (const auto& query : kDefectQueries) {
    AUTOSYNC_ASSIGN_OR_RETURN(auto stmt, db().prepare(query.sql));
    for (;;) {
      AUTOSYNC_ASSIGN_OR_RETURN(bool row, stmt.step());
      if (!row) break;
      out.push_back(IndexDefect{.kind = query.kind,
                                .ino = stmt.uint64(0),
                                .parent = stmt.uint64(1),
                                .name = std::string(stmt.text(2)),
                                .seq = stmt.int64(3),
                                .detail = std::string(stmt.text(4))});
    }
  }
  return out;
}

Result<std::vector<CachedExtent>> ReadTxn::cached_extents(Ino after, size_t limit) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("SELECT r.ino, max(r.end_off), i.local_gen > i.synced_gen"
                                     " FROM ranges r JOIN inodes i ON i.ino = r.ino"
                                     " WHERE r.ino > ? GROUP BY r.ino ORDER BY r.ino LIMIT ?"));
  stmt->bind(1, after).bind(2, limit);
  std::vector<CachedExtent> out;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(bool row, stmt->step());
    if (!row) break;
    out.push_back(
        CachedExtent{.ino = stmt->uint64(0), .end = stmt->uint64(1), .dirty = stmt->int64(2) != 0});
  }
  return out;
}

Status WriteTxn::repair_defect(const IndexDefect& defect) {
  switch (defect.kind) {
    case DefectKind::kDanglingEntry: {
      AUTOSYNC_ASSIGN_OR_RETURN(auto stmt,
                                db().prepare("DELETE FROM dentries WHERE parent = ? AND name = ?"));
      return stmt.bind(1, defect.parent).bind(2, detail::name_blob(defect.name)).run();
    }
    case DefectKind::kOrphanRows:
      for (const char* sql :
           {"DELETE FROM ranges WHERE ino = ?", "DELETE FROM xattrs WHERE ino = ?",
            "DELETE FROM dir_state WHERE ino = ?"}) {
        AUTOSYNC_ASSIGN_OR_RETURN(auto stmt, db().prepare(sql));
        AUTOSYNC_RETURN_IF_ERROR(stmt.bind(1, defect.ino).run());
      }
      return Status::ok();
    case DefectKind::kUnknownInodeJournal: {
      AUTOSYNC_ASSIGN_OR_RETURN(auto stmt, db().prepare("DELETE FROM journal WHERE seq = ?"));
      return stmt.bind(1, defect.seq).run();
    }
    case DefectKind::kNegativeSize:
      return repair_negative_size(defect.ino);
  }
  return invalid("unknown defect");
}

// A clean file takes its remote version's size again, uncached (reads fetch it); anything
// else has no size to trust and is left for a person.
Status WriteTxn::repair_negative_size(Ino ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt,
                            db().prepare("UPDATE inodes SET size = remote_size, cached_bytes = 0"
                                         " WHERE ino = ? AND kind = 1 AND local_gen = synced_gen"
                                         " AND remote_size IS NOT NULL AND remote_size >= 0"));
  AUTOSYNC_RETURN_IF_ERROR(stmt.bind(1, ino).run());
  if (db().changes() == 0) {
    return invalid(fmt::format("inode {}: not a clean file with a remote size to restore", ino));
  }
  AUTOSYNC_ASSIGN_OR_RETURN(auto ranges, db().prepare("DELETE FROM ranges WHERE ino = ?"));
  return ranges.bind(1, ino).run();
}

}  // namespace autosync::index
