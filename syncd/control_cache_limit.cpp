// Control command on the cache's size limit (control_server.h):
//   cache_limit {bytes} -> {limit, previous, persists, evicted_files, evicted_bytes, used,
//              kept_over}
//              The limit from now on (0 = none). Written to CACHE/cache-limit, which the
//              mount follows within a second (fs/cache_limit_follower.h) and which later
//              mounts and daemons use unless cache.size is set explicitly (persists says
//              whether it is). Clean, closed, unpinned files are evicted now, least recently
//              used first, until the cache fits; dirty, open and pinned files never are
//              (kept_over: the cache is still over the limit because of them).
#include <set>

#include "syncd/control_server.h"

namespace autosync::syncd {
namespace {

constexpr size_t kCandidateBatch = 64;

struct Evicted {
  uint64_t files = 0, bytes = 0;
};

Result<uint64_t> used_bytes(ControlContext& ctx) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, ctx.index.read());
  AUTOSYNC_ASSIGN_OR_RETURN(const auto counts, txn.cache_counts());
  return counts.cached_bytes;
}

// Evicts least recently used clean files until at most `limit` bytes are cached or nothing
// evictable is left.
Result<Evicted> evict_down_to(ControlContext& ctx, uint64_t limit) {
  Evicted out;
  std::set<index::Ino> kept;  // no longer evictable (opened, written, pinned meanwhile)
  AUTOSYNC_ASSIGN_OR_RETURN(uint64_t used, used_bytes(ctx));
  while (used > limit) {
    AUTOSYNC_ASSIGN_OR_RETURN(auto candidates,
                              ctx.index.eviction_candidates(kCandidateBatch + kept.size()));
    bool progress = false;
    for (const auto& candidate : candidates) {
      if (used <= limit) break;
      if (kept.contains(candidate.ino)) continue;
      AUTOSYNC_ASSIGN_OR_RETURN(const uint64_t freed, evict_clean_file(ctx, candidate.ino));
      if (freed == 0) {
        kept.insert(candidate.ino);
        continue;
      }
      ++out.files;
      out.bytes += freed;
      used = used > freed ? used - freed : 0;
      progress = true;
    }
    if (!progress) break;
    AUTOSYNC_ASSIGN_OR_RETURN(used, used_bytes(ctx));  // the mount may have added meanwhile
  }
  return out;
}

Result<Json> set_limit(ControlContext& ctx, const Json& request) {
  const auto bytes = request.find("bytes");
  if (bytes == request.end() || !bytes->is_number_unsigned()) {
    return invalid("\"bytes\" must be a number of bytes");
  }
  const uint64_t limit = bytes->get<uint64_t>();
  AUTOSYNC_RETURN_IF_ERROR(cachedir::write_cache_limit(ctx.paths, limit));
  const uint64_t previous = ctx.cache_limit_bytes;
  ctx.cache_limit_bytes = limit;
  Evicted evicted;
  if (limit > 0) {
    AUTOSYNC_ASSIGN_OR_RETURN(evicted, evict_down_to(ctx, limit));
  }
  AUTOSYNC_ASSIGN_OR_RETURN(const uint64_t used, used_bytes(ctx));
  return Json{{"limit", limit},
              {"previous", previous},
              {"persists", !ctx.cache_limit_given},
              {"evicted_files", evicted.files},
              {"evicted_bytes", evicted.bytes},
              {"used", used},
              {"kept_over", limit > 0 && used > limit}};
}

}  // namespace

void add_cache_limit_commands(ControlCommands& commands, ControlContext& context) {
  commands["cache_limit"] = [&context](const Json& request) { return set_limit(context, request); };
}

}  // namespace autosync::syncd
