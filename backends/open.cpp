#include "backends/open.h"

#include <fmt/format.h>

#include "backends/azure/azure_store.h"
#include "backends/decorators/prefix_store.h"
#include "backends/local/local_store.h"
#include "backends/s3/s3_store.h"

namespace autosync::backends {
namespace {

Result<std::unique_ptr<ObjectStore>> open_base(const StoreConfig& config) {
  switch (config.remote.scheme) {
    case Scheme::kFile:
      return local::open_store({config.remote.path});
    case Scheme::kS3:
    case Scheme::kGcs: {
      s3::S3Config s3 = config.s3;
      s3.bucket = config.remote.bucket;
      if (config.remote.scheme == Scheme::kGcs) s3.preset = s3::Preset::kGcs;
      AUTOSYNC_ASSIGN_OR_RETURN(s3::S3Config resolved, s3::resolve(std::move(s3), config.env));
      return s3::open_store(resolved);
    }
    case Scheme::kAzure: {
      azure::AzureConfig az = config.azure;
      az.container = config.remote.bucket;
      AUTOSYNC_ASSIGN_OR_RETURN(azure::AzureConfig resolved,
                                azure::resolve(std::move(az), config.env));
      return azure::open_store(resolved);
    }
  }
  return internal("unknown remote scheme");
}

}  // namespace

Result<std::unique_ptr<ObjectStore>> open(const StoreConfig& config) {
  auto base = open_base(config);
  if (!base.is_ok()) return std::move(base).take_status().context(to_string(config.remote));
  std::unique_ptr<ObjectStore> store = std::move(base).value();
  if (config.faults) store = with_faults(std::move(store), *config.faults);
  store = with_bandwidth_limits(std::move(store), config.bandwidth);
  store = with_retry(std::move(store), config.retry);
  if (!config.remote.prefix.empty()) store = with_prefix(std::move(store), config.remote.prefix);
  return store;
}

}  // namespace autosync::backends
