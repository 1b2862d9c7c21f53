// Control commands that report (control_server.h):
//   status  -> {remote, online, store_error, paused, pid, mount: {mountpoint, pid} | null,
//               queue: {pending, bytes, failed}, cache: {used, limit, files, dirty, pinned},
//               last_error}
//              online: one LIST of at most one key succeeded in the last 2 s (store_error
//              says why not; store_checked_ns when it was asked). The LIST runs on the
//              StoreProbe's thread: status waits for it at most 1.5 s, then answers with
//              the previous answer, so an unreachable store never blocks the socket.
//   queue {limit?=1000} -> {rows: [{seq, op, key, src_key, ino, state, attempts, last_error,
//              not_before_ns, created_ns}], total: {pending, bytes, failed}}
#include <unistd.h>

#include <fstream>

#include "syncd/control_server.h"
#include "syncd/journal_ops.h"
#include "syncd/store_probe.h"

namespace autosync::syncd {
namespace {

constexpr uint64_t kDefaultQueueLimit = 1000;

Json queue_json(const index::PendingStats& stats) {
  return Json{{"pending", stats.count}, {"bytes", stats.bytes}, {"failed", stats.failed}};
}

// CACHE/mount.json as the mount wrote it, or null when no mount has the cache.
Json mount_json(const ControlContext& ctx) {
  std::ifstream in(ctx.paths.mount_info());
  if (!in) return nullptr;
  Json parsed = Json::parse(in, nullptr, /*allow_exceptions=*/false);
  return parsed.is_object() ? parsed : Json(nullptr);
}

// Waits at most this long for the store: status answers even when the store does not.
constexpr auto kProbeWait = std::chrono::milliseconds(1500);
constexpr auto kProbeFresh = std::chrono::milliseconds(2000);

ProbeResult probe(ControlContext& ctx) {
  if (ctx.probe == nullptr) return {};
  return ctx.probe->check(kProbeFresh, kProbeWait);
}

Result<Json> status(ControlContext& ctx) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, ctx.index.read());
  AUTOSYNC_ASSIGN_OR_RETURN(const auto pending, txn.pending_stats());
  AUTOSYNC_ASSIGN_OR_RETURN(const auto counts, txn.cache_counts());
  const ProbeResult store = probe(ctx);
  const std::string store_error =
      store.known ? store.error : std::string("no answer from the store yet");
  return Json{{"remote", ctx.remote},
              {"online", store.known && store.online},
              {"store_error", store_error},
              {"store_checked_ns", store.checked_ns},
              {"paused", ctx.pool.paused()},
              {"pid", ::getpid()},
              {"cache_dir", ctx.paths.root.string()},
              {"mount", mount_json(ctx)},
              {"queue", queue_json(pending)},
              {"cache",
               {{"used", counts.cached_bytes},
                {"limit", ctx.cache_limit_bytes},
                {"files", counts.files},
                {"dirty", counts.dirty},
                {"pinned", counts.pinned}}},
              {"last_error", counts.last_error}};
}

std::string_view state_name(index::JournalState state) {
  switch (state) {
    case index::JournalState::kPending:
      return "pending";
    case index::JournalState::kRunning:
      return "running";
    case index::JournalState::kFailed:
      return "failed";
  }
  return "unknown";
}

Result<Json> queue(ControlContext& ctx, const Json& request) {
  uint64_t limit = kDefaultQueueLimit;
  if (const auto it = request.find("limit"); it != request.end()) {
    if (!it->is_number_unsigned()) return invalid("\"limit\" must be a positive integer");
    limit = it->get<uint64_t>();
  }
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, ctx.index.read());
  AUTOSYNC_ASSIGN_OR_RETURN(const auto stats, txn.pending_stats());
  AUTOSYNC_ASSIGN_OR_RETURN(const auto rows, txn.journal_rows(limit));
  Json out = Json::array();
  for (const auto& row : rows) {
    out.push_back(Json{{"seq", row.seq},
                       {"op", to_string(row.op)},
                       {"key", row.key},
                       {"src_key", row.src_key},
                       {"ino", row.ino},
                       {"state", state_name(row.state)},
                       {"attempts", row.attempts},
                       {"last_error", row.last_error},
                       {"not_before_ns", row.not_before_ns},
                       {"created_ns", row.created_ns}});
  }
  return Json{{"rows", std::move(out)}, {"total", queue_json(stats)}};
}

}  // namespace

void add_status_commands(ControlCommands& commands, ControlContext& context) {
  commands["status"] = [&context](const Json&) { return status(context); };
  commands["queue"] = [&context](const Json& request) { return queue(context, request); };
}

}  // namespace autosync::syncd
