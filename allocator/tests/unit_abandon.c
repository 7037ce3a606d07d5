/* The abandoned-segment list: a thread that needs a segment takes over
 * exactly one, the one abandoned last, and the others stay on the list for
 * other threads; and the background thread's visit, which takes them one
 * at a time, frees every one that remote frees emptied. (A list taken out
 * whole hid them all from other threads, which mapped fresh segments.)
 * An exiting thread's emptied page kept for a size travels with its
 * abandoned segment and serves the next owner. A new thread whose first
 * call frees a block of an abandoned segment adopts that segment, not the
 * front one; a thread that owns a segment adopts nothing by freeing. */
#include <pthread.h>
#include <semaphore.h>
#include <time.h>

#include "internal.h"
#include "unit_test.h"

#define OWNERS 3
#define BLOCK 1000 /* a small page: the owner's first page opens its segment */

/* A thread that allocates one block and exits only when told to. */
typedef struct holder_s {
  pthread_t thread;
  void *block;
  sem_t ready, go;
} holder_t;

static void *holder_main(void *arg) {
  holder_t *h = arg;
  h->block = sa_malloc(BLOCK);
  sem_post(&h->ready);
  sem_wait(&h->go);
  return NULL; /* exits with its block live: its segment is abandoned */
}

static void holder_start(holder_t *h) {
  sem_init(&h->ready, 0, 0);
  sem_init(&h->go, 0, 0);
  pthread_create(&h->thread, NULL, holder_main, h);
  sem_wait(&h->ready);
}

static void holder_exit(holder_t *h) {
  sem_post(&h->go);
  pthread_join(h->thread, NULL);
}

static sa_stats_t stats_now(void) {
  sa_stats_t st;
  sa_stats_get(&st);
  return st;
}

/* Threads for the kept-page checks: each runs one step and exits. */
#define KEPT_SIZE 48
static void *kept_live, *kept_freed, *kept_reused;

static void *exit_with_kept_page(void *arg) {
  (void)arg;
  kept_live = sa_malloc(BLOCK);      /* stays live: the segment is abandoned */
  kept_freed = sa_malloc(KEPT_SIZE); /* the lone page of its size, kept when it empties */
  sa_free(kept_freed);
  return NULL;
}

static void *reuse_kept_page(void *arg) {
  (void)arg;
  kept_reused = sa_malloc(KEPT_SIZE);
  return NULL; /* exits with it live */
}

static void *exit_with_nothing_live(void *arg) {
  (void)arg;
  sa_free(sa_malloc(KEPT_SIZE));
  return NULL;
}

static void run_thread(void *(*fn)(void *)) {
  pthread_t t;
  pthread_create(&t, NULL, fn, NULL);
  pthread_join(t, NULL);
}

/* The emptied page an exiting thread kept for a size goes with its
 * abandoned segment, and the next owner's first malloc of that size is
 * served from it, not from a new page. Returns the blocks left live. */
static void check_kept_pages(void **live, void **reused) {
  run_thread(exit_with_kept_page);
  page_t *kept = page_of(segment_of(kept_freed), kept_freed);
  EXPECT(kept->is_used && kept->block_size >= KEPT_SIZE && page_live(kept) == 0,
         "the kept page of an exited thread is still a page (used %u, block size %zu)", kept->used,
         (size_t)kept->block_size);
  run_thread(reuse_kept_page);
  EXPECT(page_of(segment_of(kept_reused), kept_reused) == kept,
         "the next owner's first malloc of that size is served by the kept page");
  *live = kept_live;
  *reused = kept_reused;
}

/* A thread that fills one page of a size and puts one block on a
 * second, hands them all over and exits only when told to: the main
 * thread frees them remotely meanwhile, so that the pages empty without
 * their owner seeing it. */
typedef struct filler_s {
  holder_t h;
  size_t size; /* a bin no other check here uses: the thread may take over
                  a segment with pages of the bins used before */
  void *blocks[1024]; /* a page of 96-byte blocks holds 682 */
  size_t count;
} filler_t;

static void *filler_main(void *arg) {
  filler_t *f = arg;
  f->h.block = sa_malloc(BLOCK); /* stays live: the segment is abandoned */
  f->blocks[0] = sa_malloc(f->size);
  size_t per_page = page_of(segment_of(f->blocks[0]), f->blocks[0])->reserved;
  if (per_page >= sizeof f->blocks / sizeof f->blocks[0]) abort();
  for (f->count = 1; f->count <= per_page; f->count++) f->blocks[f->count] = sa_malloc(f->size);
  sem_post(&f->h.ready);
  sem_wait(&f->h.go);
  return NULL;
}

static bool page_still_used(void *p, size_t size) {
  page_t *page = page_of(segment_of(p), p);
  return page->is_used && page->block_size >= size && page->block_size < size + 16;
}

/* Pages emptied by remote frees go at exit too, but for the first of
 * their bin, which stays with the segment whether or not it was pinned:
 * here the full one, unpinned when it left its queue. With both emptied,
 * one stays. */
static void check_exit_keeps_one_page_per_bin(void **live) {
  for (int both = 0; both <= 1; both++) {
    filler_t f = {.size = both ? 96 : 112};
    sem_init(&f.h.ready, 0, 0);
    sem_init(&f.h.go, 0, 0);
    pthread_create(&f.h.thread, NULL, filler_main, &f);
    sem_wait(&f.h.ready);
    void *first = f.blocks[0], *last = f.blocks[f.count - 1];
    EXPECT(page_of(segment_of(first), first) != page_of(segment_of(last), last), "the last block opened a second page");
    for (size_t i = 0; i + 1 < f.count; i++) sa_free(f.blocks[i]);
    if (both) sa_free(last);
    holder_exit(&f.h);
    if (both) {
      EXPECT(page_still_used(first, f.size) + page_still_used(last, f.size) == 1,
             "one of two emptied pages stays (%d, %d)", page_still_used(first, f.size), page_still_used(last, f.size));
    } else {
      EXPECT(page_still_used(first, f.size), "the full page emptied by remote frees stays with its segment");
      EXPECT(page_still_used(last, f.size), "the page with a live block stays");
    }
    live[2 * both] = f.h.block;
    live[2 * both + 1] = both ? NULL : last;
  }
}

/* A new thread whose first call frees a block of an abandoned segment
 * takes that segment over (its heir), not the one at the list's front. */
static void *heir_inherited, *heir_block;

static void *heir_main(void *arg) {
  (void)arg;
  sa_free(heir_inherited);
  heir_block = sa_malloc(BLOCK);
  return NULL; /* exits with it live */
}

static void check_heir_adopts(void *inherited) {
  sa_stats_t before = stats_now();
  EXPECT(before.segments_abandoned >= 2, "several segments are abandoned (%lld)", (long long)before.segments_abandoned);
  EXPECT(!segment_of(inherited)->in_abandoned || segment_of(inherited)->abandoned_prev != NULL,
         "the inherited block's segment is not the front one");
  heir_inherited = inherited;
  run_thread(heir_main);
  sa_stats_t st = stats_now();
  EXPECT(segment_of(heir_block) == segment_of(inherited), "the heir's malloc is served by the segment it freed into");
  EXPECT(st.segments_reclaimed - before.segments_reclaimed == 1, "the heir took over one segment (%lld)",
         (long long)(st.segments_reclaimed - before.segments_reclaimed));
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

int main(void) {
  sa_option_set(SA_OPTION_BACKGROUND, 0); /* only these threads touch the list, until the end */
  void *mine = sa_malloc(16); /* this thread's heap: with the starter's, two (background_maybe_start) */
  holder_t owners[OWNERS];
  /* All alive at once, so that each maps a segment of its own... */
  for (int i = 0; i < OWNERS; i++) holder_start(&owners[i]);
  for (int i = 0; i < OWNERS; i++)
    for (int j = 0; j < i; j++)
      EXPECT(segment_of(owners[i].block) != segment_of(owners[j].block), "owners %d and %d share a segment", i, j);
  /* ...and they exit in order 0, 1, 2. */
  sa_stats_t before = stats_now();
  for (int i = 0; i < OWNERS; i++) holder_exit(&owners[i]);
  sa_stats_t after = stats_now();
  EXPECT(after.segments_abandoned - before.segments_abandoned == OWNERS, "%d exits abandoned %lld segments", OWNERS,
         (long long)(after.segments_abandoned - before.segments_abandoned));

  /* A new thread takes over exactly one, the last abandoned; the others
   * stay listed, and the next new thread gets the one before. */
  holder_t a, b;
  holder_start(&a);
  sa_stats_t st = stats_now();
  EXPECT(segment_of(a.block) == segment_of(owners[2].block), "a new thread reclaims the segment abandoned last");
  EXPECT(st.segments_reclaimed - after.segments_reclaimed == 1 && st.segments_abandoned == after.segments_abandoned - 1,
         "one reclaim leaves the rest listed: %lld reclaimed, %lld abandoned",
         (long long)(st.segments_reclaimed - after.segments_reclaimed), (long long)st.segments_abandoned);
  holder_start(&b);
  EXPECT(segment_of(b.block) == segment_of(owners[1].block), "the next new thread reclaims the one before");
  holder_exit(&a);
  holder_exit(&b);
  void *kept_block, *reused_block, *filled[4];
  check_kept_pages(&kept_block, &reused_block);
  check_exit_keeps_one_page_per_bin(filled);
  check_heir_adopts(owners[0].block);

  /* A thread with a segment of its own frees remotely: nothing is adopted. */
  void *blocks[] = {heir_block, owners[1].block, owners[2].block, a.block, b.block, kept_block, reused_block,
                    filled[0], filled[1], filled[2], filled[3]};
  sa_stats_t listed = stats_now();
  for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) sa_free(blocks[i]);
  st = stats_now();
  EXPECT(st.segments_reclaimed == listed.segments_reclaimed && st.segments_abandoned == listed.segments_abandoned,
         "remote frees by a thread that owns a segment adopt nothing (%lld reclaimed)",
         (long long)(st.segments_reclaimed - listed.segments_reclaimed));

  /* Remote frees empty every abandoned segment; the background visit must
   * then find and free each of them. */
  sa_option_set(SA_OPTION_BACKGROUND, 1);
  holder_t starter; /* a second heap starts the background thread */
  holder_start(&starter);
  sa_free(starter.block);
  holder_exit(&starter);
  for (int waited = 0; waited < 3000 && stats_now().segments_abandoned != 0; waited += 10) sleep_ms(10);
  st = stats_now();
  EXPECT(st.segments_abandoned == 0, "the background visit frees the emptied abandoned segments: %lld left",
         (long long)st.segments_abandoned);

  /* With the list empty, a thread maps a segment of its own; with nothing
   * live at its exit, the page it kept goes and so does the segment. */
  sa_option_set(SA_OPTION_BACKGROUND, 0);
  run_thread(exit_with_nothing_live);
  st = stats_now();
  EXPECT(st.segments_abandoned == 0, "a thread with nothing live abandons nothing: %lld abandoned",
         (long long)st.segments_abandoned);
  sa_free(mine);
  UNIT_DONE("unit_abandon");
}
