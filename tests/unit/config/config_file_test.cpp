#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "core/config/config.h"
#include "core/config/keys.h"
#include "tests/unit/config/fake_env.h"

using namespace autosync;
using namespace autosync::config;
using namespace std::chrono_literals;
using autosync::config::testing::fake_env;
namespace s3 = autosync::backends::s3;

namespace {

constexpr std::string_view kFullExample = R"(
remote = "s3://photos/2024"
mountpoint = "/mnt/photos"

[cache]
dir = "/srv/cache/photos"
size = "20G"
dir_ttl = "2m"
attr_ttl = "5s"
fsync_waits_for_upload = true

[sync]
workers = 8
writeback_delay = "250ms"
part_size = "32M"
multipart_threshold = 134217728   # bytes as a plain integer
concurrency = 6
bandwidth_limit = "50M/s"
bandwidth_limit_up = "5M/s"
bandwidth_limit_down = "0"

[retry]
max_attempts = 7
initial_delay = "200ms"
max_delay = "20s"

[s3]
preset = "minio"
endpoint = "http://127.0.0.1:9000"
region = "eu-west-1"
profile = "backup"
addressing = "virtual"
ca_bundle = "/etc/ssl/minio.pem"
verify_tls = false
access_key_id = "AKIDEXAMPLE"
secret_access_key = "env:PHOTOS_SECRET"
session_token = "env:PHOTOS_TOKEN"
conditional_write = false
connect_timeout = "1500ms"
stall_timeout = "1m"

[azure]
account = "acct"
account_key = "env:AZ_KEY"
sas_token = "?sv=2021&sig=abc"
connection_string = "env:AZ_CONN"
endpoint = "http://127.0.0.1:10000/acct"
ca_bundle = "/etc/ssl/azurite.pem"
verify_tls = false
connect_timeout = "3s"
stall_timeout = "45s"

[fuse]
allow_other = true
read_only = true
default_permissions = true
uid = 1000
gid = 100
umask = 0o027
foreground = true
debug = true
)";

EnvLookup example_env() {
  return fake_env({{"PHOTOS_SECRET", "wJalrXUtnFEMI"},
                   {"PHOTOS_TOKEN", "token-1"},
                   {"AZ_KEY", "a2V5"},
                   {"AZ_CONN", "UseDevelopmentStorage=true"}});
}

// The error message for `doc`, which must fail to parse with kInvalid.
std::string parse_error(std::string_view doc) {
  auto r = parse_config(doc, "f.toml", fake_env());
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().is(ErrorKind::kInvalid));
  return r.status().message();
}

std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(AUTOSYNC_SOURCE_DIR) + "/" + relative);
  REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("a full config file fills every field", "[config]") {
  auto r = parse_config(kFullExample, "full.toml", example_env());
  REQUIRE(r.is_ok());
  const Options& o = *r;
  CHECK(o.store.remote.scheme == backends::Scheme::kS3);
  CHECK(o.store.remote.bucket == "photos");
  CHECK(o.store.remote.prefix == "2024/");
  CHECK(o.mountpoint == "/mnt/photos");
  CHECK(o.config_file.empty());

  CHECK(o.cache.dir == "/srv/cache/photos");
  CHECK(o.cache.max_bytes == 20ULL << 30);
  CHECK(o.cache.dir_ttl == 120s);
  CHECK(o.cache.attr_ttl == 5s);
  CHECK(o.cache.fsync_waits_for_upload);

  CHECK(o.sync.workers == 8);
  CHECK(o.sync.writeback_delay == 250ms);
  CHECK(o.sync.transfer.part_size == 32ULL << 20);
  CHECK(o.sync.transfer.multipart_threshold == 128ULL << 20);
  CHECK(o.sync.transfer.concurrency == 6);
  CHECK(o.sync.bandwidth_limit == 50ULL << 20);
  CHECK(o.sync.bandwidth_limit_up == 5ULL << 20);
  CHECK(o.sync.bandwidth_limit_down == 0);

  CHECK(o.store.retry.max_attempts == 7);
  CHECK(o.store.retry.initial_delay == 200ms);
  CHECK(o.store.retry.max_delay == 20s);

  const s3::S3Config& s = o.store.s3;
  CHECK(s.preset == s3::Preset::kMinio);
  CHECK(s.endpoint == "http://127.0.0.1:9000");
  CHECK(s.region == "eu-west-1");
  CHECK(s.profile == "backup");
  CHECK(s.addressing == s3::Addressing::kVirtualHosted);
  CHECK(s.ca_bundle == "/etc/ssl/minio.pem");
  CHECK_FALSE(s.verify_tls);
  REQUIRE(s.credentials.has_value());
  CHECK(s.credentials->access_key_id == "AKIDEXAMPLE");
  CHECK(s.credentials->secret_access_key == "wJalrXUtnFEMI");
  CHECK(s.credentials->session_token == "token-1");
  CHECK(s.conditional_write == std::optional<bool>(false));
  CHECK(s.connect_timeout == 1500ms);
  CHECK(s.stall_timeout == 60s);

  const backends::azure::AzureConfig& a = o.store.azure;
  CHECK(a.account == "acct");
  CHECK(a.account_key == "a2V5");
  CHECK(a.sas_token == "sv=2021&sig=abc");  // the '?' is dropped
  CHECK(a.connection_string == "UseDevelopmentStorage=true");
  CHECK(a.endpoint == "http://127.0.0.1:10000/acct");
  CHECK(a.ca_bundle == "/etc/ssl/azurite.pem");
  CHECK_FALSE(a.verify_tls);
  CHECK(a.connect_timeout == 3s);
  CHECK(a.stall_timeout == 45s);

  CHECK(o.fuse.allow_other);
  CHECK(o.fuse.read_only);
  CHECK(o.fuse.default_permissions);
  CHECK(o.fuse.uid == std::optional<uint32_t>(1000));
  CHECK(o.fuse.gid == std::optional<uint32_t>(100));
  CHECK(o.fuse.umask == std::optional<uint32_t>(027));
  CHECK(o.fuse.foreground);
  CHECK(o.fuse.debug);
  CHECK(o.fuse.passthrough.empty());

  // The environment the secrets came from is kept for the backends' own lookups.
  REQUIRE(o.store.env);
  CHECK(o.store.env("AZ_KEY") == std::optional<std::string>("a2V5"));
}

TEST_CASE("an empty file gives the documented defaults", "[config]") {
  auto r = parse_config("", "empty.toml", fake_env());
  REQUIRE(r.is_ok());
  CHECK_FALSE(has_remote(*r));
  CHECK(r->cache.max_bytes == 10ULL << 30);
  CHECK(r->cache.dir_ttl == 60s);
  CHECK(r->sync.workers == 4);
  CHECK(r->store.retry.max_attempts == 5);
  CHECK_FALSE(r->store.s3.credentials.has_value());
  CHECK_FALSE(r->store.s3.conditional_write.has_value());
  CHECK_FALSE(r->fuse.umask.has_value());
}

TEST_CASE("the sample config in docs/ parses and documents every key", "[config]") {
  const std::string sample = read_source_file("docs/autosync.toml.example");
  auto r = parse_config(sample, "autosync.toml.example", fake_env());
  REQUIRE(r.is_ok());
  CHECK(backends::to_string(r->store.remote) == "s3://my-bucket/team");
  CHECK(r->cache.max_bytes == 10ULL << 30);

  const std::string header = read_source_file("core/config/config.h");
  for (const KeySpec& key : all_keys()) {
    const std::string_view name = key.name;
    const size_t dot = name.find('.');
    const std::string bare(dot == std::string_view::npos ? name : name.substr(dot + 1));
    INFO(name);
    if (dot != std::string_view::npos) {
      const std::string section = "[" + std::string(name.substr(0, dot)) + "]";
      const size_t start = sample.find("\n" + section);
      REQUIRE(start != std::string::npos);
      const std::string body = sample.substr(start, sample.find("\n[", start + 1) - start);
      CHECK((body.find("\n" + bare + " = ") != std::string::npos ||
             body.find("\n# " + bare + " = ") != std::string::npos));
      CHECK(header.find("//   " + section) != std::string::npos);
    }
    CHECK(header.find("//   " + bare + " = ") != std::string::npos);
  }
}

TEST_CASE("sizes may be integers of bytes, modes octal integers", "[config]") {
  auto r = parse_config("[cache]\nsize = 1073741824\n[fuse]\numask = 0\n", "f.toml", fake_env());
  REQUIRE(r.is_ok());
  CHECK(r->cache.max_bytes == 1ULL << 30);
  CHECK(r->fuse.umask == std::optional<uint32_t>(0));
  auto s = parse_config("[fuse]\numask = \"077\"\n", "f.toml", fake_env());
  REQUIRE(s.is_ok());
  CHECK(s->fuse.umask == std::optional<uint32_t>(077));
}

TEST_CASE("every kind of bad key names the file, the line and the key", "[config]") {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"remote = \"s3://b\"\n[cache]\nsise = \"1G\"\n",
       "f.toml:3: key cache.sise: unknown key (did you mean cache.size?)"},
      {"size = \"1G\"\n", "f.toml:1: key size: unknown key (did you mean cache.size?)"},
      {"[fuse]\nallow_others = true\n",
       "f.toml:2: key fuse.allow_others: unknown key (did you mean fuse.allow_other?)"},
      {"[bogus]\nx = 1\n", "f.toml:1: key bogus: unknown key"},
      {"[cache.extra]\nx = 1\n", "f.toml:1: key cache.extra: unknown key"},
      {"cache = 5\n", "f.toml:1: key cache: expected a table [cache], not an integer"},
      {"[sync]\nworkers = \"4\"\n",
       "f.toml:2: key sync.workers: expected a whole number, not a string"},
      {"[fuse]\nread_only = \"yes\"\n",
       "f.toml:2: key fuse.read_only: expected true or false, not a string"},
      {"[cache]\ndir_ttl = 60\n",
       "f.toml:2: key cache.dir_ttl: expected a duration such as \"30s\", not an integer"},
      {"[s3]\nregion = [\"a\"]\n", "f.toml:2: key s3.region: expected a string, not an array"},
      {"[cache]\nsize = 1.5\n",
       "f.toml:2: key cache.size: expected a size such as \"20G\" or a number of bytes, not a "
       "float"},
      {"[cache]\n\nsize = \"10 GB\"\n", "f.toml:3: key cache.size: size \"10 GB\": expected"},
      {"[cache]\nsize = \"512K\"\n", "f.toml:2: key cache.size: 512K is below the minimum, 1M"},
      {"[retry]\ninitial_delay = \"5M\"\n",
       "f.toml:2: key retry.initial_delay: duration \"5M\": units are lower case"},
      {"[cache]\ndir_ttl = \"1500ms\"\n",
       "f.toml:2: key cache.dir_ttl: 1500ms is not a whole number of seconds"},
      {"[sync]\nworkers = 0\n", "f.toml:2: key sync.workers: 0 is below the minimum, 1"},
      {"[sync]\nconcurrency = 65\n", "f.toml:2: key sync.concurrency: 65 is above the maximum, 64"},
      {"[sync]\nconcurrency = -1\n", "f.toml:2: key sync.concurrency: -1 is negative"},
      {"[s3]\nstall_timeout = \"0s\"\n",
       "f.toml:2: key s3.stall_timeout: 0s is below the minimum, 1s"},
      {"[fuse]\numask = 22\n",
       "f.toml:2: key fuse.umask: the decimal integer 22 is not an octal mode"},
      {"[fuse]\numask = 0o1000\n", "f.toml:2: key fuse.umask: 1000 is above the maximum, 777"},
      {"[fuse]\nuid = 4294967295\n", "f.toml:2: key fuse.uid: 4294967295 is above the maximum"},
      {"remote = \"http://x\"\n", "f.toml:1: key remote: remote http://x: unknown form"},
      {"mountpoint = \"mnt/x\"\n", "f.toml:1: key mountpoint: path \"mnt/x\" is not absolute"},
      {"[s3]\nendpoint = \"localhost:9000\"\n",
       "f.toml:2: key s3.endpoint: \"localhost:9000\" is not an http:// or https:// URL"},
      {"[s3]\npreset = \"wasabi\"\n",
       "f.toml:2: key s3.preset: \"wasabi\" is not one of: aws, minio, gcs"},
      {"[s3]\nsecret_access_key = \"env:NOPE\"\n",
       "f.toml:2: key s3.secret_access_key: environment variable NOPE is not set"},
      {"a = \n", "f.toml:1: invalid TOML: "},
      {"[sync]\nworkers = 1\nworkers = 2\n", "f.toml:3: invalid TOML: "},
      {"[retry]\ninitial_delay = \"20s\"\n",
       "f.toml: retry: initial_delay (20s) is longer than max_delay (10s)"},
      {"[s3]\naccess_key_id = \"AKID\"\n",
       "f.toml: s3: access_key_id and secret_access_key go together"},
      {"[s3]\nsession_token = \"env:T\"\n",
       "f.toml:2: key s3.session_token: environment variable T"},
  };
  for (const auto& [doc, expected] : cases) {
    INFO(doc);
    CHECK_THAT(parse_error(doc), Catch::StartsWith(std::string(expected)));
  }
}

TEST_CASE("with several problems the first by line is reported, and how many more", "[config]") {
  const std::string message = parse_error("[sync]\nworkers = 0\n[cache]\nsise = 1\nsize = \"x\"\n");
  CHECK_THAT(message, Catch::StartsWith("f.toml:2: key sync.workers:"));
  CHECK_THAT(message, Catch::EndsWith("(and 2 more problems)"));
  CHECK_THAT(parse_error("[sync]\nworkers = 0\nconcurrency = 0\n"),
             Catch::EndsWith("(and 1 more problem)"));
}

TEST_CASE("secret values never appear in error messages", "[config]") {
  for (const char* doc :
       {"[s3]\nsecret_access_key = 12345678\n", "[azure]\naccount_key = [\"12345678\"]\n",
        "[azure]\nsas_token = 12345678\n"}) {
    INFO(doc);
    const std::string message = parse_error(doc);
    CHECK_THAT(message, Catch::Contains("expected a string"));
    CHECK_THAT(message, !Catch::Contains("12345678"));
  }
  // A literal secret with a missing partner: the message names keys, not values.
  const std::string message = parse_error("[s3]\nsecret_access_key = \"wJalrXUtnFEMIsecret\"\n");
  CHECK_THAT(message, Catch::Contains("access_key_id and secret_access_key"));
  CHECK_THAT(message, !Catch::Contains("wJalrXUtnFEMIsecret"));
}
