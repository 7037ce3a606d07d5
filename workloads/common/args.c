#include "args.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"

#define WL_ARGS_MAX_THREADS 1024
#define WL_ARGS_MAX_SECONDS 1e6

/* ---- value parsing: each returns false on anything it cannot take whole ---- */

static bool wl_args_parse_u64(const char *text, uint64_t *out, char **end) {
  if (*text < '0' || *text > '9') /* strtoull would accept " -1" */
    return false;
  errno = 0;
  unsigned long long v = strtoull(text, end, 10);
  if (errno != 0)
    return false;
  *out = v;
  return true;
}

static bool wl_args_parse_size(const char *text, uint64_t *out) {
  char *end;
  uint64_t v;
  if (!wl_args_parse_u64(text, &v, &end))
    return false;
  unsigned shift = 0;
  switch (*end) {
  case 'k': case 'K': shift = 10; end++; break;
  case 'm': case 'M': shift = 20; end++; break;
  case 'g': case 'G': shift = 30; end++; break;
  default: break;
  }
  if (*end != '\0' || (shift != 0 && v > (UINT64_MAX >> shift)))
    return false;
  *out = v << shift;
  return true;
}

static bool wl_args_parse_count(const char *text, uint64_t *out) {
  char *end;
  return wl_args_parse_u64(text, out, &end) && *end == '\0';
}

static bool wl_args_parse_seconds(const char *text, double *out) {
  char *end;
  errno = 0;
  double v = strtod(text, &end);
  if (end == text || *end != '\0' || errno != 0 || !isfinite(v) || v <= 0 ||
      v > WL_ARGS_MAX_SECONDS)
    return false;
  *out = v;
  return true;
}

/* The index-th of the '|'-separated `choices` and its length; NULL past
 * the last. */
static const char *wl_args_choice_at(const char *choices, int index, size_t *len) {
  const char *c = choices;
  for (int i = 0; i < index; i++) {
    c += strcspn(c, "|");
    if (*c++ == '\0')
      return NULL;
  }
  *len = strcspn(c, "|");
  return c;
}

static int wl_args_choice_index(const char *choices, const char *text) {
  size_t len;
  const char *c;
  for (int i = 0; (c = wl_args_choice_at(choices, i, &len)) != NULL; i++)
    if (len == strlen(text) && strncmp(c, text, len) == 0)
      return i;
  return -1;
}

/* ---- help ---- */

static const char *wl_args_placeholder(const wl_arg_t *arg) {
  switch (arg->kind) {
  case WL_ARG_COUNT: return "N";
  case WL_ARG_SIZE: return "BYTES";
  case WL_ARG_SECONDS: return "F";
  case WL_ARG_CHOICE: return arg->choices;
  case WL_ARG_PATH: return "FILE";
  case WL_ARG_SWITCH: return "";
  }
  return "";
}

/* The default as the user would type it: sizes in K or M where exact. */
static void wl_args_format_default(const wl_arg_t *arg, char *buf, size_t size) {
  uint64_t v;
  switch (arg->kind) {
  case WL_ARG_COUNT:
    snprintf(buf, size, "%llu", (unsigned long long)*(const uint64_t *)arg->value);
    break;
  case WL_ARG_SIZE:
    v = *(const uint64_t *)arg->value;
    if (v != 0 && v % (1u << 20) == 0)
      snprintf(buf, size, "%lluM", (unsigned long long)(v >> 20));
    else if (v != 0 && v % 1024 == 0)
      snprintf(buf, size, "%lluK", (unsigned long long)(v >> 10));
    else
      snprintf(buf, size, "%llu", (unsigned long long)v);
    break;
  case WL_ARG_SECONDS: /* 0: no time limit */
    if (*(const double *)arg->value > 0)
      snprintf(buf, size, "%g", *(const double *)arg->value);
    else
      snprintf(buf, size, "none");
    break;
  case WL_ARG_CHOICE: {
    size_t len;
    const char *c = wl_args_choice_at(arg->choices, *(const int *)arg->value, &len);
    snprintf(buf, size, "%.*s", c ? (int)len : 0, c ? c : "");
    break;
  }
  case WL_ARG_PATH:
    snprintf(buf, size, "%s", *(const char **)arg->value ? *(const char **)arg->value : "none");
    break;
  case WL_ARG_SWITCH: /* off unless given: nothing to show */
    buf[0] = '\0';
    break;
  }
}

static void wl_args_print_table(const wl_arg_t *args, size_t n) {
  for (size_t i = 0; i < n; i++) {
    char flag[96], def[64];
    snprintf(flag, sizeof flag, "--%s %s", args[i].name, wl_args_placeholder(&args[i]));
    wl_args_format_default(&args[i], def, sizeof def);
    /* A count below its minimum means "not set": its help says what applies. */
    bool unset = args[i].kind == WL_ARG_COUNT && *(const uint64_t *)args[i].value < args[i].min;
    if (def[0] == '\0' || unset)
      printf("  %-26s %s\n", flag, args[i].help);
    else
      printf("  %-26s %s (default %s)\n", flag, args[i].help, def);
  }
}

static void wl_args_print_help(const wl_program_t *program, const wl_arg_t *common, size_t n_common) {
  printf("usage: %s [flags]\n%s\n\n", program->name, program->summary);
  printf("Common flags:\n");
  wl_args_print_table(common, n_common);
  printf("  %-26s one operation is %s\n", "", program->ops_meaning);
  if (program->n_args > 0) {
    printf("Flags of %s:\n", program->name);
    wl_args_print_table(program->args, program->n_args);
  }
  printf("Prints one line on stdout: RESULT workload=%s key=value ... "
         "(see workloads/README.md).\n",
         program->name);
}

/* ---- parsing ---- */

static void wl_args_bad_value(const wl_arg_t *arg, const char *text) {
  switch (arg->kind) {
  case WL_ARG_COUNT:
  case WL_ARG_SIZE:
    wl_fail_usage("bad value '%s' for --%s: expected a whole number%s from %llu to %llu", text,
                  arg->name, arg->kind == WL_ARG_SIZE ? " of bytes (K, M, G allowed)" : "",
                  (unsigned long long)arg->min, (unsigned long long)arg->max);
  case WL_ARG_SECONDS:
    wl_fail_usage("bad value '%s' for --%s: expected seconds, more than 0 and at most %g", text,
                  arg->name, WL_ARGS_MAX_SECONDS);
  case WL_ARG_CHOICE:
    wl_fail_usage("bad value '%s' for --%s: expected one of %s", text, arg->name, arg->choices);
  case WL_ARG_PATH:
  case WL_ARG_SWITCH:
    break;
  }
  wl_fail_usage("bad value '%s' for --%s", text, arg->name);
}

static void wl_args_store(const wl_arg_t *arg, const char *text) {
  uint64_t u;
  bool ok = true;
  switch (arg->kind) {
  case WL_ARG_COUNT:
  case WL_ARG_SIZE:
    ok = (arg->kind == WL_ARG_SIZE ? wl_args_parse_size(text, &u) : wl_args_parse_count(text, &u)) &&
         u >= arg->min && u <= arg->max;
    if (ok)
      *(uint64_t *)arg->value = u;
    break;
  case WL_ARG_SECONDS:
    ok = wl_args_parse_seconds(text, (double *)arg->value);
    break;
  case WL_ARG_CHOICE: {
    int index = wl_args_choice_index(arg->choices, text);
    ok = index >= 0;
    if (ok)
      *(int *)arg->value = index;
    break;
  }
  case WL_ARG_PATH:
    ok = text[0] != '\0';
    if (ok)
      *(const char **)arg->value = text;
    break;
  case WL_ARG_SWITCH:
    *(bool *)arg->value = true;
    break;
  }
  if (!ok)
    wl_args_bad_value(arg, text);
}

static const wl_arg_t *wl_args_find(const wl_arg_t *table, size_t n, const char *name,
                                    size_t name_len) {
  for (size_t i = 0; i < n; i++)
    if (strlen(table[i].name) == name_len && strncmp(table[i].name, name, name_len) == 0)
      return &table[i];
  return NULL;
}

void wl_args_parse(const wl_program_t *program, wl_common_t *common, int argc, char **argv) {
  wl_fail_set_program(program->name);
  bool help = false, seconds_given = false, ops_given = false;
  const wl_arg_t common_args[] = {
      {"threads", WL_ARG_COUNT, &common->threads, 1, WL_ARGS_MAX_THREADS, NULL, "threads"},
      {"seconds", WL_ARG_SECONDS, &common->seconds, 0, 0, NULL, "run for F seconds"},
      {"ops", WL_ARG_COUNT, &common->ops, 1, UINT64_MAX, NULL,
       "do N operations (with --seconds too: whichever ends first)"},
      {"seed", WL_ARG_COUNT, &common->seed, 0, UINT64_MAX, NULL, "random seed"},
      {"help", WL_ARG_SWITCH, &help, 0, 0, NULL, "print this and exit"},
  };
  const size_t n_common = sizeof common_args / sizeof common_args[0];

  for (int i = 1; i < argc; i++) {
    const char *word = argv[i];
    if (strncmp(word, "--", 2) != 0 || word[2] == '\0')
      wl_fail_usage("unexpected argument '%s' (see --help)", word);
    const char *name = word + 2;
    const char *eq = strchr(name, '=');
    size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
    const wl_arg_t *arg = wl_args_find(common_args, n_common, name, name_len);
    if (arg == NULL)
      arg = wl_args_find(program->args, program->n_args, name, name_len);
    if (arg == NULL)
      wl_fail_usage("unknown flag '--%.*s' (see --help)", (int)name_len, name);

    const char *text = NULL;
    if (arg->kind == WL_ARG_SWITCH) {
      if (eq != NULL)
        wl_fail_usage("--%s takes no value", arg->name);
    } else if (eq != NULL) {
      text = eq + 1;
    } else if (i + 1 < argc) {
      text = argv[++i];
    } else {
      wl_fail_usage("--%s needs a value", arg->name);
    }
    wl_args_store(arg, text);
    seconds_given |= arg->value == &common->seconds;
    ops_given |= arg->value == &common->ops;
  }
  if (help) {
    wl_args_print_help(program, common_args, n_common);
    fflush(stdout);
    exit(0);
  }
  if (ops_given && !seconds_given)
    common->seconds = 0;
}

void wl_args_check_size_range(unsigned long long min_size, unsigned long long max_size) {
  if (min_size > max_size)
    wl_fail_usage("--min-size (%llu) is larger than --max-size (%llu)", min_size, max_size);
}
