// Whole-object transfers on top of an ObjectStore: one request for small objects, parallel
// parts (multipart upload, ranged gets) for large ones, and file helpers that never leave a
// half-written file behind.
//
// Threading: each call blocks until done and may run up to `concurrency` std::jthreads of its
// own, all joined before it returns. The store must be safe from many threads (ObjectStore's
// contract); `data` must allow parallel read_at. Writes into `sink` are serialised by
// download itself, so any sink (BufferSink included) is fine. Nothing is owned beyond the call.
// Errors name the key and, for a part, its number: "upload big.bin: part 3 of 7: ...".
// Retries are not done here: wrap the store with with_retry for that.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "backends/object_store.h"

namespace autosync::backends {

struct TransferOptions {
  uint64_t multipart_threshold = 64ULL << 20;  // objects at least this big go multipart
  uint64_t part_size = 16ULL << 20;            // raised as needed to stay within max_parts
  unsigned concurrency = 4;                    // parts in flight at once
};

// Uploads `data` as one put, or as a parallel multipart upload when it is large; on any
// failure the multipart upload is aborted so no orphaned parts stay behind. Respects the
// store's capabilities (min/max part size, max parts, max_single_put). Conditions in
// `options` apply to the final put/complete.
Result<ObjectInfo> upload(ObjectStore& store, std::string_view key, const ByteSource& data,
                          const PutOptions& options, const TransferOptions& transfer);

// Downloads the whole object into `sink`, with parallel ranged gets for large objects, each
// pinned to the first response's ETag (If-Match) so a concurrent overwrite fails cleanly
// (kPreconditionFailed) instead of mixing versions. The first request reads the first
// part_size bytes and learns the size; objects smaller than multipart_threshold then need
// at most one more request.
Result<ObjectInfo> download(ObjectStore& store, std::string_view key, ByteSink& sink,
                            const TransferOptions& transfer);

// Uploads the file at `path` (opened O_RDONLY, read in parallel through FileSource).
Result<ObjectInfo> upload_file(ObjectStore& store, std::string_view key,
                               const std::filesystem::path& path, const PutOptions& options,
                               const TransferOptions& transfer);

// Downloads to `path` via a temp file in the same directory, fsync, rename and a directory
// fsync: `path` holds either its old content or the complete object, never a partial file.
// (Should only the final directory fsync fail, the new file is in place and the error is
// still reported, since its rename may not survive a crash.)
Result<ObjectInfo> download_file(ObjectStore& store, std::string_view key,
                                 const std::filesystem::path& path,
                                 const TransferOptions& transfer);

}  // namespace autosync::backends
