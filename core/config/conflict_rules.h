// Conflict policies as the options name them (sync.conflict_policy, sync.conflict_rules).
// Parsed here so a bad rule is refused when the options load, before anything mounts;
// autosyncd applies them (syncd/conflict_policy.h says what each policy does).
// Pure functions and value types; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace autosync::config {

enum class ConflictPolicy { kKeepBoth, kNewest, kLocal, kRemote, kPriority };

std::string_view policy_name(ConflictPolicy policy);
// "keep-both", "newest", "local", "remote", "priority"; kInvalid otherwise.
Result<ConflictPolicy> parse_policy(std::string_view name);

// One sync.conflict_rules entry: paths matching `pattern` use `policy`.
struct ConflictRule {
  std::string pattern;
  ConflictPolicy policy = ConflictPolicy::kKeepBoth;
};

// "PATTERN=POLICY" entries separated by ';' or ',' (spaces around them ignored), e.g.
// "*.doc=local; build/*=remote". kInvalid naming the bad entry.
Result<std::vector<ConflictRule>> parse_rules(std::string_view text);

}  // namespace autosync::config
