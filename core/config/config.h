// AutoSync options: the TOML config file and the mount command line, merged into one Options.
// One format serves the FUSE driver, the sync daemon and the CLI.
//
// Sources, later wins: built-in defaults < the config file < the command line (REMOTE,
// MOUNTPOINT, each -o list in order, then -f/-d). load_options() does the whole merge;
// parse_config, load_config_file and apply_mount_options are its pieces.
// Pure value types and functions; the only I/O is reading the config file (and, in
// load_options, the current directory for a relative MOUNTPOINT). Thread-compatible.
//
// The config file (docs/autosync.toml.example is the same, commented for users). Every key is
// optional; unknown keys are errors, so a typo never passes silently.
//
//   remote = "s3://bucket/prefix"   s3://B[/P], gs://B[/P], azure://C[/P] or file:///DIR
//   mountpoint = "/mnt/bucket"      absolute path; MOUNTPOINT on the command line wins
//   [cache]
//   dir = "/path"                   default: see default_cache_dir()
//   size = "10G"                    the cache's size limit (at least 1M)
//   dir_ttl = "60s"                 how long a directory listing is trusted (whole seconds)
//   attr_ttl = "1s"                 how long the kernel caches attributes (whole seconds)
//   fsync_waits_for_upload = false  true: fsync returns only once the file is uploaded
//   [sync]
//   workers = 4                     upload workers, 1..256
//   writeback_delay = "1s"          quiet time before a metadata-only change (chmod, chown,
//                                   utimens, a directory marker) uploads, so bursts merge
//   writeback_max_delay = "250ms"   while closes come less than a quarter of this apart,
//                                   uploads wait for a pause, at most this long; "0" = never
//   idle_exit = "30s"               autosyncd leaves once no mount uses the cache and nothing
//                                   has been pending this long; "0" = only on a signal
//   poll_interval = "15s"           how often autosyncd looks for changes on the store; "0" =
//                                   never (the mount still lists directories after dir_ttl)
//   poll_max_interval = "5m"        polls that find nothing back off up to this
//   full_scan_interval = "1h"       a poll that also lists the directories never listed;
//                                   "0" = never
//   part_size = "16M"               multipart part size (raised by the store when needed)
//   multipart_threshold = "64M"     files at least this big upload in parallel parts
//   concurrency = 4                 parts in flight per file, 1..64
//   bandwidth_limit = "0"           bytes per second, "50M" or "50M/s", each way; 0 = unlimited
//   bandwidth_limit_up = "0"        uploads only (put and part bodies); overrides the above
//   bandwidth_limit_down = "0"      downloads only (get bodies); overrides the above
//   conflict_policy = "keep-both"   "keep-both" | "newest" | "local" | "remote" | "priority"
//   conflict_rules = ""             per path: "*.doc=local; build/*=remote" (first match;
//                                   on the command line separate rules with ';')
//   host = ""                       this client's name in conflict copies; default hostname
//   priority = 0                    for conflict_policy "priority": the higher wins, 0..1000000
//   [retry]
//   max_attempts = 5                1 = no retry; 1..100
//   initial_delay = "100ms"         first backoff ceiling
//   max_delay = "10s"               largest backoff ceiling (>= initial_delay)
//   [s3]                            used by s3:// and gs:// remotes; empty strings = default
//   preset = "aws"                  "aws" | "minio" | "gcs" (gs:// always means gcs)
//   endpoint = ""                   "http(s)://host[:port]"; default: AWS_ENDPOINT_URL_S3,
//                                   AWS_ENDPOINT_URL, the profile, the preset
//   region = ""                     default: AWS_REGION, AWS_DEFAULT_REGION, the profile
//   profile = ""                    ~/.aws profile; default: AWS_PROFILE, else "default"
//   addressing = "auto"             "auto" | "path" | "virtual"
//   ca_bundle = ""                  PEM file, absolute path; default: AWS_CA_BUNDLE, system
//   verify_tls = true
//   access_key_id = ""              default: AWS_ACCESS_KEY_ID, then the ~/.aws files
//   secret_access_key = ""  (*)     goes with access_key_id
//   session_token = ""      (*)     optional, needs the two above
//   conditional_write = true        unset: the preset's answer; false for servers that
//                                   ignore If-Match/If-None-Match
//   payload_signing = "auto"        "auto" | "signed" | "unsigned": hash upload bodies into
//                                   the signature; auto = over http:// only (TLS protects https)
//   connect_timeout = "10s"         at least 1ms
//   stall_timeout = "30s"           whole seconds, at least 1s
//   [azure]                         used by azure:// remotes; empty strings = default
//   account = ""                    default: connection string, AZURE_STORAGE_ACCOUNT
//   account_key = ""        (*)     base64 Shared Key
//   sas_token = ""          (*)     with or without the leading '?'
//   connection_string = ""  (*)     default: AZURE_STORAGE_CONNECTION_STRING
//   endpoint = ""                   default: https://ACCOUNT.blob.core.windows.net
//   ca_bundle = ""                  PEM file, absolute path
//   verify_tls = true
//   connect_timeout = "10s"
//   stall_timeout = "30s"
//   [fuse]
//   allow_other = false             let other users see the mount (needs user_allow_other)
//   read_only = false
//   default_permissions = false     let the kernel check permissions against mode/uid/gid
//   uid = 1000                      owner of every file; default: the mounting user
//   gid = 1000
//   umask = "022"                   octal: "022" or 0o022 (a decimal integer is refused)
//   foreground = false              stay in the foreground (-f)
//   debug = false                   log every FUSE request (-d)
//   writeback_cache = true          let the kernel gather small writes in its page cache
//
// Values:
//   sizes      a whole number of bytes with an optional binary suffix: K, M, G, T, or KiB,
//              MiB, GiB, TiB (any case; K = 1024). "512M", "20G", "1048576". A TOML integer is
//              a byte count. Refused: spaces ("10 G"), fractions ("1.5G": say "1536M"),
//              KB/MB/GB/TB (ambiguous: decimal elsewhere), percentages.
//   durations  one or more whole numbers each with a unit ms, s, m, h or d: "250ms", "30s",
//              "5m", "1h", "1m30s"; "0" alone is zero. Units are lower case ("5M" is refused).
//   booleans   TOML true/false; on the command line also 1/0, yes/no, on/off, or the bare key.
//   secrets (*) the literal value, or "env:NAME" to read environment variable NAME when the
//              options load (s3.access_key_id takes "env:NAME" too). A file holding a literal
//              secret must not be readable by group or others (chmod 600), as ssh requires of keys.
//              The command line takes only "env:NAME" for secrets: a literal would show in ps and
//              /proc/mounts.
//
// Command line: -o KEY[=VALUE],... where KEY is the file's dotted name (cache.size=20G,
// s3.endpoint=http://host:9000). Short names: ro, allow_other, default_permissions, uid,
// gid, umask, foreground, debug; config=FILE names the config file. A comma inside a value is
// written "\," or the value is double-quoted; the first '=' splits key from value. Generic
// mount options that fstab and mount(8) pass are accepted: kernel mount flags (suid, nosuid,
// dev, nodev, exec, noexec, sync, async, dirsync, atime, noatime, diratime, nodiratime,
// relatime, norelatime, strictatime, nostrictatime, lazytime, nolazytime) and fsname=,
// subtype= go to FuseOptions::passthrough for libfuse; defaults, auto, noauto, user, nouser,
// users, owner, group, nofail, _netdev, comment=..., x-... (x-systemd.*) are for mount(8) and
// systemd and are dropped. So is rw: mount(8) may add it on its own, so it must not undo
// read_only = true from the file (fuse.read_only=false does). Anything else is an error.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "backends/open.h"
#include "backends/transfer/transfer.h"
#include "core/base/env.h"
#include "core/base/result.h"

namespace autosync::config {

struct CacheOptions {
  std::filesystem::path dir;         // empty until load_options: default_cache_dir()
  uint64_t max_bytes = 10ULL << 30;  // cache size limit
  bool max_bytes_given = false;      // cache.size was set (file or -o), so it beats the
                                     // limit autosyncctl cache set-limit keeps in the cache
  std::chrono::seconds dir_ttl{60};  // how long a directory listing is trusted
  std::chrono::seconds attr_ttl{1};  // kernel attribute cache
  bool fsync_waits_for_upload = false;
};

struct SyncOptions {
  unsigned workers = 4;
  std::chrono::milliseconds writeback_delay{1000};
  std::chrono::milliseconds writeback_max_delay{250};  // syncd/worker_options.h
  std::chrono::milliseconds idle_exit{30000};           // autosyncd leaves after this long unneeded
  // The remote watcher (syncd/remote_watcher.h): 0 = no polling / no full scans.
  std::chrono::milliseconds poll_interval{15000};
  std::chrono::milliseconds poll_max_interval{300000};
  std::chrono::milliseconds full_scan_interval{3600000};
  backends::TransferOptions transfer;
  // Bytes per second, 0 = none; the directions' own keys win over bandwidth_limit. Applied to
  // store.bandwidth by load_options.
  uint64_t bandwidth_limit = 0;
  std::optional<uint64_t> bandwidth_limit_up, bandwidth_limit_down;
  // Conflicts (autosyncd parses and checks these: syncd/conflict_policy.h).
  std::string conflict_policy = "keep-both";
  std::string conflict_rules;  // "PATTERN=POLICY;..." ("" = the global policy everywhere)
  std::string host;            // names conflict copies; "" = gethostname()
  int64_t priority = 0;        // for the priority policy: the higher wins
};

struct FuseOptions {
  bool allow_other = false;
  bool read_only = false;
  bool default_permissions = false;
  std::optional<uint32_t> uid, gid;  // empty: the mounting user's
  std::optional<uint32_t> umask;     // empty: no masking beyond what the objects say
  bool foreground = false;
  bool debug = false;
  bool writeback_cache = true;  // kernel write-back caching (FUSE_CAP_WRITEBACK_CACHE)
  // Kernel mount flags from -o (nosuid, nodev, noatime, fsname=X...), for libfuse as given.
  std::vector<std::string> passthrough;
};

struct Options {
  backends::StoreConfig store;  // remote URL parsed; backend settings from [s3]/[azure]/[retry]
  std::filesystem::path mountpoint;
  CacheOptions cache;
  SyncOptions sync;
  FuseOptions fuse;
  std::filesystem::path config_file;  // where the file settings came from; empty if none
};

// Whether a remote has been set (a default Options has none).
bool has_remote(const Options& options);

// Parses a config file's text. Secrets written "env:NAME" are read through `env`, which is
// also kept in options.store.env. Errors are kInvalid, one line, never with a secret's value:
// "FILE:LINE: key K: reason" for a bad key (unknown, wrong type, bad size/duration/URL,
// out of range), "FILE:LINE: reason" for bad TOML, "FILE: reason" for keys that conflict;
// when there are several, the first by line, with "(and N more problems)".
Result<Options> parse_config(std::string_view toml_text, std::string_view file_name_for_errors,
                             const EnvLookup& env = process_env());

// Reads and parses the file; sets config_file. Also refuses (kInvalid) a file that holds a
// literal secret and is readable by group or others. kNotFound, kAccessDenied or kIo when it
// cannot be read.
Result<Options> load_config_file(const std::filesystem::path& path,
                                 const EnvLookup& env = process_env());

// Applies one `-o` list over `base` (command line wins over the file), see the comment at the
// top for the syntax. "config=" is read by load_options; here it is accepted only when it
// names base.config_file. Errors are kInvalid: "-o KEY: reason". `base` may be partly
// updated when an error is returned.
Status apply_mount_options(Options& base, std::string_view o_list);

// Applies one KEY[=VALUE] (a long flag, say, that the caller maps to a key) over `base`.
Status apply_option(Options& base, std::string_view key, std::optional<std::string_view> value);

// Checks what no single key can: pairs of settings that contradict each other.
Status validate(const Options& options);

// What the command line said: `autosyncfs [REMOTE] [MOUNTPOINT] [-o LIST]... [-f] [-d]
// [--config FILE]`, unparsed values as given.
struct CommandLine {
  std::string remote;                     // empty: the config file's `remote`
  std::string mountpoint;                 // empty: the config file's `mountpoint`
  std::vector<std::string> option_lists;  // each -o argument, in order
  std::filesystem::path config_file;      // --config; config=FILE in a list does the same
  bool foreground = false;                // -f: sets fuse.foreground
  bool debug = false;                     // -d: sets fuse.debug
};

// The whole merge: reads the config file (at most one may be named), applies REMOTE and
// MOUNTPOINT (made absolute), the -o lists and the flags, fills cache.dir when unset and
// validates. A remote is required; the mountpoint is left to the caller to require.
// `effective_uid` picks the default cache location (0 = system-wide). Test-only: a
// non-empty kTestFaultsVariable in `env` puts store faults under the retry layer
// (backends/decorators/fault_spec.h); a bad spec is kInvalid.
inline constexpr const char* kTestFaultsVariable = "AUTOSYNC_TEST_FAULTS";
Result<Options> load_options(const CommandLine& command_line, const EnvLookup& env,
                             uint32_t effective_uid);

// Where the cache of `store` lives by default: /var/cache/autosync/ID for root, else
// $XDG_CACHE_HOME/autosync/ID (when absolute) or $HOME/.cache/autosync/ID. ID is 16 hex
// digits of a SHA-256 of the remote URL and the endpoint/account it is on, so the same bucket
// on two servers gets two caches. kInvalid when neither variable is usable.
Result<std::filesystem::path> default_cache_dir(const backends::StoreConfig& store,
                                                const EnvLookup& env, uint32_t effective_uid);

}  // namespace autosync::config
