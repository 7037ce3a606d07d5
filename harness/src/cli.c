/* allocbench: command-line flags. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "report_focus.h"

enum {
  AB_OPT_SUITE = 256, AB_OPT_ALLOCATORS, AB_OPT_WORKLOADS, AB_OPT_REPS, AB_OPT_THREADS,
  AB_OPT_PIN, AB_OPT_OUT, AB_OPT_TIMEOUT, AB_OPT_SAMPLE_MS, AB_OPT_QUIET, AB_OPT_NO_PLOTS,
  AB_OPT_LIST, AB_OPT_CHECK, AB_OPT_UPDATE_BASELINE, AB_OPT_BASELINE, AB_OPT_REPORT, AB_OPT_ROOT,
  AB_OPT_WORKLOAD_DIR, AB_OPT_SEGALLOC, AB_OPT_HELP, AB_OPT_VERSION, AB_OPT_HEAPMAP,
  AB_OPT_HEAPMAP_INTERVAL, AB_OPT_HEAPMAP_RENDER, AB_OPT_FOCUS, AB_OPT_AGAINST,
};

static const struct option ab_cli_options[] = {
    {"suite", required_argument, NULL, AB_OPT_SUITE},
    {"allocators", required_argument, NULL, AB_OPT_ALLOCATORS},
    {"workloads", required_argument, NULL, AB_OPT_WORKLOADS},
    {"reps", required_argument, NULL, AB_OPT_REPS},
    {"threads", required_argument, NULL, AB_OPT_THREADS},
    {"pin", required_argument, NULL, AB_OPT_PIN},
    {"out", required_argument, NULL, AB_OPT_OUT},
    {"timeout", required_argument, NULL, AB_OPT_TIMEOUT},
    {"sample-ms", required_argument, NULL, AB_OPT_SAMPLE_MS},
    {"quiet", no_argument, NULL, AB_OPT_QUIET},
    {"no-plots", no_argument, NULL, AB_OPT_NO_PLOTS},
    {"list", no_argument, NULL, AB_OPT_LIST},
    {"check", optional_argument, NULL, AB_OPT_CHECK},
    {"update-baseline", no_argument, NULL, AB_OPT_UPDATE_BASELINE},
    {"baseline", required_argument, NULL, AB_OPT_BASELINE},
    {"report", required_argument, NULL, AB_OPT_REPORT},
    {"root", required_argument, NULL, AB_OPT_ROOT},
    {"workload-dir", required_argument, NULL, AB_OPT_WORKLOAD_DIR},
    {"segalloc", required_argument, NULL, AB_OPT_SEGALLOC},
    {"help", no_argument, NULL, AB_OPT_HELP},
    {"version", no_argument, NULL, AB_OPT_VERSION},
    {"heapmap", no_argument, NULL, AB_OPT_HEAPMAP},
    {"heapmap-interval", required_argument, NULL, AB_OPT_HEAPMAP_INTERVAL},
    {"heapmap-render", required_argument, NULL, AB_OPT_HEAPMAP_RENDER},
    {"focus", required_argument, NULL, AB_OPT_FOCUS},
    {"against", required_argument, NULL, AB_OPT_AGAINST},
    {NULL, 0, NULL, 0},
};

void ab_cli_usage(FILE *out) {
  fputs(
      "usage: allocbench [--suite default|smoke|64k|scaling|realprogs|FILE]\n"
      "                  [--allocators a,b,..] [--workloads w,..] [--reps N] [--threads LIST]\n"
      "                  [--pin CPUS] [--out DIR] [--timeout S] [--sample-ms MS] [--quiet]\n"
      "                  [--no-plots] [--focus ALLOCATOR] [--against ALLOCATOR]\n"
      "       allocbench --check[=BASELINE] [--update-baseline]   (smoke suite vs baseline)\n"
      "       allocbench --report DIR [--focus A] [--against B]  (rebuild summary, report, plots)\n"
      "       allocbench --list           (allocators, workloads and suites found)\n"
      "       allocbench --heapmap [--heapmap-interval MS] [run flags]  (segalloc's heap map)\n"
      "       allocbench --heapmap-render FILE [--out DIR]  (draw a SEGALLOC_MAP file)\n"
      "Allocators: glibc, jemalloc, tcmalloc, mimalloc, segalloc, name=/path/lib.so, or a\n"
      "variant name=BASE+VAR=value[+VAR=value..] (BASE: one of those or a path; the settings\n"
      "go into the environment of its runs).\n"
      "Other flags: --root DIR, --workload-dir DIR, --segalloc PATH, --baseline FILE.\n"
      "See harness/README.md.\n",
      out);
}

static int ab_cli_number(const char *flag, const char *arg, double min, double max, double *out,
                         ab_err_t *err) {
  if (!ab_parse_double(arg, out) || *out < min || *out > max)
    return ab_fail(err, "--%s '%s': give a number from %g to %g", flag, arg, min, max);
  return 0;
}

static int ab_cli_list(const char *flag, const char *arg, int min, int max, int **out, size_t *n,
                       ab_err_t *err) {
  free(*out);
  if (!ab_parse_int_list(arg, min, max, out, n))
    return ab_fail(err, "--%s '%s': give distinct numbers from %d to %d, e.g. 1,2,4 or 0-3", flag,
                   arg, min, max);
  return 0;
}

static void ab_cli_set(char **slot, const char *arg) {
  free(*slot);
  *slot = ab_xstrdup(arg);
}

static int ab_cli_take(int id, const char *arg, ab_options_t *o, ab_err_t *err) {
  double v;
  switch (id) {
  case AB_OPT_SUITE: ab_cli_set(&o->suite, arg); return 0;
  case AB_OPT_ALLOCATORS: ab_cli_set(&o->allocators, arg); return 0;
  case AB_OPT_WORKLOADS: ab_cli_set(&o->workloads, arg); return 0;
  case AB_OPT_OUT: ab_cli_set(&o->out, arg); return 0;
  case AB_OPT_ROOT: ab_cli_set(&o->root, arg); return 0;
  case AB_OPT_WORKLOAD_DIR: ab_cli_set(&o->workload_dir, arg); return 0;
  case AB_OPT_SEGALLOC: ab_cli_set(&o->segalloc, arg); return 0;
  case AB_OPT_BASELINE: ab_cli_set(&o->baseline, arg); return 0;
  case AB_OPT_REPORT: ab_cli_set(&o->report_dir, arg); return 0;
  case AB_OPT_HEAPMAP_RENDER: ab_cli_set(&o->heapmap_render, arg); return 0;
  case AB_OPT_FOCUS: ab_cli_set(&o->focus, arg); return 0;
  case AB_OPT_AGAINST: ab_cli_set(&o->against, arg); return 0;
  case AB_OPT_HEAPMAP: o->heapmap = true; return 0;
  case AB_OPT_THREADS: return ab_cli_list("threads", arg, 1, 1024, &o->threads, &o->n_threads, err);
  case AB_OPT_PIN: return ab_cli_list("pin", arg, 0, 1023, &o->pin, &o->n_pin, err);
  case AB_OPT_QUIET: o->quiet = true; return 0;
  case AB_OPT_NO_PLOTS: o->no_plots = true; return 0;
  case AB_OPT_LIST: o->list = true; return 0;
  case AB_OPT_UPDATE_BASELINE: o->update_baseline = o->check = true; return 0;
  case AB_OPT_HELP: o->help = true; return 0;
  case AB_OPT_VERSION: o->version = true; return 0;
  case AB_OPT_CHECK:
    o->check = true;
    if (arg) ab_cli_set(&o->baseline, arg);
    return 0;
  case AB_OPT_REPS:
    if (ab_cli_number("reps", arg, 1, 1000, &v, err) < 0 || v != (int)v)
      return ab_fail(err, "--reps '%s': give a whole number from 1 to 1000", arg);
    o->reps = (int)v;
    return 0;
  case AB_OPT_TIMEOUT: return ab_cli_number("timeout", arg, 0.01, 86400, &o->timeout_s, err);
  case AB_OPT_SAMPLE_MS: return ab_cli_number("sample-ms", arg, 1, 10000, &o->sample_ms, err);
  case AB_OPT_HEAPMAP_INTERVAL:
    return ab_cli_number("heapmap-interval", arg, 0, 600000, &o->heapmap_interval_ms, err);
  }
  return ab_fail(err, "internal: unhandled option %d", id);
}

static int ab_cli_conflicts(const ab_options_t *o, ab_err_t *err) {
  if (o->report_dir && (o->check || o->list))
    return ab_fail(err, "--report cannot be combined with --check or --list");
  if (o->check && o->list) return ab_fail(err, "--check cannot be combined with --list");
  if (o->check && o->out) return ab_fail(err, "--check writes under results/runs; drop --out");
  if ((o->heapmap || o->heapmap_render) && (o->check || o->list || o->report_dir))
    return ab_fail(err, "--heapmap and --heapmap-render cannot be combined with --check, --list "
                        "or --report");
  if (o->heapmap && o->heapmap_render)
    return ab_fail(err, "--heapmap runs workloads and --heapmap-render draws a file: pick one");
  if (o->heapmap_interval_ms >= 0 && !o->heapmap)
    return ab_fail(err, "--heapmap-interval goes with --heapmap");
  if (o->focus && (o->check || o->list || o->heapmap_render))
    return ab_fail(err, "--focus names the allocator of a report's headline: it goes with a run or --report");
  if (o->against && (o->check || o->list || o->heapmap_render))
    return ab_fail(err, "--against names the allocator the headline's head to head is against: it goes "
                        "with a run or --report");
  if (o->against && !strcmp(o->against, o->focus ? o->focus : AB_REPORT_FOCUS))
    return ab_fail(err, "--against %s: that is the focus allocator itself; name another", o->against);
  return 0;
}

int ab_cli_parse(int argc, char **argv, ab_options_t *o, ab_err_t *err) {
  *o = (ab_options_t){.sample_ms = 5, .heapmap_interval_ms = -1};
  ab_strv_t words = {0};
  ab_strv_push(&words, "allocbench");
  for (int i = 1; i < argc; i++) ab_strv_push(&words, argv[i]);
  o->command_line = ab_strv_join(&words, " ");
  ab_strv_free(&words);
  opterr = 0;
  optind = 1;
  int id;
  /* A leading ':' makes a missing value ':' and anything else unknown '?'. */
  while ((id = getopt_long(argc, argv, ":", ab_cli_options, NULL)) != -1) {
    const char *bad = argv[optind - 1];
    if (id == ':') return ab_fail(err, "option '%s' needs a value; see allocbench --help", bad);
    if (id == '?')
      return ab_fail(err, "unknown option '%s' (or it takes no value); see allocbench --help", bad);
    if (ab_cli_take(id, optarg, o, err) < 0) return -1;
  }
  if (optind < argc)
    return ab_fail(err, "unexpected argument '%s'; see allocbench --help", argv[optind]);
  return ab_cli_conflicts(o, err);
}

void ab_cli_free(ab_options_t *o) {
  char **strings[] = {&o->root, &o->suite, &o->allocators, &o->workloads, &o->out,
                      &o->workload_dir, &o->segalloc, &o->baseline, &o->report_dir,
                      &o->heapmap_render, &o->focus, &o->against, &o->command_line};
  for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) free(*strings[i]);
  free(o->threads);
  free(o->pin);
  *o = (ab_options_t){0};
}
