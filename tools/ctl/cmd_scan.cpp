// autosyncctl scan [PATH]: the remote watcher lists the store now (under PATH, or all the
// cache knows) instead of at its next poll; waits for that scan and prints what it found.
// The daemon answers at once with a scan number ("scan"); this polls "scan_result".
#include <fmt/format.h>

#include <ostream>
#include <thread>

#include "tools/ctl/commands.h"
#include "tools/ctl/table.h"

namespace autosync::ctl {
namespace {

using syncd::Json;
using Clock = std::chrono::steady_clock;

constexpr auto kScanPoll = std::chrono::milliseconds(100);

void print_scan(std::ostream& out, const Json& r) {
  out << fmt::format(
      "scanned {} directories: {} added, {} changed, {} removed, {} open (applied after "
      "their close)\n",
      r.value("dirs", 0), r.value("added", 0), r.value("changed", 0), r.value("removed", 0),
      r.value("deferred", 0));
}

}  // namespace

int cmd_scan(const Session& s, const ScanArgs& args) {
  int code = kExitOk;
  std::string rel;
  auto daemon = connect_for(s, args.path, rel, code, "scan");
  if (!daemon) return code;
  auto started = call(s, *daemon, "scan", Json{{"path", rel}}, code);
  if (!started) return code;
  const uint64_t id = started->value("id", uint64_t{0});
  const auto deadline = args.timeout ? Clock::now() + *args.timeout : Clock::time_point::max();
  for (;;) {
    auto reply = call(s, *daemon, "scan_result", Json{{"id", id}}, code);
    if (!reply) return code;
    if (reply->value("done", false)) {
      if (s.json) {
        s.out << reply->dump(2) << '\n';
      } else {
        print_scan(s.out, *reply);
      }
      return kExitOk;
    }
    if (Clock::now() >= deadline) {
      return s.fail(kExitFailed,
                    fmt::format("scan: not finished after {} ms", args.timeout->count()));
    }
    std::this_thread::sleep_for(kScanPoll);
  }
}

}  // namespace autosync::ctl
