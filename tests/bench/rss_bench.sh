#!/usr/bin/env bash
# Peak memory (VmHWM) of autosyncfs and autosyncd through the two workloads the README
# quotes: copying a 2 GiB file in and reading it back cold, and listing a directory of
# 100,000 files on a fresh mount. Local backend (file://), so the figures are the mount's
# own, not a server's. Prints one line per workload.
#   tests/bench/rss_bench.sh [BUILD_DIR]   (default build/; needs root and /dev/fuse)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(realpath "${1:-build}")/bin
work=$(mktemp -d /tmp/autosync-rss.XXXXXX)
mnt=$work/mnt
cleanup() {
  mountpoint -q "$mnt" 2>/dev/null && fusermount3 -u -z "$mnt"
  for lock in "$work"/cache*/syncd.lock "$work"/cache*/mount.lock; do
    [ -f "$lock" ] && pid=$(cat "$lock") && kill "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/bucket" "$mnt"

hwm_kib() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
mount_fresh() {  # $1: cache dir name
  "$bin/autosyncfs" "file://$work/bucket" "$mnt" -o "cache.dir=$work/$1,sync.idle_exit=0"
}
pids() {  # autosyncfs and autosyncd of cache $1
  echo "$(cat "$work/$1/mount.lock") $(cat "$work/$1/syncd.lock")"
}
report() {  # $1 workload, $2 cache
  read -r fs_pid sd_pid <<<"$(pids "$2")"
  printf '%-44s autosyncfs %4d MiB   autosyncd %4d MiB\n' "$1" \
    $(($(hwm_kib "$fs_pid") / 1024)) $(($(hwm_kib "$sd_pid") / 1024))
}
stop() {  # unmount and stop this cache's daemon
  read -r _ sd_pid <<<"$(pids "$1")"
  fusermount3 -u "$mnt"
  kill "$sd_pid"
}

# 2 GiB in (cp), uploaded, then read back on a fresh mount with an empty cache.
head -c 2G /dev/urandom >"$work/big.src"
mount_fresh cache1
cp "$work/big.src" "$mnt/big.bin"
for _ in $(seq 600); do
  [ "$(stat -c %s "$work/bucket/big.bin" 2>/dev/null || echo 0)" = 2147483648 ] && break
  sleep 0.5
done
report "2 GiB file: cp in and upload" cache1
stop cache1
sync && echo 3 >/proc/sys/vm/drop_caches
mount_fresh cache2
cmp "$work/big.src" "$mnt/big.bin"
report "2 GiB file: cold read back (cmp)" cache2
stop cache2
rm -f "$work/big.src" "$work/bucket/big.bin"

# 100,000 files made in the bucket directly, then listed through a fresh mount.
mkdir -p "$work/bucket/many"
(cd "$work/bucket/many" && seq -f 'file-%06g' 1 100000 | xargs touch)
mount_fresh cache3
count=$(ls -l "$mnt/many" | tail -n +2 | wc -l)
ls -l "$mnt/many" >/dev/null
report "100,000-file directory: ls -l ($count entries)" cache3
stop cache3
