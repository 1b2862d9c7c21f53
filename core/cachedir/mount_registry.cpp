#include "core/cachedir/mount_registry.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace autosync::cachedir {
namespace {

using nlohmann::json;

constexpr const char* kRootRegistry = "/run/autosync/mounts";

Status write_atomically(const std::filesystem::path& file, const std::string& text) {
  const auto tmp = file.string() + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text << '\n';
    out.close();
    if (!out) return io_error("write " + tmp);
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return io_error("rename to " + file.string());
  }
  return {};
}

Result<MountRecord> read_record(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return not_found(file.string() + ": no such file");
  std::stringstream text;
  text << in.rdbuf();
  return parse_mount_record(text.str(), file.string());
}

void remove_if_ours(const std::filesystem::path& file, pid_t pid) {
  auto record = read_record(file);
  if (record && record->pid != pid) return;  // a newer mount's
  std::error_code ignored;
  std::filesystem::remove(file, ignored);
}

}  // namespace

std::optional<std::filesystem::path> registry_dir_for(uid_t euid) {
  if (euid == 0) return std::filesystem::path(kRootRegistry);
  const char* runtime = std::getenv("XDG_RUNTIME_DIR");
  if (runtime == nullptr || *runtime != '/') return std::nullopt;
  return std::filesystem::path(runtime) / "autosync" / "mounts";
}

std::vector<std::filesystem::path> registry_dirs() {
  std::vector<std::filesystem::path> dirs;
  if (auto mine = registry_dir_for(::geteuid()); mine && *mine != kRootRegistry) {
    dirs.push_back(*mine);
  }
  dirs.emplace_back(kRootRegistry);
  return dirs;
}

std::string registry_name(const std::filesystem::path& mountpoint) {
  std::string out;
  for (const unsigned char c : mountpoint.string()) {
    const bool plain = std::isalnum(c) != 0 || c == '.' || c == '_' || c == '-';
    out += plain ? std::string(1, static_cast<char>(c)) : fmt::format("%{:02X}", c);
  }
  return out + ".json";
}

std::string to_json(const MountRecord& record) {
  return json{{"mountpoint", record.mountpoint.string()},
              {"remote", record.remote},
              {"pid", record.pid},
              {"cache_dir", record.cache_dir.string()}}
      .dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<MountRecord> parse_mount_record(std::string_view text, std::string_view what) {
  const json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object() || !parsed.contains("mountpoint") || !parsed["mountpoint"].is_string() ||
      !parsed.contains("cache_dir") || !parsed["cache_dir"].is_string()) {
    return Status::error(ErrorKind::kCorrupt, fmt::format("{}: not a mount record", what));
  }
  MountRecord record;
  record.mountpoint = parsed["mountpoint"].get<std::string>();
  record.cache_dir = parsed["cache_dir"].get<std::string>();
  if (parsed.contains("remote") && parsed["remote"].is_string()) {
    record.remote = parsed["remote"].get<std::string>();
  }
  if (parsed.contains("pid") && parsed["pid"].is_number_integer()) {
    record.pid = parsed["pid"].get<pid_t>();
  }
  return record;
}

Result<MountRecord> read_mount_info(const Paths& paths) {
  return read_record(paths.mount_info());
}

Result<MountRecord> find_registered(const std::filesystem::path& mountpoint) {
  for (const auto& dir : registry_dirs()) {
    auto record = read_record(dir / registry_name(mountpoint));
    if (record) return record;
  }
  return not_found(fmt::format("no autosync mount registered at {}", mountpoint.string()));
}

bool process_alive(pid_t pid) {
  return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM);
}

Result<PublishedMount> PublishedMount::publish(const Paths& paths, MountRecord record) {
  const std::string text = to_json(record);
  std::vector<std::filesystem::path> files;
  AUTOSYNC_RETURN_IF_ERROR(write_atomically(paths.mount_info(), text));
  files.push_back(paths.mount_info());
  if (auto dir = registry_dir_for(::geteuid())) {
    std::error_code ec;
    std::filesystem::create_directories(*dir, ec);
    const auto entry = *dir / registry_name(record.mountpoint);
    if (!ec && write_atomically(entry, text)) files.push_back(entry);
  }
  return PublishedMount(std::move(record), std::move(files));
}

PublishedMount::PublishedMount(PublishedMount&& other) noexcept
    : record_(std::move(other.record_)), files_(std::move(other.files_)) {
  other.files_.clear();
}

PublishedMount::~PublishedMount() {
  for (const auto& file : files_)
    remove_if_ours(file, record_.pid);
}

}  // namespace autosync::cachedir
