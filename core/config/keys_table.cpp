// The key table itself: one row per config key, in the order config.h documents them.
#include <array>

#include "core/config/keys.h"

namespace autosync::config {
namespace {

using backends::azure::AzureConfig;
using backends::s3::Addressing;
using backends::s3::Credentials;
using backends::s3::PayloadSigning;
using backends::s3::Preset;
using std::chrono::duration_cast;
using std::chrono::seconds;
using K = ValueKind;

constexpr uint64_t kMiB = 1ULL << 20;
constexpr uint64_t kMaxId = 0xFFFF'FFFEULL;  // (uid_t)-1 means "no change" to the kernel

constexpr std::array<std::string_view, 3> kPresetNames = {"aws", "minio", "gcs"};
constexpr std::array<Preset, 3> kPresets = {Preset::kAws, Preset::kMinio, Preset::kGcs};
constexpr std::array<std::string_view, 3> kAddressingNames = {"auto", "path", "virtual"};
constexpr std::array<Addressing, 3> kAddressings = {Addressing::kAuto, Addressing::kPath,
                                                    Addressing::kVirtualHosted};

constexpr std::array<std::string_view, 5> kConflictPolicyNames = {"keep-both", "newest", "local",
                                                                  "remote", "priority"};

constexpr std::array<std::string_view, 3> kSigningNames = {"auto", "signed", "unsigned"};
constexpr std::array<PayloadSigning, 3> kSignings = {PayloadSigning::kAuto, PayloadSigning::kSigned,
                                                     PayloadSigning::kUnsigned};

Credentials& s3_credentials(Options& o) {
  if (!o.store.s3.credentials) o.store.s3.credentials.emplace();
  return *o.store.s3.credentials;
}

std::string without_question_mark(std::string token) {
  if (token.starts_with('?')) token.erase(0, 1);
  return token;
}

AzureConfig& az(Options& o) {
  return o.store.azure;
}

const std::array kKeys = std::to_array<KeySpec>({
    {"remote", K::kRemote, [](Options& o, const Value& v) { o.store.remote = v.remote; }},
    {"mountpoint", K::kPath, [](Options& o, const Value& v) { o.mountpoint = v.text; }},

    {"cache.dir", K::kPath, [](Options& o, const Value& v) { o.cache.dir = v.text; }},
    {"cache.size", K::kSize,
     [](Options& o, const Value& v) {
       o.cache.max_bytes = v.number;
       o.cache.max_bytes_given = true;
     },
     kMiB},
    {"cache.dir_ttl", K::kSeconds,
     [](Options& o, const Value& v) { o.cache.dir_ttl = duration_cast<seconds>(v.duration); }},
    {"cache.attr_ttl", K::kSeconds,
     [](Options& o, const Value& v) { o.cache.attr_ttl = duration_cast<seconds>(v.duration); }},
    {"cache.fsync_waits_for_upload", K::kFlag,
     [](Options& o, const Value& v) { o.cache.fsync_waits_for_upload = v.flag; }},

    {"sync.workers", K::kCount,
     [](Options& o, const Value& v) { o.sync.workers = static_cast<unsigned>(v.number); }, 1, 256},
    {"sync.writeback_delay", K::kDuration,
     [](Options& o, const Value& v) { o.sync.writeback_delay = v.duration; }},
    {"sync.writeback_max_delay", K::kDuration,
     [](Options& o, const Value& v) { o.sync.writeback_max_delay = v.duration; }},
    {"sync.idle_exit", K::kDuration,
     [](Options& o, const Value& v) { o.sync.idle_exit = v.duration; }},
    {"sync.poll_interval", K::kDuration,
     [](Options& o, const Value& v) { o.sync.poll_interval = v.duration; }},
    {"sync.poll_max_interval", K::kDuration,
     [](Options& o, const Value& v) { o.sync.poll_max_interval = v.duration; }},
    {"sync.full_scan_interval", K::kDuration,
     [](Options& o, const Value& v) { o.sync.full_scan_interval = v.duration; }},
    {"sync.part_size", K::kSize,
     [](Options& o, const Value& v) { o.sync.transfer.part_size = v.number; }, 1},
    {"sync.multipart_threshold", K::kSize,
     [](Options& o, const Value& v) { o.sync.transfer.multipart_threshold = v.number; }, 1},
    {"sync.concurrency", K::kCount,
     [](Options& o,
        const Value& v) { o.sync.transfer.concurrency = static_cast<unsigned>(v.number); },
     1, 64},
    {"sync.bandwidth_limit", K::kRate,
     [](Options& o, const Value& v) { o.sync.bandwidth_limit = v.number; }},
    {"sync.bandwidth_limit_up", K::kRate,
     [](Options& o, const Value& v) { o.sync.bandwidth_limit_up = v.number; }},
    {"sync.bandwidth_limit_down", K::kRate,
     [](Options& o, const Value& v) { o.sync.bandwidth_limit_down = v.number; }},
    {"sync.conflict_policy", K::kChoice,
     [](Options& o,
        const Value&
            v) { o.sync.conflict_policy = std::string(kConflictPolicyNames.at(v.number)); },
     0, kConflictPolicyNames.size() - 1, kConflictPolicyNames},
    {"sync.conflict_rules", K::kText,
     [](Options& o, const Value& v) { o.sync.conflict_rules = v.text; }},
    {"sync.host", K::kText, [](Options& o, const Value& v) { o.sync.host = v.text; }},
    {"sync.priority", K::kCount,
     [](Options& o, const Value& v) { o.sync.priority = static_cast<int64_t>(v.number); }, 0,
     1'000'000},

    {"retry.max_attempts", K::kCount,
     [](Options& o, const Value& v) { o.store.retry.max_attempts = static_cast<int>(v.number); }, 1,
     100},
    {"retry.initial_delay", K::kDuration,
     [](Options& o, const Value& v) { o.store.retry.initial_delay = v.duration; }},
    {"retry.max_delay", K::kDuration,
     [](Options& o, const Value& v) { o.store.retry.max_delay = v.duration; }},

    {"s3.preset", K::kChoice,
     [](Options& o, const Value& v) { o.store.s3.preset = kPresets.at(v.number); }, 0,
     kPresetNames.size() - 1, kPresetNames},
    {"s3.endpoint", K::kUrl, [](Options& o, const Value& v) { o.store.s3.endpoint = v.text; }},
    {"s3.region", K::kText, [](Options& o, const Value& v) { o.store.s3.region = v.text; }},
    {"s3.profile", K::kText, [](Options& o, const Value& v) { o.store.s3.profile = v.text; }},
    {"s3.addressing", K::kChoice,
     [](Options& o, const Value& v) { o.store.s3.addressing = kAddressings.at(v.number); }, 0,
     kAddressingNames.size() - 1, kAddressingNames},
    {"s3.ca_bundle", K::kPath, [](Options& o, const Value& v) { o.store.s3.ca_bundle = v.text; }},
    {"s3.verify_tls", K::kFlag, [](Options& o, const Value& v) { o.store.s3.verify_tls = v.flag; }},
    {"s3.access_key_id", K::kCredential,
     [](Options& o, const Value& v) { s3_credentials(o).access_key_id = v.text; }},
    {"s3.secret_access_key", K::kSecret,
     [](Options& o, const Value& v) { s3_credentials(o).secret_access_key = v.text; }},
    {"s3.session_token", K::kSecret,
     [](Options& o, const Value& v) { s3_credentials(o).session_token = v.text; }},
    {"s3.conditional_write", K::kFlag,
     [](Options& o, const Value& v) { o.store.s3.conditional_write = v.flag; }},
    {"s3.payload_signing", K::kChoice,
     [](Options& o, const Value& v) { o.store.s3.payload_signing = kSignings.at(v.number); }, 0,
     kSigningNames.size() - 1, kSigningNames},
    {"s3.connect_timeout", K::kDuration,
     [](Options& o, const Value& v) { o.store.s3.connect_timeout = v.duration; }, 1},
    {"s3.stall_timeout", K::kSeconds,
     [](Options& o,
        const Value& v) { o.store.s3.stall_timeout = duration_cast<seconds>(v.duration); },
     1000},

    {"azure.account", K::kText, [](Options& o, const Value& v) { az(o).account = v.text; }},
    {"azure.account_key", K::kSecret,
     [](Options& o, const Value& v) { az(o).account_key = v.text; }},
    {"azure.sas_token", K::kSecret,
     [](Options& o, const Value& v) { az(o).sas_token = without_question_mark(v.text); }},
    {"azure.connection_string", K::kSecret,
     [](Options& o, const Value& v) { az(o).connection_string = v.text; }},
    {"azure.endpoint", K::kUrl, [](Options& o, const Value& v) { az(o).endpoint = v.text; }},
    {"azure.ca_bundle", K::kPath, [](Options& o, const Value& v) { az(o).ca_bundle = v.text; }},
    {"azure.verify_tls", K::kFlag, [](Options& o, const Value& v) { az(o).verify_tls = v.flag; }},
    {"azure.connect_timeout", K::kDuration,
     [](Options& o, const Value& v) { az(o).connect_timeout = v.duration; }, 1},
    {"azure.stall_timeout", K::kSeconds,
     [](Options& o, const Value& v) { az(o).stall_timeout = duration_cast<seconds>(v.duration); },
     1000},

    {"fuse.allow_other", K::kFlag, [](Options& o, const Value& v) { o.fuse.allow_other = v.flag; }},
    {"fuse.read_only", K::kFlag, [](Options& o, const Value& v) { o.fuse.read_only = v.flag; }},
    {"fuse.default_permissions", K::kFlag,
     [](Options& o, const Value& v) { o.fuse.default_permissions = v.flag; }},
    {"fuse.uid", K::kCount,
     [](Options& o, const Value& v) { o.fuse.uid = static_cast<uint32_t>(v.number); }, 0, kMaxId},
    {"fuse.gid", K::kCount,
     [](Options& o, const Value& v) { o.fuse.gid = static_cast<uint32_t>(v.number); }, 0, kMaxId},
    {"fuse.umask", K::kMode,
     [](Options& o, const Value& v) { o.fuse.umask = static_cast<uint32_t>(v.number); }, 0, 0777},
    {"fuse.foreground", K::kFlag, [](Options& o, const Value& v) { o.fuse.foreground = v.flag; }},
    {"fuse.debug", K::kFlag, [](Options& o, const Value& v) { o.fuse.debug = v.flag; }},
    {"fuse.writeback_cache", K::kFlag,
     [](Options& o, const Value& v) { o.fuse.writeback_cache = v.flag; }},
});

}  // namespace

std::span<const KeySpec> all_keys() {
  return kKeys;
}

}  // namespace autosync::config
