// The value types of the index's self-check (check_ops.cpp; autosyncctl fsck): rows that
// break the index's own rules, and each inode's cached extent for the caller to hold against
// the content store.
#pragma once

#include <cstdint>
#include <string>

#include "core/index/records.h"

namespace autosync::index {

enum class DefectKind {
  kDanglingEntry,        // a name whose inode or parent directory has no row
  kOrphanRows,           // ranges, xattrs or dir_state of an inode that has no row
  kUnknownInodeJournal,  // an upload or setmeta row for an inode that has no row
  kNegativeSize,         // an inode whose size or cached_bytes is below 0
};

struct IndexDefect {
  DefectKind kind = DefectKind::kDanglingEntry;
  Ino ino = 0;         // the inode concerned
  Ino parent = 0;      // kDanglingEntry: the directory holding the name
  std::string name;    // kDanglingEntry: the name
  int64_t seq = 0;     // kUnknownInodeJournal: the row
  std::string detail;  // one line for people
};

// A file with cached ranges: the content file must hold at least `end` bytes.
struct CachedExtent {
  Ino ino = 0;
  uint64_t end = 0;  // the largest end_off of its ranges
  bool dirty = false;
};

}  // namespace autosync::index
