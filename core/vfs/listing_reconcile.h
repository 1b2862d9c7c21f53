// Reconciling the index with one page of a store listing, one directory level at a time:
// the pieces the mount's own listing pass (remote_listing.cpp, when a directory's TTL ends)
// and autosyncd's remote watcher (syncd/remote_watcher*) share, so both reach the same
// answer for the same listing.
//
//   children = collect_children(prefix, page);     // name -> what the store holds
//   (drop the names local work in flight owns: tombstoned keys)
//   describe_new(index, store, dir, prefix, children);   // HEADs, outside any transaction
//   in one WriteTxn: merge_listed_child(...) for each;   // then commit
//   after the last page: drop_vanished_child(...) for each unseen_children() entry
//
// Local work wins: dirty entries, entries whose data lives under another key (a pending
// move) and, when asked, open files are left alone.
//
// Threading: free functions; the index and store are used as their own contracts allow.
// describe_new makes up to 16 requests at once on threads of its own.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "backends/object_store.h"
#include "core/base/result.h"
#include "core/index/index.h"

namespace autosync::vfs {

// One entry of a store listing, as a reconcile merges it.
struct ListedChild {
  bool is_dir = false;
  backends::ObjectInfo info;  // for a directory: its marker, or just the key "name/"
  std::optional<std::string> symlink_target;  // the body of an object whose mode is S_IFLNK
  // For a clean file describe_new saw changed: the etag the index had then. The change is
  // merged only if the index still has it (an upload finished meanwhile is not undone).
  std::optional<std::string> known_etag;
};

// What a listed object becomes when it has no metadata of its own (the mount's defaults).
struct ListingDefaults {
  mode_t umask = 022;
  uid_t uid = 0;
  gid_t gid = 0;
};

// name -> what the store holds under prefix + name, one level deep, for one page. A name
// that is both an object and a prefix shows as the directory.
std::map<std::string, ListedChild> collect_children(const std::string& prefix,
                                                    const backends::ListPage& page);

// The inode a listed object becomes: attributes from its metadata (s3fs's names), the
// defaults where it has none; nothing cached.
index::NewInode listed_inode(const ListingDefaults& defaults, const std::string& key,
                             const ListedChild& child);

// Fills in what a listing does not say (user metadata, a symlink's target) for the children
// the index does not have and the clean files the store changed, with HEADs run 16 at once,
// before any write transaction starts. A child gone meanwhile is erased from `children`.
void describe_new(index::Index& index, backends::ObjectStore& store, index::Ino dir,
                  const std::string& prefix, std::map<std::string, ListedChild>& children);

enum class MergeOutcome {
  kUnchanged,  // known and current, or left alone (local work in flight)
  kAdded,      // a new inode
  kChanged,    // a clean file took the store's new version; its cached bytes are stale
  kDeferred,   // changed on the store, but open and the caller asked to wait for the close
};

struct MergeRequest {
  index::Ino dir = 0;
  std::string prefix;  // the directory's key prefix, "a/b/" ("" for the root)
  int64_t epoch = 0;   // marks the children the pass saw (inodes.listed_epoch)
  ListingDefaults defaults;
  bool defer_open_files = false;  // a changed file that is open stays as it is
};

// The keys pending journal rows remove from the store (a delete's key, a move's source, an
// rmdir's marker), read from the merge's own transaction the first time a listing shows a
// name the index does not have: a local rename or delete committed after the caller made its
// own list of such keys must not bring the old name back as a new inode (its object is still
// listed until the move or delete runs). One per write transaction.
class PendingRemovals {
 public:
  Result<bool> contains(index::ReadTxn& txn, const std::string& key);

 private:
  std::optional<std::set<std::string>> keys_;
};

// One child the store shows, merged in `txn`: a new inode if the index has none; a clean file
// whose etag changed gets the new version and loses its cached ranges (the caller drops its
// bytes after the commit) and, when nothing has it open, a new generation, so the kernel's
// next lookup makes a new kernel inode with the new size; anything else stays. Either way the pass
// has seen it. `ino` is set to the child's inode when there is one. A name the index refuses is
// skipped, and so is a new name whose key `removals` has (left as kUnchanged).
Result<MergeOutcome> merge_listed_child(index::WriteTxn& txn, const MergeRequest& request,
                                        std::string_view name, const ListedChild& child,
                                        index::Ino& ino, PendingRemovals& removals);

// The change merge_listed_child makes to a clean file `rec` whose object at `key` is now
// `child.info`: its size, mtime and remote version, no cached ranges, and (when nothing has
// it open) a new generation. Also for callers that wrote that version themselves
// (autosyncd's restore), which have checked the file is clean.
Status take_remote_version(index::WriteTxn& txn, const index::InodeRecord& rec,
                           const ListingDefaults& defaults, const std::string& key,
                           const ListedChild& child);

// A child a whole pass did not see (`entry`, an unseen_children() row of the pass with
// `epoch`), removed in `txn` if it is clean, mirrors the key the pass would have shown, is
// not open, is (a directory) empty, and took no remote version since the pass began (an
// upload that finished after the listing was answered). Returns whether it was removed; its
// inode is the caller's to purge.
Result<bool> drop_vanished_child(index::WriteTxn& txn, index::Ino dir, const std::string& prefix,
                                 const index::DirEntryRecord& entry, int64_t epoch);

}  // namespace autosync::vfs
