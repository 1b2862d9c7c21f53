// S3 backend configuration: which bucket, where its server is, how to address it and whose
// credentials sign the requests.
//
// resolve() fills what the caller leaves empty the way the AWS CLI does (environment first,
// then ~/.aws/credentials and ~/.aws/config), so a user who already has the CLI working needs
// no extra setup. A resolved config has a concrete endpoint, region, addressing style and
// credentials; open_store() (s3_store.h) takes only resolved configs.
// Value types; resolve() reads the environment only through the EnvLookup it is given.
// Credentials are secrets: nothing in this module logs them or puts them in a message.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/base/env.h"
#include "core/base/result.h"

namespace autosync::backends::s3 {

struct Credentials {
  std::string access_key_id, secret_access_key, session_token;
};

// Seam for later providers (STS web identity, instance metadata): returns current credentials.
// Implementations must be thread-safe: every request asks.
class CredentialProvider {
 public:
  virtual ~CredentialProvider() = default;
  virtual Result<Credentials> credentials() = 0;
};

// Credentials fixed when the store opens (explicit, environment or shared files).
class StaticCredentialProvider final : public CredentialProvider {
 public:
  explicit StaticCredentialProvider(Credentials credentials)
      : credentials_(std::move(credentials)) {}
  Result<Credentials> credentials() override { return credentials_; }

 private:
  const Credentials credentials_;
};

enum class Addressing { kAuto, kPath, kVirtualHosted };

// Whether request bodies are hashed into the signature (x-amz-content-sha256).
// kAuto: hashed over http://, where the signature is the only integrity check; sent as
// UNSIGNED-PAYLOAD over https://, where TLS already protects the bytes (the AWS SDKs do the
// same) and a large upload starts without a full pass over the data first.
enum class PayloadSigning { kAuto, kSigned, kUnsigned };
enum class Preset { kAws, kMinio, kGcs };

struct S3Config {
  std::string bucket;
  Preset preset = Preset::kAws;
  std::string endpoint;  // "https://host[:port]"; empty: from env/profile, else the preset's
  std::string region;    // empty: AWS_REGION / AWS_DEFAULT_REGION / profile, else preset default
  Addressing addressing = Addressing::kAuto;  // auto: virtual-hosted for AWS, path-style for
                                              // custom endpoints and IP addresses (and MinIO)
  std::optional<Credentials> credentials;     // explicit; else env; else shared files
  std::string profile;                        // empty: AWS_PROFILE, else "default"
  std::string ca_bundle;  // empty: AWS_CA_BUNDLE / profile ca_bundle, else system store
  bool verify_tls = true;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::seconds stall_timeout{30};
  // Whether the server honours If-Match / If-None-Match on writes. Empty: the preset's answer
  // (AWS and MinIO do, GCS's XML API does not). Set false for servers that silently ignore
  // the headers (s3rver), so callers fall back to checking with HEAD before a write.
  std::optional<bool> conditional_write;
  PayloadSigning payload_signing = PayloadSigning::kAuto;
  uint64_t multipart_copy_threshold = 5ULL << 30;  // copies larger than this use UploadPartCopy
  uint64_t copy_part_size = 512ULL << 20;
};

// Fills what `config` leaves empty as the AWS CLI does: env AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION, AWS_DEFAULT_REGION, AWS_PROFILE,
// AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS_CA_BUNDLE, AWS_SHARED_CREDENTIALS_FILE,
// AWS_CONFIG_FILE; then ~/.aws/credentials and ~/.aws/config ("[profile NAME]" sections,
// keys aws_access_key_id, aws_secret_access_key, aws_session_token, region, endpoint_url,
// ca_bundle; HOME from env). Errors: kInvalid with a clear message (e.g. no credentials
// found, naming where it looked; malformed endpoint; bucket name invalid).
//
// Precedence, as botocore has it: explicit fields > environment > profile files, except that
// an explicit `profile` (like the CLI's --profile) beats credentials in the environment, while
// AWS_PROFILE does not. The result's `addressing` is never kAuto and its `endpoint` is
// normalised to "scheme://host[:port]" (no trailing slash, default port dropped).
Result<S3Config> resolve(S3Config config, const EnvLookup& env);

std::string_view to_string(Preset preset);

}  // namespace autosync::backends::s3
