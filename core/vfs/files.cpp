// CacheVfs: open files — create, open, write, flush, fsync, release, and the upload journal.
#include <fcntl.h>
#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "core/vfs/cache_vfs.h"

namespace autosync::vfs {

namespace {

bool wants_write(int flags) {
  return (flags & O_ACCMODE) != O_RDONLY;
}

std::string ino_text(Ino ino) {
  return "inode " + std::to_string(ino);
}

}  // namespace

Result<std::pair<Entry, OpenReply>> CacheVfs::create(const Caller& who, Ino parent,
                                                     std::string_view name, mode_t mode,
                                                     int flags) {
  AUTOSYNC_RETURN_IF_ERROR(check_writable("create '" + std::string(name) + "'"));
  index::NewInode spec;
  spec.mode = S_IFREG | (mode & ~who.umask & 07777);
  spec.uid = who.uid;
  spec.gid = who.gid;
  // One transaction makes the inode and counts it open; its upload is journaled at the last
  // release, so a file being written is never sent.
  auto created = create_node(who, parent, name, spec, Creation::kOpened);
  if (!created && created.status().is(ErrorKind::kAlreadyExists) && (flags & O_EXCL) == 0) {
    // The kernel's view was stale: open what is there.
    AUTOSYNC_ASSIGN_OR_RETURN(auto existing, index_.lookup(parent, name));
    if (!existing) return std::move(created).take_status();
    AUTOSYNC_ASSIGN_OR_RETURN(auto reply, open(who, existing->ino, flags));
    AUTOSYNC_ASSIGN_OR_RETURN(auto rec, index_.get(existing->ino));
    return std::pair{hand_out(rec), reply};
  }
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, std::move(created));
  bool raced = false;
  OpenReply reply;
  {
    std::lock_guard lock(mu_);
    raced = ++open_handles_[rec.ino] != 1;
    reply = register_handle(rec, flags);
    files_[reply.handle].dirty = true;  // even an empty new file must reach the store
  }
  // Another opener found the new name before it was counted here, and counted it in the
  // index too: the index holds one open per first handle, so take the creation's back.
  if (raced) (void)index_.drop_open(rec.ino);
  return std::pair{hand_out(rec), reply};
}

// The index counts an inode open while this mount holds any handle on it (other processes
// see it: eviction, purges, syncd's remote watcher); only the first open and the last release
// change it, under the inode's lock, so a stream of opens and closes of a busy file costs
// no commit.
Result<OpenReply> CacheVfs::open(const Caller& /*who*/, Ino ino, int flags) {
  if (wants_write(flags)) AUTOSYNC_RETURN_IF_ERROR(check_writable("open " + ino_text(ino)));
  auto opened = [&]() -> Result<std::pair<index::InodeRecord, OpenReply>> {
    auto guard = inode_locks_.lock(ino);
    // The kernel's inode of a file that took another client's version while open is stale:
    // renewed now, this open is refused (ESTALE) and the kernel looks the name up again.
    renew_if_changed_while_open(ino);
    bool first = false;
    {
      std::lock_guard lock(mu_);
      first = ++open_handles_[ino] == 1;
    }
    auto rec = first ? index_.add_open(ino) : index_.get(ino);
    Status refused = rec.is_ok() ? Status::ok() : rec.status();
    if (rec.is_ok() && rec->is_dir()) {
      refused = Status::error(ErrorKind::kIsDirectory, "open " + ino_text(ino));
    }
    if (!refused.is_ok()) {
      if (first && rec.is_ok()) (void)index_.drop_open(ino);
      std::lock_guard lock(mu_);
      forget_handle_count(ino);
      return refused;
    }
    const bool own_upload = remote_is_own_upload(*rec);
    std::lock_guard lock(mu_);
    return std::pair{*rec, register_handle(*rec, flags, own_upload)};
  }();
  if (!opened) return std::move(opened).take_status();
  auto& [rec, reply] = *opened;
  if ((flags & O_TRUNC) != 0 && wants_write(flags) && rec.size != 0) {
    Status truncated = truncate_file(ino, 0);
    if (truncated.is_ok()) truncated = mark_written(ino, reply.handle);
    if (!truncated.is_ok()) {
      (void)release(ino, reply.handle);
      return truncated;
    }
    reply.keep_cache = false;
  }
  return reply;
}

// mu_ held.
OpenReply CacheVfs::register_handle(const index::InodeRecord& rec, int flags, bool own_upload) {
  OpenStamp stamp{rec.mtime_ns, rec.size, rec.remote ? rec.remote->etag : "", rec.generation};
  OpenReply reply;
  auto previous = open_stamps_.find(rec.ino);
  if (previous != open_stamps_.end()) {
    const OpenStamp& was = previous->second;
    reply.keep_cache = was.mtime_ns == stamp.mtime_ns && was.size == stamp.size &&
                       was.generation == stamp.generation && (was.etag == stamp.etag || own_upload);
  }
  open_stamps_[rec.ino] = std::move(stamp);
  reply.handle = next_handle_++;
  reply.generation = rec.generation;
  files_[reply.handle] = OpenFile{.ino = rec.ino,
                                  .writable = wants_write(flags),
                                  .etag = rec.remote ? rec.remote->etag : std::string()};
  return reply;
}

// An upload of bytes written here gives the file a new ETag but leaves the kernel's pages
// right; the versions table tells that apart from another client's change.
bool CacheVfs::remote_is_own_upload(const index::InodeRecord& rec) {
  if (!rec.remote) return false;
  {
    std::lock_guard lock(mu_);
    auto it = open_stamps_.find(rec.ino);
    if (it == open_stamps_.end() || it->second.etag == rec.remote->etag ||
        it->second.mtime_ns != rec.mtime_ns || it->second.size != rec.size) {
      return false;
    }
  }
  auto own = index_.uploaded_here(rec.ino, rec.remote->etag, rec.size, rec.mtime_ns);
  return own.is_ok() && *own;
}

void CacheVfs::restamp(Ino ino, int64_t mtime_ns, uint64_t size) {
  std::lock_guard lock(mu_);
  auto it = open_stamps_.find(ino);
  if (it == open_stamps_.end()) return;
  it->second.mtime_ns = mtime_ns;
  it->second.size = size;
}

// mu_ held. Returns whether that was the inode's last handle.
bool CacheVfs::forget_handle_count(Ino ino) {
  auto it = open_handles_.find(ino);
  if (it == open_handles_.end()) return false;  // a handle from before recover()
  if (--it->second > 0) return false;
  open_handles_.erase(it);
  return true;
}

Result<size_t> CacheVfs::write(Ino ino, Handle handle, uint64_t offset,
                               std::span<const char> data) {
  AUTOSYNC_RETURN_IF_ERROR(check_writable("write " + ino_text(ino)));
  bool first_write = false;  // through this handle since it was opened or last journaled
  {
    std::lock_guard lock(mu_);
    auto it = files_.find(handle);
    if (it == files_.end() || !it->second.writable) {
      return Status::error(ErrorKind::kNotPermitted,
                           "write " + ino_text(ino) + ": not open for writing");
    }
    first_write = !it->second.dirty;
  }
  if (data.empty()) return size_t{0};
  auto guard = inode_locks_.lock(ino);
  if (first_write) AUTOSYNC_RETURN_IF_ERROR(mark_dirty_before_write(ino));
  budget_.make_room(ino, data.size());  // at most this much is new to the cache
  AUTOSYNC_RETURN_IF_ERROR(store_bytes(ino, offset, data));
  const int64_t now = now_ns();
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index_.write());
  AUTOSYNC_ASSIGN_OR_RETURN(auto written, txn.record_write(ino, offset, offset + data.size(), now));
  AUTOSYNC_RETURN_IF_ERROR(txn.commit());
  budget_.added(static_cast<int64_t>(written.newly_cached));
  (void)index_.touch(ino, now);  // written data is recently used data (an eviction hint)
  restamp(ino, written.inode.mtime_ns, written.inode.size);
  std::lock_guard lock(mu_);
  if (auto it = files_.find(handle); it != files_.end()) it->second.dirty = true;
  return data.size();
}

// The index must call a file dirty before its cache file changes: a mount killed between
// the bytes and the index's record of them would otherwise leave bytes that no journal row
// and no recovery knows of, a cache that differs from the store for good. One read per
// handle and journal row; a write transaction only when the file was clean.
Status CacheVfs::mark_dirty_before_write(Ino ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(const auto rec, index_.get(ino));
  if (rec.local_gen > rec.synced_gen) return Status::ok();
  return index_.bump_local_gen(ino).status();
}

// A full disk first costs clean cached files (whatever the limit), then the writer gets
// kNoSpace (ENOSPC). Nothing recorded changes on failure: the ranges, size and generation
// are only updated after the bytes are stored.
Status CacheVfs::store_bytes(Ino ino, uint64_t offset, std::span<const char> data) {
  Status stored = content_.write(ino, offset, data);
  if (stored.is(ErrorKind::kNoSpace) && budget_.free_disk(ino, data.size())) {
    stored = content_.write(ino, offset, data);
  }
  return stored;
}

// Records a change to the file's data: the handle that made it uploads at its release; a
// change made without a handle (truncate(2)) is journaled now unless a writer has it open.
Status CacheVfs::mark_written(Ino ino, std::optional<Handle> handle) {
  {
    std::lock_guard lock(mu_);
    if (handle) {
      auto it = files_.find(*handle);
      if (it != files_.end() && it->second.ino == ino) {
        it->second.dirty = true;
        if (it->second.writable) return Status::ok();
      }
    }
    for (auto& [h, file] : files_) {
      if (file.ino == ino && file.writable) {
        file.dirty = true;
        return Status::ok();
      }
    }
  }
  return journal_upload(ino, Durability::kConnectionDefault).status();
}

bool CacheVfs::has_writer(Ino ino) const {
  std::lock_guard lock(mu_);
  for (const auto& [h, file] : files_) {
    if (file.ino == ino && file.writable) return true;
  }
  return false;
}

Status CacheVfs::flush(Ino ino, Handle handle) {
  std::lock_guard lock(mu_);
  if (!files_.contains(handle)) return invalid("flush " + ino_text(ino) + ": no such handle");
  return Status::ok();  // uploads wait for the last release (or fsync)
}

Status CacheVfs::fsync(Ino ino, Handle handle, bool /*data_only*/) {
  AUTOSYNC_RETURN_IF_ERROR(content_.sync(ino));
  bool dirty = false;
  {
    std::lock_guard lock(mu_);
    auto it = files_.find(handle);
    if (it != files_.end()) dirty = std::exchange(it->second.dirty, false);
  }
  if (dirty) {
    AUTOSYNC_ASSIGN_OR_RETURN(const int64_t seq, journal_upload(ino, Durability::kSynced));
    if (options_.fsync_waits_for_upload && seq != 0) return wait_for_upload(seq);
    return Status::ok();
  }
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index_.write(Durability::kSynced));  // the WAL to disk
  return txn.commit();
}

// The last release of an inode folds the index's open count into the journal row's
// transaction (or commits it alone when there is nothing to upload); other releases touch
// no table. The inode is purged only when it has no name left.
Status CacheVfs::release(Ino ino, Handle handle) {
  bool journal = false;
  {
    std::lock_guard lock(mu_);
    auto it = files_.find(handle);
    if (it == files_.end()) return invalid("release " + ino_text(ino) + ": no such handle");
    const bool dirty = it->second.dirty;
    files_.erase(it);
    journal = dirty;
    for (auto& [h, file] : files_) {
      if (dirty && file.ino == ino && file.writable) {  // the last writer journals it
        file.dirty = true;
        journal = false;
        break;
      }
    }
  }
  Status journaled;
  bool last = false;
  std::optional<index::InodeRecord> after;
  {
    auto guard = inode_locks_.lock(ino);
    {
      std::lock_guard lock(mu_);
      last = forget_handle_count(ino);
    }
    if (journal) {
      auto done = journal_upload_locked(ino, Durability::kConnectionDefault, last);
      if (done.is_ok()) after = std::move(done->inode);
      journaled = done.status();
    }
    if (last && !after) {  // nothing journaled, or the journal failed: the count alone
      auto dropped = index_.drop_open(ino);
      if (!dropped) return journaled.is_ok() ? dropped.status() : journaled;
      after = std::move(*dropped);
    }
  }
  if (last && after && after->nlink == 0) purge_if_unused(ino);
  if (last) {
    relist_after_refused_read(ino);
    renew_if_changed_while_open(ino);
  }
  return journaled;
}

Result<int64_t> CacheVfs::journal_upload(Ino ino, Durability durability) {
  auto guard = inode_locks_.lock(ino);
  AUTOSYNC_ASSIGN_OR_RETURN(auto done, journal_upload_locked(ino, durability, false));
  return done.seq;
}

// An upload needs every byte local: the parts still only on the store are fetched first.
Result<CacheVfs::Journaled> CacheVfs::journal_upload_locked(Ino ino, Durability durability,
                                                            bool drop_open) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto before, index_.get(ino));
  if (before.nlink == 0 || before.kind == index::InodeKind::kSpecial) {
    if (!drop_open) return Journaled{.seq = 0, .inode = std::move(before)};
    AUTOSYNC_ASSIGN_OR_RETURN(auto dropped, index_.drop_open(ino));
    return Journaled{.seq = 0, .inode = std::move(dropped)};
  }
  AUTOSYNC_RETURN_IF_ERROR(ensure_cached(before, 0, before.size));
  if (before.kind == index::InodeKind::kFile) {
    // syncd uploads the content file's first `size` bytes: it must exist and be that long
    // (a file never written has none; a hole at the end reads as zeros either way).
    AUTOSYNC_RETURN_IF_ERROR(content_.truncate(ino, before.size));
  }
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index_.write(durability));
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, drop_open ? txn.drop_open(ino) : txn.get(ino));
  AUTOSYNC_ASSIGN_OR_RETURN(auto path, txn.path_of(ino));
  index::JournalEntry row;
  row.op = index::JournalOp::kUpload;
  row.ino = ino;
  row.key = path;
  row.gen = rec.local_gen;
  row.base_etag = rec.remote ? rec.remote->etag : "";
  AUTOSYNC_ASSIGN_OR_RETURN(const int64_t seq, txn.enqueue(row));
  AUTOSYNC_RETURN_IF_ERROR(commit_and_ring(txn));
  return Journaled{.seq = seq, .inode = std::move(rec)};
}

Status CacheVfs::wait_for_upload(int64_t seq) {
  constexpr auto kPoll = std::chrono::milliseconds(20);
  while (true) {
    auto row = index_.journal_entry(seq);
    if (!row) return row.status().is(ErrorKind::kNotFound) ? Status::ok() : row.status();
    if (row->state == index::JournalState::kFailed) {
      return io_error("upload " + row->key + " failed: " + row->last_error);
    }
    std::this_thread::sleep_for(kPoll);
  }
}

Status CacheVfs::commit_and_ring(index::WriteTxn& txn) {
  AUTOSYNC_RETURN_IF_ERROR(txn.commit());
  notifier_.journal_ready();
  return Status::ok();
}

}  // namespace autosync::vfs
