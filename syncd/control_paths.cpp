#include "syncd/control_paths.h"

#include <fmt/format.h>

namespace autosync::syncd {
namespace {

constexpr size_t kPage = 512;

std::string join(std::string_view dir, std::string_view name) {
  return dir.empty() ? std::string(name) : fmt::format("{}/{}", dir, name);
}

Status walk_from(
    index::Index& index, const std::string& path, const index::InodeRecord& rec,
    const std::function<Status(const std::string&, const index::InodeRecord&)>& visit) {
  AUTOSYNC_RETURN_IF_ERROR(visit(path, rec));
  if (!rec.is_dir()) return {};
  std::string after;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(auto page, index.list_dir(rec.ino, after, kPage));
    for (const auto& entry : page) {
      auto child = index.get(entry.ino);
      if (!child && child.status().is(ErrorKind::kNotFound)) continue;  // gone meanwhile
      if (!child) return std::move(child).take_status();
      AUTOSYNC_RETURN_IF_ERROR(walk_from(index, join(path, entry.name), *child, visit));
    }
    if (page.size() < kPage) return {};
    after = page.back().name;
  }
}

}  // namespace

Result<index::InodeRecord> resolve_path(index::Index& index, std::string_view path) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, index.get(index::kRootIno));
  size_t at = 0;
  while (at < path.size()) {
    const size_t slash = path.find('/', at);
    const size_t end = slash == std::string_view::npos ? path.size() : slash;
    const std::string_view name = path.substr(at, end - at);
    at = end + 1;
    if (name.empty() || name == ".") continue;
    if (!rec.is_dir())
      return not_found(fmt::format("not a directory in the cache index: {}", path));
    AUTOSYNC_ASSIGN_OR_RETURN(auto child, index.lookup(rec.ino, name));
    if (!child) return not_found(fmt::format("no such file in the cache index: {}", path));
    rec = std::move(*child);
  }
  return rec;
}

Status walk_tree(
    index::Index& index, std::string_view path,
    const std::function<Status(const std::string&, const index::InodeRecord&)>& visit) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, resolve_path(index, path));
  return walk_from(index, std::string(path), rec, visit);
}

}  // namespace autosync::syncd
