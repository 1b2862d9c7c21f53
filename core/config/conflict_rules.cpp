#include "core/config/conflict_rules.h"

#include <fmt/format.h>

#include <array>
#include <cctype>

namespace autosync::config {
namespace {

constexpr std::array<std::pair<std::string_view, ConflictPolicy>, 5> kPolicies{{
    {"keep-both", ConflictPolicy::kKeepBoth},
    {"newest", ConflictPolicy::kNewest},
    {"local", ConflictPolicy::kLocal},
    {"remote", ConflictPolicy::kRemote},
    {"priority", ConflictPolicy::kPriority},
}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view policy_name(ConflictPolicy policy) {
  for (const auto& [name, value] : kPolicies) {
    if (value == policy) return name;
  }
  return "keep-both";
}

Result<ConflictPolicy> parse_policy(std::string_view name) {
  for (const auto& [known, value] : kPolicies) {
    if (known == name) return value;
  }
  return invalid(fmt::format(
      "unknown conflict policy \"{}\" (keep-both, newest, local, remote or priority)", name));
}

Result<std::vector<ConflictRule>> parse_rules(std::string_view text) {
  std::vector<ConflictRule> rules;
  while (!text.empty()) {
    const size_t end = text.find_first_of(";,");
    const std::string_view entry = trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (entry.empty()) continue;
    const size_t eq = entry.rfind('=');
    if (eq == std::string_view::npos || trim(entry.substr(0, eq)).empty()) {
      return invalid(fmt::format("conflict rule \"{}\": want PATTERN=POLICY", entry));
    }
    auto policy = parse_policy(trim(entry.substr(eq + 1)));
    if (!policy) return std::move(policy).take_status().context(fmt::format("rule \"{}\"", entry));
    rules.push_back({std::string(trim(entry.substr(0, eq))), *policy});
  }
  return rules;
}

}  // namespace autosync::config
