/* allocbench: one heap-map snapshot drawn as SVG, written directly (no
 * gnuplot): one row per segment, its 64 KiB slices left to right. Each span
 * is one rect of class "span <kind>" (a page: small, medium, large, huge) or
 * "span free" / "span purged"; a page's rect is pale, with a dark bar of
 * class "level" rising to used/reserved of its height and a red bar of class
 * "tf" on top for the blocks waiting in thread_free. Slice 0 of every
 * segment (its header) is a rect of class "header". Hovering a span shows
 * its figures. A legend (class "legend") explains the colours. */
#ifndef AB_HEAPMAP_SVG_H
#define AB_HEAPMAP_SVG_H

#include "heapmap.h"

/* Rows: when the map holds at most this many segment addresses, every
 * picture has a row for each of them at the same place (a segment not
 * mapped at that moment is a dashed line), so that stepping through the
 * pictures shows the same segment in the same place; above it, each
 * picture has only its own segments. */
#define AB_HEAPMAP_SVG_STABLE_ROWS 96

/* Appends the picture of snapshot snap of map to out. */
void ab_heapmap_svg(const ab_heapmap_t *map, size_t snap, ab_buf_t *out);

#endif
