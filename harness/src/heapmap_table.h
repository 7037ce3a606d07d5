/* allocbench: where the memory of a heap-map snapshot is, per size class
 * (page kind and block size), as a Markdown table: pages, slices, blocks
 * used of those that fit, fullness (bytes of used blocks over bytes of
 * blocks that fit, so that the row of all classes weighs each block by its
 * size), blocks in thread_free, and the waste:
 * bytes of blocks that fit but are not used, and the page tail (span bytes
 * past the last block: address space, resident only if touched); and the
 * bytes of its pages in RAM. Then the free spans, with what they keep in
 * RAM (without residency in the map: their size, an upper bound), and the
 * purged ones. */
#ifndef AB_HEAPMAP_TABLE_H
#define AB_HEAPMAP_TABLE_H

#include "heapmap.h"

/* One size class of a snapshot, summed over its pages. */
typedef struct ab_heapmap_class_s {
  ab_heapmap_kind_t kind;
  uint64_t block_size;
  size_t pages;
  uint64_t slices, reserved, used, thread_free;
  uint64_t reserved_bytes, used_bytes, unused_bytes, tail_bytes, resident_bytes;
} ab_heapmap_class_t;

/* The size classes of a snapshot, by kind then block size. */
size_t ab_heapmap_classes(const ab_heapmap_snapshot_t *snap, ab_heapmap_class_t **out);

/* Appends the table of one snapshot, with the free-span lines under it. */
void ab_heapmap_table(const ab_heapmap_snapshot_t *snap, ab_buf_t *out);

#endif
