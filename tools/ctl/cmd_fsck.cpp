// autosyncctl fsck [--repair]: the cache index checked against itself and the content store
// (core/cachedir/cache_check.h), read directly: no mount or daemon needed. --repair needs
// them gone and keeps them out while it works: it holds the cache's mount and daemon locks.
#include <fmt/format.h>

#include <ostream>

#include "core/cachedir/cache_check.h"
#include "core/cachedir/cache_dir.h"
#include "core/process/instance_lock.h"
#include "tools/ctl/commands.h"
#include "tools/ctl/table.h"

namespace autosync::ctl {
namespace {

using syncd::Json;

std::string outcome(const cachedir::CheckProblem& p, bool repair) {
  if (p.repaired) return "repaired";
  if (!repair) return p.data_loss ? "DATA LOSS" : "found";
  return p.data_loss ? "DATA LOSS, kept" : "not repaired: " + p.unrepaired;
}

void print_report(std::ostream& out, const cachedir::CheckReport& r, bool repair) {
  Table table({"PROBLEM", "OUTCOME", "WHAT"});
  for (const auto& p : r.problems)
    table.add({p.kind, outcome(p, repair), p.what});
  if (!table.empty()) table.print(out);
  out << fmt::format("{} problems; checked {} cached files and {} content files\n",
                     r.problems.size(), r.cached_files, r.content_files);
}

Json report_json(const cachedir::CheckReport& r) {
  Json problems = Json::array();
  for (const auto& p : r.problems) {
    problems.push_back(Json{{"kind", p.kind},
                            {"what", p.what},
                            {"data_loss", p.data_loss},
                            {"repaired", p.repaired},
                            {"unrepaired", p.unrepaired}});
  }
  return Json{{"problems", std::move(problems)},
              {"cached_files", r.cached_files},
              {"content_files", r.content_files}};
}

// Both locks, so no mount or daemon starts while the repair runs; nullopt (and a message)
// when one runs now.
std::optional<std::pair<process::InstanceLock, process::InstanceLock>> lock_cache(
    const Session& s, const cachedir::Paths& paths, int& code) {
  auto mount = process::InstanceLock::acquire(paths.mount_lock());
  if (!mount) {
    code = s.fail(kExitFailed, "fsck --repair: the cache is mounted; unmount it first");
    return std::nullopt;
  }
  auto daemon = process::InstanceLock::acquire(paths.syncd_lock());
  if (!daemon) {
    code = s.fail(kExitFailed,
                  "fsck --repair: autosyncd still runs for the cache (it leaves once the "
                  "journal is empty); try again then");
    return std::nullopt;
  }
  return std::pair{std::move(mount).value(), std::move(daemon).value()};
}

}  // namespace

int cmd_fsck(const Session& s, bool repair) {
  auto target = find_target(s.hints);
  if (!target) return s.fail(kExitFailed, target.status().message());
  const cachedir::Paths paths(target->cache_dir);
  int code = kExitOk;
  std::optional<std::pair<process::InstanceLock, process::InstanceLock>> locks;
  if (repair) {
    locks = lock_cache(s, paths, code);
    if (!locks) return code;
  }
  auto index = open_index(s, *target, code);
  if (!index) return code;
  auto content = content::ContentStore::open(paths.content());
  if (!content) return s.fail(kExitFailed, "fsck: " + content.status().message());
  auto report = cachedir::check_cache(*index, **content, repair);
  if (!report) return s.fail(kExitFailed, "fsck: " + report.status().to_string());
  if (s.json) {
    s.out << report_json(*report).dump(2) << '\n';
  } else {
    print_report(s.out, *report, repair);
  }
  size_t left = 0, lost = 0;
  for (const auto& p : report->problems) {
    if (!p.repaired) ++left;
    if (p.data_loss) ++lost;
  }
  if (lost > 0) {
    s.warn(fmt::format("{} files lost changes that were never uploaded (lost-data above)", lost));
  }
  if (left > 0) {
    return s.fail(kExitFailed,
                  fmt::format("fsck: {} problems{}", left, repair ? " left unrepaired" : " found"));
  }
  return kExitOk;
}

}  // namespace autosync::ctl
