// CacheVfs: setattr — truncate (content + ranges, uploaded at release) and metadata changes
// (chmod, chown, utimens), which the store sees as a metadata-only copy (kSetMeta).
#include <sys/stat.h>

#include "core/vfs/cache_vfs.h"

namespace autosync::vfs {

namespace {

std::string ino_text(Ino ino) {
  return "inode " + std::to_string(ino);
}

bool changes_meta(const SetAttr& c) {
  return c.mode || c.uid || c.gid || c.mtime || c.mtime_now || c.atime || c.atime_now;
}

int64_t to_ns(const Timespec& t) {
  return t.sec * 1'000'000'000 + t.nsec;
}

// Whether the metadata in `c` is what `rec` holds already (tar as root chowns and chmods
// every file to what it was created with): such a setattr commits nothing and the store
// sees nothing. (POSIX would still move ctime; nothing here depends on that.)
bool changes_nothing(const index::InodeRecord& rec, const SetAttr& c) {
  if (c.size || c.atime_now || c.mtime_now) return false;
  const bool same_mode = !c.mode || (*c.mode & 07777) == (rec.mode & 07777);
  const bool same_owner = (!c.uid || *c.uid == rec.uid) && (!c.gid || *c.gid == rec.gid);
  const bool same_times = (!c.atime || to_ns(*c.atime) == rec.atime_ns) &&
                          (!c.mtime || to_ns(*c.mtime) == rec.mtime_ns);
  return same_mode && same_owner && same_times;
}

// Only root gives files away; only the owner (or root) changes modes and groups.
Status check_owner(const Caller& who, const index::InodeRecord& rec, const SetAttr& c) {
  if (who.uid == 0) return Status::ok();
  const bool gives_away = c.uid && *c.uid != rec.uid;
  const bool not_owner = (c.mode || c.gid) && who.uid != rec.uid;
  if (gives_away || not_owner) {
    return Status::error(ErrorKind::kNotPermitted,
                         "setattr " + ino_text(rec.ino) + ": only the owner may change it");
  }
  return Status::ok();
}

}  // namespace

Result<Attr> CacheVfs::setattr(const Caller& who, Ino ino, const SetAttr& changes,
                               std::optional<Handle> handle) {
  auto attr = apply_setattr(who, ino, changes, handle);
  if (attr.is_ok()) restamp(ino, to_ns(attr->mtime), attr->size);
  return attr;
}

Result<Attr> CacheVfs::apply_setattr(const Caller& who, Ino ino, const SetAttr& changes,
                                     std::optional<Handle> handle) {
  AUTOSYNC_RETURN_IF_ERROR(check_writable("setattr " + ino_text(ino)));
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, index_.get(ino));
  AUTOSYNC_RETURN_IF_ERROR(check_owner(who, rec, changes));
  if (changes_nothing(rec, changes)) return make_attr(rec);
  if (changes.size) {
    AUTOSYNC_RETURN_IF_ERROR(truncate_file(ino, *changes.size));
    AUTOSYNC_RETURN_IF_ERROR(mark_written(ino, handle));
  }
  if (!changes_meta(changes)) return getattr(ino);

  const int64_t now = now_ns();
  index::AttrChanges attrs;
  attrs.mode = changes.mode;
  attrs.uid = changes.uid;
  attrs.gid = changes.gid;
  if (changes.atime_now) attrs.atime_ns = now;
  if (changes.atime) attrs.atime_ns = to_ns(*changes.atime);
  if (changes.mtime_now) attrs.mtime_ns = now;
  if (changes.mtime) attrs.mtime_ns = to_ns(*changes.mtime);

  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index_.write());
  AUTOSYNC_ASSIGN_OR_RETURN(auto after, txn.set_attrs(ino, attrs));
  const bool store_sees = changes.mode || changes.uid || changes.gid || attrs.mtime_ns;
  // atime stays local, and so does all of an unlinked file (the write-back kernel sets its
  // times at the close after an unlink: it has no key any more).
  if (!store_sees || after.kind == index::InodeKind::kSpecial || after.nlink == 0) {
    AUTOSYNC_RETURN_IF_ERROR(txn.commit());
    return make_attr(after);
  }
  // A file whose data is not on the store yet: only an upload may claim its generation (a
  // metadata row, once done, would mark the data synced and leave it behind).
  const bool data_pending = after.kind == index::InodeKind::kFile && after.dirty();
  AUTOSYNC_ASSIGN_OR_RETURN(after.local_gen, txn.bump_local_gen(ino));
  AUTOSYNC_ASSIGN_OR_RETURN(auto path, txn.path_of(ino));
  index::JournalEntry row;
  row.ino = ino;
  row.gen = after.local_gen;
  if ((after.remote && !data_pending) || after.is_dir()) {
    row.op = index::JournalOp::kSetMeta;
    row.key = after.is_dir() ? path : after.remote->key;  // syncd adds a marker's '/'
    row.base_etag = after.remote ? after.remote->etag : "";
  } else if (!has_writer(ino)) {  // its (pending) upload carries the metadata
    row.op = index::JournalOp::kUpload;
    row.key = path;
    if (after.remote) row.base_etag = after.remote->etag;
  } else {  // an open writer journals the upload at its release (recover(), if it dies)
    AUTOSYNC_RETURN_IF_ERROR(txn.commit());
    return make_attr(after);
  }
  AUTOSYNC_RETURN_IF_ERROR(txn.enqueue(row).status());
  AUTOSYNC_RETURN_IF_ERROR(commit_and_ring(txn));
  return make_attr(after);
}

Status CacheVfs::truncate_file(Ino ino, uint64_t size) {
  AUTOSYNC_RETURN_IF_ERROR(check_writable("truncate " + ino_text(ino)));
  auto guard = inode_locks_.lock(ino);
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, index_.get(ino));
  if (rec.is_dir()) return Status::error(ErrorKind::kIsDirectory, "truncate " + ino_text(ino));
  if (rec.kind != index::InodeKind::kFile) {
    return invalid("truncate " + ino_text(ino) + ": not a regular file");
  }
  // The index first, then the cache file: a mount killed in between leaves a file of the new
  // size, dirty, whose bytes past a longer cache file read as zeros. The other order could
  // leave the old size over a cut cache file: an upload of zeros where the data was.
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index_.write());
  index::AttrChanges changes;
  changes.size = size;
  changes.mtime_ns = now_ns();
  AUTOSYNC_ASSIGN_OR_RETURN(auto after, txn.set_attrs(ino, changes));
  AUTOSYNC_RETURN_IF_ERROR(txn.bump_local_gen(ino).status());
  AUTOSYNC_RETURN_IF_ERROR(txn.commit());
  AUTOSYNC_RETURN_IF_ERROR(content_.truncate(ino, size));
  restamp(ino, after.mtime_ns, after.size);
  // An extension counts as cached (it reads as zeros) though it takes no disk space.
  budget_.added(static_cast<int64_t>(after.cached_bytes) - static_cast<int64_t>(rec.cached_bytes));
  return Status::ok();
}

}  // namespace autosync::vfs
