#!/usr/bin/env bash
# The main job, start to finish on a fresh Debian 12 machine (as root): installs what is
# missing, builds autosyncfs and autosyncd, mounts a demo folder on the local backend, uses
# it, and leaves it mounted for you to explore.
#   tools/demo.sh [DIR]     everything under DIR (default /tmp/autosync-demo)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
demo=${1:-/tmp/autosync-demo}
bucket=$demo/bucket   # the "bucket": a plain directory, one file per object
mnt=$demo/mnt         # where it is mounted
cache=$demo/cache     # the local cache (index.db, content/, logs)

bash tools/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target autosyncfs autosyncd
bin=$root/build/bin

mkdir -p "$bucket" "$mnt"
if mountpoint -q "$mnt"; then fusermount3 -u "$mnt"; fi
echo "== mount file://$bucket on $mnt"
"$bin/autosyncfs" "file://$bucket" "$mnt" -o "cache.dir=$cache"
findmnt "$mnt"

echo "== write through the mount"
rm -rf "$mnt/photos" "$mnt/pictures" # what an earlier run made: this run renames it again
echo "hello from $(hostname) at $(date -u +%FT%TZ)" >"$mnt/hello.txt"
mkdir -p "$mnt/photos/2026"
head -c 3M /dev/urandom >"$mnt/photos/2026/random.bin"
ln -sf hello.txt "$mnt/link-to-hello"
chmod 600 "$mnt/hello.txt"
mv "$mnt/photos" "$mnt/pictures"
ls -lR "$mnt"

echo "== wait for autosyncd to upload"
for _ in $(seq 100); do
  [ -f "$bucket/pictures/2026/random.bin" ] && [ ! -e "$bucket/photos" ] &&
    cmp -s "$mnt/hello.txt" "$bucket/hello.txt" && break
  sleep 0.1
done
echo "== the bucket, as any other program sees it"
find "$bucket" -path "$bucket/.autosync-*" -prune -o -print | sed "s|^$bucket|bucket|"
cat "$bucket/hello.txt"
echo "== the daemon's log"
tail -n 5 "$cache/autosyncd.log"

cat <<MSG

$mnt is mounted on the local backend file://$bucket and stays mounted.
Use it with any program; unmount with:  fusermount3 -u $mnt
MSG
