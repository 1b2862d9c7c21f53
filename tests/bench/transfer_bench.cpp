// transfer_bench: upload and download MiB/s of one large object against a local s3rver,
// for AutoSync's S3 backend next to `curl` and the AWS CLI doing the same transfer in the
// same run. Prints a table with ratios. Not a test: it asserts nothing but correctness.
//
//   transfer_bench [--size-mib N] [--runs N] [--part-mib N] [--concurrency N]
//                  [--threshold-mib N]   (objects at least this big go multipart)
//                  [--limit-mib N]       (also: parallel transfers under a bandwidth limit of
//                                         N MiB/s each way, and the achieved rate vs it)
#include <fmt/format.h>

#include <algorithm>
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
  uint64_t limit_mib = 0;  // 0: no limited modes
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
    if (flag == "--limit-mib") a.limit_mib = value;
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

bool run(const std::string& command) {
  return std::system(command.c_str()) == 0;
}  // NOLINT

struct Mode {
  std::string direction;
  std::string name;
  std::function<bool()> once;
  double best = 0;  // MiB/s; 0 when it failed
};

// Runs every mode `runs` times, round-robin, so slow drift on the machine hits all alike.
void measure(std::vector<Mode>& modes, int runs, uint64_t bytes) {
  for (int i = 0; i < runs; ++i) {
    for (Mode& m : modes) {
      const auto start = Clock::now();
      if (!m.once()) {
        fmt::print(stderr, "transfer_bench: {} {} failed\n", m.direction, m.name);
        continue;
      }
      const double secs = std::chrono::duration<double>(Clock::now() - start).count();
      m.best = std::max(m.best, static_cast<double>(bytes) / (1 << 20) / secs);
    }
  }
}

double rate_of(const std::vector<Mode>& modes, std::string_view direction, std::string_view name) {
  for (const Mode& m : modes) {
    if (m.direction == direction && m.name == name) return m.best;
  }
  return 0;
}

void print_table(const std::vector<Mode>& modes) {
  auto ratio = [](double a, double b) {
    return b > 0 ? fmt::format("{:.2f}x", a / b) : std::string("n/a");
  };
  fmt::print("{:<9} {:<32} {:>11} {:>9} {:>9}\n", "direction", "tool", "MiB/s", "vs curl",
             "vs aws");
  for (const Mode& m : modes) {
    fmt::print("{:<9} {:<32} {:>11.1f} {:>9} {:>9}\n", m.direction, m.name, m.best,
               ratio(m.best, rate_of(modes, m.direction, "curl")),
               ratio(m.best, rate_of(modes, m.direction, "aws cli")));
  }
}

// The limited modes' best rates against the limit: a limit is kept when even the fastest
// run stays within 5% above it (the burst lets a little through at once), and used well when
// it reaches 80% of it.
bool print_limit_check(const std::vector<Mode>& modes, uint64_t limit_mib) {
  bool kept = true;
  for (const Mode& m : modes) {
    if (!m.name.starts_with("limited")) continue;
    const double ratio = m.best / static_cast<double>(limit_mib);
    const bool ok = ratio <= 1.05;
    kept = kept && ok;
    fmt::print("{} {}: {:.2f} MiB/s with a limit of {} MiB/s ({:.0f}%): {}{}\n", m.direction,
               m.name, m.best, limit_mib, ratio * 100, ok ? "PASS" : "MISS (over the limit)",
               ratio < 0.8 ? ", well under it (a slow machine or server?)" : "");
  }
  return kept;
}

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
  auto signed_store = backends::open(config);
  config.s3.payload_signing = backends::s3::PayloadSigning::kUnsigned;
  auto unsigned_store = backends::open(config);
  config.bandwidth = {.up_bytes_per_second = args.limit_mib << 20,
                      .down_bytes_per_second = args.limit_mib << 20};
  auto limited_store = backends::open(config);  // one limit for all its parallel parts
  if (!signed_store.is_ok() || !unsigned_store.is_ok() || !limited_store.is_ok()) {
    fmt::print(stderr, "transfer_bench: {}\n", signed_store.status().to_string());
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

  backends::TransferOptions single = args.transfer;
  single.multipart_threshold = UINT64_MAX;  // one PUT, one GET stream
  auto up_with = [&](backends::ObjectStore& store, const backends::TransferOptions& t) {
    return
        [&store, &t, &src] { return backends::upload_file(store, "ours.bin", src, {}, t).is_ok(); };
  };
  auto down_with = [&](const backends::TransferOptions& t) {
    return [&, t] {
      return backends::download_file(**signed_store, "ours.bin", dst, t).is_ok() &&
             same_file(src, dst);
    };
  };
  std::vector<Mode> modes = {
      {"upload", "autosync put, signed payload", up_with(**signed_store, single)},
      {"upload", "autosync put, unsigned payload", up_with(**unsigned_store, single)},
      {"upload", "autosync multipart (parallel)", up_with(**signed_store, args.transfer)},
      {"upload", "curl", [&] { return run(curl + "-T " + src.string() + " " + url + "curl.bin"); }},
      {"download", "autosync get, one stream", down_with(single)},
      {"download", "autosync get, parallel ranges", down_with(args.transfer)},
      {"download", "curl",
       [&] {
         return run(curl + "-o " + dst.string() + " " + url + "curl.bin") && same_file(src, dst);
       }},
  };
  if (have_aws) {
    modes.push_back(
        {"upload", "aws cli", [&] { return run(aws + src.string() + " s3://bench/aws.bin"); }});
    modes.push_back({"download", "aws cli", [&] {
                       return run(aws + "s3://bench/aws.bin " + dst.string()) &&
                              same_file(src, dst);
                     }});
  }
  if (args.limit_mib > 0) {
    modes.push_back(
        {"upload", "limited multipart (parallel)", up_with(**limited_store, args.transfer)});
    modes.push_back({"download", "limited get, parallel ranges", [&] {
                       return backends::download_file(**limited_store, "ours.bin", dst,
                                                      args.transfer)
                                  .is_ok() &&
                              same_file(src, dst);
                     }});
  }
  measure(modes, args.runs, bytes);
  fmt::print(
      "{} MiB object against s3rver on 127.0.0.1, best of {} runs, runs interleaved "
      "(parts {} MiB, {} in parallel)\n",
      args.size_mib, args.runs, args.transfer.part_size >> 20, args.transfer.concurrency);
  print_table(modes);
  const bool limit_kept = args.limit_mib == 0 || print_limit_check(modes, args.limit_mib);
  const bool all_ran =
      std::all_of(modes.begin(), modes.end(), [](const Mode& m) { return m.best > 0; });
  return all_ran && limit_kept ? 0 : 1;
}
