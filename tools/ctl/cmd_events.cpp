// conflicts (what autosyncd recorded, read from the index: no daemon needed) and watch (the
// daemon's event stream, live).
#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <ostream>
#include <zmq.hpp>

#include "core/base/time_format.h"
#include "core/cachedir/cache_dir.h"
#include "core/events/event_socket.h"
#include "core/events/wire.h"
#include "tools/ctl/commands.h"
#include "tools/ctl/table.h"

namespace autosync::ctl {
namespace {

using Json = syncd::Json;

// "2026-11-22T06:30:00Z" (UTC, what logs show).
std::string when(int64_t time_ns) {
  return format_iso8601(SystemTime(
      std::chrono::duration_cast<SystemTime::duration>(std::chrono::nanoseconds(time_ns))));
}

std::string kind_text(index::ConflictKind kind) {
  switch (kind) {
    case index::ConflictKind::kBothChanged:
      return "both changed";
    case index::ConflictKind::kRemoteDeleted:
      return "deleted on the store";
    case index::ConflictKind::kLocalDeleted:
      return "deleted here";
  }
  return "?";
}

Json side_json(const index::ConflictSide& side) {
  return Json{
      {"etag", side.etag}, {"size", side.size}, {"mtime_ns", side.mtime_ns}, {"host", side.host}};
}

Json conflict_json(const index::ConflictRecord& c) {
  return Json{{"id", c.id},
              {"path", c.path},
              {"copy_path", c.copy_path},
              {"kind", kind_text(c.kind)},
              {"local", side_json(c.local)},
              {"remote", side_json(c.remote)},
              {"policy", c.policy},
              {"resolution", c.resolution},
              {"time_ns", c.time_ns},
              {"resolved", c.resolved}};
}

void print_conflicts(std::ostream& out, const std::vector<index::ConflictRecord>& conflicts) {
  Table table({"WHEN", "PATH", "WHAT", "POLICY", "RESOLUTION", "COPY", "SETTLED"});
  for (const auto& c : conflicts) {
    table.add({when(c.time_ns), c.path, kind_text(c.kind), c.policy, c.resolution,
               c.copy_path.empty() ? "-" : c.copy_path, c.resolved ? "yes" : "no"});
  }
  if (table.empty()) {
    out << "no conflicts\n";
  } else {
    table.print(out);
  }
}

std::string event_line(const events::Event& e) {
  std::string line = fmt::format("{} {}", when(e.time_ns), events::kind_name(e.kind));
  if (!e.path.empty()) line += " " + e.path;
  if (!e.detail.empty()) line += ": " + e.detail;
  return line;
}

}  // namespace

int cmd_conflicts(const Session& s, bool all) {
  auto target = find_target(s.hints);
  if (!target) return s.fail(kExitFailed, target.status().message());
  int code = kExitOk;
  auto index = open_index(s, *target, code);
  if (!index) return code;
  auto conflicts = index->list_conflicts(!all);
  if (!conflicts) return s.fail(kExitFailed, "conflicts: " + conflicts.status().message());
  if (s.json) {
    Json list = Json::array();
    for (const auto& c : *conflicts)
      list.push_back(conflict_json(c));
    s.out << list.dump(2) << '\n';
  } else {
    print_conflicts(s.out, *conflicts);
  }
  return kExitOk;
}

int cmd_watch(const Session& s, const WatchArgs& args) {
  auto target = find_target(s.hints);
  if (!target) return s.fail(kExitFailed, target.status().message());
  zmq::context_t context;
  auto subscriber =
      events::EventSubscriber::connect(context, cachedir::Paths(target->cache_dir).events_socket());
  if (!subscriber) return s.fail(kExitFailed, "watch: " + subscriber.status().message());
  // SIGINT and SIGTERM end the watch between events, with exit code 0.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  ::pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  const auto deadline = args.timeout ? std::chrono::steady_clock::now() + *args.timeout
                                     : std::chrono::steady_clock::time_point::max();
  uint64_t seen = 0;
  while ((!args.count || seen < *args.count) && std::chrono::steady_clock::now() < deadline) {
    timespec zero{};
    if (::sigtimedwait(&stop, nullptr, &zero) > 0) break;
    auto event = (*subscriber)->receive(std::chrono::milliseconds(200));
    if (!event) continue;
    ++seen;
    s.out << (s.json ? events::encode(*event) : event_line(*event)) << std::endl;
  }
  if (args.count && seen < *args.count) return s.fail(kExitFailed, "watch: timed out");
  return kExitOk;
}

}  // namespace autosync::ctl
