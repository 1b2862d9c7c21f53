#include "backends/http/http_client.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <array>

#include "backends/http/curl_handles.h"
#include "core/base/encoding.h"

namespace autosync::backends::http {
namespace {

// Bodies below this go without "Expect: 100-continue": the extra round trip costs more than
// the bytes a rejected request would waste.
constexpr uint64_t kExpectContinueThreshold = 1 << 20;
constexpr long kReceiveBufferBytes = 512L * 1024;
constexpr long kSendBufferBytes = 2L * 1024 * 1024;

// State one transfer's callbacks share.
struct Transfer {
  const HttpRequest* request = nullptr;
  const ByteSource* body = nullptr;
  HttpResponse* response = nullptr;
  CURL* curl = nullptr;
  uint64_t read_offset = 0;
  uint64_t write_offset = 0;
  Status callback_error;  // a source or sink failure, reported instead of curl's abort code
};

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    t->response->headers.clear();  // a new response (after 100 Continue or a redirect)
    return line.size();
  }
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    t->response->headers.emplace_back(to_lower(trim(line.substr(0, colon))),
                                      std::string(trim(line.substr(colon + 1))));
  }
  return line.size();
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * count;
  long status = 0;
  curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  t->response->body_bytes += n;
  if (t->request->sink != nullptr && status >= 200 && status < 300) {
    Status s = t->request->sink->write_at(t->write_offset, {data, n});
    if (!s.is_ok()) {
      t->callback_error = std::move(s);
      return CURL_WRITEFUNC_ERROR;
    }
    t->write_offset += n;
  } else {
    t->response->body.append(data, n);
  }
  return n;
}

size_t on_read(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  auto n = t->body->read_at(t->read_offset, {data, size * count});
  if (!n.is_ok()) {
    t->callback_error = n.status();
    return CURL_READFUNC_ABORT;
  }
  t->read_offset += *n;
  return *n;
}

// Rewinds the upload when curl must resend the body (a redirect or a reused connection that
// the server had closed).
int on_seek(void* user, curl_off_t offset, int origin) {
  if (origin != SEEK_SET) return CURL_SEEKFUNC_CANTSEEK;
  static_cast<Transfer*>(user)->read_offset = static_cast<uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

Status transport_error(const HttpRequest& request, CURLcode code, const char* detail) {
  const std::string what = fmt::format("{} {}", request.method, redact_url(request.url));
  const std::string reason =
      (detail != nullptr && *detail != '\0') ? detail : curl_easy_strerror(code);
  // Only a URL we built wrong is our fault; anything else (including curl's "unsupported
  // protocol" for a server answering garbage) may pass when tried again.
  const ErrorKind kind = code == CURLE_URL_MALFORMAT ? ErrorKind::kInvalid : ErrorKind::kTransient;
  return Status::error(kind, fmt::format("{}: {}", what, reason));
}

}  // namespace

class HttpClient::Impl {
 public:
  explicit Impl(HttpOptions options) : options_(std::move(options)) {}

  Result<HttpResponse> perform(const HttpRequest& request) {
    EasyHandle easy = pool_.acquire();
    HttpResponse response;
    static const BufferSource kNoBody{""};
    Transfer t;
    t.request = &request;
    t.body = request.body != nullptr ? request.body : &kNoBody;
    t.response = &response;
    t.curl = easy.get();
    HeaderList headers;
    configure(easy.get(), request, t, headers);
    std::array<char, CURL_ERROR_SIZE> error_text{};
    curl_easy_setopt(easy.get(), CURLOPT_ERRORBUFFER, error_text.data());
    const CURLcode code = curl_easy_perform(easy.get());
    curl_easy_setopt(easy.get(), CURLOPT_ERRORBUFFER, nullptr);
    if (!t.callback_error.is_ok()) return std::move(t.callback_error);
    if (code != CURLE_OK) return transport_error(request, code, error_text.data());
    long status = 0;
    curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    pool_.release(std::move(easy));
    return response;
  }

 private:
  void configure(CURL* c, const HttpRequest& request, Transfer& t, HeaderList& headers) {
    curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
    // Keys are not paths: "a/../b" must reach the store as written, not be normalised.
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_SHARE, share_.get());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options_.stall_timeout.count()));
    curl_easy_setopt(c, CURLOPT_BUFFERSIZE, kReceiveBufferBytes);
    curl_easy_setopt(c, CURLOPT_UPLOAD_BUFFERSIZE, kSendBufferBytes);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
    if (!options_.ca_bundle.empty())
      curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_bundle.c_str());
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);

    if (request.method == "HEAD") {
      curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (request.method == "PUT" || request.method == "POST") {
      const uint64_t size = t.body->size();
      curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(size));
      curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
      curl_easy_setopt(c, CURLOPT_READDATA, &t);
      curl_easy_setopt(c, CURLOPT_SEEKFUNCTION, on_seek);
      curl_easy_setopt(c, CURLOPT_SEEKDATA, &t);
      if (size < kExpectContinueThreshold) headers.append("Expect:");
    }
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    for (const auto& [name, value] : request.headers) {
      std::string line;
      line.reserve(name.size() + value.size() + 2);
      line.append(name).append(": ").append(value);
      headers.append(line);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  }

  HttpOptions options_;
  ShareHandle share_;
  EasyPool pool_;
};

HttpClient::HttpClient(HttpOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
HttpClient::~HttpClient() = default;

Result<HttpResponse> HttpClient::perform(const HttpRequest& request) {
  return impl_->perform(request);
}

std::string_view HttpResponse::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return {};
}

std::string redact_url(std::string_view url) {
  const size_t q = url.find('?');
  return std::string(q == std::string_view::npos ? url : url.substr(0, q));
}

ErrorKind error_kind_for_http_status(int status) {
  switch (status) {
    case 304:
    case 412:
      return ErrorKind::kPreconditionFailed;
    case 400:
    case 405:
    case 411:
    case 413:
    case 416:
      return ErrorKind::kInvalid;
    case 401:
    case 403:
      return ErrorKind::kAccessDenied;
    case 404:
      return ErrorKind::kNotFound;
    case 409:
      return ErrorKind::kTransient;  // a concurrent operation on the same key
    case 429:
    case 503:
      return ErrorKind::kThrottled;  // S3 SlowDown, Azure ServerBusy
    case 501:
      return ErrorKind::kUnsupported;
    default:
      return status >= 500 ? ErrorKind::kTransient : ErrorKind::kInvalid;
  }
}

}  // namespace autosync::backends::http
