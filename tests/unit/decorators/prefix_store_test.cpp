// Unit tests for with_prefix: keys go in under the prefix and come back without it,
// including list pages, common prefixes, copies, batch removes and multipart uploads.
#include "backends/decorators/prefix_store.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <vector>

#include "tests/unit/transfer/memory_store.h"

namespace autosync::backends {
namespace {

using testing::MemoryStore;

struct Prefixed {
  MemoryStore* memory = nullptr;
  std::unique_ptr<ObjectStore> store;
};

Prefixed make_prefixed(std::string prefix) {
  auto memory = std::make_unique<MemoryStore>();
  Prefixed prefixed;
  prefixed.memory = memory.get();
  prefixed.store = with_prefix(std::move(memory), std::move(prefix));
  return prefixed;
}

std::vector<std::string> keys_of(const ListPage& page) {
  std::vector<std::string> keys;
  for (const ObjectInfo& object : page.objects)
    keys.push_back(object.key);
  return keys;
}

TEST_CASE("prefix: an empty prefix is the identity") {
  auto memory = std::make_unique<MemoryStore>();
  ObjectStore* raw = memory.get();
  CHECK(with_prefix(std::move(memory), "").get() == raw);
}

TEST_CASE("prefix: keys are stored under the prefix and returned without it") {
  Prefixed p = make_prefixed("team/a/");
  auto put = p.store->put("docs/x.txt", BufferSource("hello"), {});
  REQUIRE(put.is_ok());
  CHECK(put->key == "docs/x.txt");
  CHECK(p.memory->content("team/a/docs/x.txt") == "hello");
  CHECK_FALSE(p.memory->content("docs/x.txt").has_value());

  auto head = p.store->head("docs/x.txt");
  REQUIRE(head.is_ok());
  CHECK(head->key == "docs/x.txt");
  BufferSink sink;
  auto got = p.store->get("docs/x.txt", {}, sink);
  REQUIRE(got.is_ok());
  CHECK(got->key == "docs/x.txt");
  CHECK(sink.data() == "hello");

  REQUIRE(p.store->remove("docs/x.txt").is_ok());
  CHECK(p.memory->object_count() == 0);
}

TEST_CASE("prefix: list strips keys and common prefixes and hides other subtrees") {
  Prefixed p = make_prefixed("team/a/");
  for (const char* key : {"team/a/top.txt", "team/a/docs/1", "team/a/docs/2", "team/a/img/x",
                          "team/b/other", "team/ab"}) {
    REQUIRE(p.memory->put(key, BufferSource("v"), {}).is_ok());
  }
  ListOptions options;
  options.delimiter = "/";
  auto page = p.store->list(options);
  REQUIRE(page.is_ok());
  CHECK(keys_of(*page) == std::vector<std::string>{"top.txt"});
  CHECK(page->common_prefixes == std::vector<std::string>{"docs/", "img/"});

  options.prefix = "docs/";
  page = p.store->list(options);
  REQUIRE(page.is_ok());
  CHECK(keys_of(*page) == std::vector<std::string>{"docs/1", "docs/2"});
  CHECK(page->common_prefixes.empty());
}

TEST_CASE("prefix: list pages through many keys with continuation tokens") {
  Prefixed p = make_prefixed("t/");
  std::vector<std::string> expected;
  for (int i = 0; i < 25; ++i) {
    expected.push_back(fmt::format("k{:02}", i));
    REQUIRE(p.store->put(expected.back(), BufferSource("v"), {}).is_ok());
  }
  REQUIRE(p.memory->put("u/outside", BufferSource("v"), {}).is_ok());
  ListOptions options;
  options.max_keys = 10;
  std::vector<std::string> seen;
  int pages = 0;
  do {
    auto page = p.store->list(options);
    REQUIRE(page.is_ok());
    ++pages;
    for (const std::string& key : keys_of(*page))
      seen.push_back(key);
    options.continuation_token = page->next_token;
  } while (!options.continuation_token.empty() && pages < 10);
  CHECK(pages == 3);
  CHECK(seen == expected);
}

TEST_CASE("prefix: copy, remove_many and multipart stay inside the prefix") {
  Prefixed p = make_prefixed("x/");
  REQUIRE(p.store->put("a", BufferSource("data"), {}).is_ok());
  auto copied = p.store->copy("a", "b", {});
  REQUIRE(copied.is_ok());
  CHECK(copied->key == "b");
  CHECK(p.memory->content("x/b") == "data");

  auto id = p.store->create_multipart("m", {});
  REQUIRE(id.is_ok());
  auto part = p.store->upload_part("m", *id, 1, BufferSource("parts"));
  REQUIRE(part.is_ok());
  const std::vector<CompletedPart> parts = {*part};
  auto done = p.store->complete_multipart("m", *id, parts, {});
  REQUIRE(done.is_ok());
  CHECK(done->key == "m");
  CHECK(p.memory->content("x/m") == "parts");

  const std::vector<std::string> doomed = {"a", "b"};
  auto failed = p.store->remove_many(doomed);
  REQUIRE(failed.is_ok());
  CHECK(failed->empty());
  CHECK(p.memory->object_count() == 1);

  auto other = p.store->create_multipart("n", {});
  REQUIRE(other.is_ok());
  REQUIRE(p.store->abort_multipart("n", *other).is_ok());
  CHECK(p.memory->open_uploads() == 0);
}

TEST_CASE("prefix: uploads in progress are listed inside the prefix, keys stripped") {
  auto p = make_prefixed("team/");
  auto mine = p.store->create_multipart("big.bin", {});
  REQUIRE(mine.is_ok());
  REQUIRE(p.memory->create_multipart("big.bin", {}).is_ok());  // outside the prefix
  auto listed = p.store->list_multipart_uploads("big.bin");
  REQUIRE(listed.is_ok());
  REQUIRE(listed->size() == 1);
  CHECK(listed->front().key == "big.bin");
  CHECK(listed->front().upload_id == *mine);
  CHECK(p.memory->list_multipart_uploads("team/big.bin")->size() == 1);
}

TEST_CASE("prefix: capabilities and description account for the prefix") {
  Prefixed p = make_prefixed("team/a/");
  CHECK(p.store->capabilities().max_key_bytes == p.memory->capabilities().max_key_bytes - 7);
  CHECK_THAT(p.store->describe(), Catch::Contains("team/a/"));
}

}  // namespace
}  // namespace autosync::backends
