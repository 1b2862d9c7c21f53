#!/usr/bin/env python3
"""Prints the table and the goals of tests/bench/mount_bench.sh from its results file.

Results lines are "TARGET METRIC VALUE"; times in seconds, fio in IOPS, RSS in KiB, ERR or
timeout when a step failed. Ratios in the table are speed ratios: above 1 means autosyncfs is
faster (or does more per second) than the column it is compared with.
"""
import sys

MOUNTS = ["local", "autosyncfs", "s3fs", "rclone", "curl"]
PEERS = ["s3fs", "rclone"]

# (label, metric, unit): unit "mibs" shows a time as MiB/s of the sequential file, "time" a
# time, "iops" a rate, "text" as is.
ROWS = [
    ("seq write, until close", "seq_write_close", "mibs"),
    ("seq write, until on server (curl: PUT)", "seq_write_server", "mibs"),
    ("seq read, cold (curl: GET)", "cold_read", "mibs"),
    ("seq read, warm", "warm_read", "mibs"),
    ("small files: create", "files_create", "time"),
    ("small files: read back", "files_read", "time"),
    ("small files: all on server", "files_server", "time"),
    ("ls -l, warm", "ls_warm", "time"),
    ("ls -l, cold (fresh mount)", "ls_cold", "time"),
    ("rename the directory", "rename_dir", "time"),
    ("rename: all on server", "rename_server", "time"),
    ("tarball: extract", "tar_extract", "time"),
    ("tarball: tar exit code:stderr lines", "tar_errors", "text"),
    ("tarball: extract + all on server", "tar_server", "time"),
    ("fio 4k randrw", "fio_iops", "iops"),
    ("fio: file on server after the run", "fio_server", "time"),
    ("appends", "appends", "time"),
    ("appends: on server", "appends_server", "time"),
]


def load(path):
    values = {}
    for line in open(path):
        parts = line.split()
        if len(parts) == 3:
            values[(parts[0], parts[1])] = parts[2]
    # curl's PUT and GET sit in the rows of the mounts' "until on server" and "cold read".
    for metric, alias in (("seq_put", "seq_write_server"), ("seq_get", "cold_read")):
        if ("curl", metric) in values:
            values[("curl", alias)] = values[("curl", metric)]
    return values


def num(values, target, metric):
    try:
        return float(values.get((target, metric), ""))
    except ValueError:
        return None


def shown(value, unit, size_mib):
    if value is None:
        return ""
    if unit == "mibs":
        return f"{size_mib / value:.1f} MiB/s" if value > 0 else "inf"
    if unit == "iops":
        return f"{value:.0f} IOPS"
    return f"{value * 1000:.1f} ms" if value < 10 else f"{value:.2f} s"


def speed_ratio(values, metric, unit, ref):
    a, b = num(values, "autosyncfs", metric), num(values, ref, metric)
    if a is None or b is None or a <= 0 or b <= 0:
        return None
    return a / b if unit == "iops" else b / a


def best_peer_ratio(values, metric, unit):
    ratios = [r for r in (speed_ratio(values, metric, unit, p) for p in PEERS) if r is not None]
    return min(ratios) if ratios else None


def fmt_ratio(r):
    return "" if r is None else f"{r:.2f}x"


def table(values, size_mib):
    print("| workload | " + " | ".join(MOUNTS) + " | autosyncfs vs local | vs best peer |")
    print("| --- |" + " ---: |" * (len(MOUNTS) + 2))
    for label, metric, unit in ROWS:
        if unit == "text":
            cells = [values.get((m, metric), "") for m in MOUNTS]
            ratios = ["", ""]
        else:
            cells = [shown(num(values, m, metric), unit, size_mib) or raw(values, m, metric) for m in MOUNTS]
            ratios = [fmt_ratio(speed_ratio(values, metric, unit, "local")),
                      fmt_ratio(best_peer_ratio(values, metric, unit))]
        print(f"| {label} | " + " | ".join(cells + ratios) + " |")
    fs, syncd = num(values, "autosyncfs", "rss_fs_kib"), num(values, "autosyncfs", "rss_syncd_kib")
    if fs is not None:
        print(f"\nautosyncfs peak RSS (VmHWM): autosyncfs {fs / 1024:.1f} MiB, "
              f"autosyncd {(syncd or 0) / 1024:.1f} MiB")


def raw(values, target, metric):
    v = values.get((target, metric), "")
    return v if v in ("ERR", "timeout") else ""


def goals(values):
    """(text, ratio, passes) per goal; ratio None when a figure is missing."""
    sr = lambda metric, ref, unit="time": speed_ratio(values, metric, unit, ref)
    tr = lambda metric, ref: None if sr(metric, ref) is None else 1 / sr(metric, ref)
    tar_err = values.get(("autosyncfs", "tar_errors"))
    tar_ok = tar_err == "0:0"
    tar_t = tr("tar_extract", "local")
    fs, syncd = num(values, "autosyncfs", "rss_fs_kib"), num(values, "autosyncfs", "rss_syncd_kib")
    rss = None if fs is None else (fs + (syncd or 0)) / 1024
    return [
        ("seq write until close >= 0.6x local", sr("seq_write_close", "local"), lambda r: r >= 0.6),
        ("seq write until close >= 1.2x best peer", best_peer_ratio(values, "seq_write_close", "time"), lambda r: r >= 1.2),
        ("seq write until on server >= 2x s3fs", sr("seq_write_server", "s3fs"), lambda r: r >= 2),
        ("seq write until on server >= 0.6x curl PUT", sr("seq_write_server", "curl"), lambda r: r >= 0.6),
        ("cold read >= 0.9x curl GET", sr("cold_read", "curl"), lambda r: r >= 0.9),
        ("warm read >= 0.5x local", sr("warm_read", "local"), lambda r: r >= 0.5),
        ("files create >= 0.5x local", sr("files_create", "local"), lambda r: r >= 0.5),
        ("files create >= 3x rclone", sr("files_create", "rclone"), lambda r: r >= 3),
        ("files read back >= 3x rclone", sr("files_read", "rclone"), lambda r: r >= 3),
        ("ls -l warm <= 1.5x local's time", tr("ls_warm", "local"), lambda r: r <= 1.5),
        ("ls -l cold <= 2x local's time", tr("ls_cold", "local"), lambda r: r <= 2),
        ("rename dir <= 10x local's time", tr("rename_dir", "local"), lambda r: r <= 10),
        (f"tarball extract <= 3x local's time, zero errors (exit:stderr {tar_err})", tar_t,
         lambda r: r <= 3 and tar_ok),
        ("tarball all on server < 0.5x rclone's time", tr("tar_server", "rclone"), lambda r: r < 0.5),
        ("fio >= 0.5x local IOPS", sr("fio_iops", "local", "iops"), lambda r: r >= 0.5),
        ("appends >= 5x rclone", sr("appends", "rclone"), lambda r: r >= 5),
        ("peak RSS (autosyncfs + autosyncd) < 100 MiB", rss, lambda r: r < 100),
    ]


def main():
    values = load(sys.argv[1])
    size_mib = float(sys.argv[2])
    table(values, size_mib)
    print()
    for text, ratio, check in goals(values):
        verdict = "n/a " if ratio is None else ("PASS" if check(ratio) else "MISS")
        figure = "" if ratio is None else (f"{ratio:.1f} MiB" if "RSS" in text else f"{ratio:.2f}x")
        print(f"{verdict}  {text}: {figure}")


if __name__ == "__main__":
    main()
