// autosyncctl ls, pin, unpin and evict: per-file cache state.
//
// ls reads the cache index directly (no daemon needed). pin marks files through the daemon,
// then reads them through the mount — the mount's own read path fetches what is missing
// into the cache; the page cache is dropped first (POSIX_FADV_DONTNEED) so the reads reach
// the mount. evict and unpin are the daemon's.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <iostream>
#include <vector>

#include "core/base/unique_fd.h"
#include "syncd/control_paths.h"
#include "tools/ctl/commands.h"
#include "tools/ctl/table.h"

namespace autosync::ctl {
namespace {

using syncd::Json;

constexpr size_t kReadChunk = 1 << 20;

std::string join(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

std::string kind_name(index::InodeKind kind) {
  switch (kind) {
    case index::InodeKind::kFile:
      return "file";
    case index::InodeKind::kDirectory:
      return "dir";
    case index::InodeKind::kSymlink:
      return "symlink";
    case index::InodeKind::kSpecial:
      return "special";
  }
  return "?";
}

// synced | queued | failed | modified (changed, not journaled yet: open, or a crash) | local
std::string sync_state(index::ReadTxn& txn, const std::string& path,
                       const index::InodeRecord& rec) {
  auto stats = txn.pending_stats_under(path);
  if (stats && stats->failed > 0) return "failed";
  if (stats && stats->count > 0) return "queued";
  if (rec.dirty()) return "modified";
  return rec.remote ? "synced" : "local";
}

unsigned cached_percent(const index::InodeRecord& rec) {
  if (rec.kind != index::InodeKind::kFile || rec.size == 0) return 100;
  return static_cast<unsigned>(std::min<uint64_t>(100, rec.cached_bytes * 100 / rec.size));
}

Json entry_json(index::ReadTxn& txn, const std::string& path, const index::InodeRecord& rec) {
  Json remote = nullptr;
  if (rec.remote) {
    remote = Json{{"key", rec.remote->key},
                  {"etag", rec.remote->etag},
                  {"version", rec.remote->version},
                  {"size", rec.remote->size}};
  }
  return Json{{"path", path},
              {"kind", kind_name(rec.kind)},
              {"size", rec.size},
              {"cached_bytes", rec.cached_bytes},
              {"cached_percent", cached_percent(rec)},
              {"dirty", rec.dirty()},
              {"pinned", rec.pinned},
              {"state", sync_state(txn, path, rec)},
              {"local_version", rec.local_gen},
              {"synced_version", rec.synced_gen},
              {"remote", remote}};
}

// The entries ls shows: PATH itself, or the children of a directory.
Result<Json> ls_entries(index::Index& index, const std::string& path) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, syncd::resolve_path(index, path));
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index.read());
  Json out = Json::array();
  if (!rec.is_dir()) {
    out.push_back(entry_json(txn, path, rec));
    return out;
  }
  std::string after;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(auto page, txn.list_dir(rec.ino, after, 512));
    for (const auto& entry : page) {
      AUTOSYNC_ASSIGN_OR_RETURN(auto child, txn.get(entry.ino));
      out.push_back(entry_json(txn, join(path, entry.name), child));
    }
    if (page.size() < 512) return out;
    after = page.back().name;
  }
}

std::string short_etag(const Json& remote) {
  if (!remote.is_object()) return "-";
  std::string etag = remote.value("version", "");
  if (etag.empty()) etag = remote.value("etag", "");
  if (etag.size() >= 2 && etag.front() == '"') etag = etag.substr(1, etag.size() - 2);
  return etag.size() > 12 ? etag.substr(0, 12) : etag;
}

void print_ls(std::ostream& out, const Json& entries) {
  Table table({"CACHED", "DIRTY", "PINNED", "STATE", "LOCAL", "REMOTE", "SIZE", "PATH"});
  for (const auto& e : entries) {
    const bool dir = e.value("kind", "") == "dir";
    table.add({dir ? "-" : fmt::format("{}%", e.value("cached_percent", 0)),
               e.value("dirty", false) ? "yes" : "no", e.value("pinned", false) ? "yes" : "no",
               e.value("state", "?"), std::to_string(e.value("local_version", 0)),
               short_etag(e["remote"]), dir ? "-" : human_size(e.value("size", uint64_t{0})),
               e.value("path", "") + (dir ? "/" : "")});
  }
  table.print(out);
}

// Every regular file at or under `path` in the mount (listing a directory through the mount
// also teaches the index what the store holds there).
Status collect_files(const std::filesystem::path& path, std::vector<std::filesystem::path>& out) {
  std::error_code ec;
  const auto status = std::filesystem::symlink_status(path, ec);
  if (ec) return not_found(fmt::format("{}: {}", path.string(), ec.message()));
  if (std::filesystem::is_regular_file(status)) {
    out.push_back(path);
    return {};
  }
  if (!std::filesystem::is_directory(status)) return {};
  for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec) && !it->is_symlink(ec)) out.push_back(it->path());
  }
  if (ec) return io_error(fmt::format("{}: {}", path.string(), ec.message()));
  return {};
}

// Reads the whole file through the mount, so the mount fetches what its cache lacks.
Result<uint64_t> read_through(const std::filesystem::path& file) {
  UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return from_errno(errno, file.string());
  (void)::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_DONTNEED);
  std::vector<char> buffer(kReadChunk);
  uint64_t total = 0;
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return from_errno(errno, "read " + file.string());
    if (got == 0) return total;
    total += static_cast<uint64_t>(got);
  }
}

// The paths as the daemon names them; prints and sets `code` for one outside the mount.
std::optional<std::vector<std::string>> relative_paths(const Session& s, const Target& target,
                                                       const std::vector<std::string>& paths,
                                                       int& code) {
  std::vector<std::string> out;
  for (const auto& path : paths) {
    auto rel = mount_relative(target, path);
    if (!rel) {
      code = s.fail(kExitFailed, rel.status().message());
      return std::nullopt;
    }
    out.push_back(*rel);
  }
  return out;
}

// The daemon of the cache that holds `paths` (the first path finds it unless --cache or
// --mount says), and the paths as it names them; nullptr with `code` set otherwise.
std::unique_ptr<Daemon> connect_for_paths(const Session& s, const std::vector<std::string>& paths,
                                          std::vector<std::string>& rel, int& code) {
  Session scoped = s;
  if (!scoped.hints.cache && !scoped.hints.mount) scoped.hints.path = paths.front();
  auto daemon = connect(scoped, code);
  if (!daemon) return nullptr;
  auto relative = relative_paths(s, daemon->target, paths, code);
  if (!relative) return nullptr;
  rel = std::move(*relative);
  return daemon;
}

int fetch_pinned(const Session& s, const std::vector<std::filesystem::path>& files) {
  const bool progress = !s.json && ::isatty(STDERR_FILENO) == 1;
  uint64_t bytes = 0;
  size_t done = 0;
  for (const auto& file : files) {
    auto got = read_through(file);
    if (!got) return s.fail(kExitFailed, "pin: " + got.status().message());
    bytes += *got;
    ++done;
    if (progress) {
      s.err << fmt::format("\rpin: {}/{} files, {}", done, files.size(), human_size(bytes))
            << std::flush;
    }
  }
  if (progress) s.err << '\n';
  if (s.json) {
    s.out << Json{{"files", files.size()}, {"bytes", bytes}}.dump(2) << '\n';
  } else {
    s.out << fmt::format("pinned {} files ({}), all in the cache\n", files.size(),
                         human_size(bytes));
  }
  return kExitOk;
}

}  // namespace

int cmd_ls(const Session& s, const std::optional<std::string>& path) {
  Session scoped = s;
  if (path && !scoped.hints.cache && !scoped.hints.mount) scoped.hints.path = *path;
  auto target = find_target(scoped.hints);
  if (!target) return s.fail(kExitFailed, target.status().message());
  auto rel = mount_relative(*target, path.value_or(target->mountpoint ? "." : ""));
  if (!path && target->mountpoint) rel = std::string();
  if (!rel) return s.fail(kExitFailed, rel.status().message());
  int code = kExitOk;
  auto index = open_index(s, *target, code);
  if (!index) return code;
  auto entries = ls_entries(*index, *rel);
  if (!entries) return s.fail(kExitFailed, "ls: " + entries.status().message());
  if (s.json) {
    s.out << entries->dump(2) << '\n';
  } else {
    print_ls(s.out, *entries);
  }
  return kExitOk;
}

int cmd_pin(const Session& s, const std::vector<std::string>& paths, bool pin) {
  int code = kExitOk;
  std::vector<std::string> rel;
  auto daemon = connect_for_paths(s, paths, rel, code);
  if (!daemon) return code;
  std::vector<std::filesystem::path> files;
  if (pin) {
    if (!daemon->target.mountpoint) return s.fail(kExitFailed, "pin: the cache is not mounted");
    for (const auto& path : paths) {
      if (Status listed = collect_files(path, files); !listed) {
        return s.fail(kExitFailed, "pin: " + listed.message());
      }
    }
  }
  auto reply = call(s, *daemon, pin ? "pin" : "unpin", Json{{"paths", rel}}, code);
  if (!reply) return code;
  if (pin) return fetch_pinned(s, files);
  if (s.json) {
    s.out << reply->dump(2) << '\n';
  } else {
    s.out << fmt::format("unpinned {} files\n", reply->value("files", 0));
  }
  return kExitOk;
}

int cmd_evict(const Session& s, const std::vector<std::string>& paths) {
  int code = kExitOk;
  std::vector<std::string> rel;
  auto daemon = connect_for_paths(s, paths, rel, code);
  if (!daemon) return code;
  auto reply = call(s, *daemon, "evict", Json{{"paths", rel}}, code);
  if (!reply) return code;
  if (s.json) {
    s.out << reply->dump(2) << '\n';
  } else {
    s.out << fmt::format("evicted {} files ({}); kept {} (dirty, open or pinned)\n",
                         reply->value("files", 0), human_size(reply->value("bytes", uint64_t{0})),
                         reply->value("skipped", 0));
  }
  return kExitOk;
}

int cmd_gc(const Session& s) {
  int code = kExitOk;
  auto daemon = connect(s, code);
  if (!daemon) return code;
  auto reply = call(s, *daemon, "gc", Json::object(), code);
  if (!reply) return code;
  if (s.json) {
    s.out << reply->dump(2) << '\n';
  } else {
    s.out << fmt::format("removed {} orphaned content files ({})\n", reply->value("files", 0),
                         human_size(reply->value("bytes", uint64_t{0})));
  }
  return kExitOk;
}

}  // namespace autosync::ctl
