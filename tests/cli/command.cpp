#include "tests/cli/command.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace autosync::testing {
namespace {

std::string read_all(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::vector<std::string> merged_env(const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> out;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    if (!overrides.contains(name)) out.push_back(entry);
  }
  for (const auto& [name, value] : overrides) {
    if (!value.empty()) out.push_back(name + "=" + value);
  }
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& words) {
  std::vector<char*> out;
  for (auto& w : words)
    out.push_back(w.data());
  out.push_back(nullptr);
  return out;
}

std::filesystem::path scratch_file(const char* what) {
  static std::atomic<int> counter{0};
  return std::filesystem::temp_directory_path() /
         ("autosync-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + what);
}

}  // namespace

Command::Command(std::vector<std::string> argv, const std::map<std::string, std::string>& env)
    : out_file_(scratch_file(".out")), err_file_(scratch_file(".err")) {
  auto env_words = merged_env(env);
  auto argv_ptrs = pointers(argv);
  auto env_ptrs = pointers(env_words);
  const std::string out = out_file_.string(), err = err_file_.string();
  pid_ = ::fork();
  if (pid_ == 0) {
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int in = ::open("/dev/null", O_RDONLY);
    if (o < 0 || e < 0 || in < 0) ::_exit(125);
    ::dup2(in, 0);
    ::dup2(o, 1);
    ::dup2(e, 2);
    ::execve(argv_ptrs[0], argv_ptrs.data(), env_ptrs.data());
    ::_exit(127);
  }
}

Command::~Command() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  std::error_code ec;
  std::filesystem::remove(out_file_, ec);
  std::filesystem::remove(err_file_, ec);
}

CommandResult Command::wait(std::chrono::milliseconds timeout) {
  CommandResult result;
  int status = 0;
  const bool ended =
      eventually([&] { return pid_ <= 0 || ::waitpid(pid_, &status, WNOHANG) == pid_; }, timeout);
  if (!ended) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    result.exit_code = -1;
  } else if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.exit_code = 128 + WTERMSIG(status);
  }
  pid_ = -1;
  result.out = read_all(out_file_);
  result.err = read_all(err_file_);
  return result;
}

CommandResult run(std::vector<std::string> argv, const std::map<std::string, std::string>& env,
                  std::chrono::milliseconds timeout) {
  Command command(std::move(argv), env);
  return command.wait(timeout);
}

std::optional<std::string> mount_type(const std::filesystem::path& dir) {
  // mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE ...
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  std::optional<std::string> found;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string id, parent, dev, root, point, word;
    words >> id >> parent >> dev >> root >> point;
    if (point != dir.string()) continue;
    while (words >> word && word != "-") {
    }
    words >> word;
    found = word;  // the last mount on a path is the visible one
  }
  return found;
}

}  // namespace autosync::testing
