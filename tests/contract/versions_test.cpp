// Contract: object versions (list_versions, get by version id), where the store keeps them.
// A store without versions must say so (kUnsupported); the other tests then report a skip.
#include <catch2/catch.hpp>

#include "tests/contract/backend_fixture.h"

using namespace autosync;
using namespace autosync::backends;
using autosync::testing::backend;
using autosync::testing::get_text;
using autosync::testing::put_text;
using autosync::testing::unique_prefix;

namespace {

// Every version of `key` (all pages), or nullopt after a visible skip when the store keeps
// none.
std::optional<std::vector<ObjectVersion>> versions_or_skip(const std::string& key) {
  std::vector<ObjectVersion> all;
  std::string token;
  do {
    auto page = backend().store().list_versions(key, token);
    if (!page.is_ok() && page.status().is(ErrorKind::kUnsupported)) {
      WARN("SKIPPED: " << backend().name() << " keeps no versions (" << page.status().message()
                       << ")");
      return std::nullopt;
    }
    REQUIRE(page.is_ok());
    all.insert(all.end(), page->versions.begin(), page->versions.end());
    token = page->next_token;
  } while (!token.empty());
  return all;
}

std::string get_version_text(const std::string& key, const std::string& version_id) {
  GetOptions options;
  options.version_id = version_id;
  BufferSink sink;
  auto got = backend().store().get(key, options, sink);
  REQUIRE(got.is_ok());
  CHECK(got->version_id == version_id);
  return std::string(sink.data().begin(), sink.data().end());
}

}  // namespace

TEST_CASE("a store claims versioning only if it can list versions", "[versions]") {
  const std::string key = unique_prefix() + "claim";
  put_text(key, "x");
  auto page = backend().store().list_versions(key, "");
  if (!backend().store().capabilities().versioning) {
    REQUIRE_FALSE(page.is_ok());
    CHECK(page.status().is(ErrorKind::kUnsupported));
  } else if (!page.is_ok()) {
    // A store that can keep versions may have them off for this bucket.
    CHECK(page.status().is(ErrorKind::kUnsupported));
  }
}

TEST_CASE("versions are listed newest first after overwrites", "[versions]") {
  const std::string key = unique_prefix() + "doc.txt";
  const ObjectInfo v1 = put_text(key, "one");
  const ObjectInfo v2 = put_text(key, "two!");
  const ObjectInfo v3 = put_text(key, "three");
  auto versions = versions_or_skip(key);
  if (!versions) return;
  REQUIRE(versions->size() == 3);
  const ObjectInfo* written[] = {&v3, &v2, &v1};
  for (size_t i = 0; i < 3; ++i) {
    const ObjectVersion& v = (*versions)[i];
    INFO("version " << i);
    CHECK_FALSE(v.version_id.empty());
    CHECK(v.version_id == written[i]->version_id);
    CHECK(v.etag == written[i]->etag);
    CHECK(v.size == written[i]->size);
    CHECK(v.is_latest == (i == 0));
    CHECK_FALSE(v.delete_marker);
    if (i > 0) CHECK(v.last_modified <= (*versions)[i - 1].last_modified);
  }
  CHECK(v1.version_id != v2.version_id);
  CHECK(v2.version_id != v3.version_id);
  auto head = backend().store().head(key);
  REQUIRE(head.is_ok());
  CHECK(head->version_id == v3.version_id);
}

TEST_CASE("an old version reads back by its id, whole or in part", "[versions]") {
  const std::string key = unique_prefix() + "old";
  const ObjectInfo v1 = put_text(key, "the first words");
  put_text(key, "later");
  if (!versions_or_skip(key)) return;
  CHECK(get_version_text(key, v1.version_id) == "the first words");
  CHECK(get_text(key) == "later");  // reading an old version changes nothing

  GetOptions ranged;
  ranged.version_id = v1.version_id;
  ranged.range = {4, 5};
  BufferSink part;
  auto got = backend().store().get(key, ranged, part);
  REQUIRE(got.is_ok());
  CHECK(std::string(part.data().begin(), part.data().end()) == "first");
  CHECK(got->etag == v1.etag);
  CHECK(got->size == v1.size);
}

TEST_CASE("an unknown version id is not found", "[versions]") {
  const std::string key = unique_prefix() + "unknown-version";
  put_text(key, "a");
  put_text(key, "b");
  if (!versions_or_skip(key)) return;
  GetOptions options;
  options.version_id = "0000000000000000beef";
  BufferSink sink;
  auto got = backend().store().get(key, options, sink);
  REQUIRE_FALSE(got.is_ok());
  CHECK(got.status().is(ErrorKind::kNotFound));
}

TEST_CASE("a delete keeps the versions behind a delete marker", "[versions]") {
  const std::string key = unique_prefix() + "gone";
  const ObjectInfo v1 = put_text(key, "alpha");
  const ObjectInfo v2 = put_text(key, "beta");
  // Asked before the delete: a store without versions has nothing to list after it.
  if (!versions_or_skip(key)) return;
  REQUIRE(backend().store().remove(key).is_ok());
  auto versions = versions_or_skip(key);
  REQUIRE(versions);
  CHECK(backend().store().head(key).status().is(ErrorKind::kNotFound));
  // S3 and the local backend put a delete marker on top; Azure keeps the versions with none
  // of them current. Either way the content versions stay, none of them the latest.
  std::vector<ObjectVersion> content;
  for (const ObjectVersion& v : *versions) {
    if (!v.delete_marker) content.push_back(v);
  }
  if (content.size() < versions->size()) {
    CHECK((*versions)[0].delete_marker);
    CHECK((*versions)[0].is_latest);
  }
  REQUIRE(content.size() == 2);
  CHECK(content[0].version_id == v2.version_id);
  CHECK(content[1].version_id == v1.version_id);
  CHECK_FALSE(content[0].is_latest);
  CHECK_FALSE(content[1].is_latest);
  CHECK(get_version_text(key, v1.version_id) == "alpha");

  if ((*versions)[0].delete_marker) {
    GetOptions marker;
    marker.version_id = (*versions)[0].version_id;
    BufferSink sink;
    CHECK(backend().store().get(key, marker, sink).status().is(ErrorKind::kNotFound));
  }

  // Writing the old content again makes it current; the history grows.
  put_text(key, "alpha");
  auto after = versions_or_skip(key);
  REQUIRE(after);
  CHECK(after->size() == versions->size() + 1);
  CHECK((*after)[0].is_latest);
  CHECK(get_text(key) == "alpha");
}

TEST_CASE("list_versions names exactly one key", "[versions]") {
  const std::string prefix = unique_prefix();
  put_text(prefix + "a", "1");
  put_text(prefix + "a", "2");
  put_text(prefix + "ab", "3");
  auto versions = versions_or_skip(prefix + "a");
  if (!versions) return;
  CHECK(versions->size() == 2);
  auto none = versions_or_skip(prefix + "never-written");
  REQUIRE(none);
  CHECK(none->empty());
}

TEST_CASE("listings never show where old versions are kept", "[versions]") {
  const std::string prefix = unique_prefix();
  put_text(prefix + "k", "1");
  put_text(prefix + "k", "2");
  if (!versions_or_skip(prefix + "k")) return;
  ListOptions deep;  // the whole bucket, no prefix
  std::string token;
  size_t seen = 0;
  do {
    deep.continuation_token = token;
    auto page = backend().store().list(deep);
    REQUIRE(page.is_ok());
    for (const ObjectInfo& o : page->objects) {
      CHECK_FALSE(o.key.starts_with(".autosync"));
      if (o.key == prefix + "k") ++seen;
    }
    token = page->next_token;
  } while (!token.empty());
  CHECK(seen == 1);
}
