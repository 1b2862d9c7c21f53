// The value types the cache index reads and writes: inodes, directory entries, remote
// versions, journal rows. Plain structs, copied freely; no behaviour beyond small helpers.
// Times are nanoseconds since the Unix epoch; sizes and offsets are bytes.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace autosync::index {

using Ino = uint64_t;
inline constexpr Ino kRootIno = 1;  // created by the schema migration
inline constexpr size_t kMaxNameBytes = 255;

// What an inode is; always agrees with the S_IFMT bits of its mode (both are set together
// at create and the type bits never change).
enum class InodeKind : int {
  kFile = 1,       // S_IFREG
  kDirectory = 2,  // S_IFDIR
  kSymlink = 3,    // S_IFLNK
  kSpecial = 4,    // fifo, socket, character or block device (local only)
};

// Where the inode's data sits on the store and which version of it (see inodes.remote_*).
struct RemoteVersion {
  std::string key;  // the object key the data lives under
  std::string etag;
  std::string version;  // the store's version id, when versioning is on; else empty
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const RemoteVersion&) const = default;
};

// One row of `inodes`. Field meanings are documented with the schema (schema.h).
struct InodeRecord {
  Ino ino = 0;
  InodeKind kind = InodeKind::kFile;
  mode_t mode = 0;  // type and permission bits, as st_mode
  uid_t uid = 0;
  gid_t gid = 0;
  uint64_t size = 0;
  int64_t atime_ns = 0, mtime_ns = 0, ctime_ns = 0;
  dev_t rdev = 0;
  std::string symlink_target;
  uint32_t nlink = 0;
  uint64_t generation = 0;
  uint64_t local_gen = 0;               // bumped by every change the store must see
  uint64_t synced_gen = 0;              // the local_gen whose data/metadata is on the store
  std::optional<RemoteVersion> remote;  // absent until the inode has been on the store
  bool pinned = false;
  uint32_t open_count = 0;
  int64_t last_access_ns = 0;
  uint64_t cached_bytes = 0;

  bool dirty() const { return local_gen != synced_gen; }
  bool is_dir() const { return kind == InodeKind::kDirectory; }
  bool operator==(const InodeRecord&) const = default;
};

// What create() needs; the index fills in the rest (ino, nlink, times, generations).
struct NewInode {
  mode_t mode = 0;  // must include the type bits (S_IFREG, S_IFDIR, S_IFLNK, ...)
  uid_t uid = 0;
  gid_t gid = 0;
  dev_t rdev = 0;
  uint64_t size = 0;
  std::string symlink_target;           // symlinks only; its length becomes the size
  std::optional<int64_t> mtime_ns;      // from the store when mirroring a remote object
  std::optional<RemoteVersion> remote;  // set when the inode mirrors an existing object
};

// set_attrs(): only the fields that are set change.
struct AttrChanges {
  std::optional<mode_t> mode;  // permission bits; the type bits are kept
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::optional<uint64_t> size;  // files only
  std::optional<int64_t> atime_ns, mtime_ns;
  std::optional<int64_t> ctime_ns;  // default: now, whenever anything changes
  std::optional<bool> pinned;       // does not touch ctime (a cache setting, not metadata)
};

struct DirEntryRecord {
  std::string name;
  Ino ino = 0;
  mode_t mode = 0;
  bool operator==(const DirEntryRecord&) const = default;
};

struct DirListing {
  int64_t listed_at_ns = 0;
  bool complete = false;  // every child on the store is in dentries
};

// rename(2) flags, as the kernel passes them.
inline constexpr unsigned int kRenameNoReplace = 1;  // RENAME_NOREPLACE
inline constexpr unsigned int kRenameExchange = 2;   // RENAME_EXCHANGE

struct RenameOutcome {
  Ino moved = 0;
  std::optional<InodeRecord> replaced;  // a target that lost its name (as it is after)
  std::optional<Ino> exchanged;         // with RENAME_EXCHANGE: the target's inode
};

// Journal operations (journal.op). Stored as these integers.
enum class JournalOp : int {
  kUpload = 1,       // put the inode's data at key (conditional on base_etag)
  kDelete = 2,       // delete key
  kMove = 3,         // copy src_key -> key, then delete src_key
  kMkdirMarker = 4,  // put the empty "key/" directory marker
  kRmdirMarker = 5,  // delete the "key/" marker
  kSetMeta = 6,      // metadata-only change: copy key onto itself with new metadata
};

// Journal states (journal.state). A finished row is deleted, so there is no "done" state:
// the table holds only work still to do (or that failed for good), and stays small.
enum class JournalState : int {
  kPending = 0,  // waiting for a worker (from not_before_ns on)
  kRunning = 1,  // claimed by claimed_by at claimed_at_ns
  kFailed = 2,   // permanent failure; kept for the user to see (last_error)
};

struct JournalEntry {
  int64_t seq = 0;  // assigned by enqueue
  JournalOp op = JournalOp::kUpload;
  Ino ino = 0;
  std::string key;
  std::string src_key;    // kMove only
  uint64_t gen = 0;       // the inode's local_gen this work brings to the store
  std::string base_etag;  // the remote ETag the local change was based on ("" = new)
  JournalState state = JournalState::kPending;
  uint32_t attempts = 0;
  int64_t not_before_ns = 0;
  std::string claimed_by;
  int64_t claimed_at_ns = 0;
  std::string last_error;
  int64_t created_ns = 0;
};

struct PendingStats {
  uint64_t count = 0;  // pending or running rows
  uint64_t bytes = 0;  // sum of the inode sizes of those that are uploads
  uint64_t failed = 0;
};

// What autosyncctl status shows of the cache (ReadTxn::cache_counts).
struct CacheCounts {
  uint64_t files = 0;         // linked regular files
  uint64_t dirty = 0;         // linked inodes whose changes are not on the store yet
  uint64_t pinned = 0;        // pinned files
  uint64_t cached_bytes = 0;  // sum of cached_bytes
  std::string last_error;     // the newest journal row's last_error, "" when none
};

struct EvictionCandidate {
  Ino ino = 0;
  uint64_t cached_bytes = 0;
  int64_t last_access_ns = 0;
};

}  // namespace autosync::index
