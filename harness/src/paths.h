/* allocbench: where things are: the executable's folder (workloads and
 * segalloc are found relative to it), programs on PATH. */
#ifndef AB_PATHS_H
#define AB_PATHS_H

#include "util.h"

/* Folder holding /proc/self/exe, e.g. /work/main/build/harness. */
char *ab_exe_dir(void);
/* Absolute path of cmd: itself when it holds a '/', else found on PATH;
 * NULL when there is no such executable. */
char *ab_which(const char *cmd);
/* An absolute path for path: its folder canonicalised (realpath), its last
 * name kept as it is (a symlink stays a symlink); a copy when the folder
 * does not exist. */
char *ab_abs_path(const char *path);

#endif
