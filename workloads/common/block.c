#include "block.h"

#include <stdlib.h>
#include <string.h>

#include "fail.h"
#include "rng.h"

/* The words of block `id`, from one hash of the id: page k's word (k = 0 is
 * the first word) and the last word, which also depends on the size. Cheap
 * on purpose: the pattern is written and checked for every block, and its
 * cost is part of every instruction count the harness compares. */
static inline uint64_t wl_block_page_word(uint64_t id_hash, size_t k) {
  return id_hash + k * 0x9e3779b97f4a7c15ull;
}

static inline uint64_t wl_block_tail_word(uint64_t id_hash, size_t size) {
  return ~id_hash ^ ((uint64_t)size * 0xd6e8feb86659fd93ull);
}

/* Highest page index whose word lies clear of the last 8 bytes. */
static inline size_t wl_block_last_page(size_t size) {
  return size >= 16 ? (size - 16) / WL_BLOCK_PAGE : 0;
}

/* Slow path of a failed check: the first byte that differs. */
static bool wl_block_damaged(const uint8_t *p, size_t offset, size_t len, uint64_t word,
                             wl_block_damage_t *damage) {
  for (size_t i = 0; i < len; i++, word >>= 8)
    if (p[offset + i] != (uint8_t)word) {
      *damage = (wl_block_damage_t){offset + i, (uint8_t)word, p[offset + i]};
      return false;
    }
  return true;
}

/* Writes or compares the low `len` bytes of `word` at p + offset. The
 * 8-byte case, nearly every region, is one unaligned load or store. */
static inline __attribute__((always_inline)) bool wl_block_region(
    uint8_t *p, size_t offset, size_t len, uint64_t word, bool write, wl_block_damage_t *damage) {
  if (len == 8) {
    if (write) {
      memcpy(p + offset, &word, 8);
      return true;
    }
    uint64_t found;
    memcpy(&found, p + offset, 8);
    if (found == word)
      return true;
  } else if (write) {
    for (size_t i = 0; i < len; i++, word >>= 8)
      p[offset + i] = (uint8_t)word;
    return true;
  }
  return wl_block_damaged(p, offset, len, word, damage);
}

/* The one walk over the pattern that filling, checking and growing share:
 * the first bytes, page words first_page..last, and the last bytes. Inlined
 * into each caller with `write` constant, so each gets a straight-line copy. */
static inline __attribute__((always_inline)) bool wl_block_visit(
    uint8_t *p, size_t size, uint64_t id, size_t first_page, bool write,
    wl_block_damage_t *damage) {
  uint64_t id_hash = wl_mix64(id);
  size_t head = size < 8 ? size : 8;
  if (!wl_block_region(p, 0, head, wl_block_page_word(id_hash, 0), write, damage))
    return false;
  size_t last_page = wl_block_last_page(size);
  for (size_t k = first_page; k <= last_page; k++) /* first_page >= 1 */
    if (!wl_block_region(p, k * WL_BLOCK_PAGE, 8, wl_block_page_word(id_hash, k), write, damage))
      return false;
  if (size > 8) {
    /* A block of 9..15 bytes keeps the tail word's last size - 8 bytes. */
    size_t tail_start = size >= 16 ? size - 8 : 8;
    size_t len = size - tail_start;
    uint64_t tail = wl_block_tail_word(id_hash, size) >> (8 * (8 - len));
    if (!wl_block_region(p, tail_start, len, tail, write, damage))
      return false;
  }
  return true;
}

void wl_block_fill(void *p, size_t size, uint64_t id) {
  wl_block_visit(p, size, id, 1, true, NULL);
}

bool wl_block_intact(const void *p, size_t size, uint64_t id, wl_block_damage_t *damage) {
  return wl_block_visit((uint8_t *)p, size, id, 1, false, damage);
}

static void wl_block_fail(const void *p, size_t size, uint64_t id, const wl_block_damage_t *d) {
  wl_fail_corruption("in block %llu (size %zu, at %p) at offset %zu: expected 0x%02x, found 0x%02x",
                     (unsigned long long)id, size, p, d->offset, d->expected, d->found);
}

void wl_block_check(const void *p, size_t size, uint64_t id) {
  wl_block_damage_t damage;
  if (!wl_block_intact(p, size, id, &damage))
    wl_block_fail(p, size, id, &damage);
}

void wl_block_check_ends(const void *p, size_t size, uint64_t id) {
  wl_block_damage_t damage;
  size_t last_page = wl_block_last_page(size);
  if (!wl_block_visit((uint8_t *)p, size, id, last_page > 0 ? last_page : 1, false, &damage))
    wl_block_fail(p, size, id, &damage);
}

void wl_block_grow(void *p, size_t old_size, size_t new_size, uint64_t id) {
  wl_block_visit(p, new_size, id, wl_block_last_page(old_size) + 1, true, NULL);
}

wl_block_t wl_block_new(size_t size, uint64_t id, wl_live_t *live) {
  void *p = malloc(size);
  if (p == NULL)
    wl_fail_out_of_memory(size);
  wl_block_fill(p, size, id);
  wl_live_add(live, size);
  return (wl_block_t){p, size, id};
}

void wl_block_retire(const wl_block_t *b, wl_live_t *live) {
  wl_block_check(b->ptr, b->size, b->id);
  wl_live_sub(live, b->size);
}

void wl_block_release(const wl_block_t *b, wl_live_t *live) {
  wl_block_retire(b, live);
  free(b->ptr);
}
