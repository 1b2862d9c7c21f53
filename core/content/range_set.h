// RangeSet: a set of half-open byte ranges [start, end), kept merged and sorted.
// Tracks which parts of a file the cache holds, so a read knows which gaps to fetch.
// Value type; not thread-safe (the owner locks).
#pragma once

#include <cstdint>
#include <map>
#include <vector>

namespace autosync::content {

struct ByteSpan {
  uint64_t start = 0;
  uint64_t end = 0;  // exclusive
  uint64_t size() const { return end - start; }
  bool operator==(const ByteSpan&) const = default;
};

class RangeSet {
 public:
  void add(uint64_t start, uint64_t end);
  void remove(uint64_t start, uint64_t end);
  // Drops everything at or past `size` (a truncate).
  void truncate(uint64_t size) { remove(size, UINT64_MAX); }
  void clear() { spans_.clear(); }

  bool contains(uint64_t start, uint64_t end) const;
  // The parts of [start, end) that are not in the set, in order.
  std::vector<ByteSpan> gaps(uint64_t start, uint64_t end) const;
  std::vector<ByteSpan> spans() const;
  uint64_t total() const;
  bool empty() const { return spans_.empty(); }

 private:
  std::map<uint64_t, uint64_t> spans_;  // start -> end, disjoint and not touching
};

}  // namespace autosync::content
