#include "core/base/crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>

namespace autosync {
namespace {

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());  // NOLINT
}

std::string digest(const EVP_MD* md, std::string_view data) {
  std::string out(static_cast<size_t>(EVP_MD_get_size(md)), '\0');
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()),  // NOLINT
             &len, md, nullptr);
  out.resize(len);
  return out;
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

}  // namespace

std::string sha256(std::string_view data) {
  return digest(EVP_sha256(), data);
}
std::string md5(std::string_view data) {
  return digest(EVP_md5(), data);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes(data), data.size(),
       reinterpret_cast<unsigned char*>(out.data()), &len);  // NOLINT
  out.resize(len);
  return out;
}

std::string random_bytes(size_t count) {
  std::string out(count, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(count)) !=
      1) {  // NOLINT
    // Without a working CSPRNG nothing random we hand out can be trusted; this never happens
    // on Linux with a kernel getrandom(), so it is fatal rather than an error value.
    std::fputs("autosync: OpenSSL RAND_bytes failed\n", stderr);
    std::abort();
  }
  return out;
}

struct Sha256Stream::Ctx {
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> md{EVP_MD_CTX_new()};
};

Sha256Stream::Sha256Stream() : ctx_(std::make_unique<Ctx>()) {
  EVP_DigestInit_ex(ctx_->md.get(), EVP_sha256(), nullptr);
}
Sha256Stream::~Sha256Stream() = default;

void Sha256Stream::update(std::span<const unsigned char> data) {
  EVP_DigestUpdate(ctx_->md.get(), data.data(), data.size());
}

std::string Sha256Stream::finish() {
  std::string out(EVP_MAX_MD_SIZE, '\0');
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx_->md.get(), reinterpret_cast<unsigned char*>(out.data()), &len);  // NOLINT
  out.resize(len);
  return out;
}

}  // namespace autosync
