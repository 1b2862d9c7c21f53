// Upload ids and block ids: what ObjectStore's multipart upload becomes on a block blob.
#include "backends/azure/block_upload.h"

#include <catch2/catch.hpp>
#include <set>

#include "core/base/encoding.h"

namespace autosync::backends::azure {
namespace {

TEST_CASE("an upload id without options is a random nonce") {
  auto a = make_upload_id({});
  auto b = make_upload_id({});
  REQUIRE(a.is_ok());
  REQUIRE(b.is_ok());
  CHECK(a->size() == 32);
  CHECK(*a != *b);
  auto state = parse_upload_id(*a);
  REQUIRE(state.is_ok());
  CHECK(state->nonce == *a);
  CHECK(state->content_type.empty());
  CHECK(state->metadata.empty());
}

TEST_CASE("an upload id carries content type and metadata to complete") {
  PutOptions options;
  options.content_type = "text/plain; charset=utf-8";
  options.metadata = {{"file-mode", "0644"}, {"note", "a=b c"}, {"empty", ""}};
  auto id = make_upload_id(options);
  REQUIRE(id.is_ok());
  CHECK(
      id->find_first_not_of("0123456789abcdefABCDEFGHIJKLMNOPQRSTUVWXYZghijklmnopqrstuvwxyz-_.") ==
      std::string::npos);
  auto state = parse_upload_id(*id);
  REQUIRE(state.is_ok());
  CHECK(state->content_type == options.content_type);
  CHECK(state->metadata == options.metadata);

  PutOptions only_metadata;
  only_metadata.metadata = {{"a", "1"}};
  auto second = parse_upload_id(make_upload_id(only_metadata).value());
  REQUIRE(second.is_ok());
  CHECK(second->content_type.empty());
  CHECK(second->metadata == only_metadata.metadata);
}

TEST_CASE("foreign or damaged upload ids are refused") {
  for (std::string_view bad :
       {"", "abc", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", "0123456789abcdef0123456789abcdefX",
        "0123456789abcdef0123456789abcdef.!!"}) {
    INFO(bad);
    CHECK(parse_upload_id(bad).status().is(ErrorKind::kInvalid));
  }
  PutOptions broken;
  broken.metadata = {{"a", "line\nbreak"}};
  CHECK(make_upload_id(broken).status().is(ErrorKind::kInvalid));
}

TEST_CASE("block ids are unique per upload and part, and all the same length") {
  const std::string nonce_a(32, 'a');
  const std::string nonce_b(32, 'b');
  std::set<std::string> seen;
  for (int part : {1, 2, 10, 999, 50000}) {
    const std::string a = block_id(nonce_a, part);
    const std::string b = block_id(nonce_b, part);
    CHECK(a.size() == block_id(nonce_a, 1).size());
    CHECK(a.size() <= 64);
    CHECK(seen.insert(a).second);
    CHECK(seen.insert(b).second);
  }
  CHECK(base64_decode(block_id(nonce_a, 7)).value() == nonce_a + "-00007");
}

}  // namespace
}  // namespace autosync::backends::azure
