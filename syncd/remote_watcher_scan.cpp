// RemoteWatcher: one scan — each directory listed on the store and reconciled with the index
// through core/vfs/listing_reconcile.h, the same merge the mount's own listing pass makes.
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "syncd/remote_watcher.h"

namespace autosync::syncd {
namespace {

constexpr size_t kDirBatch = 256;     // directories read from the index at a time
constexpr size_t kUnseenPage = 1000;  // unseen children examined at a time

int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

// One directory's pass: where it is and which epoch marks what the store showed.
struct RemoteWatcher::DirPass {
  vfs::MergeRequest request;
  std::string path;  // the directory's path ("" for the root)
};

int64_t RemoteWatcher::next_epoch() {
  last_epoch_ = std::max(wall_ns(), last_epoch_ + 1);
  return last_epoch_;
}

Result<ScanReport> RemoteWatcher::scan(ScanScope scope, std::string_view under) {
  ScanReport report;
  std::set<std::string> removing;  // keys journaled for removal: a listing must not revive them
  {
    AUTOSYNC_ASSIGN_OR_RETURN(auto keys, index_.keys_being_removed());
    removing.insert(keys.begin(), keys.end());
  }
  index::Ino after = 0;
  for (;;) {
    std::vector<index::Ino> dirs;
    {
      AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index_.read());
      AUTOSYNC_ASSIGN_OR_RETURN(dirs, txn.scan_dirs(scope == ScanScope::kFull, after, kDirBatch));
    }
    for (index::Ino dir : dirs) {
      AUTOSYNC_RETURN_IF_ERROR(scan_dir(dir, under, removing, report));
    }
    if (dirs.size() < kDirBatch) return report;
    after = dirs.back();
  }
}

Status RemoteWatcher::scan_dir(index::Ino dir, std::string_view under,
                               const std::set<std::string>& removing, ScanReport& report) {
  auto path = index_.path_of(dir);
  if (!path.is_ok()) {  // removed since the batch was read
    return path.status().is(ErrorKind::kNotFound) ? Status::ok() : path.status();
  }
  const bool below =
      under.empty() || *path == under || (path->starts_with(under) && (*path)[under.size()] == '/');
  if (!below) return Status::ok();
  DirPass pass;
  pass.path = *path;
  pass.request.dir = dir;
  pass.request.prefix = pass.path;
  if (!pass.path.empty()) pass.request.prefix.push_back('/');
  pass.request.epoch = next_epoch();
  pass.request.defaults = options_.defaults;
  pass.request.defer_open_files = true;
  backends::ListOptions list;
  list.prefix = pass.request.prefix;
  list.delimiter.push_back('/');  // (= "/" trips a GCC 12 -Wrestrict false positive)
  do {
    AUTOSYNC_ASSIGN_OR_RETURN(auto page, store_.list(list));
    AUTOSYNC_RETURN_IF_ERROR(merge_page(pass, page, removing, report));
    list.continuation_token = std::move(page.next_token);
  } while (!list.continuation_token.empty());
  AUTOSYNC_RETURN_IF_ERROR(drop_vanished(pass, report));
  ++report.dirs;
  // The mount need not list it again before its TTL: the index is as fresh as a listing.
  return index_.set_listed(dir, wall_ns(), true);
}

Status RemoteWatcher::merge_page(DirPass& pass, const backends::ListPage& page,
                                 const std::set<std::string>& removing, ScanReport& report) {
  const std::string& prefix = pass.request.prefix;
  auto children = vfs::collect_children(prefix, page);
  std::erase_if(children, [&](const auto& child) {
    return removing.contains(prefix + child.first + (child.second.is_dir ? "/" : ""));
  });
  vfs::describe_new(index_, store_, pass.request.dir, prefix, children);
  std::vector<std::pair<vfs::MergeOutcome, std::pair<std::string, index::Ino>>> merged;
  {
    AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index_.write());
    vfs::PendingRemovals removals;
    for (const auto& [name, child] : children) {
      index::Ino ino = 0;
      AUTOSYNC_ASSIGN_OR_RETURN(
          auto outcome, vfs::merge_listed_child(txn, pass.request, name, child, ino, removals));
      if (outcome != vfs::MergeOutcome::kUnchanged) merged.push_back({outcome, {name, ino}});
    }
    AUTOSYNC_RETURN_IF_ERROR(txn.commit());
  }
  const index::Ino dir = pass.request.dir;
  bool listing_changed = false;
  for (const auto& [outcome, entry] : merged) {
    const auto& [name, ino] = entry;
    const std::string path = prefix + name;
    switch (outcome) {
      case vfs::MergeOutcome::kAdded:
        ++report.added;
        listing_changed = true;
        publish(events::EventKind::kRemoteAdded, ino, dir, name, path);
        // The kernel may remember that the name did not exist (a negative entry).
        publish(events::EventKind::kInvalidateEntry, 0, dir, name, path);
        break;
      case vfs::MergeOutcome::kChanged:
        ++report.changed;
        drop_stale_bytes(ino);
        publish(events::EventKind::kRemoteChanged, ino, dir, name, path);
        publish(events::EventKind::kInvalidateInode, ino, 0, "", path);
        // The next lookup meets the inode's new generation (a new kernel inode, new size).
        publish(events::EventKind::kInvalidateEntry, 0, dir, name, path);
        break;
      case vfs::MergeOutcome::kDeferred:
        ++report.deferred;
        spdlog::debug("remote watcher: {} changed on the store; open here, applied after close",
                      path);
        break;
      case vfs::MergeOutcome::kUnchanged:
        break;
    }
  }
  if (listing_changed) publish(events::EventKind::kInvalidateInode, dir, 0, "", pass.path);
  return Status::ok();
}

// The children this pass did not see. A HEAD confirms each file is gone before its entry
// goes, and the entry goes only if the index recorded no remote version for it since the
// pass began: a listing and a HEAD answered just before an upload finished must not remove
// the new file.
Status RemoteWatcher::drop_vanished(DirPass& pass, ScanReport& report) {
  const std::string& prefix = pass.request.prefix;
  const index::Ino dir = pass.request.dir;
  std::string after;
  bool any = false;
  for (bool more = true; more;) {
    std::vector<index::DirEntryRecord> unseen;
    {
      AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index_.read());
      AUTOSYNC_ASSIGN_OR_RETURN(unseen,
                                txn.unseen_children(dir, pass.request.epoch, after, kUnseenPage));
    }
    more = unseen.size() == kUnseenPage;
    if (!unseen.empty()) after = unseen.back().name;
    std::erase_if(unseen, [&](const index::DirEntryRecord& entry) {
      if (S_ISDIR(entry.mode)) return false;  // a prefix no listing shows is gone
      auto head = store_.head(prefix + entry.name);
      return head.is_ok() || !head.status().is(ErrorKind::kNotFound);
    });
    if (unseen.empty()) continue;
    std::vector<index::DirEntryRecord> dropped;
    {
      AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index_.write());
      for (const auto& entry : unseen) {
        AUTOSYNC_ASSIGN_OR_RETURN(
            bool gone, vfs::drop_vanished_child(txn, dir, prefix, entry, pass.request.epoch));
        if (gone) dropped.push_back(entry);
      }
      AUTOSYNC_RETURN_IF_ERROR(txn.commit());
    }
    for (const auto& entry : dropped) {
      ++report.removed;
      any = true;
      const std::string path = prefix + entry.name;
      publish(events::EventKind::kRemoteRemoved, entry.ino, dir, entry.name, path);
      publish(events::EventKind::kInvalidateEntry, 0, dir, entry.name, path);
      // The inode's row and bytes stay until the mount purges it (it knows whether the
      // kernel still holds it); a mount that is not running purges it at its next start.
    }
  }
  if (any) publish(events::EventKind::kInvalidateInode, dir, 0, "", pass.path);
  return Status::ok();
}

// A changed file's old bytes: forgotten by the merge (its ranges), freed here when no mount
// can be writing them.
void RemoteWatcher::drop_stale_bytes(index::Ino ino) {
  if (options_.content_in_use()) return;
  auto rec = index_.get(ino);
  if (rec.is_ok() && !rec->dirty() && rec->cached_bytes == 0 && rec->open_count == 0) {
    (void)content_.truncate(ino, 0);
  }
}

}  // namespace autosync::syncd
