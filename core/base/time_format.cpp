#include "core/base/time_format.h"

#include <array>
#include <cstdio>
#include <ctime>

namespace autosync {
namespace {

std::tm to_utc_tm(SystemTime t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

std::string format(SystemTime t, const char* pattern) {
  const std::tm tm = to_utc_tm(t);
  std::array<char, 64> buf{};
  const size_t n = std::strftime(buf.data(), buf.size(), pattern, &tm);
  return {buf.data(), n};
}

SystemTime from_utc_tm(std::tm tm, int millis) {
  return std::chrono::system_clock::from_time_t(timegm(&tm)) + std::chrono::milliseconds(millis);
}

std::optional<SystemTime> parse_iso8601(std::string_view text) {
  std::tm tm{};
  int millis = 0;
  const std::string s(text);
  // Accepts an optional fraction of any length; keeps milliseconds.
  std::array<char, 16> frac{};
  const int n =
      std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%15[0-9]", &tm.tm_year,  // NOLINT
                  &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, frac.data());
  if (n < 6) return std::nullopt;
  if (n == 7) {
    std::string digits(frac.data());
    digits.resize(3, '0');
    millis = std::stoi(digits);
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return from_utc_tm(tm, millis);
}

std::optional<SystemTime> parse_http_date(std::string_view text) {
  std::tm tm{};
  const std::string s(text);
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr) return std::nullopt;
  return from_utc_tm(tm, 0);
}

}  // namespace

std::string format_iso8601_basic(SystemTime t) {
  return format(t, "%Y%m%dT%H%M%SZ");
}
std::string format_http_date(SystemTime t) {
  return format(t, "%a, %d %b %Y %H:%M:%S GMT");
}

std::string format_iso8601(SystemTime t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  std::array<char, 8> frac{};
  std::snprintf(frac.data(), frac.size(), ".%03dZ", static_cast<int>(ms.count() % 1000));  // NOLINT
  return format(t, "%Y-%m-%dT%H:%M:%S") + frac.data();
}

std::optional<SystemTime> parse_timestamp(std::string_view text) {
  if (auto t = parse_iso8601(text)) return t;
  return parse_http_date(text);
}

}  // namespace autosync
