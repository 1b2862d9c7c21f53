#include "syncd/conflict_apply.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include "syncd/conflict_policy.h"

namespace autosync::syncd {
namespace {

events::Event entry_event(index::Ino parent, std::string_view name, std::string_view key) {
  events::Event e;
  e.kind = events::EventKind::kInvalidateEntry;
  e.parent = parent;
  e.name = std::string(name);
  e.path = std::string(key);
  return e;
}

// The name `ino` has now (its first, for a file with several), for the kernel to look up
// again; none for an inode with no name.
Status invalidate_name(index::WriteTxn& txn, std::vector<events::Event>& out, index::Ino ino) {
  auto path = txn.path_of(ino);
  if (!path.is_ok()) {
    return path.status().is(ErrorKind::kNotFound) ? Status::ok() : path.status();
  }
  const auto [dir_path, name] = split_key(*path);
  AUTOSYNC_ASSIGN_OR_RETURN(auto dir, txn.dir_at(dir_path));
  if (dir) out.push_back(entry_event(*dir, name, *path));
  return Status::ok();
}

Status changed_meanwhile(std::string_view key, std::string_view what) {
  return transient(
      fmt::format("conflict on {}: {} while it was resolved; trying again", key, what));
}

// An inode at the copy's name that a listing made from our own upload of the copy (clean,
// that very object, not open) goes, so the local inode can take the name.
Status drop_echo_of_copy(index::WriteTxn& txn, index::Ino dir, std::string_view copy_name,
                         const KeepBoth& plan) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto at_copy, txn.lookup(dir, copy_name));
  if (!at_copy || at_copy->ino == plan.ino) return Status::ok();
  const auto& remote = at_copy->remote;
  const bool echo = !at_copy->dirty() && at_copy->open_count == 0 && remote &&
                    remote->key == plan.copy_key && remote->etag == plan.copy_etag;
  if (!echo) return Status::ok();  // someone's file: the rename below reports the clash
  return txn.unlink(dir, copy_name).status();
}

// Keep-both's names: the local inode leaves `name` for `copy_name` (if it still has it),
// and a free `name` gets their version.
Status move_names(index::WriteTxn& txn, std::vector<events::Event>& out, const KeepBoth& plan) {
  const auto [dir_path, name] = split_key(plan.key);
  const auto copy_name = split_key(plan.copy_key).second;
  AUTOSYNC_ASSIGN_OR_RETURN(auto dir, txn.dir_at(dir_path));
  if (!dir) return Status::ok();  // the directory went: the copy keeps its local name
  AUTOSYNC_ASSIGN_OR_RETURN(auto at_name, txn.lookup(*dir, name));
  if (at_name && at_name->ino == plan.ino) {
    AUTOSYNC_RETURN_IF_ERROR(drop_echo_of_copy(txn, *dir, copy_name, plan));
    auto renamed = txn.rename(*dir, name, *dir, copy_name, index::kRenameNoReplace);
    if (!renamed.is_ok()) {
      if (renamed.status().is(ErrorKind::kAlreadyExists)) {
        return changed_meanwhile(plan.key, "the conflict copy's name was taken here");
      }
      return std::move(renamed).take_status();
    }
    out.push_back(entry_event(*dir, copy_name, plan.copy_key));
    at_name.reset();
  }
  if (at_name) return Status::ok();  // another local file has the name: it meets theirs later
  AUTOSYNC_RETURN_IF_ERROR(txn.create(*dir, name, plan.theirs).status());
  out.push_back(entry_event(*dir, name, plan.key));
  return Status::ok();
}

}  // namespace

index::NewInode inode_for(const std::string& key, const TheirVersion& theirs) {
  index::NewInode spec;
  spec.mode = theirs.meta.mode;
  if (S_ISLNK(spec.mode) && !theirs.symlink_target.empty()) {
    spec.symlink_target = theirs.symlink_target;
  } else if (!S_ISREG(spec.mode)) {
    spec.mode = S_IFREG | (spec.mode & 07777);
  }
  spec.uid = theirs.meta.uid;
  spec.gid = theirs.meta.gid;
  spec.size = theirs.info.size;
  spec.mtime_ns = theirs.meta.mtime_ns;
  spec.remote = index::RemoteVersion{.key = key,
                                     .etag = theirs.info.etag,
                                     .version = theirs.info.version_id,
                                     .size = theirs.info.size,
                                     .mtime_ns = theirs.meta.mtime_ns};
  return spec;
}

FollowUp::Step keep_both_step(KeepBoth plan) {
  return [plan = std::move(plan)](index::WriteTxn& txn, std::vector<events::Event>& out) {
    AUTOSYNC_ASSIGN_OR_RETURN(auto inode, txn.get(plan.ino));
    if (inode.nlink > 0) AUTOSYNC_RETURN_IF_ERROR(move_names(txn, out, plan));
    // (An inode unlinked meanwhile: the pool journals the delete of its copy.)
    return txn.retarget_rows(plan.ino, plan.key, plan.copy_key, plan.row_seq);
  };
}

FollowUp::Step remote_wins_step(index::Ino ino, uint64_t gen, int64_t row_seq,
                                index::NewInode theirs) {
  return [=, theirs = std::move(theirs)](index::WriteTxn& txn, std::vector<events::Event>& out) {
    const std::string& key = theirs.remote->key;
    AUTOSYNC_ASSIGN_OR_RETURN(auto inode, txn.get(ino));
    if (inode.local_gen != gen) return changed_meanwhile(key, "the file was written again");
    if (inode.open_count > 0) return changed_meanwhile(key, "the file was opened");
    AUTOSYNC_RETURN_IF_ERROR(txn.reset_to_remote(ino, theirs).status());
    AUTOSYNC_RETURN_IF_ERROR(txn.drop_pending_changes(ino, row_seq).status());
    // A kernel with the write-back cache never takes a cached file's size from us: its next
    // lookup must make a new kernel inode (nothing has this one open, checked above).
    AUTOSYNC_RETURN_IF_ERROR(txn.renew_kernel_inode(ino));
    events::Event e;
    e.kind = events::EventKind::kInvalidateInode;
    e.ino = ino;
    e.path = key;
    out.push_back(std::move(e));
    return invalidate_name(txn, out, ino);
  };
}

FollowUp::Step restore_step(std::string key, index::NewInode theirs,
                            std::shared_ptr<std::string> resolution) {
  return [key = std::move(key), theirs = std::move(theirs), resolution = std::move(resolution)](
             index::WriteTxn& txn, std::vector<events::Event>& out) -> Status {
    const auto [dir_path, name] = split_key(key);
    *resolution = "remote kept on the store; not in the mount (its directory is gone)";
    AUTOSYNC_ASSIGN_OR_RETURN(auto dir, txn.dir_at(dir_path));
    if (!dir) return Status::ok();
    AUTOSYNC_ASSIGN_OR_RETURN(auto at_name, txn.lookup(*dir, name));
    if (at_name) {
      *resolution = "remote kept on the store; the name is another local file's now";
      return Status::ok();
    }
    AUTOSYNC_RETURN_IF_ERROR(txn.create(*dir, name, theirs).status());
    out.push_back(entry_event(*dir, name, key));
    *resolution = "remote restored: a modification beats a deletion";
    return Status::ok();
  };
}

FollowUp::Step record_step(index::ConflictRecord record, std::shared_ptr<std::string> resolution) {
  return [record = std::move(record), resolution = std::move(resolution)](
             index::WriteTxn& txn, std::vector<events::Event>& out) mutable {
    if (resolution) record.resolution = *resolution;
    AUTOSYNC_RETURN_IF_ERROR(txn.add_conflict(record).status());
    events::Event e;
    e.kind = events::EventKind::kConflict;
    e.path = record.path;
    e.detail = record.resolution;
    e.time_ns = record.time_ns;
    out.push_back(std::move(e));
    return Status::ok();
  };
}

FollowUp::Step version_step(index::VersionRecord version) {
  return [version = std::move(version)](index::WriteTxn& txn, std::vector<events::Event>&) {
    return txn.add_version(version);
  };
}

}  // namespace autosync::syncd
