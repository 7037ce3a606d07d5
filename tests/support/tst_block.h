/* Test blocks: an allocation, its requested size and an id from which the
 * block's whole content is derived, so that any thread can check a block it
 * receives without metadata inside the block (the allocator may keep its
 * own there and the pattern must cover every requested byte).
 *
 * Byte j of a block holds byte (j % 8) of the little-endian word
 * mix(id) + (j / 8) * step: position-dependent, so a block that moved in a
 * realloc, overlaps another block or was handed out twice shows up as a
 * mismatch, and id-dependent, so two blocks never hold the same bytes. */
#ifndef TST_BLOCK_H
#define TST_BLOCK_H

#include <stddef.h>
#include <stdint.h>

typedef struct tst_block_s {
  void *p;
  size_t size;
  uint64_t id;
} tst_block_t;

/* Writes the pattern of id into bytes [from, to) of p. */
void tst_pattern_fill(void *p, size_t from, size_t to, uint64_t id);

/* Offset of the first byte in [from, to) that differs from the pattern of
 * id, or SIZE_MAX when all match. */
size_t tst_pattern_mismatch(const void *p, size_t from, size_t to, uint64_t id);

/* Offset of the first non-zero byte of p[0, n), or SIZE_MAX. */
size_t tst_first_nonzero(const void *p, size_t n);

void tst_block_fill(const tst_block_t *b);

/* Fails the test (naming where, the block and the offset) unless every
 * byte of b still holds its pattern. */
void tst_block_verify(const tst_block_t *b, const char *where);

/* Same, for the first n bytes only (after a shrinking realloc, say). */
void tst_block_verify_prefix(const tst_block_t *b, size_t n, const char *where);

#endif
