/* allocbench --heapmap: runs with SEGALLOC_MAP, then draws the maps. */
#include "heapmap_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "files.h"
#include "heapmap_render.h"
#include "outputs.h"
#include "session.h"

/* Whether the allocator list names segalloc (alone or as segalloc=PATH). */
static bool ab_heapmap_run_has_segalloc(const char *list) {
  ab_strv_t names = {0};
  ab_strv_split(&names, list, ',');
  bool found = false;
  for (size_t i = 0; i < names.n; i++)
    found |= strcspn(names.v[i], "=") == 8 && !strncmp(names.v[i], "segalloc", 8);
  ab_strv_free(&names);
  return found;
}

static char *ab_heapmap_run_map_path(const ab_session_t *s, const ab_case_t *c) {
  return ab_xasprintf("%s/heapmap/%s.csv", s->run_dir, c->slug);
}

/* The first repetition case by case, each with its own SEGALLOC_MAP, then
 * the other repetitions as usual: the same order as a normal run. */
static int ab_heapmap_run_measure(ab_session_t *s, double interval_ms, ab_err_t *err) {
  /* With no repetition, ab_bench_execute does only its set-up (the cdf/
   * folder, real programs' data). */
  int reps = s->reps;
  s->reps = 0;
  int rc = ab_bench_execute(s, err);
  s->reps = reps;
  char interval[32];
  snprintf(interval, sizeof interval, "%.0f", interval_ms);
  bool *only = ab_xcalloc(s->n_cases, sizeof *only);
  for (size_t c = 0; rc == 0 && !s->stop_signal && c < s->n_cases; c++) {
    char *map = ab_heapmap_run_map_path(s, &s->cases[c]);
    /* The runner passes our environment on to every run; of the allocators
     * only segalloc reads these two. */
    setenv("SEGALLOC_MAP", map, 1);
    setenv("SEGALLOC_MAP_INTERVAL", interval, 1);
    only[c] = true;
    rc = ab_bench_execute_reps(s, only, 1, 1, err);
    only[c] = false;
    unsetenv("SEGALLOC_MAP");
    unsetenv("SEGALLOC_MAP_INTERVAL");
    free(map);
  }
  free(only);
  if (rc == 0 && !s->stop_signal && s->reps > 1)
    rc = ab_bench_execute_reps(s, NULL, 2, s->reps, err);
  return rc;
}

/* Draws the maps that were written; a missing or unreadable one is a warning. */
static bool ab_heapmap_run_draw(ab_session_t *s) {
  ab_heapmap_source_t *src = ab_xcalloc(s->n_cases, sizeof *src);
  ab_strv_t paths = {0};
  size_t n = 0;
  for (size_t c = 0; c < s->n_cases; c++) {
    char *path = ab_heapmap_run_map_path(s, &s->cases[c]);
    if (ab_file_exists(path))
      src[n++] = (ab_heapmap_source_t){path, s->cases[c].slug, s->cases[c].label};
    else ab_warn("no heap map for %s: segalloc's run did not write one; see %s/stderr.log",
                 s->cases[c].label, s->run_dir);
    ab_strv_push_owned(&paths, path);
  }
  char *title = ab_xasprintf("segalloc heap maps: %s", s->run_id);
  ab_err_t err;
  int k = n ? ab_heapmap_render(s->run_dir, src, n, title, !s->opt->no_plots, false, &err) : 0;
  if (k < 0) ab_warn("heap maps: %s", err.msg);
  free(title);
  ab_strv_free(&paths);
  free(src);
  return k > 0;
}

int ab_heapmap_run_main(const ab_options_t *opt) {
  ab_options_t o = *opt;
  o.allocators = opt->allocators ? opt->allocators : (char *)"segalloc";
  if (!o.reps) o.reps = 1;
  if (!ab_heapmap_run_has_segalloc(o.allocators)) {
    fprintf(stderr, "allocbench: --heapmap draws segalloc's heap: add segalloc to --allocators "
                    "(or leave --allocators out to run segalloc alone)\n");
    return AB_EXIT_USAGE;
  }
  ab_session_t s;
  ab_err_t err;
  if (ab_session_prepare(&s, &o, false, &err) < 0) {
    fprintf(stderr, "allocbench: %s\n", err.msg);
    ab_session_free(&s);
    return AB_EXIT_USAGE;
  }
  double interval = opt->heapmap_interval_ms >= 0 ? opt->heapmap_interval_ms
                                                  : AB_HEAPMAP_DEFAULT_INTERVAL_MS;
  char *dir = ab_xasprintf("%s/heapmap", s.run_dir);
  int code = AB_EXIT_OK;
  if (ab_mkdir_p(dir, &err) < 0 || ab_heapmap_run_measure(&s, interval, &err) < 0) {
    fprintf(stderr, "allocbench: %s\n", err.msg);
    code = AB_EXIT_USAGE;
  }
  free(dir);
  bool drawn = ab_heapmap_run_draw(&s);
  if (ab_outputs_finish(&s, &err) < 0) {
    fprintf(stderr, "allocbench: %s\n", err.msg);
    code = AB_EXIT_USAGE;
  }
  if (drawn && !opt->quiet) fprintf(stderr, "allocbench: heap map: %s/heapmap.html\n", s.run_dir);
  if (s.stop_signal) code = 128 + s.stop_signal;
  ab_session_free(&s);
  return code;
}
