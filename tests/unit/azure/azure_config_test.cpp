// Connection strings and resolve(): where each setting comes from, and what is refused.
#include "backends/azure/azure_config.h"

#include <catch2/catch.hpp>
#include <map>

#include "backends/azure/connection_string.h"

namespace autosync::backends::azure {
namespace {

// A made-up environment, so tests never read (or depend on) the real one.
EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

constexpr std::string_view kKeyA = "a2V5LWE=";  // base64("key-a")
constexpr std::string_view kKeyB = "a2V5LWI=";  // base64("key-b")

TEST_CASE("connection string with account, key and suffix derives the blob endpoint") {
  auto conn = parse_connection_string(
      "DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=a2V5LWE=;"
      "EndpointSuffix=core.chinacloudapi.cn;");
  REQUIRE(conn.is_ok());
  CHECK(conn->account == "acct");
  CHECK(conn->account_key == "a2V5LWE=");  // '=' inside a value survives
  CHECK(conn->sas_token.empty());
  CHECK(conn->blob_endpoint == "http://acct.blob.core.chinacloudapi.cn");

  auto defaults = parse_connection_string("AccountName=acct;AccountKey=a2V5LWE=");
  REQUIRE(defaults.is_ok());
  CHECK(defaults->blob_endpoint == "https://acct.blob.core.windows.net");
}

TEST_CASE("connection string with BlobEndpoint and SAS, names case-insensitive") {
  auto conn = parse_connection_string(
      "blobendpoint=https://example.test/acct/;SharedAccessSignature=?sv=2021-12-02&sig=abc%3D;"
      "QueueEndpoint=https://q.example.test");
  REQUIRE(conn.is_ok());
  CHECK(conn->blob_endpoint == "https://example.test/acct");
  CHECK(conn->sas_token == "sv=2021-12-02&sig=abc%3D");
  CHECK(conn->account.empty());
}

TEST_CASE("UseDevelopmentStorage=true means the emulator's well-known account") {
  auto conn = parse_connection_string("UseDevelopmentStorage=true");
  REQUIRE(conn.is_ok());
  CHECK(conn->account == "devstoreaccount1");
  CHECK(conn->account_key == kDevStoreKey);
  CHECK(conn->blob_endpoint == "http://127.0.0.1:10000/devstoreaccount1");

  auto proxied = parse_connection_string(
      "UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://dev.local");
  REQUIRE(proxied.is_ok());
  CHECK(proxied->blob_endpoint == "http://dev.local:10000/devstoreaccount1");

  CHECK(parse_connection_string("UseDevelopmentStorage=false").status().is(ErrorKind::kInvalid));
}

TEST_CASE("malformed connection strings are refused without echoing secrets") {
  auto bad = parse_connection_string("AccountName=acct;secretkeymaterial");
  REQUIRE(bad.status().is(ErrorKind::kInvalid));
  CHECK(bad.status().message().find("part 2") != std::string::npos);
  CHECK(bad.status().message().find("secretkeymaterial") == std::string::npos);
  CHECK(parse_connection_string("AccountName=a;DefaultEndpointsProtocol=ftp")
            .status()
            .is(ErrorKind::kInvalid));
}

TEST_CASE("resolve fills everything from a development storage connection string") {
  AzureConfig config;
  config.container = "photos";
  config.connection_string = "UseDevelopmentStorage=true";
  auto resolved = resolve(config, fake_env({}));
  REQUIRE(resolved.is_ok());
  CHECK(resolved->account == "devstoreaccount1");
  CHECK(resolved->account_key == kDevStoreKey);
  CHECK(resolved->endpoint == "http://127.0.0.1:10000/devstoreaccount1");
}

TEST_CASE("resolve: the config beats the connection string, which beats single variables") {
  const auto env =
      fake_env({{"AZURE_STORAGE_CONNECTION_STRING", "AccountName=fromconn;AccountKey=a2V5LWE="},
                {"AZURE_STORAGE_ACCOUNT", "fromenv"},
                {"AZURE_STORAGE_KEY", std::string(kKeyB)}});
  AzureConfig config;
  config.container = "photos";
  auto from_conn = resolve(config, env);
  REQUIRE(from_conn.is_ok());
  CHECK(from_conn->account == "fromconn");
  CHECK(from_conn->account_key == kKeyA);
  CHECK(from_conn->endpoint == "https://fromconn.blob.core.windows.net");

  config.account = "fromconn";
  config.account_key = std::string(kKeyB);
  config.endpoint = "http://127.0.0.1:9999/fromconn/";
  auto from_config = resolve(config, env);
  REQUIRE(from_config.is_ok());
  CHECK(from_config->account_key == kKeyB);
  CHECK(from_config->endpoint == "http://127.0.0.1:9999/fromconn");  // trailing '/' dropped
}

TEST_CASE("resolve: single variables when there is no connection string") {
  AzureConfig config;
  config.container = "photos";
  auto resolved = resolve(config, fake_env({{"AZURE_STORAGE_ACCOUNT", "envacct"},
                                            {"AZURE_STORAGE_SAS_TOKEN", "?sv=1&sig=x"}}));
  REQUIRE(resolved.is_ok());
  CHECK(resolved->account == "envacct");
  CHECK(resolved->account_key.empty());
  CHECK(resolved->sas_token == "sv=1&sig=x");
  CHECK(resolved->endpoint == "https://envacct.blob.core.windows.net");
}

TEST_CASE("resolve: credentials come from one source, not mixed") {
  // The config names a SAS token: the ambient key must not be added to it.
  AzureConfig config;
  config.container = "photos";
  config.account = "acct";
  config.sas_token = "sv=1&sig=x";
  auto resolved = resolve(config, fake_env({{"AZURE_STORAGE_KEY", std::string(kKeyA)}}));
  REQUIRE(resolved.is_ok());
  CHECK(resolved->account_key.empty());
  CHECK(resolved->sas_token == "sv=1&sig=x");
}

TEST_CASE("resolve: an ambient connection string for another account is ignored") {
  AzureConfig config;
  config.container = "photos";
  config.account = "mine";
  auto resolved = resolve(
      config,
      fake_env({{"AZURE_STORAGE_CONNECTION_STRING", "AccountName=other;AccountKey=a2V5LWE="},
                {"AZURE_STORAGE_KEY", std::string(kKeyB)}}));
  REQUIRE(resolved.is_ok());
  CHECK(resolved->account_key == kKeyB);
  CHECK(resolved->endpoint == "https://mine.blob.core.windows.net");
}

TEST_CASE("resolve refuses missing or malformed settings with a clear message") {
  AzureConfig config;
  CHECK(resolve(config, fake_env({})).status().is(ErrorKind::kInvalid));  // no container

  config.container = "Bad_Name";
  CHECK(resolve(config, fake_env({})).status().message().find("container name") !=
        std::string::npos);

  config.container = "photos";
  config.account = "acct";
  auto no_creds = resolve(config, fake_env({}));
  REQUIRE(no_creds.status().is(ErrorKind::kInvalid));
  CHECK(no_creds.status().message().find("AZURE_STORAGE_KEY") != std::string::npos);

  config.account_key = "not base64!!";
  auto bad_key = resolve(config, fake_env({}));
  REQUIRE(bad_key.status().is(ErrorKind::kInvalid));
  CHECK(bad_key.status().message().find("base64") != std::string::npos);
  CHECK(bad_key.status().message().find("not base64!!") == std::string::npos);

  config.account_key = std::string(kKeyA);
  config.endpoint = "ftp://example.test";
  CHECK(resolve(config, fake_env({})).status().is(ErrorKind::kInvalid));
}

}  // namespace
}  // namespace autosync::backends::azure
