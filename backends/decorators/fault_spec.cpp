#include "backends/decorators/fault_spec.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <utility>
#include <vector>

namespace autosync::backends {
namespace {

constexpr std::array kOps = {StoreOp::kHead,
                             StoreOp::kGet,
                             StoreOp::kPut,
                             StoreOp::kRemove,
                             StoreOp::kRemoveMany,
                             StoreOp::kList,
                             StoreOp::kCopy,
                             StoreOp::kCreateMultipart,
                             StoreOp::kUploadPart,
                             StoreOp::kCompleteMultipart,
                             StoreOp::kAbortMultipart,
                             StoreOp::kListVersions,
                             StoreOp::kListMultipartUploads};

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  for (size_t start = 0;;) {
    const size_t end = text.find(sep, start);
    out.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

Result<uint64_t> parse_count(std::string_view text) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    return invalid(fmt::format("'{}' is not a number", text));
  return value;
}

Result<StoreOp> parse_op(std::string_view name) {
  for (StoreOp op : kOps) {
    if (to_string(op) == name) return op;
  }
  return invalid(fmt::format("unknown operation '{}'", name));
}

Result<double> parse_probability(std::string_view text) {
  const std::string copy(text);
  char* end = nullptr;
  const double p = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size()) return invalid("not a number");
  if (!(p >= 0.0 && p <= 1.0)) return invalid("not between 0 and 1");
  return p;
}

Result<std::chrono::milliseconds> parse_delay(std::string_view text) {
  const bool ms = text.ends_with("ms");
  if (!ms && !text.ends_with('s')) return invalid("give a unit, ms or s");
  text.remove_suffix(ms ? 2 : 1);
  AUTOSYNC_ASSIGN_OR_RETURN(const uint64_t n, parse_count(text));
  return std::chrono::milliseconds(ms ? n : n * 1000);
}

// The error a kind names; nullopt for an unknown kind.
std::optional<Status> parse_error(std::string_view kind) {
  static const std::array<std::pair<std::string_view, Status>, 6> kErrors = {{
      {"throttled", Status::error(ErrorKind::kThrottled, "slow down (injected)")},
      {"reset", transient("connection reset (injected)")},
      {"timeout", transient("timed out (injected)")},
      {"denied", Status::error(ErrorKind::kAccessDenied, "access denied (injected)")},
      {"notfound", not_found("no such key (injected)")},
      {"precondition", Status::error(ErrorKind::kPreconditionFailed, "precondition (injected)")},
  }};
  for (const auto& [name, status] : kErrors) {
    if (name == kind) return status;
  }
  return std::nullopt;
}

Result<FaultTiming> parse_timing(std::string_view text) {
  if (text == "before") return FaultTiming::kBeforeCall;
  if (text == "after") return FaultTiming::kAfterCall;
  if (text == "midbody") return FaultTiming::kMidBody;
  return invalid("not before, after or midbody");
}

Status apply_field(FaultRule& rule, bool& has_p, std::string_view name, std::string_view value) {
  if (name == "op") {
    for (std::string_view op : split(value, '+')) {
      AUTOSYNC_ASSIGN_OR_RETURN(StoreOp parsed, parse_op(op));
      rule.ops.insert(parsed);
    }
  } else if (name == "key") {
    rule.key_prefix = std::string(value);
  } else if (name == "calls") {
    for (std::string_view call : split(value, '+')) {
      AUTOSYNC_ASSIGN_OR_RETURN(uint64_t n, parse_count(call));
      if (n == 0) return invalid("calls count from 1");
      rule.on_calls.push_back(n);
    }
  } else if (name == "p") {
    AUTOSYNC_ASSIGN_OR_RETURN(rule.probability, parse_probability(value));
    has_p = true;
  } else if (name == "delay") {
    AUTOSYNC_ASSIGN_OR_RETURN(rule.delay, parse_delay(value));
  } else if (name == "error") {
    rule.error = parse_error(value);
    if (!rule.error) return invalid(fmt::format("unknown error '{}'", value));
  } else if (name == "timing") {
    AUTOSYNC_ASSIGN_OR_RETURN(rule.timing, parse_timing(value));
  } else {
    return invalid("unknown field (op, key, calls, p, delay, error, timing)");
  }
  return {};
}

Result<FaultRule> parse_rule(std::string_view text) {
  FaultRule rule;
  bool has_p = false;
  for (std::string_view field : split(text, ',')) {
    const size_t eq = field.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return invalid(fmt::format("'{}': not NAME=VALUE", field));
    const Status applied = apply_field(rule, has_p, field.substr(0, eq), field.substr(eq + 1));
    if (!applied) return invalid(fmt::format("{}: {}", field, applied.message()));
  }
  if (rule.on_calls.empty() == !has_p) return invalid("give calls= or p=, one of them");
  if (!rule.error && rule.delay.count() == 0) return invalid("no error= and no delay=");
  return rule;
}

}  // namespace

Result<FaultPlan> parse_fault_spec(std::string_view spec) {
  FaultPlan plan;
  size_t rule_number = 0;
  for (std::string_view item : split(spec, ';')) {
    if (item.starts_with("seed=")) {
      auto seed = parse_count(item.substr(5));
      if (!seed) return invalid(fmt::format("{}: {}", item, seed.status().message()));
      plan.seed = *seed;
      continue;
    }
    ++rule_number;
    auto rule = parse_rule(item);
    if (!rule) return invalid(fmt::format("rule {}: {}", rule_number, rule.status().message()));
    plan.rules.push_back(std::move(rule).value());
  }
  if (plan.rules.empty()) return invalid("no rules");
  return plan;
}

}  // namespace autosync::backends
