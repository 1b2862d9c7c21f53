#!/usr/bin/env python3
"""Workloads and server probes for tests/bench/mount_bench.sh.

Each workload times itself inside one process (time.perf_counter) so that no process start-up
is counted, and prints one number on stdout. The server probes read s3rver's data directory
directly: s3rver writes an object's bytes to KEY._S3rver_object and then its
KEY._S3rver_metadata.json, so a key whose object file has the expected size and whose metadata
file exists is complete and visible to a GET. Polling the disk costs the server nothing, unlike
a HEAD or a LIST every few milliseconds on its single Node.js thread.
"""
import json
import os
import random
import sys
import tarfile
import time

CHUNK = 1 << 20
OBJECT_SUFFIX = "._S3rver_object"
META_SUFFIX = "._S3rver_metadata.json"


def seq_write(path, size_mib, source):
    """Copies size_mib MiB of `source` (random bytes in the page cache) to path in 1 MiB writes;
    prints the seconds until close returned and the wall-clock time of the open."""
    src = os.open(source, os.O_RDONLY)
    wall_start, start = time.time(), time.perf_counter()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    for _ in range(size_mib):
        os.write(fd, os.read(src, CHUNK))
    os.close(fd)
    print(f"{time.perf_counter() - start:.6f} {wall_start:.6f}")
    os.close(src)


def seq_read(path):
    """Reads path to the end in 1 MiB reads; prints seconds and checks nothing was short."""
    start = time.perf_counter()
    total = 0
    fd = os.open(path, os.O_RDONLY)
    while True:
        got = os.read(fd, CHUNK)
        if not got:
            break
        total += len(got)
    os.close(fd)
    elapsed = time.perf_counter() - start
    expected = os.stat(path).st_size
    if total != expected:
        sys.exit(f"short read of {path}: {total} of {expected} bytes")
    print(f"{elapsed:.6f}")


def small_create(directory, count, size):
    payload = bytes(random.Random(7).getrandbits(8) for _ in range(size))
    start = time.perf_counter()
    for i in range(count):
        fd = os.open(os.path.join(directory, f"f{i:05d}"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, payload)
        os.close(fd)
    print(f"{time.perf_counter() - start:.6f}")


def small_read(directory, count, size):
    start = time.perf_counter()
    for i in range(count):
        with open(os.path.join(directory, f"f{i:05d}"), "rb") as f:
            if len(f.read()) != size:
                sys.exit(f"short read of f{i:05d}")
    print(f"{time.perf_counter() - start:.6f}")


def appends(path, count):
    """count times: open O_APPEND, write 100 bytes, close."""
    line = b"x" * 99 + b"\n"
    start = time.perf_counter()
    for _ in range(count):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.write(fd, line)
        os.close(fd)
    print(f"{time.perf_counter() - start:.6f}")


def make_tree(tar_path, manifest_path, count):
    """A deterministic source-like tarball: `count` text files of 200 B..24 KiB in nested dirs."""
    rng = random.Random(20261122)
    words = [f"w{i}" for i in range(500)]
    manifest = {}
    with tarfile.open(tar_path, "w", format=tarfile.GNU_FORMAT) as tar:
        dirs = set()
        for i in range(count):
            top, mid = rng.randrange(12), rng.randrange(10)
            directory = f"src/mod{top:02d}/part{mid}"
            for d in ("src", f"src/mod{top:02d}", directory):
                if d not in dirs:
                    dirs.add(d)
                    info = tarfile.TarInfo(d)
                    info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 1700000000
                    tar.addfile(info)
            size = int(rng.lognormvariate(8.3, 0.9)) % 24576 + 200
            text = (" ".join(rng.choice(words) for _ in range(size // 3)) + "\n").encode()[:size]
            name = f"{directory}/file{i:05d}.c"
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(text), 0o644, 1700000000
            tar.addfile(info, _Bytes(text))
            manifest[name] = len(text)
    with open(manifest_path, "w") as f:
        json.dump(manifest, f)
    print(sum(manifest.values()))


class _Bytes:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def read(self, n=-1):
        end = len(self.data) if n < 0 else self.pos + n
        out, self.pos = self.data[self.pos : end], min(end, len(self.data))
        return out


def _complete_objects(bucket_dir, prefix, nested):
    """{key: size} of the objects under bucket_dir/prefix whose upload is complete."""
    found = {}
    root = os.path.join(bucket_dir, prefix) if prefix else bucket_dir
    for dirpath, subdirs, files in os.walk(root):
        if not nested:
            subdirs.clear()
        names = set(files)
        for name in files:
            if not name.endswith(OBJECT_SUFFIX) or name == OBJECT_SUFFIX:
                continue  # "dir/" markers are stored as a bare suffix file
            base = name[: -len(OBJECT_SUFFIX)]
            if base + META_SUFFIX not in names:
                continue
            try:
                size = os.stat(os.path.join(dirpath, name)).st_size
            except FileNotFoundError:
                continue
            found[os.path.relpath(os.path.join(dirpath, base), root)] = size
    return found


def wait_objects(bucket_dir, prefix, manifest, since, timeout, interval):
    """Polls until every key of manifest is complete with its size; prints seconds since `since`
    (a CLOCK_REALTIME time from the caller) or 'timeout'."""
    deadline = time.time() + timeout
    while True:
        found = _complete_objects(bucket_dir, prefix, any("/" in k for k in manifest))
        if all(found.get(k) == v for k, v in manifest.items()):
            print(f"{time.time() - since:.6f}")
            return
        if time.time() > deadline:
            missing = sum(1 for k, v in manifest.items() if found.get(k) != v)
            print(f"wait: {missing} of {len(manifest)} objects not on the server", file=sys.stderr)
            print("timeout")
            return
        time.sleep(interval)


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "seq-write":
        seq_write(args[0], int(args[1]), args[2])
    elif cmd == "seq-read":
        seq_read(args[0])
    elif cmd == "small-create":
        small_create(args[0], int(args[1]), int(args[2]))
    elif cmd == "small-read":
        small_read(args[0], int(args[1]), int(args[2]))
    elif cmd == "appends":
        appends(args[0], int(args[1]))
    elif cmd == "make-tree":
        make_tree(args[0], args[1], int(args[2]))
    elif cmd == "wait-key":  # BUCKET_DIR KEY SIZE SINCE TIMEOUT
        prefix, _, name = args[1].rpartition("/")
        wait_objects(args[0], prefix, {name: int(args[2])}, float(args[3]), float(args[4]), 0.02)
    elif cmd == "wait-tree":  # BUCKET_DIR PREFIX MANIFEST SINCE TIMEOUT
        with open(args[2]) as f:
            manifest = json.load(f)
        wait_objects(args[0], args[1], manifest, float(args[3]), float(args[4]), 0.2)
    elif cmd == "wait-files":  # BUCKET_DIR PREFIX COUNT SIZE SINCE TIMEOUT: f00000..
        manifest = {f"f{i:05d}": int(args[3]) for i in range(int(args[2]))}
        wait_objects(args[0], args[1], manifest, float(args[4]), float(args[5]), 0.1)
    else:
        sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
