/* Options: SEGALLOC_<NAME> environment variables, read once by scanning
 * environ directly (getenv is fine too, but this runs before the C library
 * is fully up when preloaded, and must never allocate). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#include "internal.h"

extern char **environ;

typedef struct option_desc_s {
  long value;
  long deflt;
  const char *name;
  const char *meaning;
} option_desc_t;

/* PURGE_DELAY: free spans wait this long before MADV_DONTNEED, so that a
 * span freed and re-taken within a burst costs no page faults, while RSS
 * still falls within a fraction of a second after the burst ends. */
static option_desc_t options[SA_OPTION_COUNT] = {
    [SA_OPTION_SHOW_STATS] = {0, 0, "SHOW_STATS", "print statistics at exit"},
    [SA_OPTION_VERBOSE] = {0, 0, "VERBOSE", "print the options in force and messages"},
    [SA_OPTION_PURGE_DELAY] = {50, 50, "PURGE_DELAY", "ms before a free span is purged (-1: never)"},
    [SA_OPTION_PURGE_DECOMMITS] = {1, 1, "PURGE_DECOMMITS", "purge with MADV_DONTNEED (1) or MADV_FREE (0)"},
    [SA_OPTION_SEGMENT_CACHE] = {8, 8, "SEGMENT_CACHE", "fully free segments kept mapped (purged)"},
    [SA_OPTION_SECURE] = {0, 0, "SECURE", "detect invalid and double frees, then abort"},
    [SA_OPTION_BACKGROUND] = {1, 1, "BACKGROUND", "a thread purges memory that idle threads hold"},
    [SA_OPTION_MAP_INTERVAL] = {0, 0, "MAP_INTERVAL", "ms between heap-map snapshots (0: at exit only)"},
    [SA_OPTION_HUGEPAGES] = {1, 1, "HUGEPAGES", "transparent huge pages: 0 never, 1 big pages of 4 KiB-multiple sizes from 32 KiB, 2 every segment"},
    [SA_OPTION_POPULATE] = {32, 32, "POPULATE", "MiB committed before fresh pages are populated ahead of their blocks (-1: never)"},
};

static bool env_lookup(const char *name, char *out, size_t cap) {
  static const char prefix[] = "SEGALLOC_";
  size_t plen = sizeof(prefix) - 1, nlen = strlen(name);
  if (environ == NULL) return false;
  for (char **e = environ; *e != NULL; e++) {
    const char *s = *e;
    if (strncmp(s, prefix, plen) != 0 || strncasecmp(s + plen, name, nlen) != 0 || s[plen + nlen] != '=') continue;
    const char *v = s + plen + nlen + 1;
    size_t n = strlen(v);
    if (n >= cap) n = cap - 1;
    memcpy(out, v, n);
    out[n] = 0;
    return true;
  }
  return false;
}

static bool parse_value(const char *v, long *out) {
  if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on")) { *out = 1; return true; }
  if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off")) { *out = 0; return true; }
  char *end;
  long n = strtol(v, &end, 10);
  if (end == v) return false;
  if (*end == 'k' || *end == 'K') { n *= 1024; end++; }
  else if (*end == 'm' || *end == 'M') { n *= 1024 * 1024; end++; }
  if (*end != 0) return false;
  *out = n;
  return true;
}

/* SEGALLOC_MAP: where heap-map snapshots go (empty: nowhere). */
char sa_map_path[512];

uintptr_t sa_free_slow_upto;

static void secure_update(void) { sa_free_slow_upto = options[SA_OPTION_SECURE].value != 0 ? UINTPTR_MAX : 0; }

void options_init(void) {
  char buf[64];
  if (!env_lookup("MAP", sa_map_path, sizeof sa_map_path)) sa_map_path[0] = 0;
  for (int i = 0; i < SA_OPTION_COUNT; i++) {
    if (!env_lookup(options[i].name, buf, sizeof buf)) continue;
    long v;
    if (parse_value(buf, &v)) options[i].value = v;
    else sa_message("ignoring SEGALLOC_%s=%s (not a number or boolean)", options[i].name, buf);
  }
  secure_update();
  if (options[SA_OPTION_VERBOSE].value) {
    sa_message("version %s", sa_version());
    for (int i = 0; i < SA_OPTION_COUNT; i++)
      sa_message("option %-16s = %ld  (%s)", options[i].name, options[i].value, options[i].meaning);
    if (sa_map_path[0]) sa_message("option %-16s = %s  (heap-map snapshots)", "MAP", sa_map_path);
  }
}

long option_get(sa_option_t o) { return (unsigned)o < SA_OPTION_COUNT ? options[o].value : 0; }

SA_API long sa_option_get(sa_option_t o) { return option_get(o); }

SA_API void sa_option_set(sa_option_t o, long value) {
  if ((unsigned)o < SA_OPTION_COUNT) options[o].value = value;
  secure_update();
}

SA_API const char *sa_option_name(sa_option_t o) {
  return (unsigned)o < SA_OPTION_COUNT ? options[o].name : "UNKNOWN";
}

/* Messages go straight to fd 2 from a stack buffer: stdio may allocate. */
static void message_v(const char *fmt, va_list ap) {
  char buf[512];
  int n = snprintf(buf, sizeof buf, "segalloc: ");
  n += vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
  if (n > (int)sizeof buf - 2) n = (int)sizeof buf - 2;
  buf[n++] = '\n';
  ssize_t w = write(2, buf, (size_t)n);
  (void)w;
}

void sa_message(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  message_v(fmt, ap);
  va_end(ap);
}

void sa_fatal(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  message_v(fmt, ap);
  va_end(ap);
  abort();
}
