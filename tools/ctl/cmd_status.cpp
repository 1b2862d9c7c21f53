// autosyncctl status and queue: what the daemon reports, as a table or as its JSON.
#include <fmt/format.h>

#include <ostream>

#include "tools/ctl/commands.h"
#include "tools/ctl/table.h"

namespace autosync::ctl {
namespace {

using syncd::Json;

std::string mount_line(const Json& mount) {
  if (!mount.is_object()) return "not mounted";
  return fmt::format("{} (autosyncfs pid {})", mount.value("mountpoint", "?"),
                     mount.value("pid", 0));
}

std::string queue_line(const Json& queue) {
  return fmt::format("{} rows, {} to upload, {} failed", queue.value("pending", 0),
                     human_size(queue.value("bytes", uint64_t{0})), queue.value("failed", 0));
}

std::string cache_line(const Json& cache) {
  const uint64_t limit = cache.value("limit", uint64_t{0});
  return fmt::format("{} of {}", human_size(cache.value("used", uint64_t{0})),
                     limit == 0 ? std::string("no limit") : human_size(limit));
}

void print_status(std::ostream& out, const Json& r) {
  const Json& cache = r["cache"];
  const std::string online =
      r.value("online", false) ? "yes" : "no (" + r.value("store_error", std::string()) + ")";
  const std::string last_error = r.value("last_error", std::string());
  print_fields(out, {{"remote", r.value("remote", "?")},
                     {"mount", mount_line(r["mount"])},
                     {"cache dir", r.value("cache_dir", "?")},
                     {"online", online},
                     {"uploads", r.value("paused", false) ? "paused" : "running"},
                     {"queue", queue_line(r["queue"])},
                     {"cache", cache_line(cache)},
                     {"files", fmt::format("{} ({} dirty, {} pinned)", cache.value("files", 0),
                                           cache.value("dirty", 0), cache.value("pinned", 0))},
                     {"last error", last_error.empty() ? "-" : last_error}});
}

}  // namespace

int cmd_status(const Session& s) {
  int code = kExitOk;
  auto daemon = connect(s, code);
  if (!daemon) return code;
  auto reply = call(s, *daemon, "status", Json::object(), code);
  if (!reply) return code;
  if (s.json) {
    s.out << reply->dump(2) << '\n';
  } else {
    print_status(s.out, *reply);
  }
  return kExitOk;
}

int cmd_queue(const Session& s) {
  int code = kExitOk;
  auto daemon = connect(s, code);
  if (!daemon) return code;
  auto reply = call(s, *daemon, "queue", Json::object(), code);
  if (!reply) return code;
  if (s.json) {
    s.out << reply->dump(2) << '\n';
    return kExitOk;
  }
  Table table({"SEQ", "OP", "STATE", "TRIES", "KEY", "ERROR"});
  for (const auto& row : (*reply)["rows"]) {
    std::string key = row.value("key", "");
    if (const std::string src = row.value("src_key", ""); !src.empty()) key = src + " -> " + key;
    table.add({std::to_string(row.value("seq", 0)), row.value("op", "?"), row.value("state", "?"),
               std::to_string(row.value("attempts", 0)), key, row.value("last_error", "")});
  }
  if (table.empty()) {
    s.out << "the journal is empty: everything is on the store\n";
  } else {
    table.print(s.out);
  }
  return kExitOk;
}

}  // namespace autosync::ctl
