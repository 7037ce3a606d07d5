/* allocbench: heap-map files into pictures and pages. For a folder DIR:
 *   DIR/heapmap/<name>/NNNN.svg   one picture per snapshot (and NNNN.png
 *                                  when rsvg-convert or ImageMagick is found)
 *   DIR/heapmap.html              steps through the pictures of every map
 *   DIR/heapmap.md                per map: the last and the peak snapshot,
 *                                  pictures and per-size-class tables
 * and `allocbench --heapmap-render FILE` does it for any SEGALLOC_MAP file. */
#ifndef AB_HEAPMAP_RENDER_H
#define AB_HEAPMAP_RENDER_H

#include <stdbool.h>

#include "cli.h"
#include "heapmap.h"

typedef struct ab_heapmap_source_s {
  const char *csv;   /* the SEGALLOC_MAP file */
  const char *name;  /* its pictures' folder under DIR/heapmap/ (file-name safe) */
  const char *title; /* what ran, for headings */
} ab_heapmap_source_t;

/* Reads every map first, then writes into dir. strict: a map that cannot be
 * read fails the whole and nothing is written; else it is skipped with a
 * warning. png: also make PNGs, when a converter is installed. Returns the
 * number of maps drawn, or -1. */
int ab_heapmap_render(const char *dir, const ab_heapmap_source_t *src, size_t n, const char *title,
                      bool png, bool strict, ab_err_t *err);

/* A file-name safe name for a map file: its name without ".csv", with
 * anything but letters, digits, '.', '_' and '-' made '_'. */
char *ab_heapmap_render_name(const char *csv_path);

/* allocbench --heapmap-render FILE [--out DIR] (default: FILE's folder). */
int ab_heapmap_render_main(const ab_options_t *opt);

#endif
