// The backend a contract test run is aimed at, chosen with --backend (local, local-versioned
// (a bucket directory that keeps versions), s3, azure).
// It owns the test server (for s3 and azure), a working StoreConfig, and the store built
// from it. One per process; created by contract_main before the tests run.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "backends/open.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_server.h"

namespace autosync::testing {

class Backend {
 public:
  static Result<std::unique_ptr<Backend>> start(const std::string& name);

  const std::string& name() const { return name_; }
  bool is_cloud() const { return !name_.starts_with("local"); }
  backends::ObjectStore& store() { return *store_; }
  // A copy of the working configuration, for tests that change one thing in it.
  backends::StoreConfig config() const { return config_; }
  // The same configuration pointed at another endpoint (cloud backends only).
  backends::StoreConfig config_with_endpoint(const std::string& endpoint) const;
  backends::StoreConfig config_with_wrong_credentials() const;

  // What the test server behind this backend does not do (real stores do all of it).
  struct Quirks {
    bool aborts_uploads = true;     // AbortMultipartUpload works
    bool checks_part_etags = true;  // complete rejects a part list with a wrong ETag
    bool lists_uploads = true;      // ListMultipartUploads works (when the store claims it)
  };
  const Quirks& quirks() const { return quirks_; }
  backends::StoreConfig config_with_unknown_bucket() const;

 private:
  std::string name_;
  std::optional<TestServer> server_;
  std::unique_ptr<TempDir> dir_;
  backends::StoreConfig config_;
  std::unique_ptr<backends::ObjectStore> store_;
  Quirks quirks_;
};

Backend& backend();
void set_backend(std::unique_ptr<Backend> b);

// A key prefix no other test uses ("t-<random>/"), so tests share one bucket safely.
std::string unique_prefix();

// put / get shorthands for tests.
backends::ObjectInfo put_text(std::string_view key, std::string_view text,
                              const backends::PutOptions& options = {});
std::string get_text(std::string_view key);

}  // namespace autosync::testing
