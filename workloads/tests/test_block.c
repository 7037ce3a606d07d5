/* The block pattern: a filled block checks clean; changing any byte the
 * pattern covers is caught at that offset; the wrong id or size is caught;
 * growing keeps what was carried over valid and extends the rest; filling
 * touches one word in every 4 KiB page. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "block.h"
#include "check.h"
#include "fail.h"

static const size_t sizes[] = {1,    2,    7,    8,    9,     15,    16,    17,    31,   100,
                               4095, 4096, 4111, 4112, 4113,  8191,  8208,  65536, 65537, 81920,
                               49152 + 3};

/* Offsets the pattern covers for `size`, found by poking every byte: a byte
 * the check ignores is one the pattern does not cover. */
static void test_every_covered_byte_is_checked(size_t size) {
  uint8_t *p = malloc(size);
  wl_block_fill(p, size, 12345);
  wl_block_damage_t d;
  CHECK(wl_block_intact(p, size, 12345, &d), "size %zu: a fresh fill checks clean", size);
  size_t covered = 0;
  for (size_t off = 0; off < size; off++) {
    p[off] ^= 0x5a;
    bool intact = wl_block_intact(p, size, 12345, &d);
    if (!intact) {
      covered++;
      CHECK(d.offset == off && d.found == (uint8_t)(d.expected ^ 0x5a),
            "size %zu: damage at %zu reported at %zu", size, off, d.offset);
    }
    p[off] ^= 0x5a;
  }
  /* First 8, last 8 (or all of a short block), and 8 per interior page. */
  size_t want = size <= 16 ? size : 16 + 8 * ((size - 16) / WL_BLOCK_PAGE);
  CHECK(covered == want, "size %zu: %zu bytes covered, expected %zu", size, covered, want);
  free(p);
}

static void test_wrong_identity(size_t size) {
  uint8_t *p = malloc(size + 1);
  wl_block_fill(p, size, 7);
  wl_block_damage_t d;
  CHECK(!wl_block_intact(p, size, 8, &d), "size %zu: another id fails", size);
  if (size > 8)
    CHECK(!wl_block_intact(p, size + 1, 7, &d), "size %zu: a size one larger fails", size);
  free(p);
}

/* Every 4 KiB page of a big block holds one word of the pattern. */
static void test_pages_touched(void) {
  size_t size = 64 * 1024;
  uint8_t *p = calloc(1, size);
  wl_block_fill(p, size, 99);
  for (size_t page = 0; page < size / WL_BLOCK_PAGE; page++) {
    const uint8_t *q = p + page * WL_BLOCK_PAGE;
    bool written = false;
    for (size_t i = 0; i < WL_BLOCK_PAGE; i++)
      written |= q[i] != 0;
    CHECK(written, "page %zu of a 64 KiB block is written", page);
  }
  free(p);
}

/* realloc's job done by hand: copy the old bytes into a bigger buffer, check
 * the ends with the old size, grow the pattern, check all with the new. */
static void test_grow(size_t from, size_t to) {
  uint8_t *old = malloc(from), *p = malloc(to);
  memset(p, 0xee, to);
  wl_block_fill(old, from, 5);
  memcpy(p, old, from);
  wl_block_damage_t d;
  CHECK(wl_block_intact(p, from, 5, &d), "grow %zu->%zu: carried data intact", from, to);
  wl_block_grow(p, from, to, 5);
  CHECK(wl_block_intact(p, to, 5, &d), "grow %zu->%zu: grown block checks clean", from, to);
  if (to >= 2 * WL_BLOCK_PAGE) {
    /* A page word carried over, not rewritten by grow, must still count. */
    p[WL_BLOCK_PAGE] ^= 1;
    CHECK(!wl_block_intact(p, to, 5, &d) && d.offset == WL_BLOCK_PAGE,
          "grow %zu->%zu: a lost carried page is caught", from, to);
  }
  free(old);
  free(p);
}

static void test_new_release_accounting(void) {
  wl_live_t live;
  wl_live_init(&live, false);
  wl_block_t a = wl_block_new(1000, 1, &live);
  wl_block_t b = wl_block_new(24, 2, &live);
  CHECK(wl_live_now(&live) == 1024 && wl_live_peak(&live) == 1024, "two blocks live");
  wl_block_release(&a, &live);
  wl_block_t c = wl_block_new(10, 3, &live);
  CHECK(wl_live_now(&live) == 34 && wl_live_peak(&live) == 1024, "peak kept after a free");
  wl_block_release(&b, &live);
  wl_block_release(&c, &live);
  CHECK(wl_live_now(&live) == 0, "nothing live at the end");
}

/* What the harness sees of a damaged block: exit code 3 and one line
 * "workload <name>: corruption in block <id> ... at offset <n> ...". */
static void test_corruption_exit(void) {
  int pipe_fd[2];
  if (pipe(pipe_fd) != 0)
    return;
  pid_t child = fork();
  if (child == 0) {
    dup2(pipe_fd[1], STDERR_FILENO);
    wl_fail_set_program("test-block");
    uint8_t p[100];
    wl_block_fill(p, sizeof p, 4242);
    p[99] ^= 1;
    wl_block_check(p, sizeof p, 4242);
    _exit(0); /* not reached when the check works */
  }
  close(pipe_fd[1]);
  char msg[512] = {0};
  ssize_t n = read(pipe_fd[0], msg, sizeof msg - 1);
  close(pipe_fd[0]);
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == WL_EXIT_CORRUPTION, "exit status %d", status);
  CHECK(n > 0 && strncmp(msg, "workload test-block: corruption in block 4242 ", 46) == 0,
        "message: %s", msg);
  CHECK(strstr(msg, "at offset 99:") != NULL && strchr(msg, '\n') == msg + n - 1,
        "one line naming the offset: %s", msg);
}

int main(void) {
  test_corruption_exit();
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    test_every_covered_byte_is_checked(sizes[i]);
    test_wrong_identity(sizes[i]);
  }
  test_pages_touched();
  const size_t grows[][2] = {{1, 2},     {7, 9},         {8, 16},      {15, 17},
                             {16, 4200}, {4100, 8300},   {4112, 4113}, {16, 1 << 20},
                             {65536, 131072}, {100000, 100001}};
  for (size_t i = 0; i < sizeof grows / sizeof grows[0]; i++)
    test_grow(grows[i][0], grows[i][1]);
  test_new_release_accounting();
  return check_exit("test_block");
}
