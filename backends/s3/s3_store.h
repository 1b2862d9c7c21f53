// The S3 backend: an ObjectStore over the S3 REST API (AWS S3, MinIO, GCS's XML API and other
// S3-compatible servers), signed with SigV4, over the shared streaming HttpClient.
//
// Usage:
//   AUTOSYNC_ASSIGN_OR_RETURN(auto config, s3::resolve(settings, process_env()));
//   AUTOSYNC_ASSIGN_OR_RETURN(auto store, s3::open_store(config));
// open_store does not touch the network: a wrong bucket or key shows on the first request
// ("bucket X does not exist", "access denied: the credentials were rejected ...").
// The store is thread-safe and owns its HTTP connections; destroy it after the last call.
#pragma once

#include <memory>

#include "backends/object_store.h"
#include "backends/s3/s3_config.h"
#include "core/base/result.h"

namespace autosync::backends::s3 {

// An ObjectStore over the S3 REST API. `config` must be resolved.
Result<std::unique_ptr<ObjectStore>> open_store(const S3Config& config);

// The same with another source of credentials (config.credentials is then not used).
Result<std::unique_ptr<ObjectStore>> open_store(const S3Config& config,
                                                std::shared_ptr<CredentialProvider> credentials);

// What a store of this preset can do (batch delete, conditional writes, ...).
Capabilities capabilities_for(Preset preset);
// The preset's capabilities with the config's overrides applied.
Capabilities capabilities_for(const S3Config& config);

}  // namespace autosync::backends::s3
