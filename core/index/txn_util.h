// Internal helpers shared by the ReadTxn/WriteTxn implementation files: reading an inode
// row, binding names as BLOBs, validating names, formatting messages. Not part of the API.
// Threading: stateless; used on the thread that owns the transaction.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/db/database.h"
#include "core/db/statement.h"
#include "core/index/records.h"

namespace autosync::index::detail {

// The inodes columns in the order read_inode() expects. A macro so SQL strings can be
// concatenated at compile time and stay cacheable constants.
#define AUTOSYNC_INODE_COLUMNS                                                            \
  "ino, kind, mode, uid, gid, size, atime_ns, mtime_ns, ctime_ns, rdev, symlink_target, " \
  "nlink, generation, local_gen, synced_gen, remote_key, remote_etag, remote_version, "   \
  "remote_size, remote_mtime_ns, pinned, open_count, last_access_ns, cached_bytes"

// Reads an inode from the current row, whose columns are AUTOSYNC_INODE_COLUMNS.
Result<InodeRecord> read_inode(const db::Statement& stmt);

// The inode `ino`, or kNotFound naming `what` ("create 12/a.txt").
Result<InodeRecord> load_inode(db::Database& db, Ino ino, std::string_view what);

// The inode named (parent, name), if any. Does not check the parent.
Result<std::optional<InodeRecord>> load_child(db::Database& db, Ino parent, std::string_view name);

// The directory `ino`: kNotFound if missing or removed (rmdir'ed but still open),
// kNotDirectory if not a directory.
Result<InodeRecord> load_dir(db::Database& db, Ino ino, std::string_view what);

// A name as a BLOB parameter (names are bytes, compared bytewise).
inline db::Blob name_blob(std::string_view name) {
  return db::Blob{std::as_bytes(std::span(name.data(), name.size()))};
}
inline std::string blob_string(std::span<const std::byte> bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// A valid directory entry name: 1..255 bytes, no '/' or NUL, not "." or "..".
Status check_name(std::string_view name, std::string_view what);

// "op <parent>/<name>" for messages.
std::string describe(std::string_view op, Ino parent, std::string_view name);

// Writes every mutable column of `rec` back to its row (the one place that UPDATEs a whole
// inode, so the column order lives next to read_inode()). A new remote version (key or etag)
// also moves listed_epoch up to `now_ns`: a listing pass begun before it cannot tell that
// the key is gone (unseen_children).
Status store_inode(db::Database& db, const InodeRecord& rec, int64_t now_ns);

}  // namespace autosync::index::detail
