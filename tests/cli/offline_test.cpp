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

#include "tests/cli/cli_fixture.h"
#include "tests/cli/s3rver_bucket.h"
#include "tests/support/test_server.h"

using namespace autosync::testing;
using namespace std::chrono_literals;
namespace backends = autosync::backends;

namespace {

constexpr const char* kBucket = "offline";

// The options that point a mount at `server`, with its cache at `cache`.
std::vector<std::string> s3_options(const TestServer& server, const std::filesystem::path& cache) {
  return {"-o", s3rver_mount_options(server), "-o",
          "cache.dir=" + cache.string() + ",sync.idle_exit=1s,sync.writeback_delay=0s"};
}

CommandResult mount_s3(const CliFixture& f, const TestServer& server,
                       const std::filesystem::path& cache) {
  std::vector<std::string> argv = {program("autosyncfs").string(), std::string("s3://") + kBucket,
                                   f.mnt.string()};
  for (auto& option : s3_options(server, cache))
    argv.push_back(std::move(option));
  return run(argv, s3rver_credentials());
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
  auto bucket = open_s3rver_bucket(server, kBucket);
  CliFixture f;

  // A first cache writes cold.txt; a second, fresh cache then knows its name, not its bytes.
  const auto first_cache = f.tmp.path() / "first-cache";
  REQUIRE(mount_s3(f, server, first_cache).exit_code == 0);
  write_file(f.mnt / "cold.txt", "never cached here");
  REQUIRE(eventually([&] { return object_body(*bucket, "cold.txt").has_value(); }));
  REQUIRE(f.unmount().exit_code == 0);
  const auto mounted = mount_s3(f, server, f.cache);
  INFO(mounted.err);
  REQUIRE(mounted.exit_code == 0);
  write_file(f.mnt / "warm.txt", "cached");
  write_file(f.mnt / "doomed.txt", "to be deleted");
  REQUIRE(eventually([&] { return object_body(*bucket, "doomed.txt").has_value(); }));
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
        return object_body(*bucket, "new.txt") == std::optional<std::string>("written offline") &&
               object_body(*bucket, "moved.txt") == std::optional<std::string>("cached") &&
               !object_body(*bucket, "warm.txt") && !object_body(*bucket, "doomed.txt") &&
               object_body(*bucket, "made-offline/").has_value();
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
