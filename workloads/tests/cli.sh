#!/usr/bin/env bash
# The command line of every workload: --help is usage on stdout and exit 0;
# a bad flag or value is one line on stderr that names it, nothing on
# stdout, exit 2, before any work is done. Also checks --latency-cdf output.
#   usage: cli.sh BIN_DIR
set -u
bin=${1:?usage: cli.sh BIN_DIR}
workloads="prodcons prodcons64k churn64k larson-server threadchurn rss-return fragment
           false-sharing realloc-grow small-fast"
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect_usage_error NAME WORD_IN_MESSAGE ARGS...
expect_usage_error() {
  local name=$1 word=$2
  shift 2
  timeout 20 "$bin/$name" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  local label="$name $*"
  [ $rc = 2 ] || fail "$label: exit $rc, want 2"
  [ -s "$tmp/out" ] && fail "$label: printed on stdout: $(head -c 200 "$tmp/out")"
  [ "$(wc -l <"$tmp/err")" = 1 ] || fail "$label: stderr is not one line: $(cat "$tmp/err")"
  grep -qF -- "$word" "$tmp/err" || fail "$label: message does not name '$word': $(cat "$tmp/err")"
  grep -q "^$name: " "$tmp/err" || fail "$label: message does not start with '$name: '"
}

for name in $workloads; do
  timeout 20 "$bin/$name" --help >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ $rc = 0 ] || fail "$name --help: exit $rc"
  grep -q "^usage: $name " "$tmp/out" || fail "$name --help: no usage line on stdout"
  for flag in --threads --seconds --ops --seed --help; do
    grep -qF -- "$flag" "$tmp/out" || fail "$name --help does not list $flag"
  done
  [ -s "$tmp/err" ] && fail "$name --help wrote to stderr"

  expect_usage_error "$name" --bogus --bogus
  expect_usage_error "$name" --bogus --bogus=1
  expect_usage_error "$name" --threads --threads abc
  expect_usage_error "$name" --threads --threads 0
  expect_usage_error "$name" --threads --threads=2x
  expect_usage_error "$name" --threads --threads
  expect_usage_error "$name" --seconds --seconds -1
  expect_usage_error "$name" --seconds --seconds nan
  expect_usage_error "$name" --ops --ops 0
  expect_usage_error "$name" --seed --seed -5
  expect_usage_error "$name" stray stray
  expect_usage_error "$name" --help --help=yes
done

expect_usage_error prodcons --max-size --min-size 2K --max-size 1K
expect_usage_error prodcons --queue-depth --queue-depth 0
expect_usage_error prodcons --size-dist --size-dist normal
expect_usage_error prodcons --size-jitter --size-jitter
expect_usage_error prodcons64k --size-jitter --size-jitter --min-size 1K
expect_usage_error prodcons64k --latency-cdf --latency-cdf "$tmp/no/such/dir/cdf.csv"
expect_usage_error churn64k --mode --mode huge
expect_usage_error churn64k --working-set --working-set 1e3
expect_usage_error larson-server --max-size --min-size 100 --max-size 10
expect_usage_error rss-return --free-by --free-by nobody
expect_usage_error rss-return --peak --peak 10T
expect_usage_error fragment --keep-every --keep-every 1
expect_usage_error realloc-grow --mode --mode list
expect_usage_error small-fast --order --order fifo

# --latency-cdf writes "ns,cumulative_fraction" rows rising to 1.
for name in prodcons larson-server threadchurn; do
  cdf="$tmp/$name.csv"
  timeout 30 "$bin/$name" --seconds 0.1 --latency-cdf "$cdf" >"$tmp/out" 2>"$tmp/err" ||
    fail "$name --latency-cdf: exit $?: $(cat "$tmp/err")"
  head -n 1 "$cdf" | grep -qx 'ns,cumulative_fraction' || fail "$name: CDF header"
  awk -F, 'NR > 1 { if ($1 + 0 <= last_ns || $2 + 0 <= last_f) bad = 1; last_ns = $1 + 0; last_f = $2 + 0; rows++ }
           END { exit !(rows > 1 && !bad && last_f > 0.999999 && last_f <= 1.0000001) }' "$cdf" ||
    fail "$name: CDF rows are not increasing up to 1"
done

[ $failures = 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "command lines of all workloads behave"
