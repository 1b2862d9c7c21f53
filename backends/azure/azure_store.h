// The Azure Blob backend: an ObjectStore over one container of block blobs.
//
// Objects are block blobs named by their keys. A put up to 5000 MiB is one Put Blob;
// multipart uploads are uncommitted blocks committed by Put Block List (see block_upload.h).
// Metadata travels as x-ms-meta-* (names escaped where Azure's identifier rules demand,
// see blob_headers.h); conditional writes use If-Match / If-None-Match.
// Authorization is Shared Key (account key) or a SAS token (see azure_config.h).
//
// Thread-safety: the store may be called from many threads at once. Ownership: the store
// owns its HTTP client and a copy of the credentials.
#pragma once

#include <memory>

#include "backends/azure/azure_config.h"
#include "backends/object_store.h"

namespace autosync::backends::azure {

// `config` as resolve() returns it (an unresolved config missing nothing works too; the
// process environment is not read here). No request is sent until the first operation.
Result<std::unique_ptr<ObjectStore>> open_store(const AzureConfig& config);

// Creates the container (Create Container); succeeds when it already exists.
Status create_container(const AzureConfig& config);

}  // namespace autosync::backends::azure
