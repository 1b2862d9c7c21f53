#include <catch2/catch.hpp>
#include <cerrno>

#include "core/base/result.h"

using namespace autosync;

namespace {

Result<int> half(int x) {
  if (x % 2 != 0) return invalid("odd");
  return x / 2;
}

Result<int> quarter(int x) {
  AUTOSYNC_ASSIGN_OR_RETURN(int h, half(x));
  return half(h);
}

Status check_even(int x) {
  AUTOSYNC_RETURN_IF_ERROR(half(x).status());
  return {};
}

}  // namespace

TEST_CASE("Status carries kind, server details and context in one line", "[status]") {
  Status s = Status::error(ErrorKind::kAccessDenied, "credentials rejected")
                 .with_http_status(403)
                 .with_server_code("SignatureDoesNotMatch")
                 .with_request_id("REQ1");
  s = std::move(s).context("put a.txt");
  CHECK_FALSE(s.is_ok());
  CHECK(s.is(ErrorKind::kAccessDenied));
  CHECK_FALSE(s.retryable());
  CHECK(s.to_string() ==
        "put a.txt: credentials rejected [access denied; HTTP 403 SignatureDoesNotMatch; request "
        "id REQ1]");
  // The same context twice in a row is said once ("upload K: upload K: part 3" was).
  s = std::move(s).context("put a.txt");
  CHECK(s.message() == "put a.txt: credentials rejected");
  s = std::move(s).context("put a");
  CHECK(s.message() == "put a: put a.txt: credentials rejected");
  CHECK(Status::error(ErrorKind::kThrottled, "x").retryable());
  CHECK(Status().to_string() == "ok");
}

TEST_CASE("Result and the early-return macros propagate errors", "[status]") {
  CHECK(quarter(8).value() == 2);
  CHECK(quarter(6).status().is(ErrorKind::kInvalid));
  CHECK(check_even(4).is_ok());
  CHECK(check_even(3).message() == "odd");
}

TEST_CASE("errno maps to the matching kind", "[status]") {
  CHECK(from_errno(ENOENT, "open x").is(ErrorKind::kNotFound));
  CHECK(from_errno(ENOSPC, "write x").is(ErrorKind::kNoSpace));
  CHECK(from_errno(EACCES, "open x").is(ErrorKind::kAccessDenied));
  CHECK(from_errno(EIO, "read x").message() == "read x: Input/output error");
}
