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
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/object_store.h"

namespace autosync::backends {

struct TransferOptions {
  uint64_t multipart_threshold = 64ULL << 20;  // objects at least this big go multipart
  uint64_t part_size = 16ULL << 20;            // raised as needed to stay within max_parts
  unsigned concurrency = 4;                    // parts in flight at once
};

// One part a multipart upload holds on the store.
struct UploadedPart {
  int number = 0;  // 1-based
  std::string etag;
  uint64_t size = 0;
};

// A multipart upload begun earlier (by a process killed since, or an attempt that failed
// for a transient reason) that upload() may continue: stores keep an upload's parts until
// it is completed or aborted, so only the missing parts need sending.
struct MultipartResume {
  std::string upload_id;
  uint64_t part_size = 0;           // the part size it was cut with
  std::vector<UploadedPart> parts;  // parts known to be on the store
};

// The seam that makes a multipart upload resumable. The transfer layer knows nothing of
// where the caller keeps the record: it asks for an upload to continue and reports what
// happens to the one it runs. Callbacks may run on the transfer's own threads, several
// at once (part_done); they must be thread-safe.
//
// With hooks, a failure the retry may cure (Status::retryable()) leaves the upload on the
// store for the next attempt to resume; any other failure aborts it (and calls ended).
//
// An upload that vanishes from the store while it runs (upload_part or complete answer
// kNotFound, S3's NoSuchUpload: aborted by someone else, e.g. another client settling its
// own lost uploads of the same key) is forgotten (ended) and fails kTransient, with or
// without hooks: a new upload on the retry gets the bytes there, where kNotFound would
// fail the caller's work for good.
struct MultipartHooks {
  // An upload to continue, of this same key and these same bytes; nullptr: start anew.
  // When it cannot be continued (other part size, or the store no longer holds it), it is
  // aborted, ended() is called and a new upload starts.
  const MultipartResume* resume = nullptr;
  // A new upload is about to be created: note that durably before the store is asked, for
  // a crash or a lost answer may leave an upload whose id never arrives. An error stops
  // the upload before it begins. Whatever the create's outcome, what this noted stays for
  // the caller to settle (a failed create may still have made an upload on the store).
  std::function<Status()> creating;
  // A new upload exists: record it before any part is sent. An error aborts the upload.
  std::function<Status(std::string_view upload_id, uint64_t part_size)> started;
  // A part is on the store. An error fails the upload (as a failed part would).
  std::function<Status(std::string_view upload_id, const UploadedPart& part)> part_done;
  // The upload is gone from the store (completed, or aborted): forget it.
  std::function<void(std::string_view upload_id)> ended;
};

// Uploads `data` as one put, or as a parallel multipart upload when it is large; on any
// failure the multipart upload is aborted so no orphaned parts stay behind (with `hooks`,
// a retryable failure keeps it for the retry: see MultipartHooks). Respects the store's
// capabilities (min/max part size, max parts, max_single_put). Conditions in `options`
// apply to the final put/complete.
Result<ObjectInfo> upload(ObjectStore& store, std::string_view key, const ByteSource& data,
                          const PutOptions& options, const TransferOptions& transfer,
                          const MultipartHooks* hooks = nullptr);

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
