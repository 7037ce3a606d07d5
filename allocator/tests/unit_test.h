/* A minimal assertion helper shared by the unit tests. */
#ifndef UNIT_TEST_H
#define UNIT_TEST_H
#include <stdio.h>
#include <stdlib.h>

static int unit_failures;
#define EXPECT(cond, ...)                                              \
  do {                                                                 \
    if (!(cond)) {                                                     \
      fprintf(stderr, "%s:%d: expected %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                    \
      fputc('\n', stderr);                                             \
      unit_failures++;                                                 \
    }                                                                  \
  } while (0)
#define UNIT_DONE(name)                                                  \
  do {                                                                   \
    printf("%s: %s\n", name, unit_failures ? "FAILED" : "passed");       \
    return unit_failures ? 1 : 0;                                        \
  } while (0)
#endif
