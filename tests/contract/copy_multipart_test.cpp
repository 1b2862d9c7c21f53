// Contract: server-side copy and multipart uploads.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <vector>

#include "tests/contract/backend_fixture.h"

using namespace autosync;
using namespace autosync::backends;
using autosync::testing::backend;
using autosync::testing::get_text;
using autosync::testing::put_text;
using autosync::testing::unique_prefix;

namespace {

uint64_t part_size() {
  return std::max<uint64_t>(backend().store().capabilities().min_part_size, uint64_t{64} * 1024);
}

// The uploads in progress of `key`, or nullopt after a visible skip when the store cannot
// list them: it says so in its capabilities (nothing on the store to list), or it is a test
// server without the API (its quirks say so). Either way the answer must be kUnsupported.
std::optional<std::vector<PendingUpload>> uploads_or_skip(const std::string& key) {
  auto listed = backend().store().list_multipart_uploads(key);
  const bool by_key = backend().store().capabilities().upload_listing == UploadListing::kByKey;
  if (!by_key || !backend().quirks().lists_uploads) {
    INFO(listed.status().to_string());
    REQUIRE_FALSE(listed.is_ok());
    CHECK(listed.status().is(ErrorKind::kUnsupported));
    WARN("SKIPPED: " << backend().name() << " lists no multipart uploads ("
                     << (by_key ? "the test server does not implement ListMultipartUploads"
                                : "an upload is not on the store before its first part")
                     << ")");
    return std::nullopt;
  }
  INFO(listed.status().to_string());
  REQUIRE(listed.is_ok());
  return std::move(listed).value();
}

std::vector<std::string> ids_of(const std::vector<PendingUpload>& uploads) {
  std::vector<std::string> ids;
  ids.reserve(uploads.size());
  for (const PendingUpload& upload : uploads)
    ids.push_back(upload.upload_id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::string pattern(size_t size, char seed) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i)
    s[i] = static_cast<char>(seed + static_cast<char>(i % 251));
  return s;
}

}  // namespace

TEST_CASE("copy duplicates data and keeps or replaces metadata", "[copy]") {
  const std::string p = unique_prefix();
  PutOptions options;
  options.metadata = {{"mode", "33261"}};
  options.content_type = "application/x-sh";
  const ObjectInfo src = put_text(p + "src file.sh", "#!/bin/sh\necho hi\n", options);

  auto kept = backend().store().copy(p + "src file.sh", p + "copy/kept.sh", {});
  INFO(kept.status().to_string());
  REQUIRE(kept.is_ok());
  CHECK(get_text(p + "copy/kept.sh") == "#!/bin/sh\necho hi\n");
  CHECK(backend().store().head(p + "copy/kept.sh")->metadata == options.metadata);

  CopyOptions replace;
  replace.replace_metadata = true;
  replace.metadata = {{"mode", "33188"}, {"mtime", "42"}};
  REQUIRE(backend().store().copy(p + "src file.sh", p + "copy/replaced.sh", replace).is_ok());
  CHECK(backend().store().head(p + "copy/replaced.sh")->metadata == replace.metadata);
  CHECK(get_text(p + "src file.sh") == "#!/bin/sh\necho hi\n");
  CHECK(backend().store().head(p + "src file.sh")->etag == src.etag);
}

TEST_CASE("copy of a missing source is kNotFound", "[copy]") {
  const std::string p = unique_prefix();
  auto r = backend().store().copy(p + "ghost", p + "dest", {});
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().is(ErrorKind::kNotFound));
  CHECK(backend().store().head(p + "dest").status().is(ErrorKind::kNotFound));
}

TEST_CASE("copy with a stale source ETag fails and writes nothing", "[copy]") {
  const std::string p = unique_prefix();
  const ObjectInfo v1 = put_text(p + "src", "one");
  put_text(p + "src", "two!");
  CopyOptions options;
  options.source_conditions.if_match = v1.etag;
  auto r = backend().store().copy(p + "src", p + "dest", options);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().is(ErrorKind::kPreconditionFailed));
  CHECK(backend().store().head(p + "dest").status().is(ErrorKind::kNotFound));
}

TEST_CASE("a multipart upload assembles its parts in part-number order", "[multipart]") {
  const std::string key = unique_prefix() + "big/multi part.bin";
  const std::string one = pattern(part_size(), 'a');
  const std::string two = pattern(part_size(), 'k');
  const std::string three = pattern(1234, 'z');
  PutOptions options;
  options.metadata = {{"mode", "33188"}};
  auto id = backend().store().create_multipart(key, options);
  INFO(id.status().to_string());
  REQUIRE(id.is_ok());
  // Parts may arrive in any order.
  auto p3 = backend().store().upload_part(key, *id, 3, BufferSource(three));
  auto p1 = backend().store().upload_part(key, *id, 1, BufferSource(one));
  auto p2 = backend().store().upload_part(key, *id, 2, BufferSource(two));
  REQUIRE(p1.is_ok());
  REQUIRE(p2.is_ok());
  REQUIRE(p3.is_ok());
  const std::vector<CompletedPart> parts = {*p1, *p2, *p3};
  auto done = backend().store().complete_multipart(key, *id, parts, {});
  INFO(done.status().to_string());
  REQUIRE(done.is_ok());
  CHECK_FALSE(done->etag.empty());
  auto head = backend().store().head(key);
  REQUIRE(head.is_ok());
  CHECK(head->size == one.size() + two.size() + three.size());
  CHECK(head->metadata == options.metadata);
  CHECK(get_text(key) == one + two + three);
}

TEST_CASE("an aborted multipart upload leaves no object", "[multipart]") {
  const std::string key = unique_prefix() + "aborted.bin";
  auto id = backend().store().create_multipart(key, {});
  REQUIRE(id.is_ok());
  REQUIRE(backend().store().upload_part(key, *id, 1, BufferSource(pattern(1000, 'q'))).is_ok());
  const Status aborted = backend().store().abort_multipart(key, *id);
  INFO(aborted.to_string());
  if (backend().quirks().aborts_uploads) {
    CHECK(aborted.is_ok());
  } else {
    CHECK(aborted.is(ErrorKind::kUnsupported));
  }
  CHECK(backend().store().head(key).status().is(ErrorKind::kNotFound));
}

TEST_CASE("completing with a part ETag that does not match fails", "[multipart]") {
  if (!backend().quirks().checks_part_etags) return;
  const std::string key = unique_prefix() + "wrong-part.bin";
  auto id = backend().store().create_multipart(key, {});
  REQUIRE(id.is_ok());
  auto part = backend().store().upload_part(key, *id, 1, BufferSource(pattern(1000, 'q')));
  REQUIRE(part.is_ok());
  const std::vector<CompletedPart> parts = {{1, "0123456789abcdef0123456789abcdef"}};
  auto done = backend().store().complete_multipart(key, *id, parts, {});
  CHECK_FALSE(done.is_ok());
  CHECK(backend().store().head(key).status().is(ErrorKind::kNotFound));
  CHECK(backend().store().abort_multipart(key, *id).is_ok());
}

TEST_CASE("list_multipart_uploads finds the uploads in progress of exactly one key",
          "[multipart]") {
  const std::string p = unique_prefix();
  const std::string key = p + "listed upload.bin";
  auto before = uploads_or_skip(key);
  if (!before) return;
  CHECK(before->empty());
  const auto started = std::chrono::system_clock::now();
  auto first = backend().store().create_multipart(key, {});
  auto second = backend().store().create_multipart(key, {});
  auto longer = backend().store().create_multipart(key + ".bak", {});  // a longer key
  REQUIRE(first.is_ok());
  REQUIRE(second.is_ok());
  REQUIRE(longer.is_ok());
  // A part makes no difference: the upload is in progress until completed or aborted.
  REQUIRE(backend().store().upload_part(key, *second, 1, BufferSource("part")).is_ok());

  auto listed = uploads_or_skip(key);
  REQUIRE(listed);
  std::vector<std::string> expected = {*first, *second};
  std::sort(expected.begin(), expected.end());
  CHECK(ids_of(*listed) == expected);
  for (const PendingUpload& upload : *listed) {
    CHECK(upload.key == key);
    // The store's clock: near ours (a minute either way is plenty for a test server here).
    CHECK(upload.initiated > started - std::chrono::minutes(1));
    CHECK(upload.initiated < std::chrono::system_clock::now() + std::chrono::minutes(1));
  }

  // Completed and aborted uploads are no longer in progress.
  REQUIRE(backend().store().abort_multipart(key, *first).is_ok());
  auto part = backend().store().upload_part(key, *second, 1, BufferSource("part"));
  REQUIRE(part.is_ok());
  REQUIRE(backend().store().complete_multipart(key, *second, std::vector{*part}, {}).is_ok());
  auto after = uploads_or_skip(key);
  REQUIRE(after);
  CHECK(after->empty());
  auto other = uploads_or_skip(key + ".bak");
  REQUIRE(other);
  CHECK(ids_of(*other) == std::vector<std::string>{*longer});
  CHECK(backend().store().abort_multipart(key + ".bak", *longer).is_ok());
}
