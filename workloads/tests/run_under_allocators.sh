#!/usr/bin/env bash
# Runs every workload briefly under each allocator (LD_PRELOAD) and checks
# that it exits 0 and prints exactly one well-formed RESULT line, last, with
# the keys the harness needs.
#   usage: run_under_allocators.sh BIN_DIR [SEGALLOC_SO]
# An allocator whose library is not installed is skipped with a message;
# segalloc is required when its path is given (the build has the target).
set -u
bin=${1:?usage: run_under_allocators.sh BIN_DIR [SEGALLOC_SO]}
segalloc=${2:-}
libdir=/usr/lib/x86_64-linux-gnu

allocators=(glibc= jemalloc=$libdir/libjemalloc.so.2 tcmalloc=$libdir/libtcmalloc_minimal.so.4
            mimalloc=$libdir/libmimalloc.so.2)
if [ -n "$segalloc" ]; then
  if [ ! -f "$segalloc" ]; then
    echo "FAIL: segalloc library $segalloc is missing although the target exists" >&2
    exit 1
  fi
  allocators+=(segalloc=$segalloc)
else
  echo "note: segalloc not built in this configuration, not tested"
fi

# name|short arguments|keys beyond the mandatory ones
runs=(
  "prodcons|--seconds 0.2 --calibrate-items 2000|xfree_p50_ns xfree_p99_ns xfree_p999_ns xfree_max_ns queue_ns_per_op"
  "prodcons64k|--seconds 0.2 --calibrate-items 2000|xfree_p50_ns xfree_p99_ns xfree_p999_ns xfree_max_ns queue_ns_per_op"
  "prodcons64k|--seconds 0.1 --size-jitter --calibrate-items 0|xfree_p50_ns xfree_p99_ns xfree_p999_ns xfree_max_ns"
  "churn64k|--seconds 0.1 --working-set 200|"
  "churn64k|--seconds 0.1 --working-set 200 --mode wide|"
  "larson-server|--seconds 0.2 --round-ops 2000|xfree_p50_ns xfree_p99_ns xfree_p999_ns xfree_max_ns threads_created"
  "threadchurn|--seconds 0.2|xfree_p50_ns xfree_p99_ns xfree_p999_ns xfree_max_ns threads_created"
  "rss-return|--peak 16M|rss_peak_kib rss_after_free_kib rss_after_100ms_kib rss_after_1s_kib"
  "fragment|--ops 100000|rss_peak_kib rss_end_kib live_end_bytes"
  "false-sharing|--seconds 0.1 --writes 100|"
  "false-sharing|--seconds 0.1 --writes 100 --mode passive|"
  "realloc-grow|--ops 20000 --max-size 1M|"
  "small-fast|--ops 200000|"
)

errfile=$(mktemp)
trap 'rm -f "$errfile"' EXIT
tested=()

mandatory="workload threads ops seconds ops_per_s live_peak_bytes"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# Checks the captured stdout of one run; $1 name, $2 extra keys, $3 label.
check_result() {
  local name=$1 extra=$2 label=$3 out=$4
  local count last
  count=$(grep -c '^RESULT ' <<<"$out")
  last=$(tail -n 1 <<<"$out")
  [ "$count" = 1 ] || { fail "$label: $count RESULT lines"; return; }
  [[ $last == RESULT\ * ]] || { fail "$label: RESULT is not the last line"; return; }
  local -a fields
  read -ra fields <<<"${last#RESULT }"
  local key value keys=""
  for field in "${fields[@]}"; do
    key=${field%%=*}
    value=${field#*=}
    [[ $field == *=* && $key =~ ^[a-z0-9_]+$ ]] || fail "$label: malformed field '$field'"
    if [ "$key" = workload ]; then
      [ "$value" = "$name" ] || fail "$label: workload=$value"
    else
      [[ $value =~ ^[0-9]+(\.[0-9]+)?$ ]] || fail "$label: $key=$value is not a number"
    fi
    keys="$keys $key"
  done
  # The mandatory keys come first, in this order.
  local want=($mandatory) got=($keys)
  for j in "${!want[@]}"; do
    [ "${got[$j]:-}" = "${want[$j]}" ] || fail "$label: key $((j + 1)) is '${got[$j]:-}', want '${want[$j]}'"
  done
  for k in $extra; do
    [[ " $keys " == *" $k "* ]] || fail "$label: missing key $k"
  done
  [[ " ${fields[*]} " == *" ops=0 "* ]] && fail "$label: no operations done"
  return 0
}

for entry in "${allocators[@]}"; do
  alloc=${entry%%=*}
  lib=${entry#*=}
  if [ -n "$lib" ] && [ ! -f "$lib" ]; then
    echo "skip: $alloc ($lib not installed)"
    continue
  fi
  for run in "${runs[@]}"; do
    IFS='|' read -r name args extra <<<"$run"
    label="$alloc: $name $args"
    out=$(LD_PRELOAD=$lib timeout 60 "$bin/$name" $args 2>"$errfile")
    rc=$?
    if [ $rc != 0 ]; then
      fail "$label: exit $rc: $(head -c 300 "$errfile")"
      continue
    fi
    check_result "$name" "$extra" "$label" "$out"
  done
  echo "done: $alloc"
  tested+=("$alloc")
done
[ $failures = 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "all workloads passed under: ${tested[*]}"
