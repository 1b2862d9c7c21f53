#include "tests/cli/two_client_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <cerrno>

#include "backends/azure/azure_store.h"
#include "backends/byte_io.h"
#include "backends/open.h"
#include "core/base/crypto.h"
#include "core/base/encoding.h"

namespace autosync::testing {
namespace {

constexpr const char* kBucket = "twoclient";

// The test never reads the developer's own AWS or Azure settings.
EnvLookup empty_env() {
  return [](std::string_view) { return std::optional<std::string>(); };
}

backends::StoreConfig test_view(ServerKind kind, const TestServer& server) {
  backends::StoreConfig config;
  config.env = empty_env();
  if (kind == ServerKind::kS3rver) {
    config.remote = {backends::Scheme::kS3, kBucket, "", ""};
    config.s3.preset = backends::s3::Preset::kMinio;
    config.s3.endpoint = server.endpoint();
    config.s3.region = "us-east-1";
    config.s3.credentials = backends::s3::Credentials{"S3RVER", "S3RVER", ""};
    config.s3.conditional_write = false;
  } else {
    config.remote = {backends::Scheme::kAzure, kBucket, "", ""};
    config.azure.endpoint = server.endpoint() + "/" + kAzuriteAccount;
    config.azure.account = kAzuriteAccount;
    config.azure.account_key = kAzuriteKey;
  }
  return config;
}

std::string sha256_hex(const std::string& data) {
  return to_hex(sha256(data));
}

// "a/b/c.txt" -> "a", "a/b" ("dir" entries for every parent directory).
void add_parents(Snapshot& out, const std::string& key) {
  for (size_t slash = key.find('/'); slash != std::string::npos; slash = key.find('/', slash + 1))
    out[key.substr(0, slash)] = "dir";
}

}  // namespace

std::unique_ptr<SharedBucket> SharedBucket::start(ServerKind kind) {
  auto bucket = std::make_unique<SharedBucket>();
  bucket->kind_ = kind;
  auto server =
      kind == ServerKind::kS3rver ? TestServer::start_s3rver(kBucket) : TestServer::start_azurite();
  INFO(server.status().to_string());
  REQUIRE(server.is_ok());
  bucket->server_.emplace(std::move(server).value());
  const backends::StoreConfig config = test_view(kind, *bucket->server_);
  if (kind == ServerKind::kAzurite) {
    backends::azure::AzureConfig az = config.azure;
    az.container = kBucket;
    const Status created = backends::azure::create_container(az);
    INFO(created.to_string());
    REQUIRE(created.is_ok());
  }
  auto store = backends::open(config);
  INFO(store.status().to_string());
  REQUIRE(store.is_ok());
  bucket->store_ = std::move(store).value();
  return bucket;
}

std::string SharedBucket::remote() const {
  return std::string(kind_ == ServerKind::kS3rver ? "s3://" : "azure://") + kBucket;
}

std::string SharedBucket::backend_options(const std::string& endpoint) const {
  if (kind_ == ServerKind::kS3rver) {
    // s3rver ignores conditional writes: the HEAD-then-PUT path.
    return "s3.preset=minio,s3.region=us-east-1,s3.conditional_write=false,s3.endpoint=" + endpoint;
  }
  return "azure.account=" + std::string(kAzuriteAccount) + ",azure.endpoint=" + endpoint + "/" +
         kAzuriteAccount;
}

std::map<std::string, std::string> SharedBucket::credentials() const {
  if (kind_ == ServerKind::kS3rver) {
    return {{"AWS_ACCESS_KEY_ID", "S3RVER"}, {"AWS_SECRET_ACCESS_KEY", "S3RVER"}};
  }
  return {{"AZURE_STORAGE_KEY", kAzuriteKey},
          {"AZURE_STORAGE_CONNECTION_STRING", ""},
          {"AZURE_STORAGE_SAS_TOKEN", ""}};
}

void Client::mount(SharedBucket& bucket, const std::string& endpoint) {
  // Polls every 200-400 ms, so the other client's changes show within a second or two;
  // uploads never wait; a request is tried twice, so an unreachable store is noticed fast.
  const std::string sync =
      "cache.dir=" + dirs.cache.string() +
      ",sync.idle_exit=1s,sync.writeback_delay=0s,sync.poll_interval=200ms,"
      "sync.poll_max_interval=400ms,retry.max_attempts=2,retry.initial_delay=50ms,sync.host=" +
      host + ",sync.priority=" + std::to_string(priority) +
      ",sync.conflict_rules=newest*=newest;priority*=priority";
  const auto mounted = run({program("autosyncfs").string(), bucket.remote(), dirs.mnt.string(),
                            "-o", bucket.backend_options(endpoint), "-o", sync},
                           bucket.credentials());
  INFO(host << ": " << mounted.err);
  REQUIRE(mounted.exit_code == 0);
  REQUIRE(eventually([&] { return ctl("status").exit_code == 0; }));
}

CommandResult Client::ctl(const std::string& cmd, const std::vector<std::string>& args) const {
  std::vector<std::string> argv{program("autosyncctl").string(), cmd, "--cache",
                                dirs.cache.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(std::move(argv));
}

void Client::unmount() const {
  CHECK(dirs.unmount().exit_code == 0);
}

Snapshot snapshot_tree(const std::filesystem::path& root) {
  Snapshot out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    const std::string path = entry.path().lexically_relative(root).string();
    if (entry.is_directory()) {
      out[path] = "dir";
      continue;
    }
    // A read can fail for a moment (EIO: uncached bytes of a file the other mount changed,
    // until this mount's watcher sees the change): a snapshot that says so compares
    // unequal, and the caller looks again.
    const auto read = read_whole(entry.path());
    out[path] = read.bytes ? sha256_hex(*read.bytes)
                           : "(read failed: errno " + std::to_string(read.error) + ")";
  }
  return out;
}

Snapshot snapshot_bucket(backends::ObjectStore& store) {
  Snapshot out;
  backends::ListOptions options;
  do {
    auto page = store.list(options);
    // s3rver has been seen answering 500 to a listing under load: a snapshot that says so
    // compares unequal, and the caller looks again.
    if (!page) return {{"(listing failed)", page.status().to_string()}};
    for (const auto& object : page->objects) {
      add_parents(out, object.key);
      if (object.key.ends_with('/')) continue;  // a directory marker: its parents say it
      const auto body = object_body(store, object.key);
      out[object.key] = body ? sha256_hex(*body) : "(vanished)";
    }
    options.continuation_token = page->next_token;
  } while (!options.continuation_token.empty());
  return out;
}

std::vector<std::string> names_like(const std::filesystem::path& dir, const std::string& prefix,
                                    const std::string& suffix) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(prefix) && name.ends_with(suffix)) out.push_back(name);
  }
  return out;
}

}  // namespace autosync::testing
