/* input.h - open a command's INPUT the way every tcpfsm command reads it:
 * a `tshark -T fields -E header=y` export (a path, or "-"/NULL for
 * standard input), or a pcap/pcapng capture, read directly (pcapsrc.c)
 * or, when pcapsrc cannot decode it or with --via-tshark, exported by
 * tshark (run without a shell, its output streamed).  Rows come out as
 * segments; with opts.cells, `in->rd` holds each row's columns (for a
 * capture read directly, the columns tshark would have exported).  Bad
 * rows are reported on stderr (the first 20, then a count) and skipped,
 * or stop the run under --strict.
 *
 * Messages and exit codes are those of the README ("Bad input"):
 *
 *   input in;
 *   input_opts o = {.tshark = "tshark", .strict = strict};
 *   int rc = input_open(&in, path, &o);
 *   if (rc) return rc;                       // nothing to close
 *   while ((r = input_next(&in, &seg)) >= 0)
 *       ...;                                 // 1 segment, 0 other row
 *   rc = input_close(&in, r == INPUT_FAIL ? in.status : TCPFSM_EXIT_OK);
 *   rc = input_report(&in, rc);              // after the output is flushed
 */
#ifndef TCPFSM_INPUT_H
#define TCPFSM_INPUT_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

#include "pcapsrc.h"
#include "tcpfsm.h"
#include "tshark.h"
#include "tsv.h"

/* the tool's exit codes (sysexits.h values where one fits) */
enum tcpfsm_exit {
    TCPFSM_EXIT_OK = 0,
    TCPFSM_EXIT_NOMATCH = 1,     /* ladder: no connection matched */
    TCPFSM_EXIT_SKIPPED = 2,     /* finished, but bad rows were skipped */
    TCPFSM_EXIT_USAGE = 64,
    TCPFSM_EXIT_DATAERR = 65,    /* header unusable, or bad row + --strict */
    TCPFSM_EXIT_NOINPUT = 66,
    TCPFSM_EXIT_UNAVAILABLE = 69, /* tshark missing or failed, or the
                                     capture cut short */
    TCPFSM_EXIT_SOFTWARE = 70,   /* batch: the run of an input crashed */
    TCPFSM_EXIT_IOERR = 74,
};

#define INPUT_MAX_SHOWN_ERRORS 20

typedef struct input_opts {
    const char *tshark; /* the tshark to run */
    bool checksums;     /* verify TCP checksums (summary --zeek) */
    bool strict;        /* a bad row stops the run (65) */
    bool via_tshark;    /* --via-tshark: never read a capture directly */
    bool cells;         /* fill in->rd with each row's columns (annotate) */
    bool quiet;         /* --quiet: no progress line */
    FILE *flush_idle;   /* flushed whenever the input has nothing more to
                           read right now (a pipe or a live capture that
                           waits: each row leaves as its segment comes) */
    bool live;          /* the path names an interface (-i) */
    const char *live_filter; /* live capture: the capture filter */
    bool follow;        /* a capture file that grows: wait for more,
                           until SIGINT/SIGTERM */
    int threads;        /* --threads: 2 or more runs input_run_engine as a
                           pipeline (tool/pipeline.c) where it can: a
                           reader thread (input_next) and the engine; 0 or
                           1: one thread */
    bool rows_silent;   /* input_run_engine's ROW callback writes nothing
                           (summary): the pipeline's reader thread may
                           write the summaries */
} input_opts;

typedef struct input {
    tsv_reader rd;          /* the header and the current row */
    char *name;             /* for messages: "-", PATH, "PATH (tshark)" */
    const char *capture;    /* the capture file, or NULL */
    FILE *fp;               /* a TSV file we opened (closed by us) */
    bool via_tshark;
    tshark_proc tp;
    pcapsrc *pc;            /* a capture read directly */
    input_opts o;
    int status;             /* the exit code after INPUT_FAIL */
    unsigned long long rows;     /* rows used (segments and other rows) */
    unsigned long long bad_rows; /* rows skipped */
    unsigned long long backwards; /* segments whose frame number went back */
    unsigned long long last_frame;  /* the last segment's frame number */
    bool any_segment;
    unsigned long long cur_frame;   /* the frame pcapsrc returned last */
    unsigned long long skip_until;  /* after a switch to tshark: frames
                                       already read directly */
    /* progress (stderr on a terminal, after a second) */
    bool progress;
    bool progress_shown;
    int64_t t0, t_next;
    uint64_t total_bytes;
    /* input_run_engine: the columns of the row its ROW callback is given
     * (&rd, or in a pipeline the row's copy) */
    const tsv_reader *row;
    /* pipeline: called before a switch to tshark replaces rd's columns */
    void (*before_switch)(void *ctx);
    void *switch_ctx;
} input;

/* Opens INPUT and reads its header.  Returns TCPFSM_EXIT_OK, or an exit
 * code after a message on stderr (66 cannot open, 69 tshark cannot run,
 * 65 unusable header, with the tshark command to export the right
 * fields); then `in` holds nothing to close.  A capture pcapsrc cannot
 * decode goes through tshark, with a note on stderr. */
int input_open(input *in, const char *path, const input_opts *o);

/* Seconds before a progress line appears: 1, or $TCPFSM_PROGRESS_AFTER
 * (for the tests). */
double input_progress_after(void);

/* The columns tshark would have exported for the frame pcapsrc just
 * returned, in the order of `tcpfsm fields`, written into buf: cells[f]
 * points at field f's text.  streams: fill tcp.stream.  bufsize: at least
 * 1024 (the longest row: four IPv6 addresses, a 256-byte frame.protocols,
 * the numbers, is under 800 bytes). */
/* pcapsrc's stream-rule question (pcapsrc_set_stream_rule_cb) answered by
 * the tshark at CTX (a path, or NULL for "tshark" on PATH): 40 when its
 * `-v` says a Wireshark up to 4.0, else 42. */
int input_tshark_stream_rule(void *ctx);

void input_pcap_cells(pcapsrc *p, const tcpfsm_segment *seg, bool streams,
                      char *buf, size_t bufsize, char **cells);

enum {
    INPUT_SEGMENT = 1, /* a TCP segment: seg filled, in->rd holds its row */
    INPUT_OTHER = 0,   /* a row that is not TCP (passes through) */
    INPUT_END = -1,    /* end of input */
    INPUT_FAIL = -2,   /* read error (66) or a bad row under --strict
                          (65): in->status, message printed */
};
/* The next usable row; bad rows are reported and skipped. */
int input_next(input *in, tcpfsm_segment *seg);

/* Closes the input and waits for tshark.  Returns `status`, or 69 when
 * status is 0 and tshark failed or the capture was cut short (message
 * printed: the rows before were used). */
int input_close(input *in, int status);

/* One run of the rule engine over the input, the loop every command
 * shares: starts an engine with CFG (a failure is reported with its errno:
 * 70), feeds it every segment and calls ROW for each row: SEG and LAB for
 * a labelled segment, SEG and NULL for a segment the engine did not
 * label, NULL and NULL for a row that is not TCP.  Unless a bad row ended
 * the run under --strict (65), BEFORE_FINISH, tcpfsm_engine_finish (the
 * remaining summaries) and AFTER_FINISH follow; hooks may be NULL.
 * *EVICTED (when not NULL) gets the engine's eviction count.  Returns
 * input_close's status. */
typedef void (*input_row_fn)(void *user, const tcpfsm_segment *seg,
                             const tcpfsm_label *lab);
typedef void (*input_hook_fn)(void *user);
int input_run_engine(input *in, const tcpfsm_config *cfg, input_row_fn row,
                     input_hook_fn before_finish, input_hook_fn after_finish,
                     void *user, uint64_t *evicted);

/* The pipeline (tool/pipeline.c), for input_run_engine.  pipeline_new:
 * NULL unless IN can be read by a thread of its own (o.threads >= 2, a
 * regular file read directly or a TSV export in a regular file; not live,
 * --follow or --via-tshark).  pipeline_config, before the engine starts:
 * with o.rows_silent, the reader thread writes the summaries of CFG's
 * on_summary (taken over; in the order the engine gives them).
 * pipeline_run feeds ENG in capture order as input_run_engine's loop does
 * and returns its status (0, or in->status after INPUT_FAIL); -1 when the
 * reader thread cannot start (nothing read: run the one-thread loop).
 * pipeline_free after tcpfsm_engine_finish (NULL is fine). */
typedef struct pipeline pipeline;
pipeline *pipeline_new(input *in);
void pipeline_config(pipeline *p, tcpfsm_config *cfg);
int pipeline_run(pipeline *p, tcpfsm_engine *eng, input_row_fn row, void *user);
void pipeline_free(pipeline *p);

/* At the very end: when rows were skipped and status is 0, prints the
 * count of skipped rows and returns TCPFSM_EXIT_SKIPPED (2); else status.
 * Frees what input_close left (the name). */
int input_report(input *in, int status);

#endif
