#include "core/layout/object_meta.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>

using namespace autosync;
using autosync::layout::FileMeta;

namespace {

backends::ObjectInfo object(std::string key, backends::UserMetadata meta) {
  backends::ObjectInfo o;
  o.key = std::move(key);
  o.metadata = std::move(meta);
  o.last_modified = SystemTime(std::chrono::seconds(1600000000));
  return o;
}

const FileMeta kDefaults{S_IFREG | 0644, 1000, 1000, 0};

}  // namespace

TEST_CASE("attributes use s3fs's metadata names and decimal formats", "[layout]") {
  const FileMeta meta{S_IFREG | 0755, 501, 20, 1700000000'123456789};
  const auto encoded = layout::encode_meta(meta);
  CHECK(encoded.at("mode") == "33261");
  CHECK(encoded.at("uid") == "501");
  CHECK(encoded.at("gid") == "20");
  CHECK(encoded.at("mtime") == "1700000000");
  const FileMeta back = layout::decode_meta(object("f", encoded), kDefaults);
  CHECK(back.mode == meta.mode);
  CHECK(back.uid == 501);
  CHECK(back.mtime_ns == 1700000000'000000000);
}

TEST_CASE("missing or malformed fields fall back to defaults and Last-Modified", "[layout]") {
  const FileMeta plain = layout::decode_meta(object("f", {}), kDefaults);
  CHECK(plain.mode == (S_IFREG | 0644));
  CHECK(plain.uid == 1000);
  CHECK(plain.mtime_ns == 1600000000'000000000);
  const FileMeta bad = layout::decode_meta(
      object("f", {{"mode", "rwx"}, {"uid", "-"}, {"mtime", "12x"}}), kDefaults);
  CHECK(bad.mode == kDefaults.mode);
  CHECK(bad.uid == 1000);
  CHECK(bad.mtime_ns == 1600000000'000000000);
  CHECK(layout::decode_meta(object("f", {{"mtime", "5.25"}}), kDefaults).mtime_ns == 5'250000000);
}

TEST_CASE("symlinks and directories keep their type", "[layout]") {
  const FileMeta link =
      layout::decode_meta(object("l", {{"mode", std::to_string(S_IFLNK | 0777)}}), kDefaults);
  CHECK(S_ISLNK(link.mode));
  const FileMeta dir = layout::decode_meta(object("d/", {}), kDefaults);
  CHECK(S_ISDIR(dir.mode));
  CHECK((dir.mode & 0777) == 0644);
  const FileMeta perms_only = layout::decode_meta(object("p", {{"mode", "416"}}), kDefaults);
  CHECK(perms_only.mode == (S_IFREG | 0640));
  CHECK(layout::dir_marker_key("a/b") == "a/b/");
  CHECK(layout::dir_marker_key("").empty());
}
