// autosyncctl resolve PATH --keep local|remote|both: settles a kept-both conflict.
//
// Keep-both left the store's version at the name and the local one at NAME.conflict-...
// (the copy). The files are changed through the mount, so they take the mount's own write
// path and journal like any program's change:
//   remote  the copy is unlinked (its object is deleted on the store)
//   local   the copy's bytes are written over the name (uploaded If-Match the version the
//           name holds, so a newer remote change is a new conflict, never overwritten), then
//           the copy is unlinked; nothing is removed before the name holds the bytes
//   both    nothing changes; the conflict is only marked settled
// The daemon then marks the conflict settled ("settle"), appending how to its resolution.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <ostream>
#include <thread>
#include <vector>

#include "core/base/time_format.h"
#include "core/base/unique_fd.h"
#include "tools/ctl/commands.h"
#include "tools/ctl/table.h"

namespace autosync::ctl {
namespace {

using syncd::Json;

constexpr size_t kCopyChunk = 1 << 20;
// Longer than the kernel keeps an entry by default (cache.attr_ttl = 1s), with room.
constexpr auto kStaleEntryWait = std::chrono::seconds(5);

std::string when(int64_t time_ns) {
  return format_iso8601(SystemTime(
      std::chrono::duration_cast<SystemTime::duration>(std::chrono::nanoseconds(time_ns))));
}

// The newest unsettled conflict that `rel` names (by its path or its copy's path); when
// there is none, why, as a one-line message.
Result<index::ConflictRecord> find_conflict(index::Index& index, const std::string& rel) {
  std::optional<index::ConflictRecord> found, settled;
  int64_t after = 0;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(auto page, index.list_conflicts(false, after, 1000));
    for (auto& c : page) {
      if (c.path != rel && c.copy_path != rel) continue;
      (c.resolved ? settled : found) = c;
    }
    if (page.size() < 1000) break;
    after = page.back().id;
  }
  if (found) return *found;
  if (settled) {
    return not_found(fmt::format("{}: no unsettled conflict (the last one, {}, is settled: {})",
                                 rel, when(settled->time_ns), settled->resolution));
  }
  return not_found(fmt::format("{}: no conflict recorded for this path", rel));
}

// The name opened for writing, never the copy itself: right after keep-both, the kernel may
// still map the name to the copy's inode for up to cache.attr_ttl (its entry cache, when the
// daemon's invalidation came late), and truncating that would empty the copy.
Result<UniqueFd> open_name(const std::filesystem::path& to, const struct stat& copy) {
  const auto deadline = std::chrono::steady_clock::now() + kStaleEntryWait;
  for (;;) {
    UniqueFd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, copy.st_mode & 07777));
    if (!out.valid()) return from_errno(errno, to.string());
    struct stat st {};
    if (::fstat(out.get(), &st) != 0) return from_errno(errno, to.string());
    if (st.st_ino != copy.st_ino || st.st_dev != copy.st_dev) return out;
    if (std::chrono::steady_clock::now() >= deadline) {
      return transient(fmt::format("{} still opens as its conflict copy; try again", to.string()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// Writes `from`'s bytes and permission bits over `to` (created if it was removed).
Result<uint64_t> copy_over(const std::filesystem::path& from, const std::filesystem::path& to) {
  UniqueFd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (!in.valid()) return from_errno(errno, from.string());
  struct stat st {};
  if (::fstat(in.get(), &st) != 0) return from_errno(errno, from.string());
  if (!S_ISREG(st.st_mode)) return invalid(fmt::format("{}: not a regular file", from.string()));
  AUTOSYNC_ASSIGN_OR_RETURN(UniqueFd out, open_name(to, st));
  if (::ftruncate(out.get(), 0) != 0) return from_errno(errno, "truncate " + to.string());
  std::vector<char> buffer(kCopyChunk);
  uint64_t total = 0;
  for (;;) {
    const ssize_t got = ::read(in.get(), buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return from_errno(errno, "read " + from.string());
    if (got == 0) break;
    for (ssize_t done = 0; done < got;) {
      const ssize_t put = ::write(out.get(), buffer.data() + done, static_cast<size_t>(got - done));
      if (put < 0 && errno == EINTR) continue;
      if (put < 0) return from_errno(errno, "write " + to.string());
      done += put;
    }
    total += static_cast<uint64_t>(got);
  }
  if (total != static_cast<uint64_t>(st.st_size)) {
    return io_error(fmt::format("{}: read {} of {} bytes", from.string(), total, st.st_size));
  }
  if (::fchmod(out.get(), st.st_mode & 07777) != 0) return from_errno(errno, to.string());
  AUTOSYNC_RETURN_IF_ERROR(out.close("close " + to.string()));
  return total;
}

bool present(const std::filesystem::path& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

// The files' part; returns how it was settled (the text the conflict's resolution gains).
Result<std::string> settle_files(const Target& target, const index::ConflictRecord& c,
                                 const std::string& keep) {
  if (keep == "both") return fmt::format("kept both ({} and {})", c.path, c.copy_path);
  if (c.copy_path.empty()) {
    // Not a kept-both conflict: one version is all there is, and it is at the name.
    return fmt::format("kept {} (there was no conflict copy)", keep);
  }
  if (!target.mountpoint) {
    return invalid(
        fmt::format("the cache is not mounted: --keep {} changes files through the "
                    "mount (--keep both needs none)",
                    keep));
  }
  const auto copy = *target.mountpoint / c.copy_path;
  const auto name = *target.mountpoint / c.path;
  const bool have_copy = present(copy);
  if (keep == "remote") {
    if (!have_copy) return fmt::format("kept remote ({} was gone already)", c.copy_path);
    if (::unlink(copy.c_str()) != 0) return from_errno(errno, "unlink " + copy.string());
    return fmt::format("kept remote, removed {}", c.copy_path);
  }
  if (!have_copy) {
    return not_found(
        fmt::format("the conflict copy {} is gone: there is no local version to "
                    "put back (--keep remote or both settles the conflict)",
                    c.copy_path));
  }
  AUTOSYNC_RETURN_IF_ERROR(copy_over(copy, name).status());
  if (::unlink(copy.c_str()) != 0) return from_errno(errno, "unlink " + copy.string());
  return fmt::format("kept local, {} written back to {}", c.copy_path, c.path);
}

void print_settled(std::ostream& out, const index::ConflictRecord& c, const Json& reply) {
  print_fields(out, {{"path", c.path},
                     {"copy", c.copy_path.empty() ? "-" : c.copy_path},
                     {"resolution", reply.value("resolution", std::string())}});
}

}  // namespace

int cmd_resolve(const Session& s, const ResolveArgs& args) {
  int code = kExitOk;
  std::string rel;
  auto daemon = connect_for(s, args.path, rel, code, "resolve");
  if (!daemon) return code;
  auto index = open_index(s, daemon->target, code);
  if (!index) return code;
  auto conflict = find_conflict(*index, rel);
  if (!conflict) return s.fail(kExitFailed, "resolve: " + conflict.status().message());
  auto how = settle_files(daemon->target, *conflict, args.keep);
  if (!how) return s.fail(kExitFailed, "resolve: " + how.status().message());
  auto reply = call(s, *daemon, "settle", Json{{"id", conflict->id}, {"how", *how}}, code);
  if (!reply) return code;
  if (s.json) {
    s.out << Json{{"id", conflict->id},
                  {"path", conflict->path},
                  {"copy_path", conflict->copy_path},
                  {"keep", args.keep},
                  {"resolution", reply->value("resolution", std::string())}}
                 .dump(2)
          << '\n';
  } else {
    print_settled(s.out, *conflict, *reply);
  }
  return kExitOk;
}

}  // namespace autosync::ctl
