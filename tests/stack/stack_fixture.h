// The stack tests' fixture: the backend a run is aimed at (--backend local|s3|azure, with its
// test server), a second, independent ObjectStore on the same bucket to check what the
// store really holds, and the process's main StackMount (main() creates it, so it is
// unmounted when the tests end, pass or fail). Plus shorthands the tests share.
//
// Threading: created and destroyed on the main thread; tests may use it from any thread.
// Each test works in a directory of its own (fresh_dir), so its keys are "DIR/...".
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/open.h"
#include "core/layout/object_meta.h"
#include "tests/stack/stack_mount.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_server.h"

namespace autosync::testing {

class StackBackend {
 public:
  static Result<std::unique_ptr<StackBackend>> start(const std::string& name);

  const std::string& name() const { return name_; }
  const backends::StoreConfig& config() const { return config_; }
  // The checker: a store of its own, not the one the mount uses.
  backends::ObjectStore& checker() { return *checker_; }
  // s3rver cannot store a 255-byte key segment (TEST-SERVERS.md).
  bool takes_255_byte_names() const { return name_ != "s3"; }
  uint16_t port() const { return server_ ? server_->port() : 0; }

 private:
  std::string name_;
  std::optional<TestServer> server_;
  std::unique_ptr<TempDir> bucket_dir_;  // the local backend's bucket
  backends::StoreConfig config_;
  std::unique_ptr<backends::ObjectStore> checker_;
};

inline constexpr const char* kStackBucket = "autosync-stack";

// The process's fixture, set by main() for the duration of the run.
struct StackContext {
  std::unique_ptr<StackBackend> backend;
  StackMountOptions mount_options;  // every mount of the run uses them (--writeback)
  TempDir cache_dir;                // both outlive the mount on them
  TempDir mount_dir;
  std::unique_ptr<StackMount> mount;
};
StackContext& stack();
void set_stack(StackContext* context);
inline StackBackend& backend() {
  return *stack().backend;
}
inline StackMount& main_mount() {
  return *stack().mount;
}
// A further mount of the run's backend, in the run's mode; REQUIREs that it mounts.
std::unique_ptr<StackMount> open_mount(const std::filesystem::path& cache_dir,
                                       const std::filesystem::path& mountpoint);

// A new, empty directory in the main mount; its key on the store is its name plus "/".
struct TestDir {
  std::filesystem::path path;
  std::string key;  // "name-N/"
};
TestDir fresh_dir(std::string_view test_name);

// Waits for releases and drains the workers of the main mount; fails the test otherwise.
void flush();

// What the store holds, through the checker.
std::optional<std::string> remote_body(std::string_view key);  // nullopt: no such object
std::optional<backends::ObjectInfo> remote_head(std::string_view key);
std::vector<std::string> remote_keys(std::string_view prefix);  // every key, no delimiter
// Every key below `dir`, without the directory's own marker.
std::vector<std::string> remote_keys_under(const TestDir& dir);
layout::FileMeta remote_meta(std::string_view key);  // REQUIREs the object exists
void remote_put(std::string_view key, std::string_view body,
                const backends::UserMetadata& metadata = {});

}  // namespace autosync::testing
