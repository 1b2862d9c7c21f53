#include "core/cachedir/cache_dir.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace autosync::cachedir {

Status make_private_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (dir.has_parent_path()) std::filesystem::create_directories(dir.parent_path(), ec);
  if (ec) return from_errno(ec.value(), "create cache directory " + dir.parent_path().string());
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return from_errno(errno, "create cache directory " + dir.string());
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return from_errno(errno, "cache directory " + dir.string());
  if (!S_ISDIR(st.st_mode))
    return invalid("cache directory " + dir.string() + " is not a directory");
  if (::access(dir.c_str(), R_OK | W_OK | X_OK) != 0) {
    return from_errno(errno, "cache directory " + dir.string());
  }
  return {};
}

Result<CacheDir> CacheDir::open(const std::filesystem::path& dir, const OpenOptions& options) {
  AUTOSYNC_RETURN_IF_ERROR(make_private_dir(dir));
  Paths paths(dir);
  index::IndexOptions index_options;
  index_options.pool.max_connections = options.connections;
  auto index = index::Index::open(paths.index(), std::move(index_options));
  if (!index)
    return std::move(index).take_status().context("cache index " + paths.index().string());
  auto content = content::ContentStore::open(paths.content());
  if (!content)
    return std::move(content).take_status().context("cache content " + paths.content().string());
  return CacheDir(std::move(paths), std::move(index).value(), std::move(content).value());
}

}  // namespace autosync::cachedir
