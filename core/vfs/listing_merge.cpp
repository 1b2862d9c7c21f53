// CacheVfs: what one page of a store listing changes in the index. A child the index does
// not have becomes an inode (with the attributes its object's metadata names); a clean file
// the store changed gets the new version and loses its cached bytes; everything else stays.
// Every child the page shows is marked seen by the pass (remote_listing.cpp drops the rest).
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <thread>
#include <vector>

#include "core/layout/object_meta.h"
#include "core/vfs/cache_vfs.h"

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
// Either way the pass has seen it.
Status CacheVfs::merge_child(index::WriteTxn& txn, const ListPass& pass, std::string_view name,
                             const ListedChild& child, std::vector<Ino>& stale_content) {
  const std::string key = pass.prefix + std::string(name);
  AUTOSYNC_ASSIGN_OR_RETURN(auto existing, txn.lookup(pass.dir, name));
  if (!existing) {
    auto created = txn.create(pass.dir, name, listed_inode(key, child));
    // A name the index refuses (too long, invalid) is skipped, not the whole listing.
    if (!created.is_ok()) {
      const bool refused =
          created.status().is(ErrorKind::kNameTooLong) || created.status().is(ErrorKind::kInvalid);
      return refused ? Status::ok() : created.status();
    }
    return txn.mark_seen(created->ino, pass.epoch);
  }
  const auto& rec = *existing;
  AUTOSYNC_RETURN_IF_ERROR(txn.mark_seen(rec.ino, pass.epoch));
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

void CacheVfs::describe_new(Ino dir, const std::string& prefix,
                            std::map<std::string, ListedChild>& children) {
  std::vector<std::string> wanted;  // decided in one snapshot, asked for outside it
  {
    auto txn = index_.read();
    if (!txn.is_ok()) return;
    for (const auto& [name, child] : children) {
      auto known = txn->lookup(dir, name);
      if (known.is_ok() && (!known->has_value() || changed_clean_file(**known, child))) {
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
      vanished[i] = describe_child(store_, prefix, wanted[i], children.at(wanted[i])) ? 0 : 1;
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
