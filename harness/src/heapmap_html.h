/* allocbench: heapmap.html, a page that steps through the pictures of one
 * or more heap maps: per map a section with first/prev/play/next/last/peak
 * buttons, a slider, and the picture (an <object>, so that hovering a span
 * shows its figures). Plain HTML and a little inline JavaScript: it loads
 * nothing but the pictures beside it. */
#ifndef AB_HEAPMAP_HTML_H
#define AB_HEAPMAP_HTML_H

#include "heapmap.h"

/* Appends the page; each map's name and pictures follow ab_heapmap_picture
 * (names must be file-name safe: letters, digits, '.', '_', '-'). */
void ab_heapmap_html(const ab_heapmap_t *maps, size_t n, const char *title, ab_buf_t *out);

#endif
