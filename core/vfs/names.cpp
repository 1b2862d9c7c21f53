// CacheVfs: names — lookup, mkdir, mknod, symlink, unlink, rmdir, rename.
#include <sys/stat.h>

#include "core/vfs/cache_vfs.h"

namespace autosync::vfs {

namespace {

using index::InodeKind;
using index::JournalEntry;
using index::JournalOp;

index::NewInode node_spec(const Caller& who, mode_t type, mode_t mode) {
  index::NewInode spec;
  spec.mode = type | (mode & ~who.umask & 07777);
  spec.uid = who.uid;
  spec.gid = who.gid;
  return spec;
}

JournalEntry journal_row(JournalOp op, Ino ino, std::string key, uint64_t gen) {
  JournalEntry row;
  row.op = op;
  row.ino = ino;
  row.key = std::move(key);
  row.gen = gen;
  return row;
}

std::string quoted(std::string_view name) {
  return "'" + std::string(name) + "'";
}

}  // namespace

Result<Entry> CacheVfs::lookup(const Caller& /*who*/, Ino parent, std::string_view name) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto found, lookup_listed(parent, name));
  if (!found) return not_found("lookup " + quoted(name) + ": no such file or directory");
  return hand_out(*found);
}

// The common case, a directory listed lately, takes one snapshot (every LOOKUP the kernel
// sends comes here).
Result<std::optional<index::InodeRecord>> CacheVfs::lookup_listed(Ino parent,
                                                                  std::string_view name) {
  {
    AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index_.read());
    AUTOSYNC_ASSIGN_OR_RETURN(bool fresh, listing_fresh(txn, parent));
    if (fresh) return txn.lookup(parent, name);
  }
  AUTOSYNC_RETURN_IF_ERROR(ensure_listed(parent));
  return index_.lookup(parent, name);
}

// Creates the inode and, for what the store must see, its journal row in one transaction.
Result<index::InodeRecord> CacheVfs::create_node(const Caller& /*who*/, Ino parent,
                                                 std::string_view name, const index::NewInode& spec,
                                                 Creation creation) {
  AUTOSYNC_RETURN_IF_ERROR(check_writable("create " + quoted(name)));
  AUTOSYNC_RETURN_IF_ERROR(ensure_listed(parent));  // a name only the store has is taken too
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index_.write());
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, txn.create(parent, name, spec));
  if (creation == Creation::kOpened) {
    AUTOSYNC_ASSIGN_OR_RETURN(rec, txn.add_open(rec.ino));
  }
  if (rec.kind == InodeKind::kSpecial) {  // fifos, sockets, devices live only here
    AUTOSYNC_RETURN_IF_ERROR(txn.commit());
    return rec;
  }
  AUTOSYNC_ASSIGN_OR_RETURN(rec.local_gen, txn.bump_local_gen(rec.ino));
  AUTOSYNC_ASSIGN_OR_RETURN(auto path, txn.path_of(rec.ino));
  if (rec.is_dir()) {
    // A new directory has nothing on the store to list.
    AUTOSYNC_RETURN_IF_ERROR(txn.set_listed(rec.ino, now_ns(), true));
    AUTOSYNC_RETURN_IF_ERROR(
        txn.enqueue(journal_row(JournalOp::kMkdirMarker, rec.ino, path, rec.local_gen)).status());
  } else if (creation == Creation::kJournaled) {
    AUTOSYNC_RETURN_IF_ERROR(
        txn.enqueue(journal_row(JournalOp::kUpload, rec.ino, path, rec.local_gen)).status());
  } else {  // a file being created: its upload is journaled at its last release
    AUTOSYNC_RETURN_IF_ERROR(txn.commit());
    return rec;
  }
  AUTOSYNC_RETURN_IF_ERROR(commit_and_ring(txn));
  return rec;
}

Result<Entry> CacheVfs::mkdir(const Caller& who, Ino parent, std::string_view name, mode_t mode) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, create_node(who, parent, name, node_spec(who, S_IFDIR, mode),
                                                  Creation::kJournaled));
  return hand_out(rec);
}

Result<Entry> CacheVfs::mknod(const Caller& who, Ino parent, std::string_view name, mode_t mode,
                              dev_t rdev) {
  const mode_t type = mode & S_IFMT;
  if (type != S_IFREG && type != S_IFIFO && type != S_IFSOCK && type != S_IFCHR &&
      type != S_IFBLK) {
    return invalid("mknod " + quoted(name) + ": unsupported file type");
  }
  auto spec = node_spec(who, type, mode);
  spec.rdev = rdev;
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, create_node(who, parent, name, spec, Creation::kJournaled));
  return hand_out(rec);
}

Result<Entry> CacheVfs::symlink(const Caller& who, std::string_view target, Ino parent,
                                std::string_view name) {
  auto spec = node_spec(who, S_IFLNK, 0777);
  spec.mode = S_IFLNK | 0777;  // a link's own permissions are not used
  spec.symlink_target = std::string(target);
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, create_node(who, parent, name, spec, Creation::kJournaled));
  return hand_out(rec);
}

Status CacheVfs::unlink(const Caller& /*who*/, Ino parent, std::string_view name) {
  AUTOSYNC_RETURN_IF_ERROR(check_writable("unlink " + quoted(name)));
  AUTOSYNC_RETURN_IF_ERROR(ensure_listed(parent));
  Ino ino = 0;
  {  // the transaction ends before purge_if_unused takes a connection of its own
    AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index_.write());
    AUTOSYNC_ASSIGN_OR_RETURN(auto rec, txn.unlink(parent, name));
    ino = rec.ino;
    std::optional<std::string> gone_key;
    if (rec.remote && rec.nlink == 0) {
      auto row = journal_row(JournalOp::kDelete, rec.ino, rec.remote->key, rec.local_gen);
      row.base_etag = rec.remote->etag;
      AUTOSYNC_RETURN_IF_ERROR(txn.enqueue(row).status());
      gone_key = rec.remote->key;
    }
    AUTOSYNC_RETURN_IF_ERROR(commit_and_ring(txn));
    if (gone_key) add_tombstone(*gone_key);
  }
  purge_if_unused(ino);
  return Status::ok();
}

Status CacheVfs::rmdir(const Caller& /*who*/, Ino parent, std::string_view name) {
  AUTOSYNC_RETURN_IF_ERROR(check_writable("rmdir " + quoted(name)));
  AUTOSYNC_RETURN_IF_ERROR(ensure_listed(parent));
  AUTOSYNC_ASSIGN_OR_RETURN(auto child, index_.lookup(parent, name));
  if (!child) return not_found("rmdir " + quoted(name) + ": no such directory");
  if (child->is_dir()) {
    AUTOSYNC_RETURN_IF_ERROR(ensure_listed(child->ino));  // children only the store has count
  }
  {  // the transaction ends before purge_if_unused takes a connection of its own
    AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index_.write());
    AUTOSYNC_ASSIGN_OR_RETURN(auto path, txn.path_of(child->ino));
    AUTOSYNC_ASSIGN_OR_RETURN(auto rec, txn.rmdir(parent, name));
    AUTOSYNC_RETURN_IF_ERROR(
        txn.enqueue(journal_row(JournalOp::kRmdirMarker, rec.ino, path, rec.local_gen)).status());
    AUTOSYNC_RETURN_IF_ERROR(commit_and_ring(txn));
    add_tombstone(path + "/");
  }
  purge_if_unused(child->ino);
  return Status::ok();
}

Status CacheVfs::rename(const Caller& /*who*/, Ino parent, std::string_view name, Ino new_parent,
                        std::string_view new_name, RenameFlags flags) {
  AUTOSYNC_RETURN_IF_ERROR(check_writable("rename " + quoted(name)));
  if ((flags & index::kRenameExchange) != 0) {
    return unsupported("rename " + quoted(name) + ": RENAME_EXCHANGE is not supported");
  }
  AUTOSYNC_RETURN_IF_ERROR(ensure_listed(parent));
  AUTOSYNC_RETURN_IF_ERROR(ensure_listed(new_parent));
  std::optional<Ino> replaced;
  {  // the transaction ends before purge_if_unused takes a connection of its own
    AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index_.write());
    AUTOSYNC_ASSIGN_OR_RETURN(auto source, txn.lookup(parent, name));
    if (!source) return not_found("rename " + quoted(name) + ": no such file or directory");
    AUTOSYNC_ASSIGN_OR_RETURN(auto old_path, txn.path_of(source->ino));
    AUTOSYNC_ASSIGN_OR_RETURN(auto outcome, txn.rename(parent, name, new_parent, new_name, flags));
    AUTOSYNC_ASSIGN_OR_RETURN(auto new_path, txn.path_of(outcome.moved));
    std::vector<std::string> gone_keys;
    AUTOSYNC_RETURN_IF_ERROR(journal_rename(txn, outcome, old_path, new_path, gone_keys));
    AUTOSYNC_RETURN_IF_ERROR(commit_and_ring(txn));
    for (auto& key : gone_keys)
      add_tombstone(std::move(key));
    if (outcome.replaced) replaced = outcome.replaced->ino;
  }
  if (replaced) purge_if_unused(*replaced);
  return Status::ok();
}

// Journals what the store must do for a rename: directories move by prefix, files with a
// remote copy move, files never uploaded upload under the new name (merging into their
// pending upload), and a replaced target's object goes if the move does not overwrite it.
Status CacheVfs::journal_rename(index::WriteTxn& txn, const index::RenameOutcome& outcome,
                                const std::string& old_path, const std::string& new_path,
                                std::vector<std::string>& gone_keys) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, txn.get(outcome.moved));
  if (rec.is_dir()) {
    auto row = journal_row(JournalOp::kMove, rec.ino, new_path + "/", rec.local_gen);
    row.src_key = old_path + "/";
    AUTOSYNC_RETURN_IF_ERROR(txn.enqueue(row).status());
    gone_keys.push_back(row.src_key);
  } else if (rec.remote) {
    auto row = journal_row(JournalOp::kMove, rec.ino, new_path, rec.local_gen);
    row.src_key = rec.remote->key;
    row.base_etag = rec.remote->etag;
    AUTOSYNC_RETURN_IF_ERROR(txn.enqueue(row).status());
    gone_keys.push_back(row.src_key);
  } else if (rec.kind != InodeKind::kSpecial && !has_writer(rec.ino)) {
    auto row = journal_row(JournalOp::kUpload, rec.ino, new_path, rec.local_gen);
    // Renamed over a stored file (an editor's save: write a temporary, rename it over): the
    // upload replaces that object, the version this client knows, so it is no conflict.
    const auto& target = outcome.replaced;
    if (target && target->remote && target->remote->key == new_path) {
      row.base_etag = target->remote->etag;
    }
    AUTOSYNC_RETURN_IF_ERROR(txn.enqueue(row).status());
  }
  const auto& replaced = outcome.replaced;
  if (replaced && replaced->nlink == 0 && replaced->remote && replaced->remote->key != new_path) {
    auto row =
        journal_row(JournalOp::kDelete, replaced->ino, replaced->remote->key, replaced->local_gen);
    row.base_etag = replaced->remote->etag;
    AUTOSYNC_RETURN_IF_ERROR(txn.enqueue(row).status());
    gone_keys.push_back(row.key);
  }
  return Status::ok();
}

// Best effort: an inode left behind is found again by Index::unlinked_inodes() (recover()).
// The index refuses while it has a name or an open handle; the kernel's references are
// checked here.
void CacheVfs::purge_if_unused(Ino ino) {
  {
    std::lock_guard lock(mu_);
    if (lookups_.contains(ino)) return;
  }
  auto purged = index_.purge(ino);
  if (!purged.is_ok() || !*purged) return;
  (void)content_.remove(ino);
  std::lock_guard lock(mu_);
  open_stamps_.erase(ino);
}

}  // namespace autosync::vfs
