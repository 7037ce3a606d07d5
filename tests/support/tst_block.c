#include "tst_block.h"

#include "tst_check.h"

#include <string.h>

/* An odd step makes consecutive words differ in their low byte too. */
#define TST_PATTERN_STEP UINT64_C(0x9E3779B97F4A7C15)
/* Words compared per chunk before looking for the exact offset: the loop
 * over a chunk has no early exit, so the compiler can vectorise it. */
#define TST_PATTERN_CHUNK_WORDS 64

static uint64_t tst_pattern_seed(uint64_t id) {
  uint64_t z = id + UINT64_C(0x632BE59BD9B4E019);
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static uint8_t tst_pattern_byte(uint64_t seed, size_t offset) {
  uint64_t word = seed + (uint64_t)(offset / 8) * TST_PATTERN_STEP;
  return (uint8_t)(word >> (8 * (offset % 8)));
}

void tst_pattern_fill(void *p, size_t from, size_t to, uint64_t id) {
  uint8_t *bytes = p;
  uint64_t seed = tst_pattern_seed(id);
  size_t at = from;
  for (; at < to && at % 8 != 0; at++) bytes[at] = tst_pattern_byte(seed, at);
  uint64_t word = seed + (uint64_t)(at / 8) * TST_PATTERN_STEP;
  for (; at + 8 <= to; at += 8, word += TST_PATTERN_STEP) memcpy(bytes + at, &word, 8);
  for (; at < to; at++) bytes[at] = tst_pattern_byte(seed, at);
}

static size_t tst_pattern_mismatch_bytes(const uint8_t *bytes, size_t from, size_t to,
                                         uint64_t seed) {
  for (size_t at = from; at < to; at++)
    if (bytes[at] != tst_pattern_byte(seed, at)) return at;
  return SIZE_MAX;
}

size_t tst_pattern_mismatch(const void *p, size_t from, size_t to, uint64_t id) {
  const uint8_t *bytes = p;
  uint64_t seed = tst_pattern_seed(id);
  size_t at = from;
  size_t head_end = (from + 7) / 8 * 8;
  if (head_end > to) head_end = to;
  size_t bad = tst_pattern_mismatch_bytes(bytes, at, head_end, seed);
  if (bad != SIZE_MAX) return bad;
  at = head_end;
  const size_t chunk = 8 * TST_PATTERN_CHUNK_WORDS;
  while (at + 8 <= to) {
    size_t end = at + chunk <= to ? at + chunk : to / 8 * 8;
    uint64_t word = seed + (uint64_t)(at / 8) * TST_PATTERN_STEP;
    uint64_t diff = 0;
    for (size_t i = at; i < end; i += 8, word += TST_PATTERN_STEP) {
      uint64_t seen;
      memcpy(&seen, bytes + i, 8);
      diff |= seen ^ word;
    }
    if (diff != 0) return tst_pattern_mismatch_bytes(bytes, at, end, seed);
    at = end;
  }
  return tst_pattern_mismatch_bytes(bytes, at, to, seed);
}

size_t tst_first_nonzero(const void *p, size_t n) {
  const uint8_t *bytes = p;
  const size_t chunk = 512;
  for (size_t at = 0; at < n; at += chunk) {
    size_t end = at + chunk < n ? at + chunk : n;
    uint8_t any = 0;
    for (size_t i = at; i < end; i++) any |= bytes[i];
    if (any == 0) continue;
    for (size_t i = at; i < end; i++)
      if (bytes[i] != 0) return i;
  }
  return SIZE_MAX;
}

void tst_block_fill(const tst_block_t *b) { tst_pattern_fill(b->p, 0, b->size, b->id); }

void tst_block_verify_prefix(const tst_block_t *b, size_t n, const char *where) {
  size_t bad = tst_pattern_mismatch(b->p, 0, n, b->id);
  if (bad == SIZE_MAX) return;
  const uint8_t *bytes = b->p;
  tst_fail("%s: block id=%#llx at %p size=%zu corrupted at offset %zu (byte 0x%02x)", where,
           (unsigned long long)b->id, b->p, b->size, bad, bytes[bad]);
}

void tst_block_verify(const tst_block_t *b, const char *where) {
  tst_block_verify_prefix(b, b->size, where);
}
