/* A bounded multi-producer multi-consumer FIFO queue of blocks: a ring of
 * cells, each with a sequence number that says whose turn it is (the scheme
 * of Dmitry Vyukov's bounded MPMC queue). A push or a pop is one CAS on the
 * shared position plus one release store on the cell; no locks, and the
 * capacity is exact, any number >= 1 (not rounded to a power of two). */
#ifndef WL_QUEUE_H
#define WL_QUEUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "block.h"

/* A cell's turn says which operation may use it next: 2 * pos when it is
 * free for the push at position pos, 2 * pos + 1 when it holds the item for
 * the pop at pos. (Doubling keeps the two states apart even when the
 * capacity is 1, where pos + 1 would be both.) */
typedef struct wl_queue_cell_s {
  _Atomic uint64_t turn;
  wl_block_t item;
} wl_queue_cell_t;

/* Producers and consumers update different positions: keep them on
 * different cache lines so that the queue does not false-share itself. */
typedef struct wl_queue_s {
  _Alignas(64) _Atomic uint64_t push_pos;
  _Alignas(64) _Atomic uint64_t pop_pos;
  _Alignas(64) size_t capacity;
  wl_queue_cell_t *cells;
} wl_queue_t;

/* Exits on out of memory. */
void wl_queue_init(wl_queue_t *q, size_t capacity);
void wl_queue_destroy(wl_queue_t *q);

/* False when the queue is full / empty. */
bool wl_queue_try_push(wl_queue_t *q, const wl_block_t *item);
bool wl_queue_try_pop(wl_queue_t *q, wl_block_t *out);

/* Wait (spin, then yield) until there is room / an item. */
void wl_queue_push(wl_queue_t *q, const wl_block_t *item);
void wl_queue_pop(wl_queue_t *q, wl_block_t *out);

#endif
