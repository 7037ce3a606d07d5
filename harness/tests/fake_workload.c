/* A stand-in workload for the harness tests: it speaks the workload command
 * line and RESULT protocol, and on request misbehaves (crashes, hangs,
 * prints a malformed or no RESULT line, exits non-zero) so the runner's
 * handling of each case can be tested without the real workloads. */
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct fake_opts_s {
  long threads, ops, seed, mib, sleep_ms;
  const char *mode, *cdf;
} fake_opts_t;

static double fake_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int fake_parse(int argc, char **argv, fake_opts_t *o) {
  *o = (fake_opts_t){.threads = 1, .ops = 100000, .seed = 1, .mode = "ok"};
  if ((argc - 1) % 2 != 0) return -1; /* every flag takes a value */
  for (int i = 1; i < argc; i += 2) {
    const char *flag = argv[i], *value = argv[i + 1];
    if (!strcmp(flag, "--threads")) o->threads = atol(value);
    else if (!strcmp(flag, "--ops")) o->ops = atol(value);
    else if (!strcmp(flag, "--seed")) o->seed = atol(value);
    else if (!strcmp(flag, "--mib")) o->mib = atol(value);
    else if (!strcmp(flag, "--sleep-ms")) o->sleep_ms = atol(value);
    else if (!strcmp(flag, "--mode")) o->mode = value;
    else if (!strcmp(flag, "--latency-cdf")) o->cdf = value;
    else if (!strcmp(flag, "--seconds")) { /* accepted, like the real workloads */ }
    else return -1;
  }
  return o->threads > 0 && o->ops >= 0 ? 0 : -1;
}

/* Deterministic allocation churn: same ops and seed, same instructions. */
static uint64_t fake_churn(long ops, long seed) {
  void *slots[64] = {0};
  uint64_t x = (uint64_t)seed * 2654435761u + 1, sum = 0;
  for (long i = 0; i < ops; i++) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    size_t k = x % 64;
    free(slots[k]);
    slots[k] = malloc(16 + x % 512);
    if (!slots[k]) abort();
    ((volatile char *)slots[k])[0] = (char)i;
    sum += x & 0xff;
  }
  for (size_t k = 0; k < 64; k++) free(slots[k]);
  return sum;
}

/* Holds mib MiB, touched, for sleep_ms, so RSS sampling has something to see. */
static void fake_hold_memory(long mib, long sleep_ms) {
  /* volatile: the compiler may not drop a buffer that is never read. */
  volatile char *block = mib > 0 ? malloc((size_t)mib << 20) : NULL;
  for (size_t i = 0; block && i < ((size_t)mib << 20); i += 4096) block[i] = 1;
  if (sleep_ms > 0) usleep((useconds_t)sleep_ms * 1000);
  free((void *)block);
}

static void fake_write_cdf(const char *path) {
  FILE *f = fopen(path, "w");
  if (!f) return;
  fprintf(f, "ns,cumulative_fraction\n");
  for (int i = 0; i <= 10; i++) fprintf(f, "%d,%.2f\n", 100 * (1 << i), i / 10.0);
  fclose(f);
}

int main(int argc, char **argv) {
  fake_opts_t o;
  if (fake_parse(argc, argv, &o) < 0) {
    fprintf(stderr, "fake: bad arguments\n");
    return 2;
  }
  const char *name = basename(argv[0]);
  if (!strcmp(o.mode, "crash")) raise(SIGSEGV);
  if (!strcmp(o.mode, "hang")) for (;;) pause();
  if (!strcmp(o.mode, "exit3")) return 3;
  double t0 = fake_now();
  fake_hold_memory(o.mib, o.sleep_ms);
  uint64_t sum = fake_churn(o.ops, o.seed);
  double secs = fake_now() - t0;
  if (secs <= 0) secs = 1e-9;
  if (o.cdf) fake_write_cdf(o.cdf);
  printf("fake: some chatter before the result\n");
  if (!strcmp(o.mode, "noresult")) return 0;
  if (!strcmp(o.mode, "malformed")) {
    printf("RESULT workload=%s threads=%ld ops=lots\n", name, o.threads);
    return 0;
  }
  printf("RESULT workload=%s threads=%ld ops=%ld seconds=%.6f ops_per_s=%.1f "
         "live_peak_bytes=%ld checksum=%llu",
         name, o.threads, o.ops, secs, (double)o.ops / secs, o.mib << 20, (unsigned long long)sum);
  if (o.cdf) printf(" xfree_p50_ns=1600 xfree_p99_ns=100000 xfree_p999_ns=102400 xfree_max_ns=102400");
  /* Shows the harness which environment a run got (allocator variants). */
  const char *echo = getenv("AB_FAKE_ECHO");
  if (echo) printf(" fake_echo=%s", echo);
  printf("\n");
  return 0;
}
