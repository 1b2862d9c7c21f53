// load_config_file: reading from disk, and refusing secrets in files others can read.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "core/config/config.h"
#include "tests/support/temp_dir.h"
#include "tests/unit/config/fake_env.h"

using namespace autosync;
using namespace autosync::config;
using autosync::config::testing::fake_env;
using autosync::testing::TempDir;

namespace {

constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

std::filesystem::path write_file(const TempDir& dir, std::string_view text, mode_t mode) {
  std::filesystem::path path = dir.path() / "autosync.toml";
  std::ofstream(path) << text;
  REQUIRE(::chmod(path.c_str(), mode) == 0);
  return path;
}

// A config whose only literal secret is `key` (the others come from the environment).
std::string with_literal_secret(std::string_view key) {
  std::string text = "remote = \"s3://b\"\n[s3]\naccess_key_id = \"AKID\"\n";
  for (const std::string_view secret : {"secret_access_key", "session_token"}) {
    text += std::string(secret) + " = \"";
    text += secret == key ? std::string(kSecret) : "env:OTHER";
    text += "\"\n";
  }
  return text;
}

EnvLookup secrets_env() {
  return fake_env({{"OTHER", "from-env"}});
}

}  // namespace

TEST_CASE("a config file is read from disk and remembers where it came from", "[config][file]") {
  TempDir dir;
  const auto path = write_file(dir, "remote = \"gs://b/p\"\n[cache]\nsize = \"2G\"\n", 0644);
  auto r = load_config_file(path, fake_env());
  REQUIRE(r.is_ok());
  CHECK(r->config_file == path);
  CHECK(r->store.remote.scheme == backends::Scheme::kGcs);
  CHECK(r->cache.max_bytes == 2ULL << 30);
}

TEST_CASE("errors from a file name its path", "[config][file]") {
  TempDir dir;
  const auto path = write_file(dir, "[cache]\nsize = \"huge\"\n", 0600);
  auto r = load_config_file(path, fake_env());
  REQUIRE_FALSE(r.is_ok());
  CHECK_THAT(r.status().message(), Catch::StartsWith(path.string() + ":2: key cache.size:"));
}

TEST_CASE("a missing file or a directory is an error", "[config][file]") {
  TempDir dir;
  auto missing = load_config_file(dir.path() / "nope.toml", fake_env());
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.status().is(ErrorKind::kNotFound));
  CHECK_THAT(missing.status().message(), Catch::Contains("nope.toml"));

  auto directory = load_config_file(dir.path(), fake_env());
  REQUIRE_FALSE(directory.is_ok());
  CHECK(directory.status().is(ErrorKind::kInvalid));
  CHECK_THAT(directory.status().message(), Catch::Contains("not a regular file"));
}

TEST_CASE("a file holding a secret must not be readable by group or others", "[config][file]") {
  for (const char* key : {"secret_access_key", "session_token"}) {
    for (const mode_t mode : {0644, 0640, 0604}) {
      INFO(key << " mode " << mode);
      TempDir dir;
      const auto path = write_file(dir, with_literal_secret(key), mode);
      auto r = load_config_file(path, secrets_env());
      REQUIRE_FALSE(r.is_ok());
      CHECK(r.status().is(ErrorKind::kInvalid));
      const std::string& message = r.status().message();
      CHECK_THAT(message, Catch::Contains("holds s3." + std::string(key) + " but"));
      CHECK_THAT(message, Catch::Contains("readable by group or others"));
      CHECK_THAT(message, Catch::Contains("chmod 600 " + path.string()));
      CHECK_THAT(message, !Catch::Contains(std::string(kSecret)));
    }
  }
  TempDir dir;
  const auto path = write_file(dir,
                               "[azure]\naccount_key = \"a2V5\"\nsas_token = \"sv=1\"\n"
                               "connection_string = \"AccountKey=x\"\n",
                               0644);
  auto r = load_config_file(path, fake_env());
  REQUIRE_FALSE(r.is_ok());
  CHECK_THAT(
      r.status().message(),
      Catch::Contains("holds azure.account_key, azure.connection_string, azure.sas_token but"));
}

TEST_CASE("a private file may hold secrets", "[config][file]") {
  for (const mode_t mode : {0600, 0400, 0700}) {
    INFO("mode " << mode);
    TempDir dir;
    const auto path = write_file(dir, with_literal_secret("secret_access_key"), mode);
    auto r = load_config_file(path, secrets_env());
    REQUIRE(r.is_ok());
    REQUIRE(r->store.s3.credentials.has_value());
    CHECK(r->store.s3.credentials->secret_access_key == kSecret);
  }
}

TEST_CASE("secrets taken from the environment need no private file", "[config][file]") {
  TempDir dir;
  const auto path = write_file(dir,
                               "[s3]\naccess_key_id = \"AKID\"\n"
                               "secret_access_key = \"env:BUCKET_SECRET\"\n",
                               0644);
  auto r = load_config_file(path, fake_env({{"BUCKET_SECRET", std::string(kSecret)}}));
  REQUIRE(r.is_ok());
  CHECK(r->store.s3.credentials->secret_access_key == kSecret);

  // An access key id alone is not a secret, and an empty secret is no secret.
  const auto id_only =
      write_file(dir, "[s3]\naccess_key_id = \"env:ID\"\nsecret_access_key = \"env:S\"\n", 0644);
  CHECK(load_config_file(id_only, fake_env({{"ID", "AKID"}, {"S", "x"}})).is_ok());
  const auto empty = write_file(dir, "[azure]\naccount_key = \"\"\n", 0644);
  CHECK(load_config_file(empty, fake_env()).is_ok());
}
