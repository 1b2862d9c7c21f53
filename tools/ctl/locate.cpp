#include "tools/ctl/locate.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

#include "core/cachedir/mount_registry.h"

namespace autosync::ctl {
namespace {

constexpr std::string_view kFsType = "fuse.autosyncfs";

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(std::string_view field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      const std::string oct(field.substr(i + 1, 3));
      if (oct.find_first_not_of("01234567") == std::string::npos) {
        out += static_cast<char>(std::stoi(oct, nullptr, 8));
        i += 3;
        continue;
      }
    }
    out += field[i];
  }
  return out;
}

std::filesystem::path absolute_normal(const std::filesystem::path& path) {
  std::error_code ec;
  auto out = std::filesystem::absolute(path, ec).lexically_normal();
  if (!out.has_filename() && out != out.root_path()) out = out.parent_path();
  return out;
}

bool is_within(const std::filesystem::path& path, const std::filesystem::path& dir) {
  const auto rel = path.lexically_relative(dir);
  return !rel.empty() && *rel.begin() != "..";
}

Result<Target> target_of_mount(const std::filesystem::path& mountpoint) {
  auto record = cachedir::find_registered(mountpoint);
  if (!record) {
    return not_found(fmt::format(
        "the mount at {} did not record its cache (mounted by another user?); use --cache DIR",
        mountpoint.string()));
  }
  return Target{.cache_dir = record->cache_dir, .mountpoint = mountpoint};
}

// A cache directory is private to the user who mounted it: say so, where every later step
// would only fail to find the daemon or the index.
Status permission_denied(const std::filesystem::path& cache_dir) {
  return Status::error(ErrorKind::kAccessDenied,
                       fmt::format("permission denied: the cache {} belongs to another user "
                                   "(run autosyncctl as that user or as root)",
                                   cache_dir.string()));
}

Result<Target> target_of_cache(const std::filesystem::path& dir) {
  std::error_code ec;
  const bool is_dir = std::filesystem::is_directory(dir, ec);
  if (ec == std::errc::permission_denied) return permission_denied(dir);
  if (!is_dir) {
    return not_found(fmt::format("no cache directory at {}", dir.string()));
  }
  Target target{.cache_dir = absolute_normal(dir), .mountpoint = std::nullopt};
  auto record = cachedir::read_mount_info(cachedir::Paths(target.cache_dir));
  if (record && cachedir::process_alive(record->pid)) target.mountpoint = record->mountpoint;
  return target;
}

}  // namespace

std::vector<std::filesystem::path> autosync_mounts_in(std::string_view mountinfo) {
  std::vector<std::filesystem::path> out;
  std::istringstream lines{std::string(mountinfo)};
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    for (std::string word; fields >> word;)
      f.push_back(word);
    size_t dash = 0;
    while (dash < f.size() && f[dash] != "-")
      ++dash;
    if (f.size() < 5 || dash + 1 >= f.size() || f[dash + 1] != kFsType) continue;
    out.emplace_back(unescape(f[4]));
  }
  return out;
}

std::vector<std::filesystem::path> autosync_mounts() {
  std::ifstream in("/proc/self/mountinfo");
  std::stringstream text;
  text << in.rdbuf();
  return autosync_mounts_in(text.str());
}

namespace {

// The cache the hints point at (see find_target).
Result<Target> locate(const TargetHints& hints) {
  if (hints.cache) return target_of_cache(*hints.cache);
  const auto mounts = autosync_mounts();
  if (hints.mount) {
    const auto wanted = absolute_normal(*hints.mount);
    for (const auto& m : mounts) {
      if (m == wanted) return target_of_mount(m);
    }
    return not_found(fmt::format("{} is not an autosync mount", wanted.string()));
  }
  if (hints.path) {
    const auto wanted = absolute_normal(*hints.path);
    const std::filesystem::path* best = nullptr;
    for (const auto& m : mounts) {
      const bool inside = m == wanted || is_within(wanted, m);
      if (inside && (best == nullptr || m.string().size() > best->string().size())) best = &m;
    }
    if (best != nullptr) return target_of_mount(*best);
    return not_found(fmt::format("{} is not inside an autosync mount", wanted.string()));
  }
  if (mounts.size() == 1) return target_of_mount(mounts.front());
  if (mounts.empty()) return not_found("no autosync mount found; use --cache DIR or --mount PATH");
  std::string names;
  for (const auto& m : mounts)
    names += (names.empty() ? "" : ", ") + m.string();
  return invalid(fmt::format("several autosync mounts ({}); pick one with --mount", names));
}

}  // namespace

Result<Target> find_target(const TargetHints& hints) {
  AUTOSYNC_ASSIGN_OR_RETURN(Target target, locate(hints));
  if (::access(target.cache_dir.c_str(), R_OK | X_OK) != 0 && errno == EACCES) {
    return permission_denied(target.cache_dir);
  }
  return target;
}

Result<std::string> mount_relative(const Target& target, const std::filesystem::path& path) {
  if (!target.mountpoint) {
    std::string rel = path.lexically_normal().string();
    while (!rel.empty() && rel.back() == '/')
      rel.pop_back();
    while (!rel.empty() && rel.front() == '/')
      rel.erase(0, 1);
    return rel == "." ? std::string() : rel;
  }
  const auto abs = absolute_normal(path);
  if (abs == *target.mountpoint) return std::string();
  if (!is_within(abs, *target.mountpoint)) {
    return invalid(
        fmt::format("{} is not inside the mount {}", abs.string(), target.mountpoint->string()));
  }
  return abs.lexically_relative(*target.mountpoint).string();
}

}  // namespace autosync::ctl
