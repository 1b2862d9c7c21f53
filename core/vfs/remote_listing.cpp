// CacheVfs: remote listing — a directory whose listing is older than dir_ttl is listed on
// the store (one level) and the index reconciled with what the store shows, one page at a
// time, so memory stays bounded by a page however large the directory: each page's children
// are merged (listing_reconcile.h, shared with autosyncd's remote watcher) and marked seen
// with the pass's epoch; once the last page is in, the clean children the pass did not see
// are dropped. Local work in flight wins:
// dirty entries, entries whose data lives under another key (a pending move) and keys with
// a journaled delete (tombstones) are left alone.
//
// A name that is both an object and a prefix ("a" and "a/...") shows as the directory when
// both are on one page; across pages, the first one seen stays.
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <map>
#include <optional>
#include <unordered_map>

#include "core/vfs/cache_vfs.h"

namespace autosync::vfs {

namespace {

constexpr size_t kDropPage = 1000;

// Removes `ino` from `pending` and returns what it held (the caller holds the map's lock).
template <typename Value>
std::optional<Value> take(std::unordered_map<Ino, Value>& pending, Ino ino) {
  auto node = pending.extract(ino);
  if (node.empty()) return std::nullopt;
  return std::move(node.mapped());
}

}  // namespace

Result<bool> CacheVfs::listing_fresh(index::ReadTxn& txn, Ino dir) const {
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, txn.get(dir));
  if (!rec.is_dir()) {
    return Status::error(ErrorKind::kNotDirectory, "inode " + std::to_string(dir));
  }
  AUTOSYNC_ASSIGN_OR_RETURN(auto listed, txn.listed_at(dir));
  const int64_t ttl_ns = std::chrono::nanoseconds(options_.dir_ttl).count();
  return listed && now_ns() - listed->listed_at_ns < ttl_ns;
}

Status CacheVfs::ensure_listed(Ino dir) {
  auto fresh = [&]() -> Result<bool> {  // one snapshot: is it a directory, and listed lately
    AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index_.read());
    return listing_fresh(txn, dir);
  };
  AUTOSYNC_ASSIGN_OR_RETURN(bool is_fresh, fresh());
  if (is_fresh) return Status::ok();
  {
    std::lock_guard lock(mu_);
    if (now_ns() < offline_until_ns_) return Status::ok();  // the store failed a moment ago
  }
  // One pass per directory at a time: a second lister waits, then finds it fresh. (No other
  // code takes a directory's inode lock, so this cannot deadlock with file locks.)
  auto guard = inode_locks_.lock(dir);
  AUTOSYNC_ASSIGN_OR_RETURN(is_fresh, fresh());
  if (is_fresh) return Status::ok();
  return list_locked(dir);
}

// A read the store refused because its object is no longer the version the index knows:
// the store changed behind this mount. At the inode's last release its directory is listed
// again, rather than when its listing or autosyncd's next poll comes due (minutes after a
// quiet spell). Nothing has the file open then, so it takes the new version with a new
// generation: the kernel makes a new inode with the new size at its next lookup (an open
// through the old one fails ESTALE and looks up again). Reads refused together list it once.
void CacheVfs::relist_after_refused_read(Ino ino) {
  std::optional<int64_t> refused_at_ns;
  {
    std::lock_guard lock(mu_);
    refused_at_ns = take(refused_reads_, ino);
  }
  if (!refused_at_ns) return;
  auto parent = index_.parent_of(ino);
  if (!parent.is_ok()) return;  // unlinked meanwhile: nothing to show
  auto guard = inode_locks_.lock(*parent);
  auto listed = index_.listed_at(*parent);
  if (listed.is_ok() && *listed && (*listed)->listed_at_ns > *refused_at_ns) return;
  Status relisted = list_locked(*parent);
  if (!relisted.is_ok()) {
    spdlog::warn("list the directory of inode {} again: {}", ino, relisted.to_string());
  }
}

// The directory's inode lock held.
Status CacheVfs::list_locked(Ino dir) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto path, index_.path_of(dir));
  ListPass pass;
  pass.dir = dir;
  pass.prefix = path.empty() ? "" : path + "/";
  pass.epoch = next_listing_epoch();
  pass.unshown_tombstones = tombstones_below(pass.prefix);
  return list_and_reconcile(pass);
}

// Every page of the directory, each reconciled as it comes; then what no page showed.
Status CacheVfs::list_and_reconcile(ListPass& pass) {
  backends::ListOptions list;
  list.prefix = pass.prefix;
  list.delimiter = "/";
  do {
    auto page = store_.list(list);
    if (!page.is_ok()) {  // offline: the index's answer (with the pages merged) is what we have
      std::lock_guard lock(mu_);
      offline_until_ns_ = now_ns() + std::chrono::nanoseconds(options_.offline_retry).count();
      return Status::ok();
    }
    AUTOSYNC_RETURN_IF_ERROR(reconcile_page(pass, *page));
    list.continuation_token = std::move(page->next_token);
  } while (!list.continuation_token.empty());
  return finish_pass(pass);
}

Status CacheVfs::reconcile_page(ListPass& pass, const backends::ListPage& page) {
  auto children = collect_children(pass.prefix, page);
  for (const auto& [name, child] : children) {  // a tombstone still shown is still needed
    pass.unshown_tombstones.erase(pass.prefix + name);
    pass.unshown_tombstones.erase(pass.prefix + name + "/");
  }
  std::erase_if(children, [&](const auto& child) {
    return is_tombstoned(pass.prefix + child.first + (child.second.is_dir ? "/" : ""));
  });
  describe_new(index_, store_, pass.dir, pass.prefix, children);
  std::vector<Ino> stale_content;  // changed files whose bytes go after the commit
  {                                // the transaction ends before drop_stale_bytes uses the index
    const MergeRequest request{.dir = pass.dir,
                               .prefix = pass.prefix,
                               .epoch = pass.epoch,
                               .defaults = {options_.umask, options_.uid, options_.gid},
                               .defer_open_files = false};
    AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index_.write());
    PendingRemovals removals;
    for (const auto& [name, child] : children) {
      Ino ino = 0;
      AUTOSYNC_ASSIGN_OR_RETURN(auto outcome,
                                merge_listed_child(txn, request, name, child, ino, removals));
      if (outcome == MergeOutcome::kChanged) stale_content.push_back(ino);
    }
    note_changed_while_open(txn, stale_content);  // before the commit: a release waits for it
    AUTOSYNC_RETURN_IF_ERROR(txn.commit());
  }
  for (Ino ino : stale_content)
    drop_stale_bytes(ino);
  return Status::ok();
}

// After the last page: children the pass did not see go (if clean), the listing is fresh,
// and tombstones no page showed have done their job (the delete or move reached the store).
Status CacheVfs::finish_pass(const ListPass& pass) {
  std::vector<Ino> stale_content;
  std::string after;
  for (bool more = true; more;) {
    AUTOSYNC_RETURN_IF_ERROR(drop_unseen_page(pass, after, more, stale_content));
  }
  AUTOSYNC_RETURN_IF_ERROR(index_.set_listed(pass.dir, now_ns(), true));
  forget_tombstones(pass.unshown_tombstones);
  for (Ino ino : stale_content)
    drop_stale_bytes(ino);
  return Status::ok();
}

// Clean entries mirroring a key the store no longer shows are removed (directories only
// when empty: their children go first, when they are listed). Open files stay.
Status CacheVfs::drop_unseen_page(const ListPass& pass, std::string& after, bool& more,
                                  std::vector<Ino>& stale_content) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index_.write());
  AUTOSYNC_ASSIGN_OR_RETURN(auto unseen,
                            txn.unseen_children(pass.dir, pass.epoch, after, kDropPage));
  more = unseen.size() == kDropPage;
  if (!unseen.empty()) after = unseen.back().name;
  for (const auto& entry : unseen) {
    AUTOSYNC_ASSIGN_OR_RETURN(bool dropped,
                              drop_vanished_child(txn, pass.dir, pass.prefix, entry, pass.epoch));
    if (dropped) stale_content.push_back(entry.ino);
  }
  return txn.commit();
}

// A file open here keeps its kernel inode when it takes another client's version (the merge
// renews it only when nothing has it open); with the kernel's write-back cache that inode
// keeps the old size for good. Its last release renews it, unless something renewed it since.
void CacheVfs::note_changed_while_open(index::WriteTxn& txn, const std::vector<Ino>& changed) {
  for (Ino ino : changed) {
    auto rec = txn.get(ino);
    if (!rec.is_ok()) continue;
    if (rec->open_count == 0) continue;  // the merge renewed it (the same snapshot)
    std::lock_guard lock(mu_);
    changed_while_open_[ino] = rec->generation;
  }
}

// At the inode's last release or its next open: an open through the kernel's old inode then
// fails ESTALE and the kernel looks the name up again, finding the new size.
void CacheVfs::renew_if_changed_while_open(Ino ino) {
  std::optional<uint64_t> generation;
  {
    std::lock_guard lock(mu_);
    generation = take(changed_while_open_, ino);
  }
  if (!generation) return;
  auto renew = [&]() -> Status {
    AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index_.write());
    AUTOSYNC_ASSIGN_OR_RETURN(auto rec, txn.get(ino));
    if (rec.generation != *generation) return Status::ok();  // renewed meanwhile
    AUTOSYNC_RETURN_IF_ERROR(txn.renew_kernel_inode(ino));
    return txn.commit();
  };
  Status renewed = renew();
  if (!renewed.is_ok() && !renewed.is(ErrorKind::kNotFound)) {
    spdlog::warn("renew the kernel inode of {}: {}", ino, renewed.to_string());
  }
}

// After a reconcile: a removed inode goes with its bytes; a changed file's old bytes go
// unless it was written meanwhile (the inode lock keeps a write from slipping in between).
void CacheVfs::drop_stale_bytes(Ino ino) {
  {  // the kernel's pages are of the version replaced (an open file's too)
    std::lock_guard lock(mu_);
    open_stamps_.erase(ino);
  }
  purge_if_unused(ino);
  auto guard = inode_locks_.lock(ino);
  auto rec = index_.get(ino);
  if (rec.is_ok() && !rec->dirty() && rec->cached_bytes == 0) (void)content_.truncate(ino, 0);
}

// Unique per pass (two passes of one directory never share one), increasing across
// restarts as the clock does.
int64_t CacheVfs::next_listing_epoch() {
  std::lock_guard lock(mu_);
  last_listing_epoch_ = std::max(now_ns(), last_listing_epoch_ + 1);
  return last_listing_epoch_;
}

void CacheVfs::add_tombstone(std::string key) {
  std::lock_guard lock(mu_);
  tombstones_.insert(std::move(key));
}

bool CacheVfs::is_tombstoned(const std::string& key) {
  std::lock_guard lock(mu_);
  return tombstones_.contains(key);
}

// The tombstones one level below `prefix` ("prefix/name" or "prefix/name/").
std::set<std::string> CacheVfs::tombstones_below(const std::string& prefix) {
  std::set<std::string> out;
  std::lock_guard lock(mu_);
  for (auto it = tombstones_.lower_bound(prefix);
       it != tombstones_.end() && it->starts_with(prefix); ++it) {
    std::string_view name = std::string_view(*it).substr(prefix.size());
    if (name.ends_with('/')) name.remove_suffix(1);
    if (!name.empty() && name.find('/') == std::string_view::npos) out.insert(*it);
  }
  return out;
}

void CacheVfs::forget_tombstones(const std::set<std::string>& keys) {
  std::lock_guard lock(mu_);
  for (const auto& key : keys)
    tombstones_.erase(key);
}

}  // namespace autosync::vfs
