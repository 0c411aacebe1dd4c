/* hints.h - messages for an input that is not what tcpfsm reads. */
#ifndef TCPFSM_HINTS_H
#define TCPFSM_HINTS_H

#include <stdbool.h>
#include <stdio.h>

/* The header line of NAME is unusable: when it looks like something else
 * (JSON, CSV, an export without a header, a tcpfsm summary, a text file),
 * says so on stderr with what to run instead and returns true; false for
 * a real export header with a column missing (the caller's message). */
bool hint_header(const char *name, const char *line, const char *capture);

#endif
