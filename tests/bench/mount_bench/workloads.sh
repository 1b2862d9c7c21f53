# The workloads of tests/bench/mount_bench.sh, sourced by it (uses its variables and helpers).
# Every figure goes to `record TARGET METRIC VALUE`; times are seconds, ERR on failure.

# curl PUT and cold GET of the sequential file: the baselines for what a mount can reach.
curl_baseline() {
  log "=== curl"
  record curl seq_put "$(timed "${s3curl[@]}" -T "$work/seq.src" "$endpoint/bench-curl/seq.bin")"
  drop_caches
  record curl seq_get "$(timed "${s3curl[@]}" -o /dev/null "$endpoint/bench-curl/seq.bin")"
}

# wait_on_server TARGET METRIC KIND ARGS...: records the seconds until the objects are complete.
wait_on_server() {
  local t=$1 metric=$2 kind=$3
  shift 3
  [ "$t" = local ] && return 0
  record "$t" "$metric" "$(py "wait-$kind" "$data/bench-$t" "$@")"
}

workload_sequential() {
  local t=$1 m=$2 out close start
  out=$(py seq-write "$m/seq.bin" "$size_mib" "$work/seq.src")
  read -r close start <<<"$out"
  record "$t" seq_write_close "$close"
  [ "$close" = ERR ] || wait_on_server "$t" seq_write_server key seq.bin $((size_mib << 20)) "$start" $wait_timeout
  remount "$t" empty || return 1
  m=$(mnt_of "$t")
  record "$t" cold_read "$(py seq-read "$m/seq.bin")"
  record "$t" warm_read "$(py seq-read "$m/seq.bin")"
}

workload_small_files() {
  local t=$1 m=$2 start
  mkdir -p "$m/small"
  start=$(now)
  record "$t" files_create "$(py small-create "$m/small" "$files" 4096)"
  record "$t" files_read "$(py small-read "$m/small" "$files" 4096)"
  wait_on_server "$t" files_server files small "$files" 4096 "$start" $wait_timeout
  ls -l "$m/small" >/dev/null
  record "$t" ls_warm "$(timed ls -l "$m/small")"
  remount "$t" || return 1
  m=$(mnt_of "$t")
  record "$t" ls_cold "$(timed ls -l "$m/small")"
  record "$t" rename_dir "$(timed mv "$m/small" "$m/small2")"
  wait_on_server "$t" rename_server files small2 "$files" 4096 "$(now)" $wait_timeout
}

workload_tarball() {
  local t=$1 m=$2 start t0 rc
  mkdir -p "$m/tree"
  start=$(now)
  timeout $wait_timeout tar -xf "$work/tree.tar" -C "$m/tree" 2>>"$work/tar-$t.log"
  rc=$?
  record "$t" tar_extract "$(since "$start" "$(now)")"
  record "$t" tar_errors "$rc:$(wc -l <"$work/tar-$t.log")"
  wait_on_server "$t" tar_server tree tree "$work/tree.json" "$start" $wait_timeout
}

workload_fio() {
  local t=$1 m=$2 json=$work/fio-$1.json
  timeout $wait_timeout fio --name=randrw --filename="$m/fio.dat" --size=$fio_size --bs=4k --rw=randrw \
    --runtime=$fio_runtime --time_based --direct=0 --ioengine=psync \
    --output-format=json --output="$json" >/dev/null 2>>"$work/errors.log"
  record "$t" fio_iops "$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1]))["jobs"][0]
print(round(j["read"]["iops"] + j["write"]["iops"]))' "$json" 2>/dev/null || echo ERR)"
  # Let the mount upload the file before the next workload, so that it runs on a quiet server.
  wait_on_server "$t" fio_server key fio.dat $(numfmt --from=iec "$fio_size") "$(now)" $wait_timeout
}

workload_appends() {
  local t=$1 m=$2 start
  start=$(now)
  record "$t" appends "$(py appends "$m/append.log" "$appends")"
  wait_on_server "$t" appends_server key append.log $((appends * 100)) "$start" $wait_timeout
}

run_workloads() {
  local t=$1
  workload_sequential "$t" "$(mnt_of "$t")" || return 1
  workload_small_files "$t" "$(mnt_of "$t")" || return 1
  workload_tarball "$t" "$(mnt_of "$t")"
  workload_fio "$t" "$(mnt_of "$t")"
  workload_appends "$t" "$(mnt_of "$t")"
}
