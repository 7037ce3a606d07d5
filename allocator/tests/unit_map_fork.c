/* SEGALLOC_MAP across processes: %p in the path becomes the process id, so
 * a program and the programs it starts each write a file of their own; a
 * forked child opens its own file when the path has %p and writes nothing
 * otherwise (the descriptor it inherits shares the parent's offset, and
 * opening the path again would truncate the parent's file); %% is a %.
 *
 * The driver runs the scenario in a fresh process (exec of itself, which
 * reads SEGALLOC_MAP at start-up) and reads back the files it left. The
 * scenario's parent writes a snapshot, forks, and writes another after the
 * child ends; the child holds a block of a size nothing else in the test
 * uses (a large page of MARK_SLICES slices), which marks its rows. */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "internal.h"
#include "unit_test.h"

#define MARK_SLICES 81
#define MARK_BYTES ((size_t)MARK_SLICES << SLICE_SHIFT)

static int scenario(void) {
  void *p = sa_malloc(1000);
  snapshot_map_tick(false);
  pid_t child = fork();
  if (child == 0) {
    void *mark = sa_malloc(MARK_BYTES - 12345); /* a large page of MARK_SLICES slices */
    snapshot_map_tick(false);
    (void)mark;
    exit(0); /* the destructor writes the final snapshot, if any */
  }
  int status;
  if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
  snapshot_map_tick(false);
  sa_free(p);
  return 0;
}

typedef struct map_file_s {
  int headers;      /* lines that are the header */
  int rows;         /* the others */
  int bad;          /* rows without 14 fields */
  int marked;       /* rows of the child's block */
  bool header_first;
} map_file_t;

static map_file_t map_read(const char *path) {
  map_file_t m = {0};
  FILE *f = fopen(path, "r");
  if (f == NULL) return m;
  char line[512], mark[32];
  snprintf(mark, sizeof mark, ",%zu,", MARK_BYTES);
  for (int n = 0; fgets(line, sizeof line, f) != NULL; n++) {
    if (strncmp(line, "time_ms,", 8) == 0) {
      m.headers++;
      if (n == 0) m.header_first = true;
      continue;
    }
    m.rows++;
    int commas = 0;
    for (const char *c = line; *c; c++) commas += *c == ',';
    if (commas != 13) m.bad++;
    if (strstr(line, mark) != NULL) m.marked++;
  }
  fclose(f);
  return m;
}

static bool map_well_formed(const map_file_t *m) {
  return m->headers == 1 && m->header_first && m->rows > 0 && m->bad == 0;
}

/* Runs the scenario with SEGALLOC_MAP=dir/name; fills names[] with the
 * files it left (at most 4). */
static int run_scenario(const char *dir, const char *name, char names[][256]) {
  char map[512];
  snprintf(map, sizeof map, "%s/%s", dir, name);
  pid_t pid = fork();
  if (pid == 0) {
    setenv("SEGALLOC_MAP", map, 1);
    execl("/proc/self/exe", "unit_map_fork", "scenario", (char *)NULL);
    _exit(127);
  }
  int status;
  EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
         "the scenario ran (SEGALLOC_MAP=%s)", map);
  int n = 0;
  DIR *d = opendir(dir);
  for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;)
    if (e->d_name[0] != '.' && n < 4) snprintf(names[n++], 256, "%s", e->d_name);
  if (d != NULL) closedir(d);
  return n;
}

static void path_of(char *out, const char *dir, const char *name) { snprintf(out, 512, "%s/%s", dir, name); }

/* %p: the parent's file and the child's, each whole; only the child's
 * holds its block. */
static void pid_in_path(const char *dir) {
  char names[4][256], path[512];
  int n = run_scenario(dir, "map.%p.csv", names);
  EXPECT(n == 2, "two files, one per process: %d", n);
  int with_mark = 0, without = 0;
  for (int i = 0; i < n; i++) {
    path_of(path, dir, names[i]);
    map_file_t m = map_read(path);
    long pid;
    char tail[16];
    EXPECT(sscanf(names[i], "map.%ld.%15s", &pid, tail) == 2 && strcmp(tail, "csv") == 0 && pid > 0,
           "named by a process id: %s", names[i]);
    EXPECT(map_well_formed(&m), "%s: one header first, %d rows, %d malformed", names[i], m.rows, m.bad);
    if (m.marked > 0) with_mark++;
    else without++;
  }
  EXPECT(with_mark == 1 && without == 1, "the child's block is in its own file only (%d, %d)", with_mark, without);
}

/* No %p: one file, the parent's, whole; the child wrote nothing. */
static void no_pid_in_path(const char *dir) {
  char names[4][256], path[512];
  int n = run_scenario(dir, "map.csv", names);
  EXPECT(n == 1 && strcmp(names[0], "map.csv") == 0, "one file: %d", n);
  path_of(path, dir, "map.csv");
  map_file_t m = map_read(path);
  EXPECT(map_well_formed(&m), "one header first, %d rows, %d malformed", m.rows, m.bad);
  EXPECT(m.marked == 0, "no row of the child's: %d", m.marked);
}

/* %% is a literal %: the path names no process, so it behaves as above. */
static void escaped_percent(const char *dir) {
  char names[4][256];
  int n = run_scenario(dir, "map.%%p.csv", names);
  EXPECT(n == 1 && strcmp(names[0], "map.%p.csv") == 0, "one file named map.%%p.csv: %s", n ? names[0] : "none");
}

static void remove_dir(const char *dir) {
  DIR *d = opendir(dir);
  char path[512];
  for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;)
    if (e->d_name[0] != '.') {
      path_of(path, dir, e->d_name);
      unlink(path);
    }
  if (d != NULL) closedir(d);
  rmdir(dir);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "scenario") == 0) return scenario();
  void (*cases[])(const char *) = {pid_in_path, no_pid_in_path, escaped_percent};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char dir[] = "/tmp/unit_map_fork.XXXXXX";
    EXPECT(mkdtemp(dir) != NULL, "a scratch folder");
    cases[i](dir);
    remove_dir(dir);
  }
  UNIT_DONE("unit_map_fork");
}
