// REMOTE arguments: s3://bucket[/prefix], gs://bucket[/prefix], azure://container[/prefix],
// file:///absolute/dir. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/base/result.h"

namespace autosync::backends {

enum class Scheme { kS3, kGcs, kAzure, kFile };

struct RemoteUrl {
  Scheme scheme = Scheme::kFile;
  std::string bucket;  // bucket or container; empty for file://
  std::string prefix;  // key prefix, empty or ending in '/'
  std::string path;    // the directory, for file://
};

// kInvalid with a message that shows the accepted forms when `text` is none of them.
Result<RemoteUrl> parse_remote_url(std::string_view text);
std::string to_string(const RemoteUrl& url);

}  // namespace autosync::backends
