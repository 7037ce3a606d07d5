/* fork_threads: a process whose worker threads allocate and free without
 * pause forks 100 times. Fork can land while a worker is anywhere inside
 * the allocator; the child (one thread, copies of every heap) must still
 * allocate, free, realloc, free blocks that the parent's workers allocated,
 * and in every tenth child start a thread of its own that allocates too.
 * The parent checks each child's exit status; a child that hangs (a lock
 * held across fork) is killed after a timeout and reported.
 *
 * Goes through the plain malloc API of libsegalloc.so, which it is linked
 * against; it checks that malloc really resolves there.
 *
 * usage: fork_threads [forks=100] */
#include "support/tst_block.h"
#include "support/tst_check.h"
#include "support/tst_proc.h"
#include "support/tst_queue.h"
#include "support/tst_rng.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define FORK_WORKERS 4
#define FORK_WORKER_RING 16 /* blocks a worker keeps before freeing */
#define FORK_HANDOVER_CAP 64
#define FORK_HANDED_PER_CHILD 8
#define FORK_CHILD_BLOCKS 200
#define FORK_THREAD_EVERY 10 /* every tenth child starts a thread */
#define FORK_CHILD_TIMEOUT_MS 10000
#define FORK_KIB ((size_t)1 << 10)

static atomic_bool fork_stop;
static tst_queue_t fork_handover; /* worker blocks for the main thread */

static size_t fork_pick_size(uint64_t *rng) {
  uint64_t r = tst_rng_below(rng, 100);
  if (r < 40) return 64 * FORK_KIB;
  if (r < 90) return tst_rng_size_between(rng, 8, 8 * FORK_KIB);
  return tst_rng_size_between(rng, 8 * FORK_KIB, 2048 * FORK_KIB);
}

static tst_block_t fork_new_block(uint64_t *rng, uint64_t id) {
  tst_block_t b = {.size = fork_pick_size(rng), .id = id};
  b.p = malloc(b.size);
  if (b.p == NULL) tst_fail("malloc(%zu) returned NULL", b.size);
  tst_block_fill(&b);
  return b;
}

static void fork_free_block(const tst_block_t *b, const char *where) {
  tst_block_verify(b, where);
  free(b->p);
}

static void *fork_worker_main(void *arg) {
  uint64_t index = (uint64_t)(uintptr_t)arg;
  uint64_t rng = index + 17;
  tst_block_t ring[FORK_WORKER_RING] = {{0}};
  for (uint64_t n = 0; !atomic_load_explicit(&fork_stop, memory_order_relaxed); n++) {
    tst_block_t *slot = &ring[n % FORK_WORKER_RING];
    if (slot->p != NULL) fork_free_block(slot, "worker free");
    *slot = fork_new_block(&rng, index << 48 | n);
    if (n % 8 == 0 && tst_queue_try_push(&fork_handover, slot)) slot->p = NULL;
  }
  for (size_t i = 0; i < FORK_WORKER_RING; i++)
    if (ring[i].p != NULL) fork_free_block(&ring[i], "worker free at the end");
  return NULL;
}

/* What a forked child's own thread does: allocate, then hand its blocks
 * back to the child's main thread, which frees them after the join. */
static void *fork_child_thread_main(void *arg) {
  tst_block_t *out = arg;
  uint64_t rng = 99;
  for (size_t i = 0; i < FORK_HANDED_PER_CHILD; i++) {
    tst_block_t scratch = fork_new_block(&rng, UINT64_C(3) << 60 | i);
    fork_free_block(&scratch, "child thread's own free");
    out[i] = fork_new_block(&rng, UINT64_C(2) << 60 | i);
  }
  return NULL;
}

static void fork_child_allocate(unsigned child) {
  uint64_t rng = child;
  tst_block_t blocks[FORK_CHILD_BLOCKS];
  for (size_t i = 0; i < FORK_CHILD_BLOCKS; i++) blocks[i] = fork_new_block(&rng, UINT64_C(1) << 60 | i);
  for (size_t i = 0; i < FORK_CHILD_BLOCKS; i += 2) {
    size_t grown = blocks[i].size * 2 + 1;
    void *q = realloc(blocks[i].p, grown);
    if (q == NULL) tst_fail("child %u: realloc to %zu returned NULL", child, grown);
    tst_block_t moved = {.p = q, .size = grown, .id = blocks[i].id};
    tst_block_verify_prefix(&moved, blocks[i].size, "child realloc");
    tst_pattern_fill(q, blocks[i].size, grown, moved.id);
    blocks[i] = moved;
  }
  for (size_t i = 0; i < FORK_CHILD_BLOCKS; i++) fork_free_block(&blocks[i], "child free");
}

static void fork_child_run_thread(unsigned child) {
  tst_block_t from_thread[FORK_HANDED_PER_CHILD];
  pthread_t thread;
  if (pthread_create(&thread, NULL, fork_child_thread_main, from_thread) != 0)
    tst_fail("child %u: pthread_create failed", child);
  pthread_join(thread, NULL);
  for (size_t i = 0; i < FORK_HANDED_PER_CHILD; i++)
    fork_free_block(&from_thread[i], "child free of its thread's block");
}

static void fork_child_main(unsigned child, const tst_block_t *handed, size_t nhanded) {
  for (size_t i = 0; i < nhanded; i++) fork_free_block(&handed[i], "child free of a parent worker's block");
  fork_child_allocate(child);
  if (child % FORK_THREAD_EVERY == 0) fork_child_run_thread(child);
  _exit(0);
}

static void fork_wait_child(pid_t pid, unsigned child) {
  int status = 0;
  for (unsigned waited = 0;; waited++) {
    pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0) tst_fail("waitpid for child %u: %s", child, strerror(errno));
    if (waited >= FORK_CHILD_TIMEOUT_MS) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      tst_fail("child %u still running after %d ms: deadlocked after fork?", child, FORK_CHILD_TIMEOUT_MS);
    }
    tst_sleep_ms(1);
  }
  if (WIFSIGNALED(status)) tst_fail("child %u killed by signal %d (%s)", child, WTERMSIG(status), strsignal(WTERMSIG(status)));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    tst_fail("child %u exited with status %d (its message is above)", child, WEXITSTATUS(status));
}

static void fork_one_child(unsigned child) {
  tst_block_t handed[FORK_HANDED_PER_CHILD];
  size_t nhanded = 0;
  while (nhanded < FORK_HANDED_PER_CHILD && tst_queue_try_pop(&fork_handover, &handed[nhanded])) nhanded++;
  pid_t pid = fork();
  if (pid < 0) tst_fail("fork %u: %s", child, strerror(errno));
  if (pid == 0) fork_child_main(child, handed, nhanded);
  fork_wait_child(pid, child);
  for (size_t i = 0; i < nhanded; i++) fork_free_block(&handed[i], "parent free of a worker's block");
}

static void fork_check_linked_allocator(void) {
  Dl_info info;
  void *(*volatile malloc_fn)(size_t) = malloc;
  if (dlsym(RTLD_DEFAULT, "sa_version") == NULL || dladdr((void *)malloc_fn, &info) == 0 ||
      info.dli_fname == NULL || strstr(info.dli_fname, "segalloc") == NULL)
    tst_fail("malloc does not resolve into libsegalloc: the test would only exercise glibc");
}

int main(int argc, char **argv) {
  tst_init("fork_threads");
  if (argc > 2) tst_usage_error("usage: fork_threads [forks]");
  unsigned forks = (unsigned)tst_arg_u64(argc, argv, 1, "forks", 100, 1, 100000);
  fork_check_linked_allocator();
  tst_queue_init(&fork_handover, FORK_HANDOVER_CAP);
  pthread_t workers[FORK_WORKERS];
  for (uintptr_t i = 0; i < FORK_WORKERS; i++)
    if (pthread_create(&workers[i], NULL, fork_worker_main, (void *)i) != 0) tst_fail("pthread_create failed");
  for (unsigned child = 0; child < forks; child++) fork_one_child(child);
  atomic_store(&fork_stop, true);
  for (size_t i = 0; i < FORK_WORKERS; i++) pthread_join(workers[i], NULL);
  tst_block_t b;
  while (tst_queue_try_pop(&fork_handover, &b)) fork_free_block(&b, "parent free at the end");
  tst_queue_destroy(&fork_handover);
  printf("fork_threads: OK forks=%u (every %dth child with a thread of its own)\n", forks, FORK_THREAD_EVERY);
  return 0;
}
