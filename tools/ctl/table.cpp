#include "tools/ctl/table.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <ostream>

namespace autosync::ctl {

void Table::print(std::ostream& out) const {
  std::vector<size_t> widths(header_.size(), 0);
  auto widen = [&widths](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], row[i].size());
  };
  widen(header_);
  for (const auto& row : rows_)
    widen(row);
  auto line = [&](const std::vector<std::string>& row) {
    std::string text;
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      const bool last = i + 1 == row.size();
      text += last ? row[i] : fmt::format("{:<{}}  ", row[i], widths[i]);
    }
    out << text << '\n';
  };
  line(header_);
  for (const auto& row : rows_)
    line(row);
}

std::string human_size(uint64_t bytes) {
  static constexpr std::array<const char*, 5> kUnits{"KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return fmt::format("{} B", bytes);
  double value = static_cast<double>(bytes) / 1024;
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < kUnits.size()) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}

void print_fields(std::ostream& out,
                  const std::vector<std::pair<std::string, std::string>>& fields) {
  size_t width = 0;
  for (const auto& [key, value] : fields)
    width = std::max(width, key.size());
  for (const auto& [key, value] : fields)
    out << fmt::format("{:<{}}  {}\n", key + ":", width + 1, value);
}

}  // namespace autosync::ctl
