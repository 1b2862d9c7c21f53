#include "syncd/conflict_policy.h"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>

namespace autosync::syncd {
namespace {

constexpr std::string_view kMarker = ".conflict-";
constexpr size_t kMaxName = 255;

bool host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

bool digits(std::string_view s, size_t count) {
  return s.size() >= count &&
         std::all_of(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(count),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

// The length of "YYYYMMDD-HHMMSS-HOST" at the start of `s` when the rest is "" or ".EXT",
// else 0.
size_t suffix_length(std::string_view s) {
  if (!digits(s, 8) || s.size() < 17 || s[8] != '-' || !digits(s.substr(9), 6) || s[15] != '-') {
    return 0;
  }
  size_t end = 16;
  while (end < s.size() && host_char(s[end]))
    ++end;
  if (end == 16 || (end < s.size() && s[end] != '.')) return 0;
  return end;
}

// "r.txt" -> ("r", ".txt"); ".bashrc" and "Makefile" have no extension.
std::pair<std::string_view, std::string_view> split_ext(std::string_view name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {name, {}};
  return {name.substr(0, dot), name.substr(dot)};
}

}  // namespace

ConflictPolicy policy_for(const ConflictOptions& options, std::string_view key) {
  const std::string path(key);
  const std::string name(split_key(key).second);
  for (const auto& rule : options.rules) {
    if (::fnmatch(rule.pattern.c_str(), path.c_str(), 0) == 0) return rule.policy;
    const bool bare = rule.pattern.find('/') == std::string::npos;
    if (bare && ::fnmatch(rule.pattern.c_str(), name.c_str(), 0) == 0) return rule.policy;
  }
  return options.policy;
}

std::string sanitize_host(std::string_view host) {
  std::string out;
  for (const char c : host)
    out += host_char(c) ? c : '-';
  if (out.empty()) out = "host";
  return out.substr(0, 64);
}

std::pair<std::string_view, std::string_view> split_key(std::string_view key) {
  const size_t slash = key.rfind('/');
  if (slash == std::string_view::npos) return {{}, key};
  return {key.substr(0, slash + 1), key.substr(slash + 1)};
}

std::string strip_conflict_suffix(std::string_view name) {
  for (size_t at = name.rfind(kMarker); at != std::string_view::npos && at > 0;
       at = name.rfind(kMarker, at - 1)) {
    const std::string_view rest = name.substr(at + kMarker.size());
    const size_t length = suffix_length(rest);
    if (length > 0) return std::string(name.substr(0, at)) + std::string(rest.substr(length));
  }
  return std::string(name);
}

std::string conflict_name(std::string_view name, int64_t time_ns, std::string_view host,
                          unsigned attempt) {
  const std::string plain = strip_conflict_suffix(name);
  auto [stem, ext] = split_ext(plain);
  const std::time_t secs = static_cast<std::time_t>(time_ns / 1'000'000'000);
  std::tm utc{};
  ::gmtime_r(&secs, &utc);
  std::array<char, 32> stamp{};
  (void)std::strftime(stamp.data(), stamp.size(), "%Y%m%d-%H%M%S", &utc);
  std::string suffix = fmt::format("{}{}-{}", kMarker, stamp.data(), sanitize_host(host));
  if (attempt > 1) suffix += fmt::format("-{}", attempt);
  if (ext.size() > 32) {  // not an extension worth keeping: "a.<long text>"
    stem = plain;
    ext = {};
  }
  const size_t room = kMaxName - std::min(kMaxName, suffix.size() + ext.size());
  return std::string(stem.substr(0, std::max<size_t>(1, room))) + suffix + std::string(ext);
}

}  // namespace autosync::syncd
