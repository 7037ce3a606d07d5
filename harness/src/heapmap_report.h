/* allocbench: the heap-map section of report.md. For every case of the
 * run whose segalloc heap map was drawn (heapmap/<case>.csv and its
 * pictures), a row with the case's RSS curve (all allocators) beside
 * segalloc's heap at its peak and at the end, so that the reader sees what
 * the resident memory is made of; and links to heapmap.html and heapmap.md. */
#ifndef AB_HEAPMAP_REPORT_H
#define AB_HEAPMAP_REPORT_H

#include "summary.h"
#include "util.h"

/* Appends the section to b; nothing when the run has no heap map. plots:
 * the plots made (names without extension), to link only RSS curves that exist. */
void ab_heapmap_report(ab_buf_t *b, const char *run_dir, const ab_summary_t *s,
                       const ab_strv_t *plots);

#endif
