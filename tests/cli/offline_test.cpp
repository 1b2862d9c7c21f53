// Offline: the store goes away under a running mount (s3rver stopped). Cached reads, writes,
// renames, deletes and mkdir keep working and are journaled; an uncached read fails with EIO
// quickly instead of hanging; when the store is back, everything arrives.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "backends/byte_io.h"
#include "backends/open.h"
#include "tests/cli/cli_fixture.h"
#include "tests/support/test_server.h"

using namespace autosync::testing;
using namespace std::chrono_literals;
namespace backends = autosync::backends;

namespace {

constexpr const char* kBucket = "offline";

// The options that point a mount at `server` (s3rver ignores conditional writes).
std::vector<std::string> s3_options(const TestServer& server, const std::filesystem::path& cache) {
  return {"-o",
          "s3.preset=minio,s3.region=us-east-1,s3.conditional_write=false,s3.endpoint=" +
              server.endpoint(),
          "-o", "cache.dir=" + cache.string() + ",sync.idle_exit=1s,sync.writeback_delay=0s"};
}

const std::map<std::string, std::string> kCredentials = {{"AWS_ACCESS_KEY_ID", "S3RVER"},
                                                         {"AWS_SECRET_ACCESS_KEY", "S3RVER"}};

CommandResult mount_s3(const CliFixture& f, const TestServer& server,
                       const std::filesystem::path& cache) {
  std::vector<std::string> argv = {program("autosyncfs").string(), std::string("s3://") + kBucket,
                                   f.mnt.string()};
  for (auto& option : s3_options(server, cache))
    argv.push_back(std::move(option));
  return run(argv, kCredentials);
}

// The test's own view of the bucket, straight through the S3 backend.
std::unique_ptr<backends::ObjectStore> open_bucket(const TestServer& server) {
  backends::StoreConfig config;
  config.remote = {backends::Scheme::kS3, kBucket, "", ""};
  config.s3.preset = backends::s3::Preset::kMinio;
  config.s3.endpoint = server.endpoint();
  config.s3.region = "us-east-1";
  config.s3.credentials = backends::s3::Credentials{"S3RVER", "S3RVER", ""};
  auto store = backends::open(config);
  REQUIRE(store.is_ok());
  return std::move(store).value();
}

std::optional<std::string> body_of(backends::ObjectStore& store, const std::string& key) {
  backends::BufferSink sink;
  if (!store.get(key, {}, sink).is_ok()) return std::nullopt;
  return sink.take();
}

// Listens on 127.0.0.1:PORT and never accepts: connections complete (the kernel's backlog)
// and requests are never answered.
class SilentListener {
 public:
  explicit SilentListener(uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    REQUIRE(fd_ >= 0);
    const int on = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd_, 64) == 0);
  }
  ~SilentListener() { close(); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

}  // namespace

TEST_CASE("with the store down the mount keeps working, and everything arrives once it is back",
          "[cli][offline]") {
  auto started = TestServer::start_s3rver(kBucket);
  REQUIRE(started.is_ok());
  TestServer server = std::move(started).value();
  auto bucket = open_bucket(server);
  CliFixture f;

  // A first cache writes cold.txt; a second, fresh cache then knows its name, not its bytes.
  const auto first_cache = f.tmp.path() / "first-cache";
  REQUIRE(mount_s3(f, server, first_cache).exit_code == 0);
  write_file(f.mnt / "cold.txt", "never cached here");
  REQUIRE(eventually([&] { return body_of(*bucket, "cold.txt").has_value(); }));
  REQUIRE(f.unmount().exit_code == 0);
  const auto mounted = mount_s3(f, server, f.cache);
  INFO(mounted.err);
  REQUIRE(mounted.exit_code == 0);
  write_file(f.mnt / "warm.txt", "cached");
  write_file(f.mnt / "doomed.txt", "to be deleted");
  REQUIRE(eventually([&] { return body_of(*bucket, "doomed.txt").has_value(); }));
  REQUIRE(std::filesystem::exists(f.mnt / "cold.txt"));

  server.stop();
  CHECK(read_file(f.mnt / "warm.txt") == "cached");
  {
    const auto before = std::chrono::steady_clock::now();
    const int fd = ::open((f.mnt / "cold.txt").c_str(), O_RDONLY);
    char byte = 0;
    const ssize_t n = fd >= 0 ? ::read(fd, &byte, 1) : -1;
    const int error = errno;
    if (fd >= 0) ::close(fd);
    CHECK(n == -1);
    CHECK(error == EIO);
    CHECK(std::chrono::steady_clock::now() - before < 30s);  // fails, does not hang
  }
  write_file(f.mnt / "new.txt", "written offline");
  std::filesystem::rename(f.mnt / "warm.txt", f.mnt / "moved.txt");
  std::filesystem::remove(f.mnt / "doomed.txt");
  std::filesystem::create_directory(f.mnt / "made-offline");
  CHECK(read_file(f.mnt / "moved.txt") == "cached");

  REQUIRE(server.restart().is_ok());
  CHECK(eventually(
      [&] {
        return body_of(*bucket, "new.txt") == std::optional<std::string>("written offline") &&
               body_of(*bucket, "moved.txt") == std::optional<std::string>("cached") &&
               !body_of(*bucket, "warm.txt") && !body_of(*bucket, "doomed.txt") &&
               body_of(*bucket, "made-offline/").has_value();
      },
      120s));
  CHECK(read_file(f.mnt / "cold.txt") == "never cached here");
  REQUIRE(f.unmount().exit_code == 0);
}

TEST_CASE("autosyncctl status answers at once when the store hangs, and says it is offline",
          "[cli][offline]") {
  auto started = TestServer::start_s3rver(kBucket);
  REQUIRE(started.is_ok());
  TestServer server = std::move(started).value();
  CliFixture f;
  const auto mounted = mount_s3(f, server, f.cache);
  INFO(mounted.err);
  REQUIRE(mounted.exit_code == 0);
  const std::vector<std::string> status = {program("autosyncctl").string(), "status", "--json",
                                           "--mount", f.mnt.string()};
  const auto online = [&] {
    auto parsed = nlohmann::json::parse(run(status).out, nullptr, false);
    return parsed.is_object() ? parsed.value("online", false) : false;
  };
  REQUIRE(eventually(online));

  // A store that takes connections and never answers (a hung server, a black hole): the
  // store's own timeouts take minutes with the retries; status must not wait for them.
  server.stop();
  SilentListener silent(server.port());
  // Every call answers within moments; once the last answer is older than status's 2 s,
  // the next one says offline.
  bool offline = false;
  for (int i = 0; i < 60 && !offline; ++i) {
    std::this_thread::sleep_for(100ms);
    const auto before = std::chrono::steady_clock::now();
    const auto answered = run(status);
    INFO(answered.err);
    CHECK(answered.exit_code == 0);
    CHECK(std::chrono::steady_clock::now() - before < 5s);
    auto parsed = nlohmann::json::parse(answered.out, nullptr, false);
    offline = parsed.is_object() && !parsed.value("online", true);
    if (offline) CHECK_THAT(parsed.value("store_error", ""), Catch::Contains("not answered"));
  }
  CHECK(offline);
  silent.close();

  REQUIRE(server.restart().is_ok());
  CHECK(eventually(online, 60s));
  REQUIRE(f.unmount().exit_code == 0);
}
