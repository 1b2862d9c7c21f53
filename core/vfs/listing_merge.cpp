// What one page of a store listing changes in the index (listing_reconcile.h). A child the
// index does not have becomes an inode (with the attributes its object's metadata names); a
// clean file the store changed gets the new version and loses its cached bytes; everything
// else stays. Every child the page shows is marked seen by the pass (the pass drops the
// rest once its last page is in).
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <thread>
#include <vector>

#include "core/layout/object_meta.h"
#include "core/vfs/listing_reconcile.h"

namespace autosync::vfs {

namespace {

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

std::map<std::string, ListedChild> collect_children(const std::string& prefix,
                                                    const backends::ListPage& listing) {
  std::map<std::string, ListedChild> children;
  for (const auto& object : listing.objects) {
    std::string name = object.key.substr(prefix.size());
    const bool marker = !name.empty() && name.back() == '/';
    if (marker) name.pop_back();
    if (name.empty() || name.find('/') != std::string::npos) continue;  // our own marker
    if (children.contains(name) && children[name].is_dir) continue;     // a prefix wins
    children[name] = ListedChild{marker, object, std::nullopt, std::nullopt};
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

index::NewInode listed_inode(const ListingDefaults& defaults, const std::string& key,
                             const ListedChild& child) {
  const bool is_dir = child.is_dir;
  const mode_t perms = is_dir ? 0777 : 0666;
  const layout::FileMeta fallback{
      static_cast<mode_t>((is_dir ? S_IFDIR : S_IFREG) | (perms & ~defaults.umask)), defaults.uid,
      defaults.gid, 0};
  const auto meta = layout::decode_meta(child.info, fallback);
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

Result<bool> PendingRemovals::contains(index::ReadTxn& txn, const std::string& key) {
  if (!keys_) {
    AUTOSYNC_ASSIGN_OR_RETURN(auto keys, txn.keys_being_removed());
    keys_.emplace(std::make_move_iterator(keys.begin()), std::make_move_iterator(keys.end()));
  }
  return keys_->contains(key);
}

Result<MergeOutcome> merge_listed_child(index::WriteTxn& txn, const MergeRequest& request,
                                        std::string_view name, const ListedChild& child,
                                        index::Ino& ino, PendingRemovals& removals) {
  const std::string key = request.prefix + std::string(name);
  AUTOSYNC_ASSIGN_OR_RETURN(auto existing, txn.lookup(request.dir, name));
  if (!existing) {
    AUTOSYNC_ASSIGN_OR_RETURN(bool leaving, removals.contains(txn, child.is_dir ? key + "/" : key));
    if (leaving) return MergeOutcome::kUnchanged;
    auto created = txn.create(request.dir, name, listed_inode(request.defaults, key, child));
    // A name the index refuses (too long, invalid) is skipped, not the whole listing.
    if (!created.is_ok()) {
      const bool refused =
          created.status().is(ErrorKind::kNameTooLong) || created.status().is(ErrorKind::kInvalid);
      if (refused) return MergeOutcome::kUnchanged;
      return std::move(created).take_status();
    }
    ino = created->ino;
    AUTOSYNC_RETURN_IF_ERROR(txn.mark_seen(created->ino, request.epoch));
    return MergeOutcome::kAdded;
  }
  const auto& rec = *existing;
  ino = rec.ino;
  AUTOSYNC_RETURN_IF_ERROR(txn.mark_seen(rec.ino, request.epoch));
  const auto& info = child.info;
  if (child.is_dir || rec.kind != index::InodeKind::kFile || rec.dirty() || !rec.remote ||
      rec.remote->key != key || rec.remote->etag == info.etag ||
      (child.known_etag && *child.known_etag != rec.remote->etag)) {
    return MergeOutcome::kUnchanged;
  }
  if (request.defer_open_files && rec.open_count > 0) return MergeOutcome::kDeferred;
  AUTOSYNC_RETURN_IF_ERROR(take_remote_version(txn, rec, request.defaults, key, child));
  return MergeOutcome::kChanged;
}

Status take_remote_version(index::WriteTxn& txn, const index::InodeRecord& rec,
                           const ListingDefaults& defaults, const std::string& key,
                           const ListedChild& child) {
  const auto spec = listed_inode(defaults, key, child);
  index::AttrChanges changes;
  changes.size = child.info.size;
  changes.mtime_ns = *spec.mtime_ns;
  AUTOSYNC_RETURN_IF_ERROR(txn.set_attrs(rec.ino, changes).status());
  AUTOSYNC_RETURN_IF_ERROR(txn.clear_ranges(rec.ino));  // after set_attrs: nothing is local
  AUTOSYNC_RETURN_IF_ERROR(txn.mark_synced(rec.ino, rec.local_gen, *spec.remote).status());
  // A kernel with the write-back cache never takes a cached file's size from us again: its
  // next lookup must make a new kernel inode. Not while open (that inode would turn to EIO).
  if (rec.open_count == 0) AUTOSYNC_RETURN_IF_ERROR(txn.renew_kernel_inode(rec.ino));
  return Status::ok();
}

Result<bool> drop_vanished_child(index::WriteTxn& txn, index::Ino dir, const std::string& prefix,
                                 const index::DirEntryRecord& entry, int64_t epoch) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, txn.get(entry.ino));
  const std::string key = prefix + entry.name + (rec.is_dir() ? "/" : "");
  if (rec.dirty() || !rec.remote || rec.remote->key != key || rec.open_count > 0) return false;
  AUTOSYNC_ASSIGN_OR_RETURN(bool recorded_since, txn.seen_since(rec.ino, epoch));
  if (recorded_since) return false;
  if (rec.is_dir()) {
    AUTOSYNC_ASSIGN_OR_RETURN(bool empty, txn.is_empty(rec.ino));
    if (!empty) return false;
    AUTOSYNC_RETURN_IF_ERROR(txn.rmdir(dir, entry.name).status());
  } else {
    AUTOSYNC_RETURN_IF_ERROR(txn.unlink(dir, entry.name).status());
  }
  return true;
}

// A listing carries no user metadata: objects new to the index (or changed on the store) are
// asked for theirs (mode, owner, mtime; a symlink's target is its body; a new directory's
// from its "name/" marker, if it has one), before any write transaction starts. An
// object gone meanwhile is dropped; a store that fails leaves the listing's defaults.
namespace {

constexpr size_t kDescribeThreads = 16;

// Fills in what a listing does not say about one child; false when it is gone meanwhile.
bool describe_child(backends::ObjectStore& store, const std::string& prefix,
                    const std::string& name, ListedChild& child) {
  if (child.is_dir) {  // a listing rolls "name/" into a common prefix: its marker has the mode
    auto marker = store.head(prefix + name + "/");
    if (marker.is_ok()) child.info = std::move(marker).value();  // else implied by keys only
    return true;
  }
  auto head = store.head(prefix + name);
  if (!head.is_ok()) return !head.status().is(ErrorKind::kNotFound);
  child.info = std::move(head).value();
  const auto meta = layout::decode_meta(child.info, layout::FileMeta{});
  if (S_ISLNK(meta.mode) && child.info.size <= PATH_MAX) {
    backends::BufferSink body;
    backends::GetOptions get;
    get.conditions.if_match = child.info.etag;
    if (store.get(prefix + name, get, body).is_ok()) child.symlink_target = body.take();
  }
  return true;
}

}  // namespace

void describe_new(index::Index& index, backends::ObjectStore& store, index::Ino dir,
                  const std::string& prefix, std::map<std::string, ListedChild>& children) {
  std::vector<std::string> wanted;  // decided in one snapshot, asked for outside it
  {
    auto txn = index.read();
    if (!txn.is_ok()) return;
    for (auto& [name, child] : children) {
      auto known = txn->lookup(dir, name);
      if (!known.is_ok()) continue;
      if (!known->has_value()) {
        wanted.push_back(name);
      } else if (changed_clean_file(**known, child)) {
        child.known_etag = (*known)->remote->etag;
        wanted.push_back(name);
      }
    }
  }
  // One HEAD per new object (the listing has no user metadata: modes, owners, times), run
  // kDescribeThreads at a time: a first listing of a big directory is as many round trips.
  std::vector<char> vanished(wanted.size(), 0);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < wanted.size(); i = next++) {
      vanished[i] = describe_child(store, prefix, wanted[i], children.at(wanted[i])) ? 0 : 1;
    }
  };
  {
    std::vector<std::jthread> threads;
    const size_t count = std::min(kDescribeThreads, wanted.size());
    for (size_t t = 1; t < count; ++t)
      threads.emplace_back(work);
    work();
  }  // joined
  for (size_t i = 0; i < wanted.size(); ++i) {
    if (vanished[i]) children.erase(wanted[i]);
  }
}

}  // namespace autosync::vfs
