"""malloc_trim and mallinfo2 through ctypes, for preload_real_programs.sh.

Run with PYTHONMALLOC=malloc. Makes 1600 bytes objects of 64 KiB, frees nine
in ten, and asks the allocator answering malloc for the freed memory back:
RSS must fall by at least 60 MiB of the 90 freed, and mallinfo2 must count
the live objects' bytes as in use. The same lines print under glibc, which
shows the expectations hold for the C library's own malloc_trim.
"""
import ctypes
import sys

FIELDS = ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
          "keepcost")


class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in FIELDS]


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def main():
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = MallInfo2
    libc.malloc_trim.argtypes = [ctypes.c_size_t]
    size, count, mib = 65536, 1600, 1 << 20
    blocks = [bytes([i % 251]) * size for i in range(count)]
    kept = blocks[::10]
    del blocks
    in_use = libc.mallinfo2().uordblks
    before = rss_bytes()
    trimmed = libc.malloc_trim(0)
    after = rss_bytes()
    if in_use < len(kept) * size:
        sys.exit("mallinfo2 uordblks %d below the %d live bytes" % (in_use, len(kept) * size))
    if before - after < 60 * mib:
        sys.exit("malloc_trim returned %d; RSS %d -> %d MiB, less than 60 MiB back" % (trimmed, before // mib,
                                                                                          after // mib))
    if any(b != bytes([(10 * i) % 251]) * size for i, b in enumerate(kept)):
        sys.exit("a live object changed across malloc_trim")
    print("malloc_trim gave back at least 60 MiB of 90 freed; mallinfo2 counts the %d live objects" % len(kept))


main()
