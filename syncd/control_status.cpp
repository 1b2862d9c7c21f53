// Control commands that report (control_server.h):
//   status  -> {remote, online, store_error, paused, pid, mount: {mountpoint, pid} | null,
//               queue: {pending, bytes, failed}, cache: {used, limit, files, dirty, pinned},
//               last_error}
//              online: one LIST of at most one key just now succeeded (store_error says why
//              not); so a status costs one request to the store.
//   queue {limit?=1000} -> {rows: [{seq, op, key, src_key, ino, state, attempts, last_error,
//              not_before_ns, created_ns}], total: {pending, bytes, failed}}
#include <unistd.h>

#include <fstream>

#include "syncd/control_server.h"
#include "syncd/journal_ops.h"

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

std::string probe(backends::ObjectStore& store) {
  backends::ListOptions one;
  one.delimiter = "/";
  one.max_keys = 1;
  auto page = store.list(one);
  return page ? std::string() : page.status().to_string();
}

Result<Json> status(ControlContext& ctx) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, ctx.index.read());
  AUTOSYNC_ASSIGN_OR_RETURN(const auto pending, txn.pending_stats());
  AUTOSYNC_ASSIGN_OR_RETURN(const auto counts, txn.cache_counts());
  const std::string store_error = probe(ctx.store);
  return Json{{"remote", ctx.remote},
              {"online", store_error.empty()},
              {"store_error", store_error},
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
