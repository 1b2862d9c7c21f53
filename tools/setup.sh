#!/usr/bin/env bash
# Installs everything AutoSync needs to build, test and run on Debian 12 (run as root).
# Safe to run twice: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config git ca-certificates curl
  libfuse3-dev fuse3 libcurl4-openssl-dev libssl-dev libsqlite3-dev sqlite3
  libzmq3-dev cppzmq-dev catch2 libpugixml-dev nlohmann-json3-dev libtomlplusplus-dev
  libcli11-dev libspdlog-dev libfmt-dev libcrypt-dev
  clang-format clang-tidy mandoc
  s3fs rclone awscli python3 fio
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The test servers (s3rver, azurite), at the versions pinned in tests/servers/package-lock.json.
servers=tests/servers
stamp=$servers/node_modules/.autosync-lock
if ! cmp -s "$servers/package-lock.json" "$stamp"; then
  echo "setup: installing test servers from $servers/package-lock.json"
  npm ci --prefix "$servers" --no-audit --no-fund --loglevel=error >/dev/null
  cp "$servers/package-lock.json" "$stamp"
fi
echo "setup: ready"
