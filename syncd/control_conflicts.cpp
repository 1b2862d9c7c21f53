// Control commands on recorded conflicts (control_server.h):
//   settle {id, how} -> {id, resolution}   marks unresolved conflict ID settled and appends
//              "; settled: HOW" to its resolution, so `autosyncctl conflicts` stops listing
//              it and `conflicts --all` tells how it ended. An unknown or already settled
//              conflict is an error reply.
// The files themselves are settled by autosyncctl resolve through the mount (a copy's bytes
// written back under the name, a copy unlinked), so they take the mount's own write path and
// journal; this command only records the outcome.
#include <fmt/format.h>

#include "syncd/control_server.h"

namespace autosync::syncd {
namespace {

Result<Json> settle(ControlContext& ctx, const Json& request) {
  const auto id = request.find("id");
  if (id == request.end() || !id->is_number_integer()) {
    return invalid("\"id\" must be a conflict id");
  }
  AUTOSYNC_ASSIGN_OR_RETURN(const std::string how, string_arg(request, "how"));
  if (how.empty()) return invalid("\"how\" must say how the conflict was settled");
  const int64_t conflict = id->get<int64_t>();
  AUTOSYNC_RETURN_IF_ERROR(ctx.index.settle_conflict(conflict, how));
  AUTOSYNC_ASSIGN_OR_RETURN(auto all, ctx.index.list_conflicts(false, conflict - 1, 1));
  std::string resolution = all.empty() ? std::string() : all.front().resolution;
  return Json{{"id", conflict}, {"resolution", std::move(resolution)}};
}

}  // namespace

void add_conflict_commands(ControlCommands& commands, ControlContext& context) {
  commands["settle"] = [&context](const Json& request) { return settle(context, request); };
}

}  // namespace autosync::syncd
