// backends::open: builds the ObjectStore stack a REMOTE needs, the one place that knows
// every backend. Stack, inside out: the backend (local, s3, azure), fault injection (tests
// only), bandwidth limits, retry with backoff, and the key prefix from the URL.
// Everything above backends/ gets its store from here and never names a backend type.
#pragma once

#include <memory>
#include <optional>

#include "backends/azure/azure_config.h"
#include "backends/decorators/fault_store.h"
#include "backends/decorators/rate_limit_store.h"
#include "backends/decorators/retry_store.h"
#include "backends/object_store.h"
#include "backends/remote_url.h"
#include "backends/s3/s3_config.h"
#include "core/base/env.h"

namespace autosync::backends {

struct StoreConfig {
  RemoteUrl remote;
  s3::S3Config s3;           // for s3:// and gs:// (bucket and preset come from the URL)
  azure::AzureConfig azure;  // for azure:// (container comes from the URL)
  RetryPolicy retry;
  BandwidthLimits bandwidth;        // one limit per direction for everything this store moves
  std::optional<FaultPlan> faults;  // tests only: inject failures under the retry layer
  EnvLookup env = process_env();    // where AWS_* / AZURE_STORAGE_* are read from
};

Result<std::unique_ptr<ObjectStore>> open(const StoreConfig& config);

}  // namespace autosync::backends
