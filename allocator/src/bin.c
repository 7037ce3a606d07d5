/* Size bins (bin_of is inline in internal.h): exact 16-byte classes up to 128 B, then 8 classes per power of
 * two. 16 is the finest step that keeps every block 16-byte aligned, so the
 * classes 80..112 are 25% to 14% apart; from 128 B up the spacing is 12.5%
 * and a block wastes at most 1/9 of itself. */
#include "internal.h"

size_t bin_block_size(size_t bin) {
  if (bin <= 8) return bin * 16;
  size_t k = bin - 9;
  size_t b = 7 + k / 8;
  return (8 + k % 8 + 1) << (b - 3);
}
