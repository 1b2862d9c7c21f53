#!/usr/bin/env bash
# Mount benchmark: the same workloads on the local disk, autosyncfs, s3fs-fuse and rclone mount
# (--vfs-cache-mode full), all against one s3rver on 127.0.0.1, in one run; prints a table with
# ratios and PASS/MISS per performance goal (docs/PERFORMANCE.md, "Mount benchmark").
#
#   tests/bench/mount_bench.sh [--build DIR] [--quick] [--only=local,autosyncfs,s3fs,rclone]
#                              [--size MIB]
#
# Needs root (drops the kernel page cache), `bash tools/setup.sh` and a build of autosyncfs and
# autosyncd in DIR/bin (default build/, or $BUILD). Each mount gets its own bucket on the one server;
# "on the server" is read from s3rver's data directory (see mount_bench/work.py). Every mount
# and the server are stopped by pid on exit, also on failure.
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
here=$repo/tests/bench/mount_bench
work_py=$here/work.py

build=${BUILD:-$repo/build}
only=local,autosyncfs,s3fs,rclone
size_mib=256 files=1000 tar_files=3000 fio_size=64M fio_runtime=15 appends=500 quick=0
while [ $# -gt 0 ]; do
  case $1 in
    --build) build=$2; shift ;;
    --build=*) build=${1#*=} ;;
    --quick) quick=1 ;;
    --only) only=$2; shift ;;
    --only=*) only=${1#*=} ;;
    --size) size_mib=$2; shift ;;
    --size=*) size_mib=${1#*=} ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "mount_bench: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
if [ $quick = 1 ]; then
  [ "$size_mib" = 256 ] && size_mib=32
  files=200 tar_files=500 fio_size=16M fio_runtime=5 appends=100
fi
build=$(cd "$build" 2>/dev/null && pwd) || { echo "mount_bench: no build dir $build" >&2; exit 2; }
autosyncfs_bin=$build/bin/autosyncfs autosyncd_bin=$build/bin/autosyncd
wait_timeout=900

die() { echo "mount_bench: $*" >&2; exit 1; }
log() { echo "[$(date +%T)] $*" >&2; }
[ "$(id -u)" = 0 ] || die "run as root (it drops the kernel page cache)"
for tool in node curl python3 fio tar fusermount3 mountpoint; do
  command -v $tool >/dev/null || die "$tool missing: run bash tools/setup.sh"
done

work=$(mktemp -d /var/tmp/mount_bench.XXXXXX)
results=$work/results
: >"$results"
declare -A mount_pid=()   # mountpoint -> pid of the FUSE process we started
server_pid=

cleanup() {
  local mnt pid
  for mnt in "${!mount_pid[@]}"; do
    fusermount3 -u -z "$mnt" 2>/dev/null
    kill "${mount_pid[$mnt]}" 2>/dev/null
  done
  for pid in $(our_syncd_pids); do kill "$pid" 2>/dev/null; done
  for _ in $(seq 50); do [ -z "$(our_syncd_pids)" ] && break; sleep 0.1; done
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the server ------------------------------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
endpoint=http://127.0.0.1:$port
data=$work/s3rver
mkdir -p "$data"
buckets=()
for b in curl local autosyncfs s3fs rclone; do buckets+=(--configure-bucket "bench-$b"); done
NODE_OPTIONS=--openssl-legacy-provider node "$repo/tests/servers/node_modules/s3rver/bin/s3rver.js" \
  -s -d "$data" -a 127.0.0.1 -p "$port" "${buckets[@]}" >"$work/s3rver.log" 2>&1 &
server_pid=$!
# curl signs the headers, not the body (UNSIGNED-PAYLOAD), as in transfer_bench.
s3curl=(curl -sS -f --aws-sigv4 "aws:amz:us-east-1:s3" --user S3RVER:S3RVER
  -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD')
for _ in $(seq 100); do curl -s -o /dev/null "$endpoint/" && break; sleep 0.1; done
kill -0 $server_pid 2>/dev/null || die "s3rver did not start: $(cat "$work/s3rver.log")"

# --- helpers ---------------------------------------------------------------------------------
record() { echo "$1 $2 $3" >>"$results"; log "$1 $2 = $3"; }
now() { echo "$EPOCHREALTIME"; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.6f}')" "$1" "$2"; }
# Drops the page cache, then reloads the tools the timings start (so that a cold `ls` times the
# mount, not loading /bin/ls from the disk).
drop_caches() {
  sync
  echo 3 >/proc/sys/vm/drop_caches
  ls --version >/dev/null; mv --version >/dev/null; python3 -c pass
}
# timed CMD...: runs CMD, prints the seconds it took (or ERR).
timed() {
  local t0 t1
  t0=$(now); timeout $wait_timeout "$@" >/dev/null 2>>"$work/errors.log" || { echo ERR; return; }
  t1=$(now); since "$t0" "$t1"
}
py() { timeout $wait_timeout python3 "$work_py" "$@" 2>>"$work/errors.log" || echo ERR; }

# --- mounts ----------------------------------------------------------------------------------
printf 'S3RVER:S3RVER\n' >"$work/s3fs.passwd"; chmod 600 "$work/s3fs.passwd"
cat >"$work/rclone.conf" <<EOF
[bench]
type = s3
provider = Other
access_key_id = S3RVER
secret_access_key = S3RVER
endpoint = $endpoint
region = us-east-1
force_path_style = true
EOF

mnt_of() { if [ "$1" = local ]; then echo "$work/local"; else echo "$work/mnt-$1"; fi; }

# A mount's cache directory; `remount NAME empty` moves to a new one. (autosyncd stays for
# sync.idle_exit, 30 s, after its last mount leaves: a new directory spares waiting for that.)
declare -A cache_gen=()
cache_of() { echo "$work/cache-$1-${cache_gen[$1]:-0}"; }

# start_mount NAME: mounts NAME's bucket at its mountpoint (its cache kept from before).
start_mount() {
  local name=$1 mnt cache
  cache=$(cache_of "$name")
  mnt=$(mnt_of "$name")
  mkdir -p "$mnt" "$cache"
  case $name in
    local) return 0 ;;
    autosyncfs)
      AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER "$autosyncfs_bin" \
        s3://bench-autosyncfs "$mnt" -f -o "s3.endpoint=$endpoint,s3.addressing=path,s3.region=us-east-1,cache.dir=$cache" \
        >>"$work/autosyncfs.log" 2>&1 & ;;
    s3fs)
      s3fs bench-s3fs "$mnt" -f -o "passwd_file=$work/s3fs.passwd,url=$endpoint,use_path_request_style" \
        >>"$work/s3fs.log" 2>&1 & ;;
    rclone)
      env -u AWS_CA_BUNDLE rclone mount bench:bench-rclone "$mnt" --config "$work/rclone.conf" \
        --vfs-cache-mode full --cache-dir "$cache" >>"$work/rclone.log" 2>&1 & ;;
  esac
  mount_pid[$mnt]=$!
  for _ in $(seq 300); do
    mountpoint -q "$mnt" && return 0
    kill -0 "${mount_pid[$mnt]}" 2>/dev/null || break
    sleep 0.1
  done
  log "$name did not mount; see $work/$name.log"; tail -5 "$work/$name.log" >&2
  stop_mount "$name"
  return 1
}

stop_mount() {
  local name=$1 mnt pid
  mnt=$(mnt_of "$name")
  [ "$name" = local ] && return 0
  pid=${mount_pid[$mnt]:-}
  [ "$name" = autosyncfs ] && sample_rss "$pid"
  for _ in $(seq 50); do fusermount3 -u "$mnt" 2>/dev/null && break; mountpoint -q "$mnt" || break; sleep 0.2; done
  for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill "$pid" 2>/dev/null
  unset "mount_pid[$mnt]"
}

# remount NAME [empty]: a fresh mount, the page cache dropped; "empty" also empties its cache.
remount() {
  stop_mount "$1"
  [ "${2:-}" = empty ] && cache_gen[$1]=$((${cache_gen[$1]:-0} + 1))
  drop_caches
  start_mount "$1"
}

# The autosyncd processes our autosyncfs started: the autosyncd binary, with our work dir in
# its command line or environment, or a child of one of our mounts.
our_syncd_pids() {
  local syncd p exe parent
  syncd=$(realpath "$autosyncd_bin" 2>/dev/null) || return 0
  for p in /proc/[0-9]*; do
    exe=$(readlink "$p/exe" 2>/dev/null) || continue
    [ "$exe" = "$syncd" ] || continue
    parent=$(awk '{print $4}' "$p/stat" 2>/dev/null)
    if grep -qF "$work" "$p/cmdline" "$p/environ" 2>/dev/null ||
      printf '%s\n' "${mount_pid[@]}" | grep -qx "$parent"; then
      echo "${p#/proc/}"
    fi
  done
}

# Peak RSS (VmHWM, KiB) of autosyncfs and of the autosyncd it started, the highest seen so far.
rss_peak_fs=0 rss_peak_syncd=0
vm_hwm() { awk '/VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
sample_rss() {
  local hwm pid
  [ -n "$1" ] || return 0
  hwm=$(vm_hwm "$1")
  [ "${hwm:-0}" -gt $rss_peak_fs ] && rss_peak_fs=$hwm
  for pid in $(our_syncd_pids); do
    hwm=$(vm_hwm "$pid")
    [ "${hwm:-0}" -gt $rss_peak_syncd ] && rss_peak_syncd=$hwm
  done
}

source "$here/workloads.sh"

# --- run -------------------------------------------------------------------------------------
log "workdir $work, server $endpoint, build $build, sizes: ${size_mib} MiB, $files files, $tar_files in the tarball, fio $fio_size/${fio_runtime}s, $appends appends"
head -c $((size_mib << 20)) /dev/urandom >"$work/seq.src"
cat "$work/seq.src" >/dev/null
py make-tree "$work/tree.tar" "$work/tree.json" "$tar_files" >/dev/null

curl_baseline
IFS=, read -ra targets <<<"$only"
for t in "${targets[@]}"; do
  case $t in local | autosyncfs | s3fs | rclone) ;; *) die "unknown mount $t" ;; esac
  if [ $t = autosyncfs ] && [ ! -x "$autosyncfs_bin" ]; then
    log "no $autosyncfs_bin: skipping autosyncfs"; continue
  fi
  log "=== $t"
  if start_mount "$t"; then
    run_workloads "$t"
    stop_mount "$t"
  else
    record "$t" mount ERR
  fi
done
[ $rss_peak_fs -gt 0 ] && record autosyncfs rss_fs_kib $rss_peak_fs
[ $rss_peak_syncd -gt 0 ] && record autosyncfs rss_syncd_kib $rss_peak_syncd

[ -s "$work/errors.log" ] && { log "errors seen:"; tail -20 "$work/errors.log" >&2; }
echo
echo "Mount benchmark, $(date -u +%F), ${size_mib} MiB sequential, $files files, $tar_files-file tarball, fio $fio_size ${fio_runtime}s, $appends appends"
python3 "$here/report.py" "$results" "$size_mib"
echo
echo "raw:"
cat "$results"
