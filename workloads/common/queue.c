#include "queue.h"

#include <stdlib.h>

#include "backoff.h"
#include "fail.h"

void wl_queue_init(wl_queue_t *q, size_t capacity) {
  q->cells = malloc(capacity * sizeof *q->cells);
  if (q->cells == NULL)
    wl_fail_out_of_memory(capacity * sizeof *q->cells);
  q->capacity = capacity;
  for (size_t i = 0; i < capacity; i++)
    atomic_init(&q->cells[i].turn, 2 * i);
  atomic_init(&q->push_pos, 0);
  atomic_init(&q->pop_pos, 0);
}

void wl_queue_destroy(wl_queue_t *q) {
  free(q->cells);
  q->cells = NULL;
}

/* Claims the next position for a push (is_pop 0) or a pop (1) when its cell
 * shows that turn. A cell that lags behind means full (push) or empty (pop);
 * one ahead means another thread took this position: try the next. Returns
 * the claimed cell or NULL. */
static wl_queue_cell_t *wl_queue_claim(wl_queue_t *q, _Atomic uint64_t *position, uint64_t is_pop,
                                       uint64_t *claimed) {
  uint64_t pos = atomic_load_explicit(position, memory_order_relaxed);
  for (;;) {
    wl_queue_cell_t *cell = &q->cells[pos % q->capacity];
    uint64_t turn = atomic_load_explicit(&cell->turn, memory_order_acquire);
    int64_t lag = (int64_t)(turn - (2 * pos + is_pop));
    if (lag == 0) {
      if (atomic_compare_exchange_weak_explicit(position, &pos, pos + 1, memory_order_relaxed,
                                                memory_order_relaxed)) {
        *claimed = pos;
        return cell;
      }
    } else if (lag < 0) {
      return NULL;
    } else {
      pos = atomic_load_explicit(position, memory_order_relaxed);
    }
  }
}

bool wl_queue_try_push(wl_queue_t *q, const wl_block_t *item) {
  uint64_t pos;
  wl_queue_cell_t *cell = wl_queue_claim(q, &q->push_pos, 0, &pos);
  if (cell == NULL)
    return false;
  cell->item = *item;
  atomic_store_explicit(&cell->turn, 2 * pos + 1, memory_order_release);
  return true;
}

bool wl_queue_try_pop(wl_queue_t *q, wl_block_t *out) {
  uint64_t pos;
  wl_queue_cell_t *cell = wl_queue_claim(q, &q->pop_pos, 1, &pos);
  if (cell == NULL)
    return false;
  *out = cell->item;
  /* The next push that lands on this cell is the one a full lap later. */
  atomic_store_explicit(&cell->turn, 2 * (pos + q->capacity), memory_order_release);
  return true;
}

void wl_queue_push(wl_queue_t *q, const wl_block_t *item) {
  wl_backoff_t backoff = {0};
  while (!wl_queue_try_push(q, item))
    wl_backoff_wait(&backoff);
}

void wl_queue_pop(wl_queue_t *q, wl_block_t *out) {
  wl_backoff_t backoff = {0};
  while (!wl_queue_try_pop(q, out))
    wl_backoff_wait(&backoff);
}
