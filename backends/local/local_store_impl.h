// LocalStore: the ObjectStore over a directory (see local_store.h). Private to this folder.
//
// Threading: every method may run concurrently. Writers of one key serialize on a striped
// mutex so the "check condition, write sidecar, rename data" sequence is atomic per key
// within this process; readers take no lock (they pin a version by holding the open file).
#pragma once

#include <array>
#include <mutex>
#include <optional>

#include "backends/local/file_ops.h"
#include "backends/local/key_path.h"
#include "backends/local/local_store.h"
#include "backends/local/local_versions.h"
#include "backends/local/sidecar.h"

namespace autosync::backends::local {

class LocalStore final : public ObjectStore {
 public:
  explicit LocalStore(fs::path root);

  const Capabilities& capabilities() const override { return caps_; }
  std::string describe() const override;

  Result<ObjectInfo> head(std::string_view key) override;
  Result<ObjectInfo> get(std::string_view key, const GetOptions& options, ByteSink& sink) override;
  Result<ObjectInfo> put(std::string_view key, const ByteSource& data,
                         const PutOptions& options) override;
  Status remove(std::string_view key) override;
  Result<std::vector<KeyError>> remove_many(std::span<const std::string> keys) override;
  Result<ListPage> list(const ListOptions& options) override;
  Result<ObjectInfo> copy(std::string_view source, std::string_view dest,
                          const CopyOptions& options) override;

  Result<std::string> create_multipart(std::string_view key, const PutOptions& options) override;
  Result<CompletedPart> upload_part(std::string_view key, std::string_view upload_id,
                                    int part_number, const ByteSource& data) override;
  Result<ObjectInfo> complete_multipart(std::string_view key, std::string_view upload_id,
                                        std::span<const CompletedPart> parts,
                                        const Conditions& conditions) override;
  Status abort_multipart(std::string_view key, std::string_view upload_id) override;
  Result<std::vector<PendingUpload>> list_multipart_uploads(std::string_view key) override;
  Result<VersionPage> list_versions(std::string_view key,
                                    std::string_view continuation_token) override;

 private:
  // What a finished temp file becomes: the new version of `key`.
  struct Commit {
    std::string_view key;
    std::string content_type;
    UserMetadata metadata;
    const Conditions* conditions = nullptr;
  };

  Result<ObjectInfo> commit(TempFile tmp, const Commit& what);
  Result<ObjectInfo> put_marker(std::string_view key, const PutOptions& options);
  Result<ObjectInfo> stat_object(std::string_view key, int fd) const;
  Result<ObjectInfo> head_marker(std::string_view key) const;
  Status check_conditions(std::string_view key, const Conditions& conditions);
  std::mutex& lock_for(std::string_view key);
  fs::path upload_dir(std::string_view upload_id) const;

  // Versioning (local_store_versions.cpp), all with the key's lock held but the reads.
  // The id the current data file of `key` has (its record's, else derived from it).
  std::string version_id_of(const VersionRecord* record, const FileIdentity& id) const;
  // Archives the current object of `key`, if any; returns the newest version id the key
  // has had (empty: none), which a new version's id must follow.
  Result<std::string> archive_current(std::string_view key);
  Status add_delete_marker(std::string_view key);
  Result<ObjectInfo> get_version(std::string_view key, const GetOptions& options, ByteSink& sink);

  KeyPaths paths_;
  Capabilities caps_;
  std::optional<VersionArchive> archive_;  // set when the bucket keeps versions
  std::array<std::mutex, 64> key_locks_;
};

}  // namespace autosync::backends::local
