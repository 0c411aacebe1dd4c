/* heap.c - see heap.h */
#include "heap.h"

#include <stdlib.h>
#include <string.h>

#define AT(h, i) ((h)->data + (i) * (h)->size)

void tcpfsm_heap_init(tcpfsm_heap *h, size_t item_size,
                      tcpfsm_heap_less_fn less)
{
    *h = (tcpfsm_heap){.size = item_size, .less = less};
}

void tcpfsm_heap_free(tcpfsm_heap *h)
{
    free(h->data);
    tcpfsm_heap_init(h, h->size, h->less);
}

static void swap(tcpfsm_heap *h, size_t i, size_t j)
{
    unsigned char tmp[64];
    unsigned char *a = AT(h, i), *b = AT(h, j);
    for (size_t off = 0; off < h->size; off += sizeof tmp) {
        size_t n = h->size - off < sizeof tmp ? h->size - off : sizeof tmp;
        memcpy(tmp, a + off, n);
        memcpy(a + off, b + off, n);
        memcpy(b + off, tmp, n);
    }
}

static void sift_down(tcpfsm_heap *h, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->len && h->less(AT(h, l), AT(h, m)))
            m = l;
        if (r < h->len && h->less(AT(h, r), AT(h, m)))
            m = r;
        if (m == i)
            return;
        swap(h, i, m);
        i = m;
    }
}

bool tcpfsm_heap_push(tcpfsm_heap *h, const void *item)
{
    if (h->len == h->cap) {
        size_t nc = h->cap ? h->cap * 2 : 64;
        unsigned char *nd = realloc(h->data, nc * h->size);
        if (!nd)
            return false;
        h->data = nd;
        h->cap = nc;
    }
    memcpy(AT(h, h->len), item, h->size);
    size_t i = h->len++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!h->less(AT(h, i), AT(h, parent)))
            break;
        swap(h, i, parent);
        i = parent;
    }
    return true;
}

void tcpfsm_heap_pop(tcpfsm_heap *h, void *out)
{
    memcpy(out, AT(h, 0), h->size);
    h->len--;
    if (h->len) {
        memcpy(AT(h, 0), AT(h, h->len), h->size);
        sift_down(h, 0);
    }
}

void tcpfsm_heap_filter(tcpfsm_heap *h, bool (*keep)(const void *, void *),
                        void *user)
{
    size_t n = 0;
    for (size_t i = 0; i < h->len; i++)
        if (keep(AT(h, i), user)) {
            if (n != i)
                memcpy(AT(h, n), AT(h, i), h->size);
            n++;
        }
    h->len = n;
    for (size_t k = n / 2; k-- > 0;) /* heapify, bottom-up */
        sift_down(h, k);
}
