#include "tests/support/test_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/base/unique_fd.h"

namespace autosync::testing {
namespace {

using namespace std::chrono_literals;
constexpr auto kStartTimeout = 60s;
constexpr auto kStopTimeout = 5s;
const std::string kServersDir = AUTOSYNC_TEST_SERVERS_DIR;

bool port_open(uint16_t port) {
  const UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;  // NOLINT
}

std::string tail_of(const std::filesystem::path& log) {
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  return text.size() > 2000 ? text.substr(text.size() - 2000) : text;
}

[[noreturn]] void exec_child(const std::vector<std::string>& argv,
                             const std::filesystem::path& log) {
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the test process
  const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out >= 0) {
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
  }
  const int null_in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_in >= 0) ::dup2(null_in, STDIN_FILENO);
  // s3rver's continuation tokens use a cipher Node 20 only has in the legacy provider.
  ::setenv("NODE_OPTIONS", "--openssl-legacy-provider", 1);  // NOLINT(concurrency-mt-unsafe)
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));  // NOLINT
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
  ::_exit(127);
}

}  // namespace

uint16_t free_port() {
  const UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);  // NOLINT
  socklen_t len = sizeof addr;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);  // NOLINT
  return ntohs(addr.sin_port);
}

TestServer::TestServer(std::vector<std::string> argv, uint16_t port, std::unique_ptr<TempDir> data)
    : argv_(std::move(argv)), port_(port), data_(std::move(data)) {}

TestServer::TestServer(TestServer&& other) noexcept
    : argv_(std::move(other.argv_)),
      port_(other.port_),
      pid_(std::exchange(other.pid_, -1)),
      data_(std::move(other.data_)) {}

TestServer::~TestServer() {
  stop();
}

std::string TestServer::endpoint() const {
  return fmt::format("http://127.0.0.1:{}", port_);
}

Status TestServer::launch() {
  const auto log = data_->path() / "server.log";
  pid_ = ::fork();
  if (pid_ < 0) return from_errno(errno, "fork test server");
  if (pid_ == 0) exec_child(argv_, log);
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (port_open(port_)) return {};
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return internal(fmt::format("{} exited at start: {}", argv_.at(1), tail_of(log)));
    }
    std::this_thread::sleep_for(50ms);
  }
  stop();
  return internal(fmt::format("{} did not listen on port {} within {}s: {}", argv_.at(1), port_,
                              kStartTimeout.count(), tail_of(log)));
}

void TestServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + kStopTimeout;
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  pid_ = -1;
}

Status TestServer::restart() {
  stop();
  return launch();
}

Result<TestServer> TestServer::start_s3rver(const std::string& bucket) {
  auto data = std::make_unique<TempDir>();
  const uint16_t port = free_port();
  std::vector<std::string> argv = {"node",
                                   kServersDir + "/s3rver/bin/s3rver.js",
                                   "-s",
                                   "-d",
                                   (data->path() / "data").string(),
                                   "-a",
                                   "127.0.0.1",
                                   "-p",
                                   std::to_string(port),
                                   "--configure-bucket",
                                   bucket};
  std::filesystem::create_directories(data->path() / "data");
  TestServer server(std::move(argv), port, std::move(data));
  AUTOSYNC_RETURN_IF_ERROR(server.launch());
  return server;
}

Result<TestServer> TestServer::start_azurite() {
  auto data = std::make_unique<TempDir>();
  const uint16_t port = free_port();
  std::vector<std::string> argv = {"node",
                                   kServersDir + "/azurite/dist/src/blob/main.js",
                                   "--blobHost",
                                   "127.0.0.1",
                                   "--blobPort",
                                   std::to_string(port),
                                   "-l",
                                   (data->path() / "data").string(),
                                   "--skipApiVersionCheck",
                                   "--loose",
                                   "--disableTelemetry",
                                   "--silent"};
  TestServer server(std::move(argv), port, std::move(data));
  AUTOSYNC_RETURN_IF_ERROR(server.launch());
  return server;
}

}  // namespace autosync::testing
