// autosyncctl cache set-limit SIZE: the cache's size limit, now. The daemon writes it down
// (CACHE/cache-limit; the mount follows within a second) and evicts clean data down to it.
#include <fmt/format.h>

#include <ostream>

#include "core/config/units.h"
#include "tools/ctl/commands.h"
#include "tools/ctl/table.h"

namespace autosync::ctl {
namespace {

using syncd::Json;

constexpr uint64_t kMinLimit = 1 << 20;  // cache.size's least value

std::string limit_text(uint64_t bytes) {
  return bytes == 0 ? std::string("no limit") : human_size(bytes);
}

void print_limit(std::ostream& out, const Json& r) {
  const bool persists = r.value("persists", false);
  print_fields(out,
               {{"limit", fmt::format("{} (was {})", limit_text(r.value("limit", uint64_t{0})),
                                      limit_text(r.value("previous", uint64_t{0})))},
                {"kept", persists ? "in the cache directory: later mounts use it too"
                                  : "for this mount only: cache.size in the configuration wins at "
                                    "the next mount"},
                {"evicted", fmt::format("{} files ({})", r.value("evicted_files", 0),
                                        human_size(r.value("evicted_bytes", uint64_t{0})))},
                {"cached", human_size(r.value("used", uint64_t{0}))}});
}

}  // namespace

int cmd_cache_set_limit(const Session& s, const std::string& size) {
  auto bytes = config::parse_size(size);
  if (!bytes) return s.fail(kExitUsage, "cache set-limit: " + bytes.status().message());
  if (*bytes < kMinLimit) {
    return s.fail(kExitUsage, fmt::format("cache set-limit: {} is below the least limit, 1M "
                                          "(as for cache.size)",
                                          size));
  }
  int code = kExitOk;
  auto daemon = connect(s, code);
  if (!daemon) return code;
  auto reply = call(s, *daemon, "cache_limit", Json{{"bytes", *bytes}}, code);
  if (!reply) return code;
  if (s.json) {
    s.out << reply->dump(2) << '\n';
  } else {
    print_limit(s.out, *reply);
  }
  if (reply->value("kept_over", false)) {
    s.warn("the cache stays over the limit: the rest is dirty, open or pinned (never evicted)");
  }
  return kExitOk;
}

}  // namespace autosync::ctl
