// The cache index schema (index.db), as migration steps for db::migrate().
//
// inodes — one row per file, directory, symlink or special file; ino is the FUSE inode
//   number (AUTOINCREMENT: numbers are never reused within one index.db, so generation
//   stays 0; it is there for a rebuilt index to bump).
//     kind            InodeKind as an integer; agrees with mode's S_IFMT bits
//     mode,uid,gid    as st_mode/st_uid/st_gid
//     size            logical size in bytes (symlinks: target length)
//     atime_ns, mtime_ns, ctime_ns   nanoseconds since the epoch
//     rdev            device number for character/block devices, else 0
//     symlink_target  BLOB, NULL unless a symlink
//     nlink           dentries naming it (directories: 2 + subdirectories); 0 once
//                     unlinked: the row then waits for open_count==0 and purge()
//     local_gen       bumped by every change the store must see (data or metadata)
//     synced_gen      the local_gen that is on the store; dirty while they differ
//     remote_key/etag/version/size/mtime_ns   the object the data lives under, and the
//                     version the local data is based on (NULL: never on the store)
//     pinned          1 = never evict the cached bytes
//     open_count      open file handles (FUSE); kept in the index so another process and a
//                     restart see it; reset_open_counts() zeroes it when a mount starts
//     last_access_ns  for eviction (least recently used first)
//     cached_bytes    bytes of the file held by the content store (= sum of its ranges)
//     listed_epoch    (v2) when the index last knew its remote version current: the
//                     start (wall-clock ns) of the latest listing pass that saw it, or the
//                     time a new remote version was recorded (upload, move, listing);
//                     a pass marks what it sees, then drops the clean children below its
//                     own start that it did not see
//   Root is ino 1 (mode 040755, uid/gid 0; the mount sets its own).
// dentries(parent, name BLOB, ino) — names are bytes; index on ino for path_of().
// dir_state(ino, listed_at_ns, complete) — when a directory was last listed from the store.
// xattrs(ino, name TEXT, value BLOB).
// ranges(ino, start_off, end_off) — cached byte ranges [start_off, end_off), merged: no two
//   rows of one inode overlap or touch.
// journal(seq, op, ino, key, src_key, gen, base_etag, state, attempts, not_before_ns,
//   claimed_by, claimed_at_ns, last_error, created_ns) — JournalOp/JournalState integers;
//   no foreign key on ino: a delete outlives its inode. Finished rows are deleted.
// conflicts (v4) — one row per conflict met (ConflictRecord): path, the conflict copy's
//   path, kind (1 both edited, 2 local edit/remote delete, 3 local delete/remote edit),
//   both versions' etag/size/mtime/host, the policy applied, the resolution, when, and
//   whether it is settled (resolved; keep-both copies wait for the user).
// versions (v4) — the versions of each path this client has seen or uploaded (etag, store
//   version id, size, mtime, origin host); (path, etag) is unique.
// multipart_uploads (v5) — multipart uploads autosyncd started and has not completed or
//   aborted (MultipartRecord): upload id, key, the inode and generation uploaded, its size
//   and mtime then, the part size, when; multipart_parts(upload_id, number, etag, size) —
//   the parts the store holds (deleted with their upload).
// multipart_intents (v6) — a journal row's intent to create a multipart upload
//   (MultipartIntent): key, inode, generation, journal seq, when (before the store was
//   asked), and the upload id and time of the store's answer ('' and 0 until one arrived).
//
// Threading: constant data.
#pragma once

#include <span>

#include "core/db/migrate.h"

namespace autosync::index {

std::span<const db::Migration> schema_migrations();

}  // namespace autosync::index
