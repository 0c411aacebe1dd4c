/* heap.h - one binary min-heap of fixed-size items in a growing array
 * (the Zeek session table's timer queue).  The caller gives the item
 * size and a strict "less" order; ties keep no order of their own, so
 * an order that must be FIFO among equals carries a serial number. */
#ifndef TCPFSM_HEAP_H
#define TCPFSM_HEAP_H

#include <stdbool.h>
#include <stddef.h>

typedef bool (*tcpfsm_heap_less_fn)(const void *x, const void *y);

typedef struct tcpfsm_heap {
    unsigned char *data;
    size_t len, cap, size;
    tcpfsm_heap_less_fn less;
} tcpfsm_heap;

void tcpfsm_heap_init(tcpfsm_heap *h, size_t item_size,
                      tcpfsm_heap_less_fn less);
void tcpfsm_heap_free(tcpfsm_heap *h);
/* false when out of memory (the heap is unchanged) */
bool tcpfsm_heap_push(tcpfsm_heap *h, const void *item);
/* the least item, NULL when empty */
static inline void *tcpfsm_heap_top(const tcpfsm_heap *h)
{
    return h->len ? h->data : NULL;
}
/* removes the least item into *out (the heap must not be empty) */
void tcpfsm_heap_pop(tcpfsm_heap *h, void *out);
/* keeps only the items keep() accepts, then restores the heap order */
void tcpfsm_heap_filter(tcpfsm_heap *h, bool (*keep)(const void *, void *),
                        void *user);
static inline void tcpfsm_heap_clear(tcpfsm_heap *h) { h->len = 0; }

#endif
