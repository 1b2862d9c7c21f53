#include "core/config/units.h"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <limits>
#include <optional>
#include <utility>

#include "core/base/encoding.h"

namespace autosync::config {
namespace {

constexpr std::string_view kSizeForms =
    "expected a whole number of bytes with an optional binary suffix K, M, G or T "
    "(or KiB, MiB, GiB, TiB), e.g. \"512M\" or \"20G\"";
constexpr std::string_view kDurationForms =
    "expected whole numbers with units ms, s, m, h or d, e.g. \"250ms\", \"30s\", \"5m\", "
    "\"1h30m\"";

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_lower_alpha(char c) {
  return c >= 'a' && c <= 'z';
}
bool is_alpha(char c) {
  return is_lower_alpha(c) || (c >= 'A' && c <= 'Z');
}

// Splits off the leading run of characters for which `pred` holds.
template <typename Pred>
std::pair<std::string_view, std::string_view> take_while(std::string_view text, Pred pred) {
  size_t n = 0;
  while (n < text.size() && pred(text[n]))
    ++n;
  return {text.substr(0, n), text.substr(n)};
}

// Decimal digits to a number; empty when there are none or it does not fit.
std::optional<uint64_t> to_number(std::string_view digits) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) return {};
  return value;
}

// log2 of the multiplier a size suffix stands for; empty when it is not one we accept.
std::optional<int> size_shift(std::string_view suffix) {
  static constexpr std::array<std::pair<std::string_view, int>, 10> kUnits = {{
      {"", 0},
      {"b", 0},
      {"k", 10},
      {"kib", 10},
      {"m", 20},
      {"mib", 20},
      {"g", 30},
      {"gib", 30},
      {"t", 40},
      {"tib", 40},
  }};
  const std::string lower = to_lower(suffix);
  for (const auto& [unit, shift] : kUnits) {
    if (unit == lower) return shift;
  }
  return std::nullopt;
}

// Why `rest` (what follows the digits) is not a size suffix, for the error message.
std::string size_suffix_problem(std::string_view text, std::string_view digits,
                                std::string_view rest) {
  const std::string lower = to_lower(rest);
  if (rest.starts_with('.') || rest.starts_with(',')) {
    return fmt::format(
        "size \"{}\": fractions are not accepted; give a whole number in a "
        "smaller unit, e.g. \"1536M\" for 1.5G",
        text);
  }
  if (rest.find('%') != std::string_view::npos) {
    return fmt::format("size \"{}\": percentages are not supported; give a size such as \"20G\"",
                       text);
  }
  if (lower == "kb" || lower == "mb" || lower == "gb" || lower == "tb") {
    return fmt::format(
        "size \"{}\": {} is ambiguous (powers of 1000 elsewhere); write \"{}{}\" "
        "for the binary unit",
        text, rest, digits, rest.substr(0, 1));
  }
  return fmt::format("size \"{}\": {}", text, kSizeForms);
}

std::optional<uint64_t> duration_unit_ms(std::string_view unit) {
  static constexpr std::array<std::pair<std::string_view, uint64_t>, 5> kUnits = {{
      {"ms", 1},
      {"s", 1000},
      {"m", 60'000},
      {"h", 3'600'000},
      {"d", 86'400'000},
  }};
  for (const auto& [name, ms] : kUnits) {
    if (name == unit) return ms;
  }
  return std::nullopt;
}

Status bad_duration(std::string_view text, std::string_view why) {
  return invalid(fmt::format("duration \"{}\": {}{}", text, why, kDurationForms));
}

}  // namespace

Result<uint64_t> parse_size(std::string_view text) {
  const auto [digits, rest] = take_while(text, is_digit);
  if (digits.empty()) return invalid(fmt::format("size \"{}\": {}", text, kSizeForms));
  const std::optional<int> shift = size_shift(rest);
  if (!shift) return invalid(size_suffix_problem(text, digits, rest));
  const std::optional<uint64_t> number = to_number(digits);
  if (!number || *number > (std::numeric_limits<uint64_t>::max() >> *shift))
    return invalid(fmt::format("size \"{}\": too large", text));
  return *number << *shift;
}

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  if (text == "0") return std::chrono::milliseconds(0);
  if (text.empty()) return bad_duration(text, "");
  constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
  uint64_t total = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    const auto [digits, after_digits] = take_while(rest, is_digit);
    const auto [unit, after_unit] = take_while(after_digits, is_alpha);
    if (after_digits.starts_with('.')) return bad_duration(text, "fractions are not accepted; ");
    if (digits.empty() || unit.empty()) return bad_duration(text, "");
    const std::optional<uint64_t> ms = duration_unit_ms(unit);
    if (!ms) {
      const bool upper = duration_unit_ms(to_lower(unit)).has_value();
      return bad_duration(text, upper ? "units are lower case; " : "");
    }
    const std::optional<uint64_t> number = to_number(digits);
    if (!number || *number > (kMax - total) / *ms)
      return invalid(fmt::format("duration \"{}\": too long", text));
    total += *number * *ms;
    rest = after_unit;
  }
  return std::chrono::milliseconds(static_cast<int64_t>(total));
}

Result<uint32_t> parse_octal_mode(std::string_view text) {
  const auto [digits, rest] = take_while(text, [](char c) { return c >= '0' && c <= '7'; });
  uint32_t mode = 0;
  const std::from_chars_result parsed =
      std::from_chars(digits.data(), digits.data() + digits.size(), mode, 8);
  if (digits.empty() || !rest.empty() || parsed.ec != std::errc() || mode > 0777) {
    return invalid(fmt::format("mode \"{}\": expected octal digits up to 777, e.g. \"022\"", text));
  }
  return mode;
}

Result<bool> parse_bool(std::string_view text) {
  const std::string lower = to_lower(text);
  if (lower == "true" || lower == "yes" || lower == "on" || lower == "1") return true;
  if (lower == "false" || lower == "no" || lower == "off" || lower == "0") return false;
  return invalid(fmt::format("\"{}\" is not a boolean: expected true or false", text));
}

Result<uint64_t> parse_count(std::string_view text) {
  const auto [digits, rest] = take_while(text, is_digit);
  if (digits.empty() || !rest.empty())
    return invalid(fmt::format("\"{}\" is not a whole number", text));
  const std::optional<uint64_t> number = to_number(digits);
  if (!number) return invalid(fmt::format("\"{}\" is too large", text));
  return *number;
}

std::string format_size(uint64_t bytes) {
  for (const auto& [shift, suffix] : {std::pair{40, 'T'}, {30, 'G'}, {20, 'M'}, {10, 'K'}}) {
    const uint64_t unit = 1ULL << shift;
    if (bytes >= unit && bytes % unit == 0) return fmt::format("{}{}", bytes / unit, suffix);
  }
  return fmt::format("{} bytes", bytes);
}

std::string format_duration(std::chrono::milliseconds duration) {
  const int64_t ms = duration.count();
  if (ms == 0) return "0s";
  for (const auto& [unit_ms, unit] : {std::pair<int64_t, std::string_view>{86'400'000, "d"},
                                      {3'600'000, "h"},
                                      {60'000, "m"},
                                      {1000, "s"}}) {
    if (ms % unit_ms == 0) return fmt::format("{}{}", ms / unit_ms, unit);
  }
  return fmt::format("{}ms", ms);
}

}  // namespace autosync::config
