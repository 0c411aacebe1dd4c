/* live.h - live capture (-i IFACE) and the signals that end it. */
#ifndef TCPFSM_LIVE_H
#define TCPFSM_LIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "pcapsrc.h"

/* Opens IFACE with the capture FILTER (NULL: none) for the direct
 * decoder; SIGINT/SIGTERM then end the capture (pcapsrc_next returns the
 * end of the input).  NULL after a message on stderr (rights missing,
 * no such interface, a bad filter): *status is the exit code (66, 64). */
pcapsrc *live_open(const char *iface, const char *filter, char *err,
                   size_t errsize, int *status);
/* The live capture's pcapsrc is closed: forget its handle. */
void live_close(void);
/* A descriptor that is readable when packets wait, or -1. */
int live_wait_fd(const pcapsrc *p);
/* SIGINT/SIGTERM end a --follow too */
void live_catch_signals(void);
/* the signal that asked to stop, or 0 */
int live_stopped(void);

#endif
