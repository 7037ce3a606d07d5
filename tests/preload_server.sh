#!/usr/bin/env bash
# preload_server: a long-running, multithreaded server under segalloc.
# redis-server runs on a free loopback port twice, once on glibc (the
# reference) and once with LD_PRELOAD=libsegalloc.so. Each time:
#   - redis-benchmark (bounded: 20000 requests x 6 commands) must complete;
#   - a data set of strings (0 B - 100 KB, 64 KiB -1/+0/+1 included, some
#     overwritten, some grown by APPEND), lists, hashes, sets and a sorted
#     set is loaded through redis-cli --pipe and read back; the reads must
#     equal the expected values, and the two servers must answer alike;
#   - big keys are UNLINKed, which redis frees on its lazy-free thread, so
#     blocks allocated by the main thread are freed by another one;
#   - BGSAVE forks the server; the child's RDB must pass redis-check-rdb;
#   - SHUTDOWN must end the server with status 0 and no crash report in its
#     log; under segalloc its stats (SEGALLOC_SHOW_STATS=1) must show
#     local_frees > 0 and remote_frees > 0.
#
# usage: preload_server.sh /path/to/libsegalloc.so
# Exit: 0 passed, or skipped because redis-server is not installed (Debian
# packages redis-server and redis-tools); 1 failed; 2 bad usage.
set -uo pipefail

me=preload_server
. "$(dirname "$0")/preload_common.sh"
preload_take_lib "$me" "$@"
if ! command -v redis-server >/dev/null 2>&1; then
  echo "$me: SKIP: redis-server is not installed (apt-get install redis-server redis-tools)"
  exit 0
fi
for tool in redis-cli redis-benchmark redis-check-rdb; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "$me: FAIL: redis-server is installed but $tool is not (package redis-tools)" >&2
    exit 1
  fi
done

export LC_ALL=C
work=$(mktemp -d "${TMPDIR:-/tmp}/$me.XXXXXX") || exit 2
server_pid=
failed=0

stop_server() {
  [ -n "$server_pid" ] || return 0
  kill -TERM "$server_pid" 2>/dev/null
  for _ in $(seq 50); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$server_pid" 2>/dev/null
  wait "$server_pid" 2>/dev/null
  server_pid=
}
# A server must never outlive the test, whichever way it ends.
trap 'stop_server; rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

fail() {
  echo "$me: FAIL: $*" >&2
  failed=1
}

# Every client call is bounded, so a hung server fails the test instead of
# hanging it.
cli() {
  timeout 30 redis-cli -h 127.0.0.1 -p "$port" "$@"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' \
    2>/dev/null || echo $((20000 + RANDOM % 40000))
}

# start_server LABEL [ENV...]: starts redis-server (through env with the
# given assignments) and waits until it answers on $port. The port is free
# when chosen but may be taken before redis binds it: then retry.
start_server() {
  local label=$1
  shift
  mkdir -p "$work/$label"
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    env "$@" redis-server --port "$port" --bind 127.0.0.1 --protected-mode yes --daemonize no \
      --save '' --appendonly no --dir "$work/$label" --logfile "$work/$label/redis.log" \
      >/dev/null 2>"$work/$label/stderr" &
    server_pid=$!
    wait_ready && return 0
    if grep -q 'Address already in use' "$work/$label/redis.log" 2>/dev/null; then
      stop_server
      continue
    fi
    fail "$label: redis-server did not start on port $port; its log ends with:"
    tail -n 5 "$work/$label/redis.log" "$work/$label/stderr" >&2 2>/dev/null
    stop_server
    return 1
  done
  fail "$label: no free loopback port after 5 tries"
  return 1
}

# Ready when the server that answers on $port is ours (its pid), not some
# other program that took the port first.
wait_ready() {
  for _ in $(seq 100); do
    kill -0 "$server_pid" 2>/dev/null || return 1
    if timeout 5 redis-cli -h 127.0.0.1 -p "$port" info server 2>/dev/null |
      tr -d '\r' | grep -qx "process_id:$server_pid"; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

run_benchmark() {
  local label=$1 out="$work/$1/bench" t
  if ! timeout 60 redis-benchmark -h 127.0.0.1 -p "$port" -q -n 20000 -c 20 -P 4 \
    -t set,get,lpush,lpop,incr,hset >"$out.raw" 2>&1; then
    fail "$label: redis-benchmark failed: $(tail -c 300 "$out.raw")"
    return
  fi
  # -q rewrites a progress line with \r; keep the final lines only.
  tr '\r' '\n' <"$out.raw" | grep 'requests per second' >"$out"
  for t in SET GET LPUSH LPOP INCR HSET; do
    grep -q "^$t: " "$out" || fail "$label: redis-benchmark printed no result for $t"
  done
  echo "$me: $label: redis-benchmark: $(awk -F: '{ printf "%s%s", sep, $1; sep = "," }' "$out") done"
}

# The data set, written once: load.resp (the commands in the Redis protocol
# for redis-cli --pipe), read.cmds (one read command per line for
# redis-cli) and expect.out (what read.cmds must print). Values are
# printable and start with their key's number, so a value that moved to the
# wrong key or was cut short shows.
make_data_set() {
  awk -v load="$work/load.resp" -v reads="$work/read.cmds" -v expect="$work/expect.out" '
    function cmd(n, a,    i, s) {
      s = "*" n "\r\n"
      for (i = 1; i <= n; i++) s = s "$" length(a[i]) "\r\n" a[i] "\r\n"
      printf "%s", s >load
      ncmd++
    }
    function cmd2(x, y,    a) { a[1] = x; a[2] = y; cmd(2, a) }
    function cmd3(x, y, z,    a) { a[1] = x; a[2] = y; a[3] = z; cmd(3, a) }
    function cmd4(x, y, z, w,    a) { a[1] = x; a[2] = y; a[3] = z; a[4] = w; cmd(4, a) }
    function value(i, len) { return substr(i ":" substr(base, 1 + i % 97), 1, len) }
    # Sizes around the small bins, 4 and 8 KiB, and every 25th key a big
    # one: 16 KiB, 64 KiB - 1, 64 KiB, 64 KiB + 1, 100 KB.
    function size_of(i) {
      if (i % 25 == 24) return big[int(i / 25) % 6]
      return small[i % 16]
    }
    BEGIN {
      split("0 1 7 8 15 16 24 31 100 255 256 1000 1024 3000 4096 8192", t, " ")
      for (k = 0; k < 16; k++) small[k] = t[k + 1]
      split("16384 30000 65535 65536 65537 100000", t, " ")
      for (k = 0; k < 6; k++) big[k] = t[k + 1]
      s = 12345
      for (k = 0; k < 997; k++) {
        s = (s * 1103515245 + 12345) % 2147483648
        chunk = chunk substr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", 1 + int(s / 65536) % 65, 1)
      }
      for (k = 0; k < 102; k++) base = base chunk
      nkeys = 3000

      cmd2("SELECT", "1")
      # Churn: every 7th key first gets a value of another size, which the
      # final SET replaces (a free and an allocation of a different size).
      for (i = 0; i < nkeys; i += 7) cmd3("SET", "s:" i, value(i + 500000, size_of(i + 3)))
      for (i = 0; i < nkeys; i++) cmd3("SET", "s:" i, value(i, size_of(i)))
      # Temporary keys, deleted again.
      for (i = 0; i < 500; i++) cmd3("SET", "t:" i, value(i, size_of(i * 3)))
      for (i = 0; i < 500; i++) cmd2("DEL", "t:" i)
      # Strings that grow by APPEND (realloc in place or moved).
      for (i = 0; i < 100; i++) for (r = 0; r < 20; r++) cmd3("APPEND", "a:" i, value(i * 20 + r, 37 * (r + 1)))
      for (j = 0; j < 10; j++) for (e = 0; e < 400; e++) cmd3("RPUSH", "l:" j, value(j * 1000 + e, e % 300))
      for (j = 0; j < 10; j++) for (e = 0; e < 300; e++) cmd4("HSET", "h:" j, "f" e, value(j * 1000 + e, (e * 13) % 500))
      for (e = 0; e < 2000; e++) cmd3("SADD", "set", "m" e * 7)
      for (e = 0; e < 1000; e++) cmd4("ZADD", "z", (e * 7919) % 1000, "z" e)
      # Big keys: UNLINK hands them to the lazy-free thread (more than 64
      # elements), so another thread frees what the main thread allocated.
      for (j = 0; j < 4; j++) for (e = 0; e < 5000; e++) cmd4("HSET", "big:" j, "f" e, value(e, 40))
      for (j = 0; j < 4; j++) cmd2("UNLINK", "big:" j)

      for (i = 0; i < nkeys; i += 100) {
        line = "MGET"
        for (k = i; k < i + 100; k++) {
          line = line " s:" k
          print value(k, size_of(k)) >expect
        }
        print line >reads
        line = "EXISTS"
        for (k = i; k < i + 100; k++) line = line " s:" k
        print line >reads
        print 100 >expect
      }
      print "EXISTS t:0 t:1 t:250 t:499 big:0 big:1 big:2 big:3" >reads
      print 0 >expect
      for (i = 0; i < 100; i++) {
        print "GET a:" i >reads
        v = ""
        for (r = 0; r < 20; r++) v = v value(i * 20 + r, 37 * (r + 1))
        print v >expect
      }
      for (j = 0; j < 10; j++) {
        print "LRANGE l:" j " 0 -1" >reads
        for (e = 0; e < 400; e++) print value(j * 1000 + e, e % 300) >expect
      }
      # Field order of a hash or a set depends on a per-process hash seed:
      # ask for the members by name instead.
      for (j = 0; j < 10; j++) {
        line = "HMGET h:" j
        for (e = 0; e < 300; e++) {
          line = line " f" e
          print value(j * 1000 + e, (e * 13) % 500) >expect
        }
        print line >reads
      }
      line = "SMISMEMBER set"
      for (e = 0; e < 2100; e++) {
        line = line " m" e * 7
        print (e < 2000 ? 1 : 0) >expect
      }
      print line >reads
      print "ZRANGE z 0 -1 WITHSCORES" >reads
      for (sc = 0; sc < 1000; sc++)
        for (e = 0; e < 1000; e++)
          if ((e * 7919) % 1000 == sc) { print "z" e >expect; print sc >expect }
      print "DBSIZE" >reads
      print nkeys + 100 + 10 + 10 + 2 >expect
      printf "%d\n", ncmd >(load ".count")
    }'
}

# load_and_read LABEL: loads the data set into database 1 and reads it back.
load_and_read() {
  local label=$1 dir="$work/$1" want got
  if ! timeout 60 redis-cli -h 127.0.0.1 -p "$port" --pipe <"$work/load.resp" >"$dir/pipe" 2>&1; then
    fail "$label: redis-cli --pipe failed: $(tail -n 2 "$dir/pipe")"
    return
  fi
  want=$(cat "$work/load.resp.count")
  got=$(sed -n -E 's/^errors: ([0-9]+), replies: ([0-9]+)$/\1 \2/p' "$dir/pipe")
  if [ "$got" != "0 $want" ]; then
    fail "$label: loading the data set: wanted 'errors: 0, replies: $want', got: $(tail -n 1 "$dir/pipe")"
    return
  fi
  cli -n 1 <"$work/read.cmds" >"$dir/read.out" 2>&1
  if cmp -s "$work/expect.out" "$dir/read.out"; then
    echo "$me: $label: $want commands loaded, every value read back as written"
  else
    fail "$label: data read back differs from what was written ($(cmp "$work/expect.out" "$dir/read.out" 2>&1 | head -n 1))"
  fi
}

# info_field NAME: one field of INFO, without the \r.
info_field() {
  cli info all | tr -d '\r' | sed -n "s/^$1://p"
}

# bgsave LABEL: fork a child that writes the data set; the RDB must be valid.
bgsave() {
  local label=$1 dir="$work/$1"
  if [ "$(cli bgsave | tr -d '\r')" != "Background saving started" ]; then
    fail "$label: BGSAVE did not start"
    return
  fi
  for _ in $(seq 200); do
    [ "$(info_field rdb_bgsave_in_progress)" = 0 ] && break
    sleep 0.1
  done
  if [ "$(info_field rdb_last_bgsave_status)" != ok ]; then
    fail "$label: BGSAVE did not finish with status ok (child crashed or hung?)"
    return
  fi
  if ! timeout 30 redis-check-rdb "$dir/dump.rdb" >"$dir/check-rdb" 2>&1; then
    fail "$label: redis-check-rdb rejects the forked child's dump: $(tail -n 2 "$dir/check-rdb")"
    return
  fi
  echo "$me: $label: BGSAVE (fork) wrote a dump that redis-check-rdb accepts"
}

# shutdown LABEL: the server must exit 0 by itself and log no crash.
shutdown_server() {
  local label=$1 log="$work/$1/redis.log" status
  cli shutdown nosave >/dev/null 2>&1
  for _ in $(seq 100); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$server_pid" 2>/dev/null; then
    fail "$label: redis-server still running 10 s after SHUTDOWN"
    stop_server
    return 1
  fi
  wait "$server_pid"
  status=$?
  server_pid=
  [ $status -eq 0 ] || fail "$label: redis-server exited with status $status"
  if grep -E -q 'crashed by signal|BUG REPORT|ASSERTION FAILED|Guru Meditation' "$log"; then
    fail "$label: redis logged a crash:"
    grep -E -m 3 'crashed by signal|BUG REPORT|ASSERTION FAILED|Guru Meditation' "$log" >&2
  fi
  grep -q 'ready to exit, bye bye' "$log" || fail "$label: redis did not log a clean exit"
  [ $status -eq 0 ]
}

# stat_of LABEL FIELD: the value of a "segalloc: FIELD N" line (the largest,
# should a forked child print one too).
stat_of() {
  sed -n -E "s/^segalloc: $2[[:space:]]+([0-9]+)[[:space:]]*\$/\\1/p" "$work/$1/stderr" | sort -n | tail -n 1
}

check_segalloc_served() {
  local label=$1 field n
  for field in local_frees remote_frees; do
    n=$(stat_of "$label" "$field")
    if [ -z "$n" ] || [ "$n" -le 0 ]; then
      fail "$label: no 'segalloc: $field N' with N > 0 on the server's stderr" \
        "(local: segalloc did not serve redis; remote: the lazy-free thread's frees were not seen)"
    else
      echo "$me: $label: segalloc $field $n"
    fi
  done
}

# exercise LABEL [ENV...]: the whole session against one server.
exercise() {
  local label=$1
  start_server "$@" || return 1
  echo "$me: $label: redis-server pid $server_pid on 127.0.0.1:$port"
  run_benchmark "$label"
  load_and_read "$label"
  bgsave "$label"
  shutdown_server "$label"
}

make_data_set
exercise glibc
exercise segalloc LD_PRELOAD="$sa_lib" SEGALLOC_SHOW_STATS=1 && check_segalloc_served segalloc
if [ -f "$work/glibc/read.out" ] && [ -f "$work/segalloc/read.out" ]; then
  if cmp -s "$work/glibc/read.out" "$work/segalloc/read.out"; then
    echo "$me: glibc and segalloc servers answered the data check alike"
  else
    fail "the glibc and segalloc servers answered differently"
  fi
fi

if [ $failed -ne 0 ]; then
  echo "$me: FAILED (see FAIL lines above)" >&2
  exit 1
fi
echo "$me: OK"
