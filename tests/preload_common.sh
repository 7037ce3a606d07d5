# Sourced by the preload tests that take one argument, the library to
# preload: preload_take_lib ME "$@" sets sa_lib to its absolute path, or
# prints the usage or the missing file and exits 2.
preload_take_lib() {
  local me=$1
  shift
  if [ $# -ne 1 ]; then
    echo "$me: usage: $0 /path/to/libsegalloc.so" >&2
    exit 2
  fi
  case $1 in /*) sa_lib=$1 ;; *) sa_lib=$PWD/$1 ;; esac
  if [ ! -f "$sa_lib" ]; then
    echo "$me: no such library: $sa_lib" >&2
    exit 2
  fi
}
