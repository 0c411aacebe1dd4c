/* list.h - one intrusive doubly-linked list for every connection table
 * (the engine's creation-order, lingering and least-recently-used lists,
 * the Zeek session table's LRU, pcapsrc's conversation LRU).
 *
 * A tcpfsm_link lives inside the record; TCPFSM_CONTAINER_OF gets the
 * record back.  The list keeps head (oldest) and tail (newest); a link
 * that is in no list has prev == next == NULL and is not the head.
 * Everything is O(1) and allocation-free. */
#ifndef TCPFSM_LIST_H
#define TCPFSM_LIST_H

#include <stdbool.h>
#include <stddef.h>

#define TCPFSM_CONTAINER_OF(ptr, type, member) \
    ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

typedef struct tcpfsm_link {
    struct tcpfsm_link *prev, *next;
} tcpfsm_link;

typedef struct tcpfsm_list {
    tcpfsm_link *head, *tail;
} tcpfsm_list;

static inline bool tcpfsm_list_linked(const tcpfsm_list *l,
                                      const tcpfsm_link *n)
{
    return n->prev || n->next || l->head == n;
}

static inline void tcpfsm_list_append(tcpfsm_list *l, tcpfsm_link *n)
{
    n->prev = l->tail;
    n->next = NULL;
    if (l->tail)
        l->tail->next = n;
    else
        l->head = n;
    l->tail = n;
}

/* n must be in l */
static inline void tcpfsm_list_unlink(tcpfsm_list *l, tcpfsm_link *n)
{
    if (n->prev)
        n->prev->next = n->next;
    else
        l->head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        l->tail = n->prev;
    n->prev = n->next = NULL;
}

/* n (in l) becomes the newest */
static inline void tcpfsm_list_to_tail(tcpfsm_list *l, tcpfsm_link *n)
{
    if (l->tail == n)
        return;
    tcpfsm_list_unlink(l, n);
    tcpfsm_list_append(l, n);
}

#endif
