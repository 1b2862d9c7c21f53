// Local-backend specifics the contract suite cannot see: the on-disk layout, files added by
// hand, crash recovery of the metadata record, and key validation.
#include "backends/local/local_store.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "backends/local/key_path.h"
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

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_CASE("objects are plain files at their key's path", "[local]") {
  testing::TempDir dir;
  auto store = open_at(dir.path());
  REQUIRE(store->put("docs/readme.txt", BufferSource("hi"), {}).is_ok());
  CHECK(slurp(dir.path() / "docs/readme.txt") == "hi");
  CHECK(fs::exists(dir.path() / ".autosync-meta/docs/readme.txt.meta"));
  REQUIRE(store->remove("docs/readme.txt").is_ok());
  CHECK_FALSE(fs::exists(dir.path() / "docs"));  // empty parents go with the last object
}

TEST_CASE("a file copied in by hand is an object with a stable derived ETag", "[local]") {
  testing::TempDir dir;
  auto store = open_at(dir.path());
  std::ofstream(dir.path() / "dropped.txt") << "by hand";
  auto a = store->head("dropped.txt");
  auto b = store->head("dropped.txt");
  REQUIRE(a.is_ok());
  CHECK(a->size == 7);
  CHECK(a->etag == b->etag);
  CHECK(a->metadata.empty());
  ListOptions list;
  auto page = store->list(list);
  REQUIRE(page.is_ok());
  REQUIRE(page->objects.size() == 1);
  CHECK(page->objects[0].key == "dropped.txt");
}

TEST_CASE("a record written for a version that never landed does not hide the old one", "[local]") {
  testing::TempDir dir;
  auto store = open_at(dir.path());
  PutOptions v1;
  v1.metadata = {{"mode", "33188"}};
  auto first = store->put("f", BufferSource("one"), v1);
  REQUIRE(first.is_ok());
  // Simulate a crash after the second put wrote its record but before its rename: save the
  // data file, put again, then put the old data file back.
  fs::copy_file(dir.path() / "f", dir.path() / "saved", fs::copy_options::overwrite_existing);
  const auto old_inode_file = dir.path() / "f.old";
  fs::rename(dir.path() / "f", old_inode_file);
  PutOptions v2;
  v2.metadata = {{"mode", "33261"}};
  REQUIRE(store->put("f", BufferSource("two"), v2).is_ok());
  fs::rename(old_inode_file, dir.path() / "f");  // the rename "never happened"
  auto head = store->head("f");
  REQUIRE(head.is_ok());
  CHECK(head->etag == first->etag);
  CHECK(head->metadata == v1.metadata);
}

TEST_CASE("every write gets a new ETag even with identical content", "[local]") {
  testing::TempDir dir;
  auto store = open_at(dir.path());
  std::set<std::string> etags;
  for (int i = 0; i < 5; ++i)
    etags.insert(store->put("same", BufferSource("x"), {})->etag);
  CHECK(etags.size() == 5);
}

TEST_CASE("keys that cannot be paths are rejected", "[local]") {
  CHECK(local::validate_key("a/b/c.txt").is_ok());
  CHECK(local::validate_key("dir/").is_ok());
  CHECK(local::validate_key("").is(ErrorKind::kInvalid));
  CHECK(local::validate_key("/abs").is(ErrorKind::kInvalid));
  CHECK(local::validate_key("a//b").is(ErrorKind::kInvalid));
  CHECK(local::validate_key("a/../b").is(ErrorKind::kInvalid));
  CHECK(local::validate_key("./a").is(ErrorKind::kInvalid));
  CHECK(local::validate_key(".autosync-meta/x").is(ErrorKind::kInvalid));
  CHECK(local::validate_key("sub/.autosync-meta").is_ok());  // reserved only at the root
  CHECK(local::validate_key(std::string(255, 'n')).is_ok());
  CHECK(local::validate_key(std::string(256, 'n')).is(ErrorKind::kInvalid));
}

TEST_CASE("a missing root directory is a clear error", "[local]") {
  auto store = local::open_store({"/nonexistent/autosync/bucket"});
  REQUIRE_FALSE(store.is_ok());
  CHECK(store.status().is(ErrorKind::kNotFound));
  CHECK(store.status().message().find("/nonexistent/autosync/bucket") != std::string::npos);
}

TEST_CASE("temp and metadata trees never show up in listings", "[local]") {
  testing::TempDir dir;
  auto store = open_at(dir.path());
  REQUIRE(store->put("a", BufferSource("1"), {}).is_ok());
  auto id = store->create_multipart("b", {});
  REQUIRE(id.is_ok());
  ListOptions list;
  list.delimiter = "/";
  auto page = store->list(list);
  REQUIRE(page.is_ok());
  REQUIRE(page->objects.size() == 1);
  CHECK(page->objects[0].key == "a");
  CHECK(page->common_prefixes.empty());
  CHECK(store->abort_multipart("b", *id).is_ok());
}
