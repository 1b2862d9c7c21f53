// The multipart uploads autosyncd has in progress (multipart_records.h): recorded as they
// start and as each part lands, forgotten when completed or aborted; and the intents to
// start one, recorded before the store is asked.
#include <fmt/format.h>

#include "core/index/index.h"
#include "core/index/txn.h"

namespace autosync::index {
namespace {

Status load_parts(db::Database& db, MultipartRecord& upload) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt,
                            db.prepare_cached("SELECT number, etag, size FROM multipart_parts"
                                              " WHERE upload_id = ? ORDER BY number"));
  stmt->bind(1, upload.upload_id);
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(const bool row, stmt->step());
    if (!row) return Status::ok();
    upload.parts.push_back({.number = static_cast<int>(stmt->int64(0)),
                            .etag = std::string(stmt->text(1)),
                            .size = stmt->uint64(2)});
  }
}

}  // namespace

Result<std::vector<MultipartRecord>> ReadTxn::multipart_uploads(std::optional<Ino> ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("SELECT upload_id, key, ino, gen, size, mtime_ns, part_size,"
                                     " created_ns FROM multipart_uploads"
                                     " WHERE ?1 IS NULL OR ino = ?1 ORDER BY rowid"));
  stmt->bind(1, ino);
  std::vector<MultipartRecord> out;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(const bool row, stmt->step());
    if (!row) break;
    out.push_back({.upload_id = std::string(stmt->text(0)),
                   .key = std::string(stmt->text(1)),
                   .ino = stmt->uint64(2),
                   .gen = stmt->uint64(3),
                   .size = stmt->uint64(4),
                   .mtime_ns = stmt->int64(5),
                   .part_size = stmt->uint64(6),
                   .created_ns = stmt->int64(7),
                   .parts = {}});
  }
  stmt->reset();  // a cached statement: done with it before the parts' query runs
  for (auto& upload : out)
    AUTOSYNC_RETURN_IF_ERROR(load_parts(db(), upload));
  return out;
}

Result<bool> ReadTxn::upload_row_pending(Ino ino, uint64_t gen, std::string_view key) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("SELECT 1 FROM journal WHERE ino = ? AND gen = ? AND key = ?"
                                     " AND op = ? AND state IN (0, 1) LIMIT 1"));
  stmt->bind(1, ino).bind(2, gen).bind(3, key).bind(4, static_cast<int>(JournalOp::kUpload));
  AUTOSYNC_ASSIGN_OR_RETURN(const bool found, stmt->step());
  stmt->reset();
  return found;
}

Result<bool> ReadTxn::multipart_recorded(std::string_view upload_id) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("SELECT 1 FROM multipart_uploads WHERE upload_id = ?"));
  stmt->bind(1, upload_id);
  AUTOSYNC_ASSIGN_OR_RETURN(const bool found, stmt->step());
  stmt->reset();
  return found;
}

Result<std::vector<MultipartIntent>> ReadTxn::multipart_intents(std::optional<Ino> ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt,
                            db().prepare_cached("SELECT id, key, ino, gen, journal_seq, created_ns,"
                                                " upload_id, answered_ns FROM multipart_intents"
                                                " WHERE ?1 IS NULL OR ino = ?1 ORDER BY id"));
  stmt->bind(1, ino);
  std::vector<MultipartIntent> out;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(const bool row, stmt->step());
    if (!row) break;
    out.push_back({.id = stmt->int64(0),
                   .key = std::string(stmt->text(1)),
                   .ino = stmt->uint64(2),
                   .gen = stmt->uint64(3),
                   .journal_seq = stmt->int64(4),
                   .created_ns = stmt->int64(5),
                   .upload_id = std::string(stmt->text(6)),
                   .answered_ns = stmt->int64(7)});
  }
  stmt->reset();
  return out;
}

Status WriteTxn::add_multipart(const MultipartRecord& r) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt,
      db().prepare_cached("INSERT INTO multipart_uploads (upload_id, key, ino, gen, size,"
                          " mtime_ns, part_size, created_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
  stmt->bind(1, r.upload_id).bind(2, r.key).bind(3, r.ino).bind(4, r.gen).bind(5, r.size);
  stmt->bind(6, r.mtime_ns).bind(7, r.part_size).bind(8, now_ns());
  return stmt->run();
}

Status WriteTxn::add_multipart_part(std::string_view upload_id, const MultipartPartRecord& part) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto known, db().prepare_cached("SELECT 1 FROM multipart_uploads WHERE upload_id = ?"));
  known->bind(1, upload_id);
  AUTOSYNC_ASSIGN_OR_RETURN(const bool found, known->step());
  known->reset();
  if (!found) return not_found(fmt::format("multipart upload {} is not recorded", upload_id));
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("INSERT OR REPLACE INTO multipart_parts (upload_id, number,"
                                     " etag, size) VALUES (?, ?, ?, ?)"));
  return stmt->bind(1, upload_id).bind(2, part.number).bind(3, part.etag).bind(4, part.size).run();
}

Status WriteTxn::remove_multipart(std::string_view upload_id) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto parts,
                            db().prepare_cached("DELETE FROM multipart_parts WHERE upload_id = ?"));
  AUTOSYNC_RETURN_IF_ERROR(parts->bind(1, upload_id).run());
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto upload, db().prepare_cached("DELETE FROM multipart_uploads WHERE upload_id = ?"));
  return upload->bind(1, upload_id).run();
}

Result<int64_t> WriteTxn::add_multipart_intent(const MultipartIntent& intent) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("INSERT INTO multipart_intents (key, ino, gen, journal_seq,"
                                     " created_ns) VALUES (?, ?, ?, ?, ?)"));
  stmt->bind(1, intent.key).bind(2, intent.ino).bind(3, intent.gen).bind(4, intent.journal_seq);
  AUTOSYNC_RETURN_IF_ERROR(stmt->bind(5, now_ns()).run());
  return db().last_insert_rowid();
}

Status WriteTxn::add_multipart_answer(int64_t intent_id, const MultipartRecord& record) {
  AUTOSYNC_RETURN_IF_ERROR(add_multipart(record));
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto stmt, db().prepare_cached("UPDATE multipart_intents SET upload_id = ?, answered_ns = ?"
                                     " WHERE id = ?"));
  return stmt->bind(1, record.upload_id).bind(2, now_ns()).bind(3, intent_id).run();
}

Status WriteTxn::remove_multipart_intent(int64_t intent_id) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto stmt,
                            db().prepare_cached("DELETE FROM multipart_intents WHERE id = ?"));
  return stmt->bind(1, intent_id).run();
}

// ---- Index: each in a transaction of its own ----

Result<std::vector<MultipartRecord>> Index::multipart_uploads(std::optional<Ino> ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, read());
  return txn.multipart_uploads(ino);
}

Result<bool> Index::upload_row_pending(Ino ino, uint64_t gen, std::string_view key) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, read());
  return txn.upload_row_pending(ino, gen, key);
}

Status Index::add_multipart(const MultipartRecord& record) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, write(Durability::kSynced));
  AUTOSYNC_RETURN_IF_ERROR(txn.add_multipart(record));
  return txn.commit();
}

Status Index::add_multipart_part(std::string_view upload_id, const MultipartPartRecord& part) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, write());
  AUTOSYNC_RETURN_IF_ERROR(txn.add_multipart_part(upload_id, part));
  return txn.commit();
}

Status Index::remove_multipart(std::string_view upload_id) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, write());
  AUTOSYNC_RETURN_IF_ERROR(txn.remove_multipart(upload_id));
  return txn.commit();
}

Result<bool> Index::multipart_recorded(std::string_view upload_id) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, read());
  return txn.multipart_recorded(upload_id);
}

Result<std::vector<MultipartIntent>> Index::multipart_intents(std::optional<Ino> ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, read());
  return txn.multipart_intents(ino);
}

Result<int64_t> Index::add_multipart_intent(const MultipartIntent& intent) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, write(Durability::kSynced));
  AUTOSYNC_ASSIGN_OR_RETURN(const int64_t id, txn.add_multipart_intent(intent));
  AUTOSYNC_RETURN_IF_ERROR(txn.commit());
  return id;
}

Status Index::add_multipart_answer(int64_t intent_id, const MultipartRecord& record) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, write(Durability::kSynced));
  AUTOSYNC_RETURN_IF_ERROR(txn.add_multipart_answer(intent_id, record));
  return txn.commit();
}

Status Index::remove_multipart_intent(int64_t intent_id) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, write());
  AUTOSYNC_RETURN_IF_ERROR(txn.remove_multipart_intent(intent_id));
  return txn.commit();
}

}  // namespace autosync::index
