// check_cache: autosyncctl fsck — the cache index held against itself and against the
// content store, and the repairs that are safe.
//
//   integrity        PRAGMA integrity_check found damage (not repaired: restore or rebuild)
//   dangling-name    a name whose inode (or directory) has no row   -> the name is dropped
//   orphan-rows      ranges/xattrs/listing state of a missing inode  -> the rows are dropped
//   journal-orphan   an upload/setmeta row for a missing inode       -> the row is dropped
//   negative-size    size or cached_bytes below 0  -> a clean file takes its remote size
//   missing-content  a clean file's ranges name bytes its content file does not have (gone
//   short-content    or shorter)  -> the ranges are forgotten: reads fetch from the store
//   lost-data        the same for a file with changes not uploaded yet: DATA LOSS, never
//                    repaired (a person must decide; the index still says what was lost)
//   orphan-content   a content file of no inode   -> the file is removed
//
// Run with no mount and no daemon on the cache for repairs (the caller holds both locks);
// a check next to a running mount may report what is changing under it.
// Threading: one thread; borrows the index and the content store.
#pragma once

#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/content/content_store.h"
#include "core/index/index.h"

namespace autosync::cachedir {

struct CheckProblem {
  std::string kind;  // as listed above
  std::string what;  // one line: the path or inode and what is wrong
  bool data_loss = false;
  bool repaired = false;
  std::string unrepaired;  // with repair: why this one was left
};

struct CheckReport {
  std::vector<CheckProblem> problems;
  uint64_t cached_files = 0;   // inodes with cached ranges checked against their content
  uint64_t content_files = 0;  // content files looked at
};

Result<CheckReport> check_cache(index::Index& index, content::ContentStore& content, bool repair);

}  // namespace autosync::cachedir
