// Hashes, HMAC and random bytes on OpenSSL 3's EVP interface. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace autosync {

// Raw (binary) digests; pass through to_hex/base64_encode for the wire.
std::string sha256(std::string_view data);
std::string md5(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);

// Cryptographically strong random bytes (for upload ids, jitter seeds, temp names).
std::string random_bytes(size_t count);

// Incremental SHA-256 for data that arrives in pieces (a file read in chunks).
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void update(std::span<const unsigned char> data);
  std::string finish();  // raw digest; the stream is spent afterwards

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace autosync
