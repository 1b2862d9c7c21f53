// Conflict policies: which version wins when a local change meets a remote one, chosen
// globally (sync.conflict_policy) or per path pattern (sync.conflict_rules), and the names
// conflict copies get. Pure functions and value types; thread-safe.
//
//   keep-both  the remote version keeps the name; the local one becomes
//              NAME.conflict-YYYYMMDD-HHMMSS-HOST.EXT and is uploaded too (default)
//   newest     the later mtime wins (whole seconds: s3fs's mtime; a tie keeps both)
//   local      the local version overwrites the remote one
//   remote     the remote version replaces the local one
//   priority   the client with the higher sync.priority wins; a tie keeps both
// Whatever the policy, a modification beats a deletion.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/config/conflict_rules.h"

namespace autosync::syncd {

// The policies and rules as the options give them (parsed and checked in core/config).
using config::ConflictPolicy;
using config::ConflictRule;
using config::parse_policy;
using config::parse_rules;
using config::policy_name;

struct ConflictOptions {
  ConflictPolicy policy = ConflictPolicy::kKeepBoth;  // sync.conflict_policy
  std::vector<ConflictRule> rules;                    // sync.conflict_rules: first match wins
  std::string host;                                   // sync.host: names conflict copies
  int64_t priority = 0;                               // sync.priority
};

// The policy for `key`: the first rule that matches it, else the global one. A rule's
// pattern is fnmatch(3)ed against the whole key ('*' crossing '/'); a pattern without '/'
// also matches the last name alone.
ConflictPolicy policy_for(const ConflictOptions& options, std::string_view key);

// A host name usable in a file name: letters, digits, '_' and '-'; anything else becomes
// '-' ("" becomes "host").
std::string sanitize_host(std::string_view host);

// The last component of a key, and everything before it ("a/b/c.txt" -> "a/b/", "c.txt").
std::pair<std::string_view, std::string_view> split_key(std::string_view key);

// `name` without a conflict suffix it may carry ("r.conflict-20261122-043000-box.txt" ->
// "r.txt"; "r.conflict-20261122-043000-box-2.txt" too), so a copy of a copy is never made.
std::string strip_conflict_suffix(std::string_view name);

// The conflict copy's name for `name`: NAME.conflict-YYYYMMDD-HHMMSS-HOST.EXT (the last
// extension kept after the suffix; dotfiles and names without one get no EXT), in UTC at
// `time_ns`; `attempt` > 1 appends "-N" to the host to make it unique. Any earlier conflict
// suffix is stripped first; the result fits in 255 bytes (the stem is shortened).
std::string conflict_name(std::string_view name, int64_t time_ns, std::string_view host,
                          unsigned attempt = 1);

}  // namespace autosync::syncd
