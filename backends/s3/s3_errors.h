// Turning S3 error answers into Status values.
//
// The kind comes from S3's error code where it says more than the HTTP status (NoSuchBucket,
// SlowDown, SignatureDoesNotMatch...), else from http::error_kind_for_http_status. Every Status
// carries the server's code, the HTTP status and the request id (from the XML body or the
// x-amz-request-id header). An error answer that is not S3 XML is kTransient: a proxy or a
// crashed server produced it, and a later try may reach S3 itself.
// Pure functions; thread-safe. Server messages are included; secrets never are (S3 does not
// echo them, and the request's headers are not looked at).
#pragma once

#include <string_view>

#include "backends/http/http_client.h"
#include "backends/s3/s3_xml.h"
#include "core/base/status.h"

namespace autosync::backends::s3 {

// The Status for an error answer about `bucket`: a non-2xx status, or a 2xx whose body is an
// <Error> document.
Status status_from_response(const http::HttpResponse& response, std::string_view bucket);

// The Status for S3's error document `error` that came with `http_status`.
Status status_from_error(int http_status, const ErrorBody& error, std::string_view request_id,
                         std::string_view bucket);

// CopyObject, UploadPartCopy and CompleteMultipartUpload can fail after the server has sent
// "200 OK": the body is then an <Error>. Returns that error, or ok when the body is not one.
Status embedded_error(const http::HttpResponse& response, std::string_view bucket);

}  // namespace autosync::backends::s3
