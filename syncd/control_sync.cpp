// Control commands that steer the upload workers (control_server.h):
//   flush {path?=""} -> {pending, bytes, failed, paused}   wakes the workers and counts the
//              rows still to do under PATH (mount-relative; "" = all). autosyncctl flush
//              repeats it until pending is 0: the REP socket never waits for uploads.
//   pause    -> {paused: true}    workers claim no new rows (rows in flight finish)
//   resume   -> {paused: false}
#include "syncd/control_server.h"

namespace autosync::syncd {
namespace {

Result<Json> flush(ControlContext& ctx, const Json& request) {
  AUTOSYNC_ASSIGN_OR_RETURN(const std::string path, string_arg(request, "path"));
  ctx.pool.wake();
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, ctx.index.read());
  AUTOSYNC_ASSIGN_OR_RETURN(const auto stats, txn.pending_stats_under(path));
  return Json{{"pending", stats.count},
              {"bytes", stats.bytes},
              {"failed", stats.failed},
              {"paused", ctx.pool.paused()}};
}

}  // namespace

void add_sync_commands(ControlCommands& commands, ControlContext& context) {
  commands["flush"] = [&context](const Json& request) { return flush(context, request); };
  commands["pause"] = [&context](const Json&) -> Result<Json> {
    context.pool.pause();
    return Json{{"paused", true}};
  };
  commands["resume"] = [&context](const Json&) -> Result<Json> {
    context.pool.resume();
    return Json{{"paused", false}};
  };
}

}  // namespace autosync::syncd
