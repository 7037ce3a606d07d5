/* Blocks and the pattern that proves they were not damaged.
 *
 * Every block a workload gets from malloc is filled with a pattern derived
 * from its id and size, and checked before it is freed. The pattern is: its
 * first 8 bytes, its last 8 bytes (or the bytes 8..size-1 of a shorter
 * block), and one 8-byte word at every 4 KiB from the start. The page words
 * depend on the id and the page index only, not on the size, so a block that
 * realloc grows keeps the pattern of everything it carried over; the last
 * bytes depend on the size too, so a block checked with the wrong size
 * fails. Touching a word every 4 KiB also makes every page of a big block
 * resident, as a program using the memory would. */
#ifndef WL_BLOCK_H
#define WL_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "live.h"

#define WL_BLOCK_PAGE 4096u

typedef struct wl_block_s {
  void *ptr;
  size_t size;
  uint64_t id;
} wl_block_t;

/* Ids unique across a run: the making thread (or lane) in the top 16 bits,
 * its running count below. */
#define WL_BLOCK_SEQ_BITS 48
static inline uint64_t wl_block_id(uint64_t maker, uint64_t seq) {
  return maker << WL_BLOCK_SEQ_BITS | seq;
}
static inline uint64_t wl_block_seq(uint64_t id) {
  return id & ((1ull << WL_BLOCK_SEQ_BITS) - 1);
}

/* Where a check found the pattern broken. */
typedef struct wl_block_damage_s {
  size_t offset;
  uint8_t expected;
  uint8_t found;
} wl_block_damage_t;

void wl_block_fill(void *p, size_t size, uint64_t id);

/* True when the whole pattern is intact; else fills *damage. */
bool wl_block_intact(const void *p, size_t size, uint64_t id, wl_block_damage_t *damage);

/* Checks the whole pattern; on damage, reports it (naming `block`'s id and
 * size) and exits with code 3. */
void wl_block_check(const void *p, size_t size, uint64_t id);

/* Checks only the first bytes, the last page word and the last bytes: what a
 * realloc that moved the block could have got wrong at its ends, in O(1).
 * (The full check before free catches anything lost in between.) */
void wl_block_check_ends(const void *p, size_t size, uint64_t id);

/* Extends the pattern of a block that was filled for old_size and now has
 * new_size >= old_size bytes: writes only what the larger size adds. */
void wl_block_grow(void *p, size_t old_size, size_t new_size, uint64_t id);

/* malloc + fill + count the bytes as live. Exits on out of memory. */
wl_block_t wl_block_new(size_t size, uint64_t id, wl_live_t *live);

/* Check + count the bytes as gone, without freeing (for a caller that times
 * the free itself). */
void wl_block_retire(const wl_block_t *b, wl_live_t *live);

/* Check + count as gone + free. */
void wl_block_release(const wl_block_t *b, wl_live_t *live);

#endif
