// CacheVfs: remote listing — a directory whose listing is older than dir_ttl is listed on
// the store (one level, every page) and the index is reconciled with what the store shows.
// Local work in flight wins: dirty entries, entries whose data lives under another key (a
// pending move) and keys with a journaled delete (tombstones) are left alone.
#include <sys/stat.h>

#include <climits>
#include <map>

#include "core/layout/object_meta.h"
#include "core/vfs/cache_vfs.h"

namespace autosync::vfs {

namespace {

// name -> what the store holds under prefix + name, one level deep.
std::map<std::string, ListedChild> collect_children(const std::string& prefix,
                                                    const backends::ListPage& listing) {
  std::map<std::string, ListedChild> children;
  for (const auto& object : listing.objects) {
    std::string name = object.key.substr(prefix.size());
    const bool marker = !name.empty() && name.back() == '/';
    if (marker) name.pop_back();
    if (name.empty() || name.find('/') != std::string::npos) continue;  // our own marker
    if (children.contains(name) && children[name].is_dir) continue;     // a prefix wins
    children[name] = ListedChild{marker, object, std::nullopt};
  }
  for (const auto& common : listing.common_prefixes) {
    std::string name = common.substr(prefix.size());
    if (!name.empty() && name.back() == '/') name.pop_back();
    if (name.empty() || name.find('/') != std::string::npos) continue;
    auto& child = children[name];
    if (child.is_dir) continue;
    child = ListedChild{};
    child.is_dir = true;
    child.info.key = common;
  }
  return children;
}

index::RemoteVersion remote_version(const std::string& key, const backends::ObjectInfo& info,
                                    int64_t mtime_ns) {
  return index::RemoteVersion{.key = key,
                              .etag = info.etag,
                              .version = info.version_id,
                              .size = info.size,
                              .mtime_ns = mtime_ns};
}

// A file the store changed behind our back, with no local change of its own.
bool changed_clean_file(const index::InodeRecord& rec, const ListedChild& child) {
  return rec.kind == index::InodeKind::kFile && !rec.dirty() && rec.remote &&
         rec.remote->etag != child.info.etag;
}

}  // namespace

Status CacheVfs::ensure_listed(Ino dir) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, index_.get(dir));
  if (!rec.is_dir()) {
    return Status::error(ErrorKind::kNotDirectory, "inode " + std::to_string(dir));
  }
  AUTOSYNC_ASSIGN_OR_RETURN(auto listed, index_.listed_at(dir));
  const int64_t ttl_ns = std::chrono::nanoseconds(options_.dir_ttl).count();
  const int64_t now = now_ns();
  if (listed && now - listed->listed_at_ns < ttl_ns) return Status::ok();
  {
    std::lock_guard lock(mu_);
    if (now < offline_until_ns_) return Status::ok();  // the store failed a moment ago
  }
  AUTOSYNC_ASSIGN_OR_RETURN(auto path, index_.path_of(dir));
  const std::string prefix = path.empty() ? "" : path + "/";
  backends::ListPage all;
  backends::ListOptions list;
  list.prefix = prefix;
  list.delimiter = "/";
  do {
    auto page = store_.list(list);
    if (!page.is_ok()) {  // offline: the index's answer is what we have
      std::lock_guard lock(mu_);
      offline_until_ns_ = now + std::chrono::nanoseconds(options_.offline_retry).count();
      return Status::ok();
    }
    for (auto& object : page->objects)
      all.objects.push_back(std::move(object));
    for (auto& common : page->common_prefixes)
      all.common_prefixes.push_back(std::move(common));
    list.continuation_token = page->next_token;
  } while (!list.continuation_token.empty());
  return reconcile(dir, prefix, all);
}

Status CacheVfs::reconcile(Ino dir, const std::string& prefix, const backends::ListPage& remote) {
  auto children = collect_children(prefix, remote);
  forget_tombstones(prefix, children);
  std::erase_if(children, [&](const auto& child) {
    return is_tombstoned(prefix + child.first + (child.second.is_dir ? "/" : ""));
  });
  describe_new(dir, prefix, children);
  std::vector<Ino> stale_content;  // changed or removed files whose bytes go after commit
  {                                // the transaction ends before drop_stale_bytes uses the index
    AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index_.write());
    for (const auto& [name, child] : children) {
      AUTOSYNC_RETURN_IF_ERROR(merge_child(txn, dir, prefix + name, name, child, stale_content));
    }
    AUTOSYNC_RETURN_IF_ERROR(drop_vanished(txn, dir, prefix, children, stale_content));
    AUTOSYNC_RETURN_IF_ERROR(txn.set_listed(dir, now_ns(), true));
    AUTOSYNC_RETURN_IF_ERROR(txn.commit());
  }
  for (Ino ino : stale_content) {
    drop_stale_bytes(ino);
  }
  return Status::ok();
}

// The inode a listed object becomes: attributes from its metadata (s3fs's names), the
// mount's defaults where it has none; nothing cached.
index::NewInode CacheVfs::listed_inode(const std::string& key, const ListedChild& child) const {
  const bool is_dir = child.is_dir;
  const mode_t perms = is_dir ? 0777 : 0666;
  const layout::FileMeta defaults{
      static_cast<mode_t>((is_dir ? S_IFDIR : S_IFREG) | (perms & ~options_.umask)), options_.uid,
      options_.gid, 0};
  const auto meta = layout::decode_meta(child.info, defaults);
  index::NewInode spec;
  spec.mode = meta.mode;
  if (is_dir) {
    spec.mode = S_IFDIR | (meta.mode & 07777);
  } else if (S_ISLNK(meta.mode) && child.symlink_target) {
    spec.symlink_target = *child.symlink_target;
  } else if (!S_ISREG(meta.mode)) {  // devices and fifos are never stored: show a file
    spec.mode = S_IFREG | (meta.mode & 07777);
  }
  spec.uid = meta.uid;
  spec.gid = meta.gid;
  spec.size = is_dir ? 0 : child.info.size;
  spec.mtime_ns = meta.mtime_ns;
  // A directory's remote key is its marker's, "a/b/" (as syncd records it).
  spec.remote = remote_version(is_dir ? key + "/" : key, child.info, meta.mtime_ns);
  return spec;
}

// One child the store shows: a new inode if the index has none; a clean file whose etag
// changed gets the new version and loses its cached bytes; anything else stays as it is.
Status CacheVfs::merge_child(index::WriteTxn& txn, Ino dir, const std::string& key,
                             std::string_view name, const ListedChild& child,
                             std::vector<Ino>& stale_content) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto existing, txn.lookup(dir, name));
  if (!existing) {
    auto created = txn.create(dir, name, listed_inode(key, child));
    // A name the index refuses (too long, invalid) is skipped, not the whole listing.
    const bool refused = !created.is_ok() && (created.status().is(ErrorKind::kNameTooLong) ||
                                              created.status().is(ErrorKind::kInvalid));
    return refused ? Status::ok() : created.status();
  }
  const auto& rec = *existing;
  const auto& info = child.info;
  if (child.is_dir || rec.kind != index::InodeKind::kFile || rec.dirty() || !rec.remote ||
      rec.remote->key != key || rec.remote->etag == info.etag) {
    return Status::ok();
  }
  const auto spec = listed_inode(key, child);
  index::AttrChanges changes;
  changes.size = info.size;
  changes.mtime_ns = *spec.mtime_ns;
  AUTOSYNC_RETURN_IF_ERROR(txn.set_attrs(rec.ino, changes).status());
  AUTOSYNC_RETURN_IF_ERROR(txn.clear_ranges(rec.ino));  // after set_attrs: nothing is local
  AUTOSYNC_RETURN_IF_ERROR(txn.mark_synced(rec.ino, rec.local_gen, *spec.remote).status());
  stale_content.push_back(rec.ino);
  return Status::ok();
}

// A listing carries no user metadata: objects new to the index (or changed on the store) are
// asked for theirs (mode, owner, mtime; a symlink's target is its body; a new directory's
// from its "name/" marker, if it has one), before any write transaction starts. An
// object gone meanwhile is dropped; a store that fails leaves the listing's defaults.
void CacheVfs::describe_new(Ino dir, const std::string& prefix,
                            std::map<std::string, ListedChild>& children) {
  for (auto it = children.begin(); it != children.end();) {
    auto& [name, child] = *it;
    auto known = index_.lookup(dir, name);
    const bool wanted =
        known.is_ok() && (!known->has_value() || changed_clean_file(**known, child));
    if (!wanted) {
      ++it;
      continue;
    }
    if (child.is_dir) {  // a listing rolls "name/" into a common prefix: its marker has the mode
      auto marker = store_.head(prefix + name + "/");
      if (marker.is_ok()) child.info = std::move(marker).value();  // else implied by keys only
      ++it;
      continue;
    }
    auto head = store_.head(prefix + name);
    if (!head.is_ok()) {
      it = head.status().is(ErrorKind::kNotFound) ? children.erase(it) : std::next(it);
      continue;
    }
    child.info = std::move(head).value();
    const auto meta = layout::decode_meta(child.info, layout::FileMeta{});
    if (S_ISLNK(meta.mode) && child.info.size <= PATH_MAX) {
      backends::BufferSink body;
      backends::GetOptions get;
      get.conditions.if_match = child.info.etag;
      if (store_.get(prefix + name, get, body).is_ok()) child.symlink_target = body.take();
    }
    ++it;
  }
}

// Clean entries mirroring a key the store no longer shows are removed (directories only
// when empty: their children go first, when they are listed). Open files stay.
Status CacheVfs::drop_vanished(index::WriteTxn& txn, Ino dir, const std::string& prefix,
                               const std::map<std::string, ListedChild>& children,
                               std::vector<Ino>& stale_content) {
  std::vector<index::DirEntryRecord> local;
  std::string after;
  do {
    AUTOSYNC_ASSIGN_OR_RETURN(auto page, txn.list_dir(dir, after, 1000));
    if (page.empty()) break;
    after = page.back().name;
    for (auto& entry : page)
      local.push_back(std::move(entry));
  } while (true);
  for (const auto& entry : local) {
    if (children.contains(entry.name)) continue;
    AUTOSYNC_ASSIGN_OR_RETURN(auto rec, txn.get(entry.ino));
    const std::string key = prefix + entry.name + (rec.is_dir() ? "/" : "");
    if (rec.dirty() || !rec.remote || rec.remote->key != key || rec.open_count > 0) {
      continue;
    }
    if (rec.is_dir()) {
      AUTOSYNC_ASSIGN_OR_RETURN(bool empty, txn.is_empty(rec.ino));
      if (empty) AUTOSYNC_RETURN_IF_ERROR(txn.rmdir(dir, entry.name).status());
    } else {
      AUTOSYNC_RETURN_IF_ERROR(txn.unlink(dir, entry.name).status());
    }
    stale_content.push_back(rec.ino);
  }
  return Status::ok();
}

// After a reconcile: a removed inode goes with its bytes; a changed file's old bytes go
// unless it was written meanwhile (the inode lock keeps a write from slipping in between).
void CacheVfs::drop_stale_bytes(Ino ino) {
  purge_if_unused(ino);
  auto guard = inode_locks_.lock(ino);
  auto rec = index_.get(ino);
  if (rec.is_ok() && !rec->dirty() && rec->cached_bytes == 0) (void)content_.truncate(ino, 0);
}

void CacheVfs::add_tombstone(std::string key) {
  std::lock_guard lock(mu_);
  tombstones_.insert(std::move(key));
}

bool CacheVfs::is_tombstoned(const std::string& key) {
  std::lock_guard lock(mu_);
  return tombstones_.contains(key);
}

// A tombstone one level below `prefix` whose key the listing no longer shows has done its
// job: the journaled delete or move has reached the store.
void CacheVfs::forget_tombstones(const std::string& prefix,
                                 const std::map<std::string, ListedChild>& shown) {
  std::lock_guard lock(mu_);
  for (auto it = tombstones_.lower_bound(prefix);
       it != tombstones_.end() && it->starts_with(prefix);) {
    std::string name = it->substr(prefix.size());
    if (!name.empty() && name.back() == '/') name.pop_back();
    const bool this_level = !name.empty() && name.find('/') == std::string::npos;
    it = (this_level && !shown.contains(name)) ? tombstones_.erase(it) : std::next(it);
  }
}

}  // namespace autosync::vfs
