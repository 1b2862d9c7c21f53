// Mapping the Blob service's error answers to Status.
//
// Pure functions; thread-safe. Messages carry the service's error code and the first line of
// its message, never request headers; the details of an AuthenticationFailed answer (which
// quote the request's signature) are dropped.
#pragma once

#include <string_view>

#include "backends/http/http_client.h"
#include "core/base/status.h"

namespace autosync::backends::azure {

// The ErrorKind an Azure error code means, falling back to the HTTP status for codes this
// backend does not know (or an answer without one).
ErrorKind kind_for_azure_error(std::string_view code, int http_status);

// A Status for a non-2xx answer: kind from the error code (x-ms-error-code header or the XML
// body) or else the HTTP status, with server code, HTTP status and x-ms-request-id attached.
// `container` is named when the container is missing. A body that is present but not Azure
// XML (a proxy's HTML page, a truncated answer) is kTransient. Callers add what they were
// doing with Status::context.
Status status_from_response(const http::HttpResponse& response, std::string_view container);

}  // namespace autosync::backends::azure
