#!/usr/bin/env bash
# Front door: install what is missing, build (Release), then either run the
# tests (`./run_bench.sh test [ctest args]`) or hand every argument to the
# benchmark runner (`build/harness/allocbench`). Logic lives in allocbench.
set -euo pipefail
cd "$(dirname "$0")"

# Debian packages: build tools, the peer allocators, and the tools the
# harness and the tests call (hyperfine, gnuplot, valgrind, real programs).
PKGS="cmake gcc make clang libclang-rt-14-dev valgrind hyperfine gnuplot-nox
      libjemalloc2 libtcmalloc-minimal4 libgoogle-perftools4 libmimalloc2.0
      python3 xz-utils sqlite3 git procps pkgconf redis-server redis-tools"

missing=()
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "run_bench.sh: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null
  else
    echo "run_bench.sh: missing Debian packages: ${missing[*]}" >&2
    echo "run_bench.sh: install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
fi

BUILD=${SEGALLOC_BUILD_DIR:-build}
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j "$jobs" >/dev/null || cmake --build "$BUILD" -j1

if [ "${1:-}" = test ]; then
  shift
  exec ctest --test-dir "$BUILD" --output-on-failure -j "$jobs" "$@"
fi
exec "$BUILD/harness/allocbench" "$@"
