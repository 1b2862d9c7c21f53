#include "tests/stack/stack_fixture.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <atomic>
#include <catch2/catch.hpp>

#include "backends/azure/azure_store.h"

namespace autosync::testing {
namespace {

StackContext* g_stack = nullptr;  // NOLINT: the test process's one fixture

backends::RetryPolicy quick_retry() {
  backends::RetryPolicy p;
  p.max_attempts = 4;
  p.initial_delay = std::chrono::milliseconds(20);
  p.max_delay = std::chrono::milliseconds(200);
  return p;
}

// Tests never read the developer's own AWS or Azure settings.
EnvLookup empty_env() {
  return [](std::string_view) { return std::optional<std::string>(); };
}

}  // namespace

Result<std::unique_ptr<StackBackend>> StackBackend::start(const std::string& name) {
  auto b = std::make_unique<StackBackend>();
  b->name_ = name;
  b->config_.retry = quick_retry();
  b->config_.env = empty_env();
  if (name == "local") {
    b->bucket_dir_ = std::make_unique<TempDir>();
    b->config_.remote = {backends::Scheme::kFile, "", "", b->bucket_dir_->path().string()};
  } else if (name == "s3") {
    AUTOSYNC_ASSIGN_OR_RETURN(TestServer server, TestServer::start_s3rver(kStackBucket));
    b->config_.remote = {backends::Scheme::kS3, kStackBucket, "", ""};
    b->config_.s3.preset = backends::s3::Preset::kMinio;
    b->config_.s3.endpoint = server.endpoint();
    b->config_.s3.region = "us-east-1";
    b->config_.s3.credentials = backends::s3::Credentials{"S3RVER", "S3RVER", ""};
    b->config_.s3.conditional_write = false;  // s3rver ignores If-Match / If-None-Match
    b->server_.emplace(std::move(server));
  } else if (name == "azure") {
    AUTOSYNC_ASSIGN_OR_RETURN(TestServer server, TestServer::start_azurite());
    b->config_.remote = {backends::Scheme::kAzure, kStackBucket, "", ""};
    b->config_.azure.endpoint = server.endpoint() + "/" + kAzuriteAccount;
    b->config_.azure.account = kAzuriteAccount;
    b->config_.azure.account_key = kAzuriteKey;
    b->server_.emplace(std::move(server));
    backends::azure::AzureConfig az = b->config_.azure;
    az.container = kStackBucket;
    AUTOSYNC_RETURN_IF_ERROR(backends::azure::create_container(az));
  } else {
    return invalid("unknown backend " + name + " (expected local, s3 or azure)");
  }
  AUTOSYNC_ASSIGN_OR_RETURN(b->checker_, backends::open(b->config_));
  return b;
}

StackContext& stack() {
  return *g_stack;
}
void set_stack(StackContext* context) {
  g_stack = context;
}

std::unique_ptr<StackMount> open_mount(const std::filesystem::path& cache_dir,
                                       const std::filesystem::path& mountpoint) {
  auto mount = StackMount::open(backend().config(), cache_dir, mountpoint, stack().mount_options);
  INFO(mount.status().to_string());
  REQUIRE(mount.is_ok());
  return std::move(mount).value();
}

TestDir fresh_dir(std::string_view test_name) {
  static std::atomic<int> counter{0};
  const std::string name = fmt::format("{}-{}", test_name, ++counter);
  TestDir dir{main_mount().root() / name, name + "/"};
  INFO("mkdir " << dir.path);
  REQUIRE(::mkdir(dir.path.c_str(), 0755) == 0);
  return dir;
}

void flush() {
  const Status flushed = main_mount().flush();
  INFO(flushed.to_string());
  REQUIRE(flushed.is_ok());
}

std::optional<std::string> remote_body(std::string_view key) {
  backends::BufferSink sink;
  auto info = backend().checker().get(key, {}, sink);
  if (info.status().kind() == ErrorKind::kNotFound) return std::nullopt;
  INFO("get " << key << ": " << info.status().to_string());
  REQUIRE(info.is_ok());
  return sink.take();
}

std::optional<backends::ObjectInfo> remote_head(std::string_view key) {
  auto info = backend().checker().head(key);
  if (info.status().kind() == ErrorKind::kNotFound) return std::nullopt;
  INFO("head " << key << ": " << info.status().to_string());
  REQUIRE(info.is_ok());
  return *info;
}

std::vector<std::string> remote_keys(std::string_view prefix) {
  std::vector<std::string> keys;
  backends::ListOptions options;
  options.prefix = std::string(prefix);
  do {
    auto page = backend().checker().list(options);
    INFO("list " << prefix << ": " << page.status().to_string());
    REQUIRE(page.is_ok());
    for (const auto& object : page->objects)
      keys.push_back(object.key);
    options.continuation_token = page->next_token;
  } while (!options.continuation_token.empty());
  return keys;
}

std::vector<std::string> remote_keys_under(const TestDir& dir) {
  auto keys = remote_keys(dir.key);
  std::erase(keys, dir.key);
  return keys;
}

layout::FileMeta remote_meta(std::string_view key) {
  auto info = remote_head(key);
  INFO("no object " << key);
  REQUIRE(info.has_value());
  layout::FileMeta defaults;
  defaults.mode = 0;
  defaults.uid = 99999;
  defaults.gid = 99999;
  return layout::decode_meta(*info, defaults);
}

void remote_put(std::string_view key, std::string_view body,
                const backends::UserMetadata& metadata) {
  backends::PutOptions options;
  options.metadata = metadata;
  auto put = backend().checker().put(key, backends::BufferSource(body), options);
  INFO("put " << key << ": " << put.status().to_string());
  REQUIRE(put.is_ok());
}

}  // namespace autosync::testing
