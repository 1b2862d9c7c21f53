// The CLI tests' view of an s3rver bucket: the credentials and -o options a mount needs to
// reach it, the bucket straight through the S3 backend, and an object's bytes.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "backends/object_store.h"
#include "tests/support/test_server.h"

namespace autosync::testing {

// The environment a program needs for s3rver's fixed credentials.
const std::map<std::string, std::string>& s3rver_credentials();
// "-o" value that points a mount at `server` (s3rver ignores conditional writes).
std::string s3rver_mount_options(const TestServer& server);
// BUCKET on `server`, through the S3 backend; REQUIREs success.
std::unique_ptr<backends::ObjectStore> open_s3rver_bucket(const TestServer& server,
                                                          const std::string& bucket);
// The object's bytes, or nullopt when there is none (or it cannot be read).
std::optional<std::string> object_body(backends::ObjectStore& store, const std::string& key);

}  // namespace autosync::testing
