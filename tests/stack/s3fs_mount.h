// S3fsMount: Debian's s3fs-fuse mounted on an s3rver bucket as a foreground child process,
// for the interop tests. The destructor unmounts (fusermount3 -u), waits for the child, and
// if it will not go, kills it by pid and detaches the mount: nothing is left mounted even
// when a test fails. The child also dies with this process (PR_SET_PDEATHSIG).
// Move-only by pointer; not thread-safe.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

#include "core/base/result.h"
#include "tests/support/temp_dir.h"

namespace autosync::testing {

bool s3fs_installed();

class S3fsMount {
 public:
  // Mounts `bucket` of the s3rver at `endpoint` (http://127.0.0.1:PORT) on `mountpoint`.
  static Result<std::unique_ptr<S3fsMount>> mount(const std::string& bucket,
                                                  const std::string& endpoint,
                                                  const std::filesystem::path& mountpoint);
  S3fsMount(std::filesystem::path mountpoint, pid_t pid)
      : mountpoint_(std::move(mountpoint)), pid_(pid) {}
  ~S3fsMount();
  S3fsMount(const S3fsMount&) = delete;
  S3fsMount& operator=(const S3fsMount&) = delete;

  const std::filesystem::path& root() const { return mountpoint_; }
  // Unmounts and reaps the child. Idempotent.
  void unmount();

 private:
  TempDir secrets_;  // the passwd file
  std::filesystem::path mountpoint_;
  pid_t pid_ = -1;
};

}  // namespace autosync::testing
