// Contract: large objects through the parallel transfer helpers (multipart both ways).
#include "backends/transfer/transfer.h"

#include <fcntl.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "tests/contract/backend_fixture.h"
#include "tests/support/temp_dir.h"

using namespace autosync;
using namespace autosync::backends;
using autosync::testing::backend;
using autosync::testing::unique_prefix;

namespace {

TransferOptions small_parts() {
  TransferOptions t;
  t.part_size = std::max<uint64_t>(backend().store().capabilities().min_part_size, 256 * 1024);
  t.multipart_threshold = t.part_size;
  t.concurrency = 3;
  return t;
}

std::string noise_bytes(size_t size) {
  std::string s(size, '\0');
  uint64_t x = 88172645463325252ULL;
  for (auto& c : s) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c = static_cast<char>(x);
  }
  return s;
}

}  // namespace

TEST_CASE("an object larger than one part uploads in parts and downloads byte-exact",
          "[transfer]") {
  const TransferOptions t = small_parts();
  const std::string data = noise_bytes(2 * t.part_size + 4321);
  const std::string key = unique_prefix() + "large object.bin";
  PutOptions options;
  options.metadata = {{"mtime", "1700000000"}};
  auto up = upload(backend().store(), key, BufferSource(data), options, t);
  INFO(up.status().to_string());
  REQUIRE(up.is_ok());
  CHECK(up->size == data.size());

  BufferSink sink;
  auto down = download(backend().store(), key, sink, t);
  INFO(down.status().to_string());
  REQUIRE(down.is_ok());
  CHECK(sink.data().size() == data.size());
  CHECK(sink.data() == data);
  CHECK(backend().store().head(key)->metadata == options.metadata);
}

TEST_CASE("files upload and download through the file helpers", "[transfer]") {
  const TransferOptions t = small_parts();
  autosync::testing::TempDir dir;
  const auto src = dir.path() / "source.bin";
  const auto dst = dir.path() / "sub" / "copy.bin";
  const std::string data = noise_bytes(t.part_size + 17);
  std::ofstream(src, std::ios::binary) << data;
  std::filesystem::create_directories(dst.parent_path());
  const std::string key = unique_prefix() + "file.bin";
  auto up = upload_file(backend().store(), key, src, {}, t);
  INFO(up.status().to_string());
  REQUIRE(up.is_ok());
  auto down = download_file(backend().store(), key, dst, t);
  INFO(down.status().to_string());
  REQUIRE(down.is_ok());
  std::ifstream in(dst, std::ios::binary);
  std::ostringstream back_stream;
  back_stream << in.rdbuf();
  const std::string back = back_stream.str();
  CHECK(back == data);
}

TEST_CASE("a download of a missing object leaves no file behind", "[transfer]") {
  autosync::testing::TempDir dir;
  const auto dst = dir.path() / "never.bin";
  auto down = download_file(backend().store(), unique_prefix() + "missing", dst, small_parts());
  REQUIRE_FALSE(down.is_ok());
  CHECK(down.status().is(ErrorKind::kNotFound));
  CHECK_FALSE(std::filesystem::exists(dst));
  CHECK(std::filesystem::is_empty(dir.path()));
}
