// AWS Signature Version 4, header-based: the canonical request, the string to sign, the
// signing key and the Authorization header, step by step as AWS documents them, so each step
// can be checked against the published examples.
//
// S3 flavour: the canonical URI is the already-encoded request path, used as is (S3 is the one
// service that does not encode it twice and does not normalise it).
// Pure functions on OpenSSL (core/base/crypto.h); thread-safe. The secret key and signing key
// only ever flow into HMAC; nothing here logs.
#pragma once

#include <string>
#include <string_view>

#include "backends/byte_io.h"
#include "backends/http/http_client.h"
#include "core/base/result.h"

namespace autosync::backends::s3::sigv4 {

// SHA-256 of no bytes, hex: the payload hash of every request without a body.
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// What a signature covers.
struct Request {
  std::string_view method;
  std::string_view canonical_uri;    // the encoded path, e.g. "/bucket/a%20b"
  std::string_view canonical_query;  // encoded and sorted (canonical_query_string in s3_url.h)
  const http::Headers* headers = nullptr;  // every header to sign, host and x-amz-date included
  std::string_view payload_hash;           // hex SHA-256 of the body
};

// Who signs, for which day, region and service ("s3" for S3).
struct Scope {
  std::string_view date;  // YYYYMMDD, the first 8 characters of x-amz-date
  std::string_view region;
  std::string_view service;
  std::string credential_scope() const;  // date/region/service/aws4_request
};

// Lower-cased header names, sorted and joined with ';'.
std::string signed_headers(const http::Headers& headers);
// "name:value\n" per header: names lower-cased and sorted, values trimmed with inner runs of
// spaces collapsed, repeated names joined with ','.
std::string canonical_headers(const http::Headers& headers);

std::string canonical_request(const Request& request);
std::string string_to_sign(std::string_view amz_date, const Scope& scope,
                           std::string_view canonical_request);
// Raw (binary) HMAC chain: "AWS4"+secret -> date -> region -> service -> "aws4_request".
std::string signing_key(std::string_view secret_access_key, const Scope& scope);
// Hex signature of a string to sign.
std::string signature(std::string_view signing_key, std::string_view string_to_sign);

// The whole chain: "AWS4-HMAC-SHA256 Credential=...,SignedHeaders=...,Signature=...".
std::string authorization(std::string_view access_key_id, std::string_view secret_access_key,
                          std::string_view amz_date, const Scope& scope, const Request& request);

// Hex SHA-256 of a body, read in chunks so a large file is never held in memory.
Result<std::string> payload_sha256(const ByteSource& body);

}  // namespace autosync::backends::s3::sigv4
