/* Minimal assertions for the harness unit tests: each failure prints its
 * place and the condition, and main returns non-zero if any failed. */
#ifndef AB_TESTING_H
#define AB_TESTING_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int ab_test_failures;

#define EXPECT(cond)                                                             \
  do {                                                                           \
    if (!(cond)) {                                                               \
      fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond);      \
      ab_test_failures++;                                                        \
    }                                                                            \
  } while (0)

#define EXPECT_STR(a, b)                                                         \
  do {                                                                           \
    const char *ab_a = (a), *ab_b = (b);                                         \
    if (!ab_a || !ab_b || strcmp(ab_a, ab_b) != 0) {                             \
      fprintf(stderr, "%s:%d: expected \"%s\", got \"%s\" (%s)\n", __FILE__, __LINE__, \
              ab_b ? ab_b : "(null)", ab_a ? ab_a : "(null)", #a);               \
      ab_test_failures++;                                                        \
    }                                                                            \
  } while (0)

#define EXPECT_NEAR(a, b, eps)                                                   \
  do {                                                                           \
    double ab_x = (a), ab_y = (b);                                               \
    if (!(fabs(ab_x - ab_y) <= (eps))) {                                         \
      fprintf(stderr, "%s:%d: expected %s = %g, got %g\n", __FILE__, __LINE__, #a, ab_y, ab_x); \
      ab_test_failures++;                                                        \
    }                                                                            \
  } while (0)

/* The error text must mention the given fragment (e.g. "file:line"). */
#define EXPECT_ERR(call, err, fragment)                                          \
  do {                                                                           \
    (err).msg[0] = '\0';                                                         \
    EXPECT((call) < 0);                                                          \
    if (!strstr((err).msg, (fragment))) {                                        \
      fprintf(stderr, "%s:%d: error \"%s\" lacks \"%s\"\n", __FILE__, __LINE__, (err).msg, \
              (fragment));                                                       \
      ab_test_failures++;                                                        \
    }                                                                            \
  } while (0)

#define TEST_RESULT()                                                            \
  (ab_test_failures ? (fprintf(stderr, "%d check(s) failed\n", ab_test_failures), 1) : 0)

#endif
