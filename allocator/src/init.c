/* Process start-up and shut-down: options, the thread-exit key, fork
 * handlers, stats at exit. Start-up runs on the first allocation, which
 * may come before any constructor (from the dynamic loader or from another
 * library's constructor), so it must not allocate before a heap exists. */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>

#include "internal.h"

bool sa_fork_child_repair;
int sa_stats_fd = -1;
static atomic_int init_state; /* 0 none, 1 running, 2 done */

void spin_lock_wait(spinlock_t *l) {
  do sched_yield();
  while (atomic_flag_test_and_set_explicit(&l->f, memory_order_acquire));
}

static void thread_done(void *heap) { heap_thread_done(heap); }

static void atfork_prepare(void) {
  spin_lock(&abandoned_visit_lock);
  heaps_atfork_prepare();
  segments_atfork_prepare();
  abandoned_atfork_prepare();
}

static void atfork_parent(void) {
  abandoned_atfork_release();
  segments_atfork_parent();
  heaps_atfork_parent();
  spin_unlock(&abandoned_visit_lock);
}

static void atfork_child(void) {
  abandoned_atfork_release();
  spin_unlock(&abandoned_visit_lock);
  background_atfork_child();
  snapshot_atfork_child();
  segments_atfork_child();
  sa_fork_child_repair = true;
  heaps_atfork_child();
  sa_fork_child_repair = false;
}

void process_init(void) {
  int expected = 0;
  if (!atomic_compare_exchange_strong(&init_state, &expected, 1)) {
    /* Another thread is initialising: wait. Our own recursion cannot get
     * here, since nothing below allocates before init_state is 2. */
    while (atomic_load(&init_state) != 2) sched_yield();
    return;
  }
  options_init();
  heap_empty_build();
  /* Programs such as coreutils close stderr in an atexit handler, before
   * our destructor prints the stats: keep a copy of it for that. */
  if (option_get(SA_OPTION_SHOW_STATS) || option_get(SA_OPTION_VERBOSE))
    sa_stats_fd = fcntl(2, F_DUPFD_CLOEXEC, 100);
  heap_key_create(thread_done);
  atomic_store(&init_state, 2);
}

/* Runs once a heap exists: pthread_atfork may allocate. */
static void process_register_fork(void) {
  static atomic_bool done;
  bool expected = false;
  if (atomic_compare_exchange_strong(&done, &expected, true)) pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

__attribute__((constructor(101))) static void process_start(void) {
  heap_get_or_init();
  process_register_fork();
}

__attribute__((destructor(101))) static void process_end(void) {
  snapshot_map_tick(true);
  if (option_get(SA_OPTION_SHOW_STATS) || option_get(SA_OPTION_VERBOSE)) {
    stats_flush_thread();
    stats_print_fd(sa_stats_fd >= 0 ? sa_stats_fd : 2);
  }
}
