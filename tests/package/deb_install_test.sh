#!/usr/bin/env bash
# The Debian package, end to end: build it with CPack from this build tree, install it with
# apt (dependencies from the Debian archive), mount through mount(8) and the installed
# /sbin/mount.autosyncfs helper, write a file, check the object in the bucket, unmount,
# remove the package. Needs root, /dev/fuse and apt; exits 77 (skipped) without them.
#   deb_install_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)

if [ "$(id -u)" != 0 ] || [ ! -e /dev/fuse ] || ! command -v apt-get >/dev/null; then
  echo "skipped: needs root, /dev/fuse and apt-get"
  exit 77
fi
if dpkg-query -W -f='${Status}' autosync 2>/dev/null | grep -q '^install ok installed'; then
  echo "skipped: an autosync package is already installed here; not touching it"
  exit 77
fi

work=$(mktemp -d /tmp/autosync-deb.XXXXXX)
mounted=""
installed=""
cleanup() {
  if [ -n "$mounted" ]; then fusermount3 -u "$work/mnt" 2>/dev/null || umount -l "$work/mnt" || true; fi
  # The daemon the mount started leaves by itself once idle; stop it now, by its pid.
  local pid
  pid=$(cat "$work/cache/syncd.lock" 2>/dev/null || true)
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  if [ -n "$installed" ]; then dpkg -r autosync >/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg" >/dev/null
deb=$(ls "$work"/pkg/autosync_*.deb)
installed=yes
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >/dev/null

for f in /usr/bin/autosyncfs /usr/bin/autosyncd /usr/share/man/man8/autosyncfs.8 \
         /usr/share/man/man5/autosync.toml.5 /lib/systemd/system/autosyncfs@.service; do
  [ -e "$f" ] || fail "the package did not install $f"
done
[ "$(readlink -f /sbin/mount.autosyncfs)" = /usr/bin/autosyncfs ] ||
  fail "/sbin/mount.autosyncfs does not lead to /usr/bin/autosyncfs"

mkdir -p "$work/bucket" "$work/mnt"
mount -t autosyncfs "file://$work/bucket" "$work/mnt" -o "cache.dir=$work/cache" ||
  fail "mount -t autosyncfs with the installed package failed"
mounted=yes
grep -q " $work/mnt fuse.autosyncfs " /proc/self/mounts || fail "no fuse.autosyncfs mount listed"

echo "from the package" >"$work/mnt/hello.txt"
[ "$(cat "$work/mnt/hello.txt")" = "from the package" ] || fail "read back through the mount"
fusermount3 -u "$work/mnt"
mounted=""

for _ in $(seq 1 100); do
  [ -f "$work/bucket/hello.txt" ] && break
  sleep 0.2
done
[ "$(cat "$work/bucket/hello.txt" 2>/dev/null)" = "from the package" ] ||
  fail "the object never reached the bucket"

dpkg -r autosync >/dev/null
installed=""
[ ! -e /usr/bin/autosyncfs ] || fail "dpkg -r left /usr/bin/autosyncfs behind"
echo "ok: installed, mounted, uploaded, removed"
