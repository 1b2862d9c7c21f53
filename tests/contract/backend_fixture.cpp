#include "tests/contract/backend_fixture.h"

#include <catch2/catch.hpp>

#include "backends/azure/azure_store.h"
#include "core/base/crypto.h"
#include "core/base/encoding.h"

namespace autosync::testing {
namespace {

std::unique_ptr<Backend>& current() {
  static std::unique_ptr<Backend> b;
  return b;
}

constexpr const char* kBucket = "autosync-test";

backends::RetryPolicy quick_retry() {
  backends::RetryPolicy p;
  p.max_attempts = 3;
  p.initial_delay = std::chrono::milliseconds(10);
  p.max_delay = std::chrono::milliseconds(100);
  return p;
}

// Tests never read the developer's own AWS or Azure settings.
EnvLookup empty_env() {
  return [](std::string_view) { return std::optional<std::string>(); };
}

}  // namespace

Result<std::unique_ptr<Backend>> Backend::start(const std::string& name) {
  auto b = std::make_unique<Backend>();
  b->name_ = name;
  b->config_.retry = quick_retry();
  b->config_.env = empty_env();
  if (name == "local" || name == "local-versioned") {
    b->dir_ = std::make_unique<TempDir>();
    b->config_.remote = {backends::Scheme::kFile, "", "", b->dir_->path().string()};
    // The local backend keeps versions when the bucket directory has this directory.
    if (name == "local-versioned")
      std::filesystem::create_directory(b->dir_->path() / ".autosync-versions");
  } else if (name == "s3") {
    AUTOSYNC_ASSIGN_OR_RETURN(TestServer server, TestServer::start_s3rver(kBucket));
    b->config_.remote = {backends::Scheme::kS3, kBucket, "", ""};
    b->config_.s3.preset = backends::s3::Preset::kMinio;
    b->config_.s3.endpoint = server.endpoint();
    b->config_.s3.region = "us-east-1";
    b->config_.s3.credentials = backends::s3::Credentials{"S3RVER", "S3RVER", ""};
    // s3rver 3.7 ignores If-Match/If-None-Match, answers AbortMultipartUpload with 405 and
    // does not check part ETags on complete (found by trying; see docs/ARCHITECTURE.md).
    b->config_.s3.conditional_write = false;
    b->quirks_.aborts_uploads = false;
    b->quirks_.checks_part_etags = false;
    b->quirks_.lists_uploads = false;  // GET ?uploads answers NotImplemented
    b->server_.emplace(std::move(server));
  } else if (name == "azure") {
    AUTOSYNC_ASSIGN_OR_RETURN(TestServer server, TestServer::start_azurite());
    b->config_.remote = {backends::Scheme::kAzure, kBucket, "", ""};
    b->config_.azure.endpoint = server.endpoint() + "/" + kAzuriteAccount;
    b->config_.azure.account = kAzuriteAccount;
    b->config_.azure.account_key = kAzuriteKey;
    b->server_.emplace(std::move(server));
    backends::azure::AzureConfig az = b->config_.azure;
    az.container = kBucket;
    AUTOSYNC_RETURN_IF_ERROR(backends::azure::create_container(az));
  } else {
    return invalid("unknown backend " + name + " (expected local, local-versioned, s3 or azure)");
  }
  AUTOSYNC_ASSIGN_OR_RETURN(b->store_, backends::open(b->config_));
  return b;
}

backends::StoreConfig Backend::config_with_endpoint(const std::string& endpoint) const {
  backends::StoreConfig c = config_;
  c.s3.endpoint = endpoint;
  c.azure.endpoint = endpoint + "/" + kAzuriteAccount;
  return c;
}

backends::StoreConfig Backend::config_with_wrong_credentials() const {
  backends::StoreConfig c = config_;
  // s3rver checks the key id but not the signature, so both are wrong here.
  if (c.s3.credentials)
    c.s3.credentials = backends::s3::Credentials{"WRONGKEY", "not-the-secret", ""};
  c.azure.account_key = base64_encode(random_bytes(64));
  return c;
}

backends::StoreConfig Backend::config_with_unknown_bucket() const {
  backends::StoreConfig c = config_;
  c.remote.bucket = "no-such-bucket";
  c.remote.path = (dir_ ? dir_->path() / "no-such-bucket" : std::filesystem::path()).string();
  return c;
}

Backend& backend() {
  return *current();
}
void set_backend(std::unique_ptr<Backend> b) {
  current() = std::move(b);
}

std::string unique_prefix() {
  return "t-" + to_hex(random_bytes(6)) + "/";
}

backends::ObjectInfo put_text(std::string_view key, std::string_view text,
                              const backends::PutOptions& options) {
  auto info = backend().store().put(key, backends::BufferSource(text), options);
  INFO(info.status().to_string());
  REQUIRE(info.is_ok());
  return info.value();
}

std::string get_text(std::string_view key) {
  backends::BufferSink sink;
  auto info = backend().store().get(key, {}, sink);
  INFO(info.status().to_string());
  REQUIRE(info.is_ok());
  return sink.take();
}

}  // namespace autosync::testing
