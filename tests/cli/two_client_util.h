// Two mounts on one real server's bucket, for the two-client tests: the server (s3rver or
// azurite), the test's own view of the bucket, each client's mount (its own cache, host name
// and priority; client B reaches the server through a TcpForwarder the test can cut), and
// snapshots of both trees and the bucket to compare.
// Not thread-safe.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backends/object_store.h"
#include "tests/cli/cli_fixture.h"
#include "tests/cli/s3rver_bucket.h"
#include "tests/cli/tcp_forwarder.h"
#include "tests/support/test_server.h"

namespace autosync::testing {

enum class ServerKind { kS3rver, kAzurite };

// The server and its bucket; how a mount reaches it at a given endpoint.
class SharedBucket {
 public:
  static std::unique_ptr<SharedBucket> start(ServerKind kind);

  ServerKind kind() const { return kind_; }
  const TestServer& server() const { return *server_; }
  backends::ObjectStore& store() { return *store_; }
  std::string remote() const;  // s3://twoclient or azure://twoclient
  // -o options that point a mount at the server through `endpoint` (http://127.0.0.1:PORT).
  std::string backend_options(const std::string& endpoint) const;
  std::map<std::string, std::string> credentials() const;

 private:
  ServerKind kind_ = ServerKind::kS3rver;
  std::optional<TestServer> server_;
  std::unique_ptr<backends::ObjectStore> store_;
};

// One client: a mountpoint and a cache (from CliFixture, which unmounts and kills its
// processes by pid at the end), mounted on the shared bucket.
struct Client {
  std::string host;
  unsigned priority = 0;
  CliFixture dirs;

  std::filesystem::path operator/(const std::string& path) const { return dirs.mnt / path; }
  // Mounts through `endpoint`; REQUIREs success and a daemon that answers autosyncctl.
  void mount(SharedBucket& bucket, const std::string& endpoint);
  // autosyncctl CMD --cache CACHE [ARGS...]
  CommandResult ctl(const std::string& cmd, const std::vector<std::string>& args = {}) const;
  void unmount() const;
};

// path -> sha256 hex of a file, or "dir" for a directory (the bucket's directories are its
// markers and the parents of its keys). A bucket that cannot be listed gives a snapshot of
// one "(listing failed)" entry.
using Snapshot = std::map<std::string, std::string>;
Snapshot snapshot_tree(const std::filesystem::path& root);
Snapshot snapshot_bucket(backends::ObjectStore& store);

// Names in `dir` that start with `prefix` and end with `suffix`.
std::vector<std::string> names_like(const std::filesystem::path& dir, const std::string& prefix,
                                    const std::string& suffix);

}  // namespace autosync::testing
