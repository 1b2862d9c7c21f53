// Control commands on the remote watcher (control_server.h, syncd/remote_watcher.h):
//   scan {path?=""} -> {id}      asks the watcher to list now every directory the index knows
//              at or under PATH (mount-relative; a file stands for its directory; "" = all)
//              and returns at once: the REP socket never waits for the store.
//   scan_result {id} -> {done, dirs, added, changed, removed, deferred}
//              autosyncctl scan repeats it until done; a scan that failed (the store
//              unreachable) is an error reply with its error.
#include <fmt/format.h>

#include "syncd/control_paths.h"
#include "syncd/control_server.h"
#include "syncd/remote_watcher.h"

namespace autosync::syncd {
namespace {

// The directory to scan for `path`: itself, or a file's parent.
Result<std::string> scan_root(ControlContext& ctx, const std::string& path) {
  if (path.empty()) return path;
  AUTOSYNC_ASSIGN_OR_RETURN(const auto rec, resolve_path(ctx.index, path));
  if (rec.is_dir()) return path;
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

Result<Json> scan(ControlContext& ctx, const Json& request) {
  if (ctx.watcher == nullptr) return invalid("this autosyncd has no remote watcher");
  AUTOSYNC_ASSIGN_OR_RETURN(const std::string path, string_arg(request, "path"));
  AUTOSYNC_ASSIGN_OR_RETURN(std::string root, scan_root(ctx, path));
  return Json{{"id", ctx.watcher->request_scan(std::move(root))}};
}

Result<Json> scan_result(ControlContext& ctx, const Json& request) {
  if (ctx.watcher == nullptr) return invalid("this autosyncd has no remote watcher");
  const auto id = request.find("id");
  if (id == request.end() || !id->is_number_unsigned()) {
    return invalid("\"id\" must be a scan number");
  }
  AUTOSYNC_ASSIGN_OR_RETURN(const auto result, ctx.watcher->scan_result(id->get<uint64_t>()));
  if (!result.done) return Json{{"done", false}};
  if (!result.status.is_ok()) return result.status;
  const auto& r = result.report;
  return Json{{"done", true},         {"dirs", r.dirs},       {"added", r.added},
              {"changed", r.changed}, {"removed", r.removed}, {"deferred", r.deferred}};
}

}  // namespace

void add_scan_commands(ControlCommands& commands, ControlContext& context) {
  commands["scan"] = [&context](const Json& request) { return scan(context, request); };
  commands["scan_result"] = [&context](const Json& request) {
    return scan_result(context, request);
  };
}

}  // namespace autosync::syncd
