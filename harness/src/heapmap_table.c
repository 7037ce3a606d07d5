/* allocbench: per-size-class table of a heap-map snapshot. */
#include "heapmap_table.h"

#include <stdio.h>
#include <stdlib.h>

static int ab_heapmap_class_cmp(const void *a, const void *b) {
  const ab_heapmap_class_t *x = a, *y = b;
  if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
  return x->block_size < y->block_size ? -1 : x->block_size > y->block_size;
}

/* Adds class c into the sum: the "all" row. */
static void ab_heapmap_class_merge(ab_heapmap_class_t *sum, const ab_heapmap_class_t *c) {
  sum->pages += c->pages;
  sum->slices += c->slices;
  sum->reserved += c->reserved;
  sum->used += c->used;
  sum->thread_free += c->thread_free;
  sum->reserved_bytes += c->reserved_bytes;
  sum->used_bytes += c->used_bytes;
  sum->unused_bytes += c->unused_bytes;
  sum->tail_bytes += c->tail_bytes;
  sum->resident_bytes += c->resident_bytes;
}

static void ab_heapmap_class_add(ab_heapmap_class_t *c, const ab_heapmap_span_t *sp) {
  uint64_t span_bytes = (uint64_t)sp->slices * AB_HEAPMAP_SLICE_BYTES;
  uint64_t block_bytes = (uint64_t)sp->reserved * sp->block_size;
  c->pages++;
  c->slices += sp->slices;
  c->reserved += sp->reserved;
  c->used += sp->used;
  c->thread_free += sp->thread_free < sp->used ? sp->thread_free : sp->used;
  c->reserved_bytes += block_bytes;
  c->used_bytes += (uint64_t)sp->used * sp->block_size;
  if (sp->reserved > sp->used)
    c->unused_bytes += (uint64_t)(sp->reserved - sp->used) * sp->block_size;
  if (span_bytes > block_bytes) c->tail_bytes += span_bytes - block_bytes;
  c->resident_bytes += sp->resident;
}

size_t ab_heapmap_classes(const ab_heapmap_snapshot_t *snap, ab_heapmap_class_t **out) {
  size_t n = 0;
  *out = NULL;
  for (size_t s = 0; s < snap->n_segments; s++)
    for (size_t i = 0; i < snap->segments[s].n_spans; i++) {
      const ab_heapmap_span_t *sp = &snap->segments[s].spans[i];
      if (sp->state != AB_HEAPMAP_PAGE) continue;
      size_t k = 0;
      while (k < n && ((*out)[k].kind != sp->kind || (*out)[k].block_size != sp->block_size)) k++;
      if (k == n) {
        *out = ab_xrealloc(*out, (n + 1) * sizeof **out);
        (*out)[n++] = (ab_heapmap_class_t){.kind = sp->kind, .block_size = sp->block_size};
      }
      ab_heapmap_class_add(&(*out)[k], sp);
    }
  if (n) qsort(*out, n, sizeof **out, ab_heapmap_class_cmp);
  return n;
}

static void ab_heapmap_table_row(ab_buf_t *out, const char *size, const char *kind,
                                 const ab_heapmap_class_t *c, bool has_resident) {
  char unused[32], tail[32], resident[32] = "-";
  ab_heapmap_bytes(c->unused_bytes, unused, sizeof unused);
  ab_heapmap_bytes(c->tail_bytes, tail, sizeof tail);
  if (has_resident) ab_heapmap_bytes(c->resident_bytes, resident, sizeof resident);
  double full = c->reserved_bytes ? 100.0 * (double)c->used_bytes / (double)c->reserved_bytes : 0;
  ab_buf_printf(out, "| %s | %s | %zu | %llu | %llu / %llu | %.1f%% | %llu | %s | %s | %s |\n",
                size, kind, c->pages, (unsigned long long)c->slices, (unsigned long long)c->used,
                (unsigned long long)c->reserved, full, (unsigned long long)c->thread_free, unused,
                tail, resident);
}

/* Without residency, the waste is bounded by what could be resident. */
static void ab_heapmap_table_spans_bound(const ab_heapmap_totals_t *t, ab_buf_t *out) {
  char free_b[32], purged[32], waste[32];
  ab_heapmap_bytes(t->free_bytes, free_b, sizeof free_b);
  ab_heapmap_bytes(t->purged_bytes, purged, sizeof purged);
  ab_heapmap_bytes(t->unused_bytes + t->free_bytes, waste, sizeof waste);
  ab_buf_printf(out,
                "\nFree spans: **%s** (at most this much of them resident: a span is free, not "
                "purged, while any of its slices is unpurged). Purged spans: %s (returned to "
                "the OS). Waste = unused blocks + free spans = at most **%s**.\n",
                free_b, purged, waste);
}

/* With residency: what is in RAM and how much of it is not in used blocks. */
static void ab_heapmap_table_spans_resident(const ab_heapmap_totals_t *t, ab_buf_t *out) {
  char free_b[32], free_res[32], purged[32], pages[32], used[32], total[32], waste[32];
  uint64_t resident = t->page_resident_bytes + t->free_resident_bytes;
  ab_heapmap_bytes(t->free_bytes, free_b, sizeof free_b);
  ab_heapmap_bytes(t->free_resident_bytes, free_res, sizeof free_res);
  ab_heapmap_bytes(t->purged_bytes, purged, sizeof purged);
  ab_heapmap_bytes(t->page_resident_bytes, pages, sizeof pages);
  ab_heapmap_bytes(t->used_bytes, used, sizeof used);
  ab_heapmap_bytes(resident, total, sizeof total);
  ab_heapmap_bytes(resident > t->used_bytes ? resident - t->used_bytes : 0, waste, sizeof waste);
  ab_buf_printf(out,
                "\nFree spans: %s, **%s** of it resident. Purged spans: %s (returned to the OS). "
                "Resident: %s in pages + %s in free spans = **%s**, of which used blocks %s: "
                "waste **%s** (unused blocks, page tails and free spans that are in RAM; the "
                "segment headers are not counted).\n",
                free_b, free_res, purged, pages, free_res, total, used, waste);
}

void ab_heapmap_table(const ab_heapmap_snapshot_t *snap, ab_buf_t *out) {
  ab_heapmap_class_t *c;
  size_t n = ab_heapmap_classes(snap, &c);
  ab_buf_puts(out, "| block size | kind | pages | slices | blocks used / fit | fullness | in "
                   "thread_free | unused blocks | page tails | resident |\n|---:|---|---:|---:|"
                   "---:|---:|---:|---:|---:|---:|\n");
  ab_heapmap_class_t all = {0};
  for (size_t i = 0; i < n; i++) {
    char size[32];
    snprintf(size, sizeof size, "%llu", (unsigned long long)c[i].block_size);
    ab_heapmap_table_row(out, size, ab_heapmap_kind_names[c[i].kind], &c[i], snap->has_resident);
    ab_heapmap_class_merge(&all, &c[i]);
  }
  ab_heapmap_table_row(out, "**all**", "", &all, snap->has_resident);
  ab_heapmap_totals_t t;
  ab_heapmap_totals(snap, &t);
  if (snap->has_resident) ab_heapmap_table_spans_resident(&t, out);
  else ab_heapmap_table_spans_bound(&t, out);
  free(c);
}
