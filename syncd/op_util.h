// Helpers the journal operations share: object metadata for an inode, the precondition an
// overwrite needs, conflict errors. Internal to syncd/; pure or stateless, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "backends/object_store.h"
#include "core/index/records.h"
#include "syncd/journal_ops.h"

namespace autosync::syncd {

// s3fs-compatible user metadata (mode, uid, gid, mtime) for `inode`.
backends::UserMetadata meta_for(const index::InodeRecord& inode);
// The same, with who writes it (autosync-host, autosync-priority) when `conflicts` says.
backends::UserMetadata meta_for(const index::InodeRecord& inode, const ConflictOptions* conflicts);

// Writes the inode's bytes (a symlink's target) at `key` with `options`, enforcing their
// conditions by HEAD where the store cannot; a failed condition is "conflict: ..."
// (kPreconditionFailed). `hooks` make a multipart upload resumable (multipart_resume.h).
Result<backends::ObjectInfo> upload_inode(const OpContext& ctx, const index::InodeRecord& inode,
                                          std::string_view key, backends::PutOptions options,
                                          const backends::MultipartHooks* hooks = nullptr);

// A guess from the key's extension; application/octet-stream when unknown.
std::string content_type_for(std::string_view key);

// "a/b" or "a/b/" -> "a/b/".
std::string marker_key(std::string_view key);

// What the object at `key` must be for us to write it: If-Match the version our local data is
// based on (the inode's remote etag when it lives at `key`, else the row's base etag), or
// If-None-Match "*" for a file that was never on the store.
backends::Conditions base_conditions(const index::InodeRecord& inode,
                                     const index::JournalEntry& row);

// For stores without conditional writes: a HEAD that checks `conditions` by hand.
// kPreconditionFailed ("conflict: ...") when they do not hold.
Status check_by_head(backends::ObjectStore& store, std::string_view key,
                     const backends::Conditions& conditions);

// Turns a kPreconditionFailed from the store into the "conflict:" error the pool reports.
Status as_conflict(Status status, std::string_view key, const backends::Conditions& conditions);

// The remote version an ObjectInfo describes.
index::RemoteVersion remote_from(const backends::ObjectInfo& info, std::string_view key,
                                 int64_t mtime_ns);

// The inode `row` is about; nullopt when it is gone (purged: nothing left to sync).
Result<std::optional<index::InodeRecord>> inode_of(index::Index& index,
                                                   const index::JournalEntry& row);

}  // namespace autosync::syncd
