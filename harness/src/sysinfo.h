/* allocbench: what the report says about the machine and the software:
 * CPU, cores, memory, kernel, OS, glibc, the allocator libraries' packages
 * and versions, and the repository commit. */
#ifndef AB_SYSINFO_H
#define AB_SYSINFO_H

typedef struct ab_sysinfo_s {
  char *cpu, *kernel, *os, *glibc, *commit;
  long cores;
  long mem_mib;
} ab_sysinfo_t;

void ab_sysinfo_collect(ab_sysinfo_t *info, const char *root);
void ab_sysinfo_free(ab_sysinfo_t *info);

/* "libjemalloc2 5.3.0-1" from dpkg when the library belongs to a package,
 * else the file name it resolves to (which carries the soname version). */
char *ab_sysinfo_library_version(const char *path);

/* First line of a command's stdout, or NULL (no shell involved). */
char *ab_sysinfo_command_line(const char *const *argv);

#endif
