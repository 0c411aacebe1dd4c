/* tsv.h - reader for `tshark -T fields -E header=y` exports.
 * No TCP rules here: it only turns text cells into a tcpfsm_segment. */
#ifndef TCPFSM_TSV_H
#define TCPFSM_TSV_H

#include <stdio.h>
#include <sys/types.h>

#include "tcpfsm.h"
#include "tcpfsm_fields.h"
#include "tcpfsm_input.h"

typedef struct tsv_reader {
    FILE *fp;
    const char *name;  /* file name for messages ("-" = stdin) */
    unsigned long long line_no;
    char *line;
    size_t cap;
    size_t len;        /* length of the current line, without the end */
    int has_nul;       /* the current line holds a NUL byte */
    int ncols;         /* columns in the header */
    char **colnames;
    char *header;      /* the header line as read (without the end) */
    int col_of[TCPFSM_F_COUNT]; /* column index, or -1 */
    char **cells;      /* cells of the current row (point into line) */
    int ncells;
    int cells_cap;
    int no_commas;     /* 1: the current row has no ',' (tsv_next) */
    /* the last frame.protocols text and whether an IP layer follows its
     * TCP (tsv_parse): most rows repeat it */
    int ip_in_tcp_valid, ip_in_tcp;
    size_t ip_in_tcp_len;
    char ip_in_tcp_text[120];
    int rewritten;     /* tsv_parse narrowed a cell to one occurrence */
    unsigned asked;    /* the fields (1 << TCPFSM_F_*) the fill asked for */
} tsv_reader;

/* Result codes */
enum {
    TSV_ROW = 1,      /* a row was read */
    TSV_EOF = 0,
    TSV_EREAD = -1,   /* read error: errno */
    TSV_EHEADER = -2, /* header unusable: message in err */
};

/* Reads the header line and maps columns.  On TSV_EHEADER, err says what
 * is wrong (missing column, duplicate column, empty input). */
int tsv_open(tsv_reader *r, FILE *fp, const char *name, char *err,
             size_t errsize);
/* Reads the next row and splits it into cells.  A row with a NUL byte or
 * the wrong number of cells is still returned: tsv_parse reports it. */
int tsv_next(tsv_reader *r);
/* Parses the current row with tcpfsm_segment_fill().  Returns 1 for a TCP
 * segment (seg filled), 0 for a row that is not TCP (no tcp.srcport, or a
 * header quoted in an ICMP error), -1 for a bad row: err then holds
 * "field: reason" (tcpfsm_input_error_str) or "row: reason". */
int tsv_parse(tsv_reader *r, tcpfsm_segment *seg, char *err, size_t errsize);
void tsv_close(tsv_reader *r);

/* Name of field id (tshark name). */
const char *tsv_field_name(int id);
int tsv_field_required(int id);

#endif
