// The local backend's versions beyond the contract: turned on by the directory alone, ids
// ordered even when the clock is not, a hand-copied file's stable id, reserved names.
#include "backends/local/local_versions.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "backends/local/local_store.h"
#include "tests/support/temp_dir.h"

using namespace autosync;
using namespace autosync::backends;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<ObjectStore> open_at(const fs::path& root) {
  auto store = local::open_store({root});
  REQUIRE(store.is_ok());
  return std::move(store).value();
}

}  // namespace

TEST_CASE("versioning is on exactly when .autosync-versions exists", "[local][versions]") {
  testing::TempDir dir;
  CHECK_FALSE(open_at(dir.path())->capabilities().versioning);
  fs::create_directory(dir.path() / ".autosync-versions");
  auto store = open_at(dir.path());
  CHECK(store->capabilities().versioning);
  REQUIRE(store->put("k", BufferSource("1"), {}).is_ok());
  REQUIRE(store->put("k", BufferSource("2"), {}).is_ok());
  CHECK_FALSE(fs::is_empty(dir.path() / ".autosync-versions"));
  // The archive is no key: writing under it is refused.
  CHECK(
      store->put(".autosync-versions/x", BufferSource("no"), {}).status().is(ErrorKind::kInvalid));
}

TEST_CASE("new version ids follow the newest even when the clock goes back", "[local][versions]") {
  const std::string later = local::new_version_id(2'000'000, "");
  const std::string earlier_clock = local::new_version_id(1'000'000, later);
  CHECK(earlier_clock > later);
  CHECK(local::valid_version_id(later));
  CHECK(local::valid_version_id(earlier_clock));
  CHECK_FALSE(local::valid_version_id("../../etc/passwd"));
  CHECK_FALSE(local::valid_version_id("ABCDEF0123456789abcd"));  // upper case: not ours
  CHECK_FALSE(local::valid_version_id("0123"));
}

TEST_CASE("a file copied in by hand has a stable id and is kept when replaced",
          "[local][versions]") {
  testing::TempDir dir;
  fs::create_directory(dir.path() / ".autosync-versions");
  std::ofstream(dir.path() / "hand.txt") << "by hand";
  auto store = open_at(dir.path());
  auto first = store->head("hand.txt");
  REQUIRE(first.is_ok());
  CHECK(local::valid_version_id(first->version_id));
  CHECK(store->head("hand.txt")->version_id == first->version_id);
  REQUIRE(store->put("hand.txt", BufferSource("through the store"), {}).is_ok());
  auto page = store->list_versions("hand.txt", "");
  REQUIRE(page.is_ok());
  REQUIRE(page->versions.size() == 2);
  CHECK(page->versions[1].version_id == first->version_id);
  GetOptions old;
  old.version_id = first->version_id;
  BufferSink sink;
  REQUIRE(store->get("hand.txt", old, sink).is_ok());
  CHECK(sink.data() == "by hand");
}
