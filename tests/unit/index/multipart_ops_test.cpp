// The multipart upload tables (schema v5): recording an upload and its parts, reading them
// back per inode or all, forgetting them, finding the journal row that may resume one, and
// the migration from v4; the intents (v6): recorded before the create, answered, forgotten,
// and the migration from v5.
#include <catch2/catch.hpp>

#include "core/db/database.h"
#include "tests/unit/index/index_test_util.h"

namespace autosync::index {
namespace {

using testing::IndexFixture;

MultipartRecord upload_of(Ino ino, std::string id, uint64_t gen = 1) {
  return {.upload_id = std::move(id),
          .key = "big.bin",
          .ino = ino,
          .gen = gen,
          .size = 3000,
          .mtime_ns = 77,
          .part_size = 1000,
          .created_ns = 0,
          .parts = {}};
}

TEST_CASE("a recorded multipart upload keeps its parts until it is removed", "[index]") {
  IndexFixture f;
  const auto file = f.mkfile(kRootIno, "big.bin", 3000);
  const auto other = f.mkfile(kRootIno, "other", 3000);
  REQUIRE(f.index->add_multipart(upload_of(file.ino, "u1")).is_ok());
  REQUIRE(f.index->add_multipart(upload_of(other.ino, "u2")).is_ok());
  REQUIRE(f.index->add_multipart_part("u1", {.number = 2, .etag = "e2", .size = 1000}).is_ok());
  REQUIRE(f.index->add_multipart_part("u1", {.number = 1, .etag = "e1", .size = 1000}).is_ok());
  // The same part sent again replaces its record.
  REQUIRE(f.index->add_multipart_part("u1", {.number = 1, .etag = "e1b", .size = 1000}).is_ok());
  CHECK(f.index->add_multipart_part("nope", {.number = 1, .etag = "e", .size = 1}).kind() ==
        ErrorKind::kNotFound);

  f.reopen();  // durable
  auto mine = f.index->multipart_uploads(file.ino);
  REQUIRE(mine.is_ok());
  REQUIRE(mine->size() == 1);
  const MultipartRecord& u1 = mine->front();
  CHECK(u1.upload_id == "u1");
  CHECK(u1.key == "big.bin");
  CHECK(u1.gen == 1);
  CHECK(u1.size == 3000);
  CHECK(u1.mtime_ns == 77);
  CHECK(u1.part_size == 1000);
  CHECK(u1.created_ns == f.clock.now());
  CHECK(u1.parts == std::vector<MultipartPartRecord>{{.number = 1, .etag = "e1b", .size = 1000},
                                                     {.number = 2, .etag = "e2", .size = 1000}});
  CHECK(f.index->multipart_uploads(std::nullopt)->size() == 2);

  REQUIRE(f.index->remove_multipart("u1").is_ok());
  REQUIRE(f.index->remove_multipart("u1").is_ok());  // already gone: nothing to do
  CHECK(f.index->multipart_uploads(file.ino)->empty());
  CHECK(f.index->multipart_uploads(std::nullopt)->size() == 1);
}

TEST_CASE("upload_row_pending finds the upload row a recorded upload belongs to", "[index]") {
  IndexFixture f;
  const auto file = f.mkfile(kRootIno, "big.bin", 3000);
  JournalEntry row;
  row.op = JournalOp::kUpload;
  row.ino = file.ino;
  row.gen = 4;
  row.key = "big.bin";
  auto seq = f.index->enqueue(row);
  REQUIRE(seq.is_ok());
  CHECK(*f.index->upload_row_pending(file.ino, 4, "big.bin"));
  CHECK_FALSE(*f.index->upload_row_pending(file.ino, 3, "big.bin"));
  CHECK_FALSE(*f.index->upload_row_pending(file.ino, 4, "renamed.bin"));
  REQUIRE(f.index->claim("w", f.clock.now(), 10).is_ok());  // running still counts
  CHECK(*f.index->upload_row_pending(file.ino, 4, "big.bin"));
  REQUIRE(f.index->fail(*seq, "denied").is_ok());  // a failed row resumes nothing
  CHECK_FALSE(*f.index->upload_row_pending(file.ino, 4, "big.bin"));
}

TEST_CASE("an index made by schema v4 gains the multipart tables", "[index]") {
  IndexFixture f;
  auto a = f.mkfile(kRootIno, "a", 10);
  f.index.reset();
  {  // back to what v4 wrote
    auto db = db::Database::open(f.file, {});
    REQUIRE(db.is_ok());
    REQUIRE(db->exec("DROP TABLE multipart_parts; DROP TABLE multipart_uploads;"
                     " PRAGMA user_version = 4")
                .is_ok());
  }
  f.reopen();
  CHECK(f.index->get(a.ino)->size == 10);
  CHECK(f.index->add_multipart(upload_of(a.ino, "u")).is_ok());
  CHECK(f.index->multipart_uploads(a.ino)->size() == 1);
}

MultipartIntent intent_of(Ino ino, std::string key, int64_t seq = 7) {
  return {.id = 0,
          .key = std::move(key),
          .ino = ino,
          .gen = 2,
          .journal_seq = seq,
          .created_ns = 0,
          .upload_id = {},
          .answered_ns = 0};
}

TEST_CASE("a multipart intent is durable, takes its answer with the record, and goes", "[index]") {
  IndexFixture f;
  const auto file = f.mkfile(kRootIno, "big.bin", 3000);
  const auto other = f.mkfile(kRootIno, "other", 3000);
  auto id = f.index->add_multipart_intent(intent_of(file.ino, "big.bin"));
  REQUIRE(id.is_ok());
  const int64_t created = f.clock.now();
  REQUIRE(f.index->add_multipart_intent(intent_of(other.ino, "other", 8)).is_ok());

  f.reopen();  // durable
  auto mine = f.index->multipart_intents(file.ino);
  REQUIRE(mine.is_ok());
  REQUIRE(mine->size() == 1);
  MultipartIntent expected = intent_of(file.ino, "big.bin");
  expected.id = *id;
  expected.created_ns = created;
  CHECK(mine->front() == expected);
  CHECK(f.index->multipart_intents(std::nullopt)->size() == 2);
  CHECK_FALSE(*f.index->multipart_recorded("u1"));

  f.clock.advance(1000);
  REQUIRE(f.index->add_multipart_answer(*id, upload_of(file.ino, "u1", 2)).is_ok());
  f.reopen();
  CHECK(*f.index->multipart_recorded("u1"));
  REQUIRE(f.index->multipart_uploads(file.ino)->size() == 1);
  const MultipartIntent answered = f.index->multipart_intents(file.ino)->front();
  CHECK(answered.upload_id == "u1");
  CHECK(answered.answered_ns == created + 1000);
  CHECK(answered.created_ns == created);

  REQUIRE(f.index->remove_multipart_intent(*id).is_ok());
  REQUIRE(f.index->remove_multipart_intent(*id).is_ok());  // already gone: nothing to do
  CHECK(f.index->multipart_intents(file.ino)->empty());
  CHECK(f.index->multipart_uploads(file.ino)->size() == 1);  // the record is its own
  CHECK(f.index->multipart_intents(std::nullopt)->size() == 1);
}

TEST_CASE("an index made by schema v5 gains the intents and keeps its uploads", "[index]") {
  IndexFixture f;
  auto a = f.mkfile(kRootIno, "a", 10);
  REQUIRE(f.index->add_multipart(upload_of(a.ino, "kept")).is_ok());
  REQUIRE(f.index->add_multipart_part("kept", {.number = 1, .etag = "e1", .size = 1000}).is_ok());
  f.index.reset();
  {  // back to what v5 wrote
    auto db = db::Database::open(f.file, {});
    REQUIRE(db.is_ok());
    REQUIRE(db->exec("DROP TABLE multipart_intents; PRAGMA user_version = 5").is_ok());
  }
  f.reopen();
  auto kept = f.index->multipart_uploads(a.ino);
  REQUIRE(kept.is_ok());
  REQUIRE(kept->size() == 1);
  CHECK(kept->front().parts.size() == 1);
  auto id = f.index->add_multipart_intent(intent_of(a.ino, "a"));
  REQUIRE(id.is_ok());
  CHECK(f.index->multipart_intents(a.ino)->size() == 1);
}

}  // namespace
}  // namespace autosync::index
