#include "core/content/range_set.h"

#include <algorithm>

namespace autosync::content {

void RangeSet::add(uint64_t start, uint64_t end) {
  if (start >= end) return;
  // Merge with every span that overlaps or touches [start, end).
  auto it = spans_.upper_bound(start);
  if (it != spans_.begin()) {
    auto prev = std::prev(it);
    if (prev->second >= start) it = prev;
  }
  while (it != spans_.end() && it->first <= end) {
    start = std::min(start, it->first);
    end = std::max(end, it->second);
    it = spans_.erase(it);
  }
  spans_.emplace(start, end);
}

void RangeSet::remove(uint64_t start, uint64_t end) {
  if (start >= end) return;
  auto it = spans_.upper_bound(start);
  if (it != spans_.begin()) --it;
  while (it != spans_.end() && it->first < end) {
    const uint64_t s = it->first;
    const uint64_t e = it->second;
    if (e <= start) {
      ++it;
      continue;
    }
    it = spans_.erase(it);
    if (s < start) spans_.emplace(s, start);
    if (e > end) spans_.emplace(end, e);
  }
}

bool RangeSet::contains(uint64_t start, uint64_t end) const {
  if (start >= end) return true;
  auto it = spans_.upper_bound(start);
  if (it == spans_.begin()) return false;
  --it;
  return it->first <= start && it->second >= end;
}

std::vector<ByteSpan> RangeSet::gaps(uint64_t start, uint64_t end) const {
  std::vector<ByteSpan> out;
  uint64_t cursor = start;
  auto it = spans_.upper_bound(start);
  if (it != spans_.begin()) --it;
  for (; it != spans_.end() && cursor < end; ++it) {
    if (it->second <= cursor) continue;
    if (it->first >= end) break;
    if (it->first > cursor) out.push_back({cursor, it->first});
    cursor = std::max(cursor, it->second);
  }
  if (cursor < end) out.push_back({cursor, end});
  return out;
}

std::vector<ByteSpan> RangeSet::spans() const {
  std::vector<ByteSpan> out;
  out.reserve(spans_.size());
  for (const auto& [s, e] : spans_)
    out.push_back({s, e});
  return out;
}

uint64_t RangeSet::total() const {
  uint64_t sum = 0;
  for (const auto& [s, e] : spans_)
    sum += e - s;
  return sum;
}

}  // namespace autosync::content
