// autosyncctl versions and restore: a file's history on the store, and making an older
// version current again. Both are the daemon's (control_versions.cpp), which lists the
// store's versions next to what this cache recorded and does the conflict-safe restore.
#include <fmt/format.h>

#include <chrono>
#include <iostream>

#include "core/base/time_format.h"
#include "tools/ctl/commands.h"
#include "tools/ctl/table.h"

namespace autosync::ctl {
namespace {

using syncd::Json;

std::string when(int64_t time_ns) {
  const auto t = SystemTime(
      std::chrono::duration_cast<SystemTime::duration>(std::chrono::nanoseconds(time_ns)));
  return format_iso8601(t);
}

// "latest, current, cached, uploaded here" — what one version is to the store and here.
std::string state_of(const Json& v) {
  std::vector<std::string> parts;
  if (v.value("delete_marker", false)) parts.emplace_back("deleted");
  if (v.value("latest", false)) parts.emplace_back("latest");
  if (v.value("current", false)) parts.emplace_back("current here");
  if (v.value("cached", false)) parts.emplace_back("cached");
  if (v.value("local_changes", false)) parts.emplace_back("changed here");
  if (v.value("uploaded_here", false)) parts.emplace_back("uploaded here");
  return parts.empty() ? "-" : fmt::format("{}", fmt::join(parts, ", "));
}

std::string short_etag(std::string etag) {
  return etag.size() > 16 ? etag.substr(0, 16) : (etag.empty() ? "-" : etag);
}

void print_versions(std::ostream& out, const Json& reply) {
  Table table({"VERSION", "TIME", "SIZE", "ETAG", "HOST", "STATE"});
  for (const auto& v : reply["versions"]) {
    const std::string id = v.value("version_id", "");
    table.add({id.empty() ? "-" : id, when(v.value("time_ns", int64_t{0})),
               v.value("delete_marker", false) ? "-" : human_size(v.value("size", uint64_t{0})),
               short_etag(v.value("etag", "")), v.value("host", "").empty() ? "-" : v["host"],
               state_of(v)});
  }
  table.print(out);
  if (!reply.value("store_versions", false)) {
    out << fmt::format(
        "{} keeps no versions: these are the versions this cache has seen and uploaded\n",
        reply.value("store", "the store"));
  }
}

}  // namespace

int cmd_versions(const Session& s, const std::string& path) {
  int code = kExitOk;
  std::string rel;
  auto daemon = connect_for(s, path, rel, code);
  if (!daemon) return code;
  auto reply = call(s, *daemon, "versions", Json{{"path", rel}}, code);
  if (!reply) return code;
  if (s.json) {
    s.out << reply->dump(2) << '\n';
  } else {
    print_versions(s.out, *reply);
  }
  return kExitOk;
}

int cmd_restore(const Session& s, const RestoreArgs& args) {
  int code = kExitOk;
  std::string rel;
  auto daemon = connect_for(s, args.path, rel, code);
  if (!daemon) return code;
  auto reply = call(s, *daemon, "restore",
                    Json{{"path", rel}, {"version", args.version}, {"force", args.force}}, code);
  if (!reply) return code;
  if (s.json) {
    s.out << reply->dump(2) << '\n';
    return kExitOk;
  }
  if (!reply->value("restored", false)) {
    s.out << fmt::format("{}: version {} is already the current one\n", rel, args.version);
    return kExitOk;
  }
  s.out << fmt::format("restored {} to version {} ({})\n", rel, args.version,
                       human_size(reply->value("size", uint64_t{0})));
  if (const std::string note = reply->value("note", ""); !note.empty()) s.warn(rel + ": " + note);
  return kExitOk;
}

}  // namespace autosync::ctl
