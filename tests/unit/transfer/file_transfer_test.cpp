// Unit tests for upload_file/download_file: round trips, and no partial file on failure.
#include <catch2/catch.hpp>

#include "backends/transfer/transfer.h"
#include "tests/unit/transfer/memory_store.h"
#include "tests/unit/transfer/test_util.h"

namespace autosync::backends {
namespace {

using testing::MemoryStore;
using testing::TempDir;

TransferOptions small_parts() {
  TransferOptions transfer;
  transfer.multipart_threshold = 100'000;
  transfer.part_size = 32 << 10;
  transfer.concurrency = 3;
  return transfer;
}

TEST_CASE("file transfer: upload_file then download_file round-trips byte-exact") {
  MemoryStore store;
  TempDir dir;
  for (const size_t size : {size_t{0}, size_t{5000}, size_t{1'500'001}}) {
    const std::string data = testing::test_bytes(size, static_cast<uint32_t>(size));
    const auto source = dir.path() / "source.bin";
    const auto target = dir.path() / "target.bin";
    testing::write_file(source, data);
    auto up = upload_file(store, "obj", source, {}, small_parts());
    REQUIRE(up.is_ok());
    CHECK(up->size == size);
    CHECK(store.content("obj") == data);
    auto down = download_file(store, "obj", target, small_parts());
    REQUIRE(down.is_ok());
    CHECK(testing::read_file(target) == data);
    CHECK(dir.entry_count() == 2);  // no temp file left over
  }
  CHECK(store.calls("upload_part") > 0);
}

TEST_CASE("file transfer: download_file replaces a longer old file completely") {
  MemoryStore store;
  TempDir dir;
  const auto target = dir.path() / "t";
  testing::write_file(target, std::string(10'000, 'x'));
  REQUIRE(store.put("k", BufferSource("short"), {}).is_ok());
  REQUIRE(download_file(store, "k", target, small_parts()).is_ok());
  CHECK(testing::read_file(target) == "short");
}

TEST_CASE("file transfer: a failed download leaves no file and keeps the old one") {
  MemoryStore store;
  TempDir dir;
  const auto fresh = dir.path() / "fresh";
  CHECK(download_file(store, "missing", fresh, small_parts()).status().is(ErrorKind::kNotFound));
  CHECK(dir.entry_count() == 0);

  // The object changes between parts: the download fails, the old file stays as it was.
  const std::string data = testing::test_bytes(300'000);
  REQUIRE(store.put("k", BufferSource(data), {}).is_ok());
  const auto existing = dir.path() / "existing";
  testing::write_file(existing, "old content");
  int gets = 0;
  store.set_before_get([&](std::string_view, const GetOptions&) {
    if (++gets == 2) REQUIRE(store.put("k", BufferSource("changed"), {}).is_ok());
  });
  TransferOptions one_at_a_time = small_parts();
  one_at_a_time.concurrency = 1;
  auto info = download_file(store, "k", existing, one_at_a_time);
  CHECK(info.status().kind() == ErrorKind::kPreconditionFailed);
  CHECK(testing::read_file(existing) == "old content");
  CHECK(dir.entry_count() == 1);
}

TEST_CASE("file transfer: upload_file of a missing file or a directory fails") {
  MemoryStore store;
  TempDir dir;
  auto missing = upload_file(store, "k", dir.path() / "nope", {}, small_parts());
  CHECK(missing.status().is(ErrorKind::kNotFound));
  CHECK_THAT(missing.status().message(), Catch::Contains("nope"));
  CHECK(upload_file(store, "k", dir.path(), {}, small_parts()).status().is(ErrorKind::kInvalid));
  CHECK(store.object_count() == 0);
}

TEST_CASE("file transfer: download_file into a missing directory fails without a trace") {
  MemoryStore store;
  TempDir dir;
  REQUIRE(store.put("k", BufferSource("v"), {}).is_ok());
  auto info = download_file(store, "k", dir.path() / "no-dir" / "f", small_parts());
  CHECK(info.status().is(ErrorKind::kNotFound));
  CHECK(dir.entry_count() == 0);
}

}  // namespace
}  // namespace autosync::backends
