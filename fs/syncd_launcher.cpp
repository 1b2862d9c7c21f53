#include "fs/syncd_launcher.h"

#include <unistd.h>

#include <cstdlib>
#include <string_view>
#include <system_error>

#include "core/cachedir/cache_dir.h"
#include "core/config/option_list.h"
#include "core/process/background.h"
#include "core/process/instance_lock.h"

namespace autosync::fs {
namespace {

constexpr std::string_view kProgram = "autosyncd";

bool is_executable(const std::filesystem::path& file) {
  return ::access(file.c_str(), X_OK) == 0 && !std::filesystem::is_directory(file);
}

std::optional<std::filesystem::path> beside_self() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return std::nullopt;
  auto candidate = self.parent_path() / kProgram;
  if (is_executable(candidate)) return candidate;
  return std::nullopt;
}

std::optional<std::filesystem::path> on_path() {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return std::nullopt;
  std::string_view rest(path);
  while (!rest.empty()) {
    const size_t colon = rest.find(':');
    const std::string_view dir = rest.substr(0, colon);
    if (!dir.empty()) {
      auto candidate = std::filesystem::path(dir) / kProgram;
      if (is_executable(candidate)) return candidate;
    }
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return std::nullopt;
}

}  // namespace

Result<std::filesystem::path> find_syncd_program() {
  if (const char* explicit_path = std::getenv("AUTOSYNCD"); explicit_path && *explicit_path) {
    if (!is_executable(explicit_path)) {
      return not_found(std::string("AUTOSYNCD=") + explicit_path + " is not an executable file");
    }
    return std::filesystem::path(explicit_path);
  }
  if (auto found = beside_self()) return *found;
  if (auto found = on_path()) return *found;
  return not_found("cannot find the autosyncd program (beside autosyncfs or on PATH)");
}

SyncdLauncher::SyncdLauncher(const config::CommandLine& command_line,
                             const std::filesystem::path& cache_dir)
    : command_line_(command_line), cache_dir_(cache_dir) {
  // The daemon starts in "/": a relative config path would not name the same file there.
  if (!command_line_.config_file.empty()) {
    command_line_.config_file = std::filesystem::absolute(command_line_.config_file);
  }
}

Result<std::vector<std::string>> SyncdLauncher::command() const {
  AUTOSYNC_ASSIGN_OR_RETURN(auto program, find_syncd_program());
  std::vector<std::string> argv = {program.string()};
  if (!command_line_.remote.empty()) argv.push_back(command_line_.remote);
  if (!command_line_.config_file.empty()) {
    argv.push_back("--config");
    argv.push_back(command_line_.config_file.string());
  }
  for (const auto& list : command_line_.option_lists) {
    argv.push_back("-o");
    argv.push_back(list);
  }
  // Last, so it wins: the daemon must serve exactly this cache.
  argv.push_back("-o");
  argv.push_back("cache.dir=" + config::escape_option_value(cache_dir_.string()));
  return argv;
}

Status SyncdLauncher::ensure_running() {
  const cachedir::Paths paths(cache_dir_);
  if (process::InstanceLock::held(paths.syncd_lock())) return {};
  AUTOSYNC_ASSIGN_OR_RETURN(auto argv, command());
  return process::spawn_daemon(argv, paths.syncd_log());
}

}  // namespace autosync::fs
