// transfer_bench: upload and download MiB/s of one large object against a local s3rver,
// for AutoSync's S3 backend next to `curl` and the AWS CLI doing the same transfer in the
// same run. Prints a table with ratios. Not a test: it asserts nothing but correctness.
//
//   transfer_bench [--size-mib N] [--runs N] [--part-mib N] [--concurrency N]
//                  [--threshold-mib N]   (objects at least this big go multipart)
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "backends/open.h"
#include "backends/transfer/transfer.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_server.h"

namespace {

using namespace autosync;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

struct Args {
  uint64_t size_mib = 256;
  int runs = 3;
  backends::TransferOptions transfer;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const uint64_t value = std::stoull(argv[i + 1]);
    if (flag == "--size-mib") a.size_mib = value;
    if (flag == "--runs") a.runs = static_cast<int>(value);
    if (flag == "--part-mib") a.transfer.part_size = value << 20;
    if (flag == "--concurrency") a.transfer.concurrency = static_cast<unsigned>(value);
    if (flag == "--threshold-mib") a.transfer.multipart_threshold = value << 20;
  }
  return a;
}

void write_random_file(const fs::path& path, uint64_t size) {
  std::ofstream out(path, std::ios::binary);
  std::vector<uint64_t> block(1 << 17);
  uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (uint64_t done = 0; done < size; done += block.size() * 8) {
    for (auto& v : block)
      v = (x = x * 6364136223846793005ULL + 1442695040888963407ULL);
    out.write(reinterpret_cast<const char*>(block.data()),  // NOLINT
              static_cast<std::streamsize>(std::min<uint64_t>(block.size() * 8, size - done)));
  }
}

bool same_file(const fs::path& a, const fs::path& b) {
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  std::vector<char> ba(1 << 20), bb(1 << 20);
  while (fa && fb) {
    fa.read(ba.data(), static_cast<std::streamsize>(ba.size()));
    fb.read(bb.data(), static_cast<std::streamsize>(bb.size()));
    if (fa.gcount() != fb.gcount() || ba != bb) return false;
  }
  return fa.eof() && fb.eof();
}

// Best of `runs` (the least disturbed run), in MiB/s; 0 when the command failed.
double best_rate(int runs, uint64_t bytes, const std::function<bool()>& once) {
  double best = 0;
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    if (!once()) return 0;
    const double secs = std::chrono::duration<double>(Clock::now() - start).count();
    best = std::max(best, static_cast<double>(bytes) / (1 << 20) / secs);
  }
  return best;
}

bool run(const std::string& command) {
  return std::system(command.c_str()) == 0;
}  // NOLINT

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  const uint64_t bytes = args.size_mib << 20;
  auto server = testing::TestServer::start_s3rver("bench");
  if (!server.is_ok()) {
    fmt::print(stderr, "transfer_bench: {}\n", server.status().to_string());
    return 1;
  }
  testing::TempDir dir;
  const fs::path src = dir.path() / "src.bin";
  const fs::path dst = dir.path() / "dst.bin";
  write_random_file(src, bytes);

  backends::StoreConfig config;
  config.remote = {backends::Scheme::kS3, "bench", "", ""};
  config.s3.preset = backends::s3::Preset::kMinio;
  config.s3.endpoint = server->endpoint();
  config.s3.credentials = backends::s3::Credentials{"S3RVER", "S3RVER", ""};
  auto store = backends::open(config);
  if (!store.is_ok()) {
    fmt::print(stderr, "transfer_bench: {}\n", store.status().to_string());
    return 1;
  }
  const std::string url = server->endpoint() + "/bench/";
  // curl signs the headers but not the body (UNSIGNED-PAYLOAD): it never hashes the data.
  const std::string curl =
      "curl -sS --fail --aws-sigv4 aws:amz:us-east-1:s3 --user S3RVER:S3RVER "
      "-H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' ";
  const std::string aws =
      "AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER "
      "AWS_DEFAULT_REGION=us-east-1 aws --endpoint-url " +
      server->endpoint() + " s3 cp --only-show-errors ";
  const bool have_aws = run("command -v aws >/dev/null 2>&1");

  auto ours_up = [&] {
    return backends::upload_file(**store, "ours.bin", src, {}, args.transfer).is_ok();
  };
  auto ours_down = [&] {
    return backends::download_file(**store, "ours.bin", dst, args.transfer).is_ok() &&
           same_file(src, dst);
  };
  auto curl_up = [&] { return run(curl + "-T " + src.string() + " " + url + "curl.bin"); };
  auto curl_down = [&] {
    return run(curl + "-o " + dst.string() + " " + url + "curl.bin") && same_file(src, dst);
  };
  auto aws_up = [&] { return run(aws + src.string() + " s3://bench/aws.bin"); };
  auto aws_down = [&] {
    return run(aws + "s3://bench/aws.bin " + dst.string()) && same_file(src, dst);
  };

  const double up = best_rate(args.runs, bytes, ours_up);
  const double down = best_rate(args.runs, bytes, ours_down);
  const double cup = best_rate(args.runs, bytes, curl_up);
  const double cdown = best_rate(args.runs, bytes, curl_down);
  const double aup = have_aws ? best_rate(args.runs, bytes, aws_up) : 0;
  const double adown = have_aws ? best_rate(args.runs, bytes, aws_down) : 0;

  auto ratio = [](double a, double b) {
    return b > 0 ? fmt::format("{:.2f}x", a / b) : std::string("n/a");
  };
  fmt::print("{} MiB object against s3rver, best of {} runs (part {} MiB, {} parallel)\n",
             args.size_mib, args.runs, args.transfer.part_size >> 20, args.transfer.concurrency);
  fmt::print("{:<10} {:>12} {:>12} {:>12} {:>10} {:>10}\n", "direction", "autosync", "curl",
             "aws cli", "vs curl", "vs aws");
  fmt::print("{:<10} {:>8.1f} MiB/s {:>6.1f} MiB/s {:>6.1f} MiB/s {:>10} {:>10}\n", "upload", up,
             cup, aup, ratio(up, cup), ratio(up, aup));
  fmt::print("{:<10} {:>8.1f} MiB/s {:>6.1f} MiB/s {:>6.1f} MiB/s {:>10} {:>10}\n", "download",
             down, cdown, adown, ratio(down, cdown), ratio(down, adown));
  return (up > 0 && down > 0) ? 0 : 1;
}
