#include "core/index/schema.h"

namespace autosync::index {
namespace {

constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE inodes (
  ino INTEGER PRIMARY KEY AUTOINCREMENT,
  kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 4),
  mode INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  gid INTEGER NOT NULL,
  size INTEGER NOT NULL DEFAULT 0,
  atime_ns INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  ctime_ns INTEGER NOT NULL,
  rdev INTEGER NOT NULL DEFAULT 0,
  symlink_target BLOB,
  nlink INTEGER NOT NULL,
  generation INTEGER NOT NULL DEFAULT 0,
  local_gen INTEGER NOT NULL DEFAULT 0,
  synced_gen INTEGER NOT NULL DEFAULT 0,
  remote_key TEXT,
  remote_etag TEXT,
  remote_version TEXT,
  remote_size INTEGER,
  remote_mtime_ns INTEGER,
  pinned INTEGER NOT NULL DEFAULT 0,
  open_count INTEGER NOT NULL DEFAULT 0 CHECK (open_count >= 0),
  last_access_ns INTEGER NOT NULL DEFAULT 0,
  cached_bytes INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX inodes_by_access ON inodes(last_access_ns) WHERE cached_bytes > 0;
CREATE INDEX inodes_unlinked ON inodes(ino) WHERE nlink = 0;

CREATE TABLE dentries (
  parent INTEGER NOT NULL REFERENCES inodes(ino),
  name BLOB NOT NULL,
  ino INTEGER NOT NULL REFERENCES inodes(ino),
  PRIMARY KEY (parent, name)
) WITHOUT ROWID;
CREATE INDEX dentries_by_ino ON dentries(ino);

CREATE TABLE dir_state (
  ino INTEGER PRIMARY KEY REFERENCES inodes(ino) ON DELETE CASCADE,
  listed_at_ns INTEGER NOT NULL,
  complete INTEGER NOT NULL
);

CREATE TABLE xattrs (
  ino INTEGER NOT NULL REFERENCES inodes(ino) ON DELETE CASCADE,
  name TEXT NOT NULL,
  value BLOB NOT NULL,
  PRIMARY KEY (ino, name)
) WITHOUT ROWID;

CREATE TABLE ranges (
  ino INTEGER NOT NULL REFERENCES inodes(ino) ON DELETE CASCADE,
  start_off INTEGER NOT NULL,
  end_off INTEGER NOT NULL CHECK (end_off > start_off),
  PRIMARY KEY (ino, start_off)
) WITHOUT ROWID;

CREATE TABLE journal (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  op INTEGER NOT NULL CHECK (op BETWEEN 1 AND 6),
  ino INTEGER NOT NULL,
  key TEXT NOT NULL,
  src_key TEXT NOT NULL DEFAULT '',
  gen INTEGER NOT NULL DEFAULT 0,
  base_etag TEXT NOT NULL DEFAULT '',
  state INTEGER NOT NULL DEFAULT 0 CHECK (state BETWEEN 0 AND 2),
  attempts INTEGER NOT NULL DEFAULT 0,
  not_before_ns INTEGER NOT NULL DEFAULT 0,
  claimed_by TEXT NOT NULL DEFAULT '',
  claimed_at_ns INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_ns INTEGER NOT NULL
);
CREATE INDEX journal_by_state ON journal(state, seq);
CREATE INDEX journal_by_ino ON journal(ino, seq);

INSERT INTO inodes (ino, kind, mode, uid, gid, atime_ns, mtime_ns, ctime_ns, nlink)
  SELECT 1, 2, 16877, 0, 0, now, now, now, 2
  FROM (SELECT CAST((julianday('now') - 2440587.5) * 86400000000000.0 AS INTEGER) AS now);
)sql";

// v2: the listing pass that last saw an inode on the store, so a directory's reconcile works
// page by page and drops the children a whole pass did not see, without holding the listing.
constexpr std::string_view kSchemaV2 = R"sql(
ALTER TABLE inodes ADD COLUMN listed_epoch INTEGER NOT NULL DEFAULT 0;
)sql";

// v3: the journal's moves, so a claim finds the directory moves a row must wait for without
// reading the whole journal.
constexpr std::string_view kSchemaV3 = R"sql(
CREATE INDEX IF NOT EXISTS journal_moves ON journal(seq) WHERE op = 3;
)sql";

// v4: conflicts met and how they were resolved, and the versions of each file this client
// has seen and uploaded (conflict_records.h).
constexpr std::string_view kSchemaV4 = R"sql(
CREATE TABLE IF NOT EXISTS conflicts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  path TEXT NOT NULL,
  copy_path TEXT NOT NULL DEFAULT '',
  kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 3),
  local_etag TEXT NOT NULL DEFAULT '',
  local_size INTEGER NOT NULL DEFAULT 0,
  local_mtime_ns INTEGER NOT NULL DEFAULT 0,
  local_host TEXT NOT NULL DEFAULT '',
  remote_etag TEXT NOT NULL DEFAULT '',
  remote_size INTEGER NOT NULL DEFAULT 0,
  remote_mtime_ns INTEGER NOT NULL DEFAULT 0,
  remote_host TEXT NOT NULL DEFAULT '',
  policy TEXT NOT NULL,
  resolution TEXT NOT NULL,
  time_ns INTEGER NOT NULL,
  resolved INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS conflicts_unresolved ON conflicts(id) WHERE resolved = 0;

CREATE TABLE IF NOT EXISTS versions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  path TEXT NOT NULL,
  ino INTEGER NOT NULL DEFAULT 0,
  etag TEXT NOT NULL,
  version_id TEXT NOT NULL DEFAULT '',
  size INTEGER NOT NULL DEFAULT 0,
  mtime_ns INTEGER NOT NULL DEFAULT 0,
  host TEXT NOT NULL DEFAULT '',
  uploaded INTEGER NOT NULL DEFAULT 0,
  seen_ns INTEGER NOT NULL,
  UNIQUE (path, etag)
);
CREATE INDEX IF NOT EXISTS versions_by_ino ON versions(ino);
)sql";

// v5: the multipart uploads autosyncd started and has not completed or aborted, with the
// parts already on the store (multipart_records.h): a killed daemon's successor resumes or
// aborts them.
constexpr std::string_view kSchemaV5 = R"sql(
CREATE TABLE IF NOT EXISTS multipart_uploads (
  upload_id TEXT PRIMARY KEY,
  key TEXT NOT NULL,
  ino INTEGER NOT NULL,
  gen INTEGER NOT NULL,
  size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  part_size INTEGER NOT NULL,
  created_ns INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS multipart_uploads_by_ino ON multipart_uploads(ino);

CREATE TABLE IF NOT EXISTS multipart_parts (
  upload_id TEXT NOT NULL REFERENCES multipart_uploads(upload_id) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  etag TEXT NOT NULL,
  size INTEGER NOT NULL,
  PRIMARY KEY (upload_id, number)
) WITHOUT ROWID;
)sql";

// v6: the intents to start a multipart upload (MultipartIntent), recorded before the store is
// asked, so an upload created but never recorded (a kill, a lost answer) can be found and
// aborted.
constexpr std::string_view kSchemaV6 = R"sql(
CREATE TABLE IF NOT EXISTS multipart_intents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL,
  ino INTEGER NOT NULL,
  gen INTEGER NOT NULL,
  journal_seq INTEGER NOT NULL,
  created_ns INTEGER NOT NULL,
  upload_id TEXT NOT NULL DEFAULT '',
  answered_ns INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS multipart_intents_by_ino ON multipart_intents(ino);
)sql";

constexpr db::Migration kSteps[] = {{1, kSchemaV1}, {2, kSchemaV2}, {3, kSchemaV3},
                                    {4, kSchemaV4}, {5, kSchemaV5}, {6, kSchemaV6}};

}  // namespace

std::span<const db::Migration> schema_migrations() {
  return kSteps;
}

}  // namespace autosync::index
