/* allocbench: benchmark runner entry point. Exit codes: 0 done (or check
 * passed), 1 check found a regression, 2 bad input or environment,
 * 128+signal when stopped by SIGINT/SIGTERM after writing what was measured. */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "check.h"
#include "cli.h"
#include "heapmap_render.h"
#include "heapmap_run.h"
#include "outputs.h"
#include "session.h"
#include "signals.h"

#ifndef AB_VERSION
#define AB_VERSION "0"
#endif

static int ab_main_cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints the names in dir that end in suffix (suffix ""): executables,
 * leaving out the workloads' own test programs, wl_test_*. */
static void ab_main_list_dir(const char *title, const char *dir, const char *suffix) {
  ab_strv_t names = {0};
  DIR *d = opendir(dir);
  for (struct dirent *e; d && (e = readdir(d));) {
    size_t len = strlen(e->d_name), slen = strlen(suffix);
    if (e->d_name[0] == '.' || len <= slen || strcmp(e->d_name + len - slen, suffix) != 0) continue;
    char *path = ab_xasprintf("%s/%s", dir, e->d_name);
    struct stat st;
    bool program = stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0 &&
                   strncmp(e->d_name, "wl_test", 7) != 0;
    free(path);
    if (*suffix || program) ab_strv_push_owned(&names, ab_xstrndup(e->d_name, len - slen));
  }
  if (d) closedir(d);
  if (names.n) qsort(names.v, names.n, sizeof *names.v, ab_main_cmp);
  char *joined = ab_strv_join(&names, " ");
  printf("%s in %s:\n  %s\n", title, dir, names.n ? joined : "(none)");
  free(joined);
  ab_strv_free(&names);
}

static int ab_main_list(const ab_options_t *opt) {
  char *root, *wdir, *seg;
  ab_session_locate(opt, &root, &wdir, &seg);
  ab_alloc_env_t env = {.segalloc_path = seg};
  printf("Allocators:\n");
  ab_alloc_print_known(stdout, &env);
  ab_main_list_dir("Workloads", wdir, "");
  char *suites = ab_xasprintf("%s/harness/suites", root);
  ab_main_list_dir("Suites", suites, ".suite");
  free(suites);
  free(root);
  free(wdir);
  free(seg);
  return AB_EXIT_OK;
}

static int ab_main_run(const ab_options_t *opt) {
  ab_session_t s;
  ab_err_t err;
  if (ab_session_prepare(&s, opt, false, &err) < 0) {
    fprintf(stderr, "allocbench: %s\n", err.msg);
    ab_session_free(&s);
    return AB_EXIT_USAGE;
  }
  int code = AB_EXIT_OK;
  if (ab_bench_execute(&s, &err) < 0) {
    fprintf(stderr, "allocbench: %s\n", err.msg);
    code = AB_EXIT_USAGE;
  }
  if (ab_outputs_finish(&s, &err) < 0) {
    fprintf(stderr, "allocbench: %s\n", err.msg);
    code = AB_EXIT_USAGE;
  }
  if (s.stop_signal) code = 128 + s.stop_signal;
  ab_session_free(&s);
  return code;
}

int main(int argc, char **argv) {
  ab_options_t opt;
  ab_err_t err;
  if (ab_cli_parse(argc, argv, &opt, &err) < 0) {
    fprintf(stderr, "allocbench: %s\n", err.msg);
    ab_cli_free(&opt);
    return AB_EXIT_USAGE;
  }
  ab_signals_install();
  int code;
  if (opt.help) {
    ab_cli_usage(stdout);
    code = AB_EXIT_OK;
  } else if (opt.version) {
    printf("allocbench %s\n", AB_VERSION);
    code = AB_EXIT_OK;
  } else if (opt.list) {
    code = ab_main_list(&opt);
  } else if (opt.report_dir) {
    code = ab_outputs_rebuild(&opt, &err) < 0 ? AB_EXIT_USAGE : AB_EXIT_OK;
    if (code) fprintf(stderr, "allocbench: %s\n", err.msg);
  } else if (opt.check) {
    code = ab_check_main(&opt);
  } else if (opt.heapmap_render) {
    code = ab_heapmap_render_main(&opt);
  } else if (opt.heapmap) {
    code = ab_heapmap_run_main(&opt);
  } else {
    code = ab_main_run(&opt);
  }
  ab_cli_free(&opt);
  return code;
}
