/* allocbench: heap-map pictures, heapmap.html and heapmap.md. */
#include "heapmap_render.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"
#include "heapmap_html.h"
#include "heapmap_svg.h"
#include "heapmap_table.h"
#include "paths.h"
#include "runner.h"

/* SVG to PNG: rsvg-convert (librsvg2-bin) draws SVG best; ImageMagick's
 * convert is the fallback. Neither is required: the SVGs are the pictures. */
typedef struct ab_heapmap_png_s {
  char *tool;
  bool rsvg;
} ab_heapmap_png_t;

static void ab_heapmap_png_find(ab_heapmap_png_t *png) {
  png->tool = ab_which("rsvg-convert");
  png->rsvg = png->tool != NULL;
  if (!png->tool) png->tool = ab_which("convert");
}

/* Converts one picture; on failure warns once and stops converting. */
static void ab_heapmap_png_convert(ab_heapmap_png_t *png, const char *svg, const char *out) {
  if (!png->tool) return;
  char *const rsvg[] = {png->tool, "-o", (char *)out, (char *)svg, NULL};
  char *const magick[] = {png->tool, (char *)svg, (char *)out, NULL};
  ab_exec_spec_t spec = {.argv = png->rsvg ? rsvg : magick, .timeout_s = 60, .stderr_fd = -1};
  ab_exec_result_t res;
  ab_err_t err = {{0}};
  bool ok = ab_exec_run(&spec, &res, &err) == 0 && res.status == AB_EXEC_EXITED && res.code == 0;
  ab_exec_result_free(&res);
  if (ok) return;
  ab_warn("heap map: %s could not convert %s to PNG%s%s; keeping the SVGs only", png->tool, svg,
          err.msg[0] ? ": " : "", err.msg);
  free(png->tool);
  png->tool = NULL;
}

static int ab_heapmap_render_pictures(const char *dir, const ab_heapmap_t *map,
                                      ab_heapmap_png_t *png, ab_err_t *err) {
  char *folder = ab_xasprintf("%s/heapmap/%s", dir, map->name);
  int rc = ab_mkdir_p(folder, err);
  for (size_t i = 0; rc == 0 && i < map->n_snaps; i++) {
    char *svg_rel = ab_heapmap_picture(map, i, "svg"), *png_rel = ab_heapmap_picture(map, i, "png");
    char *svg = ab_xasprintf("%s/%s", dir, svg_rel), *out = ab_xasprintf("%s/%s", dir, png_rel);
    ab_buf_t text = {0};
    ab_heapmap_svg(map, i, &text);
    rc = ab_write_file(svg, text.s, err);
    if (rc == 0) ab_heapmap_png_convert(png, svg, out);
    ab_buf_free(&text);
    free(svg_rel);
    free(png_rel);
    free(svg);
    free(out);
  }
  free(folder);
  return rc;
}

/* One snapshot in heapmap.md: its picture and its table. */
static void ab_heapmap_render_md_snapshot(const ab_heapmap_t *m, size_t i, const char *what,
                                          ab_buf_t *b) {
  char *pic = ab_heapmap_picture(m, i, "svg");
  ab_buf_printf(b, "### %s: snapshot %zu of %zu, t = %.0f ms\n\n![%s](%s)\n\n", what, i + 1,
                m->n_snaps, m->snaps[i].time_ms, what, pic);
  ab_heapmap_table(&m->snaps[i], b);
  ab_buf_puts(b, "\n");
  free(pic);
}

static void ab_heapmap_render_md_map(const char *dir, const ab_heapmap_t *m, ab_buf_t *b) {
  size_t dlen = strlen(dir), last = m->n_snaps - 1, peak = ab_heapmap_peak(m);
  /* The data file relative to this page when it lies in the folder. */
  bool inside = !strncmp(m->path, dir, dlen) && m->path[dlen] == '/';
  const char *data = inside ? m->path + dlen + 1 : m->path;
  ab_buf_puts(b, "## ");
  ab_buf_puts(b, m->title ? m->title : m->name);
  ab_buf_printf(b, "\n\n%zu snapshots from t = 0 to %.0f ms (time from the first snapshot), "
                   "%zu segments, %zu threads. Data: `%s`.\n\n",
                m->n_snaps, m->snaps[last].time_ms, m->n_addresses, m->n_threads, data);
  ab_heapmap_render_md_snapshot(m, last, "At the end", b);
  if (peak != last) ab_heapmap_render_md_snapshot(m, peak, "At the peak", b);
  else ab_buf_puts(b, "The last snapshot is also the peak.\n\n");
}

static int ab_heapmap_render_md(const char *dir, const ab_heapmap_t *maps, size_t n,
                                const char *title, ab_err_t *err) {
  ab_buf_t b = {0};
  ab_buf_printf(&b, "# %s\n\nSnapshots of segalloc's heap (SEGALLOC_MAP). Step through all of "
                    "them in [heapmap.html](heapmap.html). Per map: the last snapshot and the "
                    "peak (the most bytes in pages).\n\n"
                    "In the tables, *fullness* is the bytes of used blocks over those of "
                    "blocks that fit; *used* counts the blocks waiting in thread_free (freed by "
                    "another thread, not yet collected by the owner); *unused blocks* are the "
                    "bytes of blocks that fit but are not used; *page tails* are the bytes of a "
                    "page's span past its last block (address space, resident only if "
                    "touched); *resident* is what of the class's pages is in RAM (mincore, "
                    "when segalloc read the span).\n\n",
                title);
  for (size_t i = 0; i < n; i++) ab_heapmap_render_md_map(dir, &maps[i], &b);
  char *path = ab_xasprintf("%s/heapmap.md", dir);
  int rc = ab_write_file(path, b.s, err);
  free(path);
  ab_buf_free(&b);
  return rc;
}

static int ab_heapmap_render_html(const char *dir, const ab_heapmap_t *maps, size_t n,
                                  const char *title, ab_err_t *err) {
  ab_buf_t b = {0};
  ab_heapmap_html(maps, n, title, &b);
  char *path = ab_xasprintf("%s/heapmap.html", dir);
  int rc = ab_write_file(path, b.s, err);
  free(path);
  ab_buf_free(&b);
  return rc;
}

/* Loads the maps that can be read; returns how many, or -1 (strict). */
static int ab_heapmap_render_load(const ab_heapmap_source_t *src, size_t n, bool strict,
                                  ab_heapmap_t *maps, ab_err_t *err) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    ab_err_t why;
    if (ab_heapmap_load(src[i].csv, &maps[k], &why) < 0) {
      if (strict) {
        for (size_t j = 0; j < k; j++) ab_heapmap_free(&maps[j]);
        return ab_fail(err, "%s", why.msg);
      }
      ab_warn("heap map of %s not drawn: %s", src[i].title, why.msg);
      continue;
    }
    maps[k].name = ab_xstrdup(src[i].name);
    maps[k].title = ab_xstrdup(src[i].title);
    k++;
  }
  return (int)k;
}

int ab_heapmap_render(const char *dir, const ab_heapmap_source_t *src, size_t n, const char *title,
                      bool png, bool strict, ab_err_t *err) {
  ab_heapmap_t *maps = ab_xcalloc(n, sizeof *maps);
  int k = ab_heapmap_render_load(src, n, strict, maps, err);
  ab_heapmap_png_t conv = {0};
  if (png && k > 0) ab_heapmap_png_find(&conv);
  int rc = k < 0 ? -1 : ab_check_writable_dir(dir, err);
  for (int i = 0; rc == 0 && i < k; i++) rc = ab_heapmap_render_pictures(dir, &maps[i], &conv, err);
  if (rc == 0 && k > 0) rc = ab_heapmap_render_html(dir, maps, (size_t)k, title, err);
  if (rc == 0 && k > 0) rc = ab_heapmap_render_md(dir, maps, (size_t)k, title, err);
  for (int i = 0; i < k; i++) ab_heapmap_free(&maps[i]);
  free(maps);
  free(conv.tool);
  return rc < 0 ? -1 : k;
}

char *ab_heapmap_render_name(const char *csv_path) {
  char *copy = ab_xstrdup(csv_path);
  char *name = ab_xstrdup(basename(copy));
  size_t len = strlen(name);
  if (len > 4 && !strcmp(name + len - 4, ".csv")) name[len - 4] = '\0';
  for (char *p = name; *p; p++)
    if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *p)) *p = '_';
  free(copy);
  return name;
}

int ab_heapmap_render_main(const ab_options_t *opt) {
  char *copy = ab_xstrdup(opt->heapmap_render);
  char *dir = ab_abs_path(opt->out ? opt->out : dirname(copy));
  char *name = ab_heapmap_render_name(opt->heapmap_render);
  char *title = ab_xasprintf("segalloc heap map: %s", name);
  ab_heapmap_source_t src = {opt->heapmap_render, name, name};
  ab_err_t err;
  int k = ab_heapmap_render(dir, &src, 1, title, !opt->no_plots, true, &err);
  if (k < 0) fprintf(stderr, "allocbench: %s\n", err.msg);
  else if (!opt->quiet) fprintf(stderr, "allocbench: heap map: %s/heapmap.html\n", dir);
  free(copy);
  free(dir);
  free(name);
  free(title);
  return k < 0 ? AB_EXIT_USAGE : AB_EXIT_OK;
}
