#include "core/config/units.h"

#include <catch2/catch.hpp>

using namespace autosync;
using namespace autosync::config;
using namespace std::chrono_literals;

namespace {

std::string error_of(const Status& status) {
  CHECK(status.is(ErrorKind::kInvalid));
  return status.message();
}

}  // namespace

TEST_CASE("sizes take binary suffixes in any case", "[units]") {
  CHECK(*parse_size("0") == 0);
  CHECK(*parse_size("1048576") == 1048576);
  CHECK(*parse_size("7B") == 7);
  CHECK(*parse_size("512K") == 512ULL << 10);
  CHECK(*parse_size("512k") == 512ULL << 10);
  CHECK(*parse_size("512KiB") == 512ULL << 10);
  CHECK(*parse_size("20M") == 20ULL << 20);
  CHECK(*parse_size("20mib") == 20ULL << 20);
  CHECK(*parse_size("10G") == 10ULL << 30);
  CHECK(*parse_size("10GiB") == 10ULL << 30);
  CHECK(*parse_size("2T") == 2ULL << 40);
  CHECK(*parse_size("17179869183G") == 17179869183ULL << 30);  // the largest whole G
}

TEST_CASE("bad sizes say what is wrong and what is accepted", "[units]") {
  CHECK_THAT(error_of(parse_size("10 G").status()),
             Catch::Contains("size \"10 G\"") && Catch::Contains("binary suffix K, M, G or T"));
  CHECK_THAT(error_of(parse_size("10GB").status()),
             Catch::Contains("GB is ambiguous") && Catch::Contains("\"10G\""));
  CHECK_THAT(error_of(parse_size("1.5G").status()), Catch::Contains("fractions"));
  CHECK_THAT(error_of(parse_size("50%").status()), Catch::Contains("percentages"));
  CHECK_THAT(error_of(parse_size("17179869184G").status()), Catch::Contains("too large"));
  CHECK_THAT(error_of(parse_size("18446744073709551616").status()), Catch::Contains("too large"));
  for (const char* bad : {"", "G", "-1", "10X", "ten", " 10G", "10G "}) {
    INFO(bad);
    CHECK_FALSE(parse_size(bad).is_ok());
  }
}

TEST_CASE("durations are whole numbers with units, combinable", "[units]") {
  CHECK(*parse_duration("0") == 0ms);
  CHECK(*parse_duration("0s") == 0ms);
  CHECK(*parse_duration("250ms") == 250ms);
  CHECK(*parse_duration("30s") == 30s);
  CHECK(*parse_duration("5m") == 5min);
  CHECK(*parse_duration("1h") == 1h);
  CHECK(*parse_duration("2d") == 48h);
  CHECK(*parse_duration("1m30s") == 90s);
  CHECK(*parse_duration("1h30m15s500ms") == 1h + 30min + 15s + 500ms);
}

TEST_CASE("bad durations say what is wrong and what is accepted", "[units]") {
  CHECK_THAT(error_of(parse_duration("5M").status()),
             Catch::Contains("duration \"5M\"") && Catch::Contains("lower case"));
  CHECK_THAT(error_of(parse_duration("1.5s").status()), Catch::Contains("fractions"));
  CHECK_THAT(error_of(parse_duration("30").status()), Catch::Contains("units ms, s, m, h or d"));
  CHECK_THAT(error_of(parse_duration("9999999999999999d").status()), Catch::Contains("too long"));
  for (const char* bad : {"", "s", "30 s", "30sec", "-5s", "5s 1m", "1w"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad).is_ok());
  }
}

TEST_CASE("modes are octal up to 777", "[units]") {
  CHECK(*parse_octal_mode("022") == 022);
  CHECK(*parse_octal_mode("0022") == 022);
  CHECK(*parse_octal_mode("0") == 0);
  CHECK(*parse_octal_mode("777") == 0777);
  for (const char* bad : {"", "8", "078", "1000", "0x12", "22 ", "-1"}) {
    INFO(bad);
    CHECK_THAT(error_of(parse_octal_mode(bad).status()), Catch::Contains("octal"));
  }
}

TEST_CASE("booleans and counts", "[units]") {
  for (const char* yes : {"true", "TRUE", "yes", "on", "1"})
    CHECK(*parse_bool(yes));
  for (const char* no : {"false", "No", "off", "0"})
    CHECK_FALSE(*parse_bool(no));
  CHECK_THAT(error_of(parse_bool("maybe").status()), Catch::Contains("\"maybe\""));
  CHECK(*parse_count("42") == 42);
  CHECK_FALSE(parse_count("4.0").is_ok());
  CHECK_FALSE(parse_count("-4").is_ok());
  CHECK_THAT(error_of(parse_count("99999999999999999999").status()), Catch::Contains("too large"));
}

TEST_CASE("sizes and durations format back the way users write them", "[units]") {
  CHECK(format_size(20ULL << 30) == "20G");
  CHECK(format_size(1536ULL << 20) == "1536M");
  CHECK(format_size(1ULL << 40) == "1T");
  CHECK(format_size(1000) == "1000 bytes");
  CHECK(format_duration(90s) == "90s");
  CHECK(format_duration(2min) == "2m");
  CHECK(format_duration(48h) == "2d");
  CHECK(format_duration(0ms) == "0s");
  CHECK(format_duration(1500ms) == "1500ms");
}
