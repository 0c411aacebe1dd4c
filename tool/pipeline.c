/* pipeline.c - `--threads N`: input_run_engine as a two-stage pipeline.
 *
 * A reader thread runs input_next() (pcapsrc's decoding and tcp.stream
 * numbering, or the TSV parse; the checks, the messages about bad rows,
 * the progress line) and packs what it returns into batches: each row's
 * tcpfsm_segment and, for annotate, a copy of its columns.  The calling
 * thread feeds the engine from the batches in the order they were read
 * and calls the ROW callback for each row, so the output is the one of a
 * single thread, byte for byte: the engine, its connection table, its
 * eviction order (--max-open), its lingering connections and its Zeek
 * session table stay in one thread and see the segments in capture order.
 * (Shards of the engine by flow hash could not give that output: those
 * limits and timers are global to the connection table.)
 *
 * The batches are a ring of PIPE_BATCHES buffers, allocated once and
 * reused: one lock and at most one wake-up a batch, none a row.  A
 * switch to tshark in the middle of a capture (input.c, switch_to_tshark)
 * replaces the columns' names: the reader first waits until the engine
 * thread has used every batch, so that no row points at names freed.
 *
 * summary writes nothing per row: there the engine thread hands the
 * connections' summaries back with the batch they came out of, and the
 * reader thread formats and writes them when it takes the batch again
 * (batches go round in order, so the summaries stay in the engine's
 * order); the last ones are written by the engine thread after the
 * reader's end.  That moves the writing (about a tenth of the engine
 * thread's time) to the thread with time to spare.
 *
 * Not threaded (input_run_engine's own loop): live captures (-i) and
 * ladder's --follow (a row must leave as its packet comes), a pipe or a
 * FIFO, standard input included (rows leave whenever the input has
 * nothing more to read), and
 * --via-tshark (tshark, a process of its own, already reads in
 * parallel).
 */
#include "input.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

enum { PIPE_BATCHES = 4 };

/* one row of a batch */
typedef struct prow {
    tcpfsm_segment seg;
    int kind;       /* INPUT_SEGMENT or INPUT_OTHER */
    int ncells;     /* annotate: the row's cells ... */
    uint32_t off;   /* ... at text + off, NUL-separated, */
    uint32_t cell0; /* ... their offsets from off at celloff[cell0] */
    uint32_t len;   /* tsv_reader.len: the bytes but the last NUL */
} prow;

typedef struct batch {
    prow *rows;
    size_t n;
    char *text; /* annotate: the rows' cells */
    size_t text_n, text_cap;
    uint32_t *celloff;
    size_t cell_n, cell_cap;
    /* the columns the rows' cells belong to (in->rd when it was filled) */
    char **colnames;
    int ncols;
    int col_of[TCPFSM_F_COUNT];
    int end; /* 0, or INPUT_END / INPUT_FAIL after the rows */
    /* the summaries the engine gave while it fed these rows, written by
     * the reader when it takes the batch again */
    tcpfsm_summary *sums;
    size_t sums_n, sums_cap;
} batch;

typedef struct pipeline {
    input *in;
    pthread_mutex_t mu;
    pthread_cond_t filled_cv; /* a batch was filled (engine thread waits) */
    pthread_cond_t taken_cv;  /* a batch was used (reader waits) */
    unsigned long filled;     /* batches filled so far (reader) */
    unsigned long taken;      /* batches used so far (engine thread) */
    batch b[PIPE_BATCHES];
    size_t rows_max;          /* rows a batch */
    bool cells;               /* copy each row's cells (annotate) */
    batch *cur;               /* the reader's batch, NULL between batches */
    double reader_cpu;        /* the reader thread's CPU time, at its end */
    /* the summaries' writer (pipeline_config), and the batch the engine
     * thread feeds from while the reader runs (else NULL: written at once) */
    tcpfsm_summary_fn on_summary;
    void *summary_user;
    batch *feeding;
} pipeline;

/* the calling thread's CPU time, in seconds */
static double thread_cpu(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* rows a batch: 4096 (512 KB of rows; 1024 cost the engine
 * thread 8% more CPU time, 2048 3%), or $TCPFSM_BATCH_ROWS
 * (for the tests: 1 to 65536) */
static size_t batch_rows(void)
{
    const char *e = getenv("TCPFSM_BATCH_ROWS");
    if (e && *e) {
        char *end;
        unsigned long v = strtoul(e, &end, 10);
        if (!*end && v >= 1 && v <= 65536)
            return v;
    }
    return 4096;
}

/* ---- the reader's side ---- */

/* the summaries handed back with b, in the engine's order */
static void write_summaries(pipeline *p, batch *b)
{
    for (size_t i = 0; i < b->sums_n; i++)
        p->on_summary(&b->sums[i], p->summary_user);
    b->sums_n = 0;
}

/* a free batch to fill (waits while the engine thread holds them all) */
static batch *reader_batch(pipeline *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->filled - p->taken == PIPE_BATCHES)
        pthread_cond_wait(&p->taken_cv, &p->mu);
    batch *b = &p->b[p->filled % PIPE_BATCHES];
    pthread_mutex_unlock(&p->mu);
    write_summaries(p, b);
    b->n = b->text_n = b->cell_n = 0;
    b->end = 0;
    const tsv_reader *rd = &p->in->rd;
    b->colnames = rd->colnames;
    b->ncols = rd->ncols;
    memcpy(b->col_of, rd->col_of, sizeof b->col_of);
    return b;
}

/* hands the reader's batch to the engine thread */
static void publish(pipeline *p)
{
    pthread_mutex_lock(&p->mu);
    p->filled++;
    pthread_cond_signal(&p->filled_cv);
    pthread_mutex_unlock(&p->mu);
    p->cur = NULL;
}

/* in->before_switch: the rows read so far go, and the engine thread uses
 * them all, before rd's columns change */
static void drain(void *ctx)
{
    pipeline *p = ctx;
    if (p->cur && p->cur->n)
        publish(p);
    pthread_mutex_lock(&p->mu);
    while (p->taken != p->filled)
        pthread_cond_wait(&p->taken_cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    p->cur = NULL; /* an empty batch: filled again with the new columns */
}

static void *grow(void *ptr, size_t *cap, size_t need, size_t size)
{
    size_t c = *cap ? *cap : 1;
    while (c < need)
        c *= 2;
    void *q = realloc(ptr, c * size);
    if (!q)
        abort();
    *cap = c;
    return q;
}

/* the current row's cells (in->rd) into b; false when b has no room left
 * for them (a batch that holds rows already is never grown) */
static bool copy_cells(batch *b, prow *r, const tsv_reader *rd)
{
    int nc = rd->ncells;
    const char *last = nc ? rd->cells[nc - 1] : NULL;
    bool whole = nc && !rd->rewritten && rd->cells[0] == rd->line &&
                 last + strlen(last) == rd->line + rd->len;
    size_t bytes = 0;
    if (whole) {
        bytes = rd->len + 1;
    } else {
        for (int c = 0; c < nc; c++)
            bytes += strlen(rd->cells[c]) + 1;
    }
    if (b->text_n + bytes > b->text_cap || b->cell_n + (size_t)nc > b->cell_cap) {
        if (b->n)
            return false;
        if (b->text_n + bytes > b->text_cap)
            b->text = grow(b->text, &b->text_cap, b->text_n + bytes, 1);
        if (b->cell_n + (size_t)nc > b->cell_cap)
            b->celloff = grow(b->celloff, &b->cell_cap, b->cell_n + (size_t)nc,
                              sizeof *b->celloff);
    }
    char *w = b->text + b->text_n;
    uint32_t *co = b->celloff + b->cell_n;
    if (whole) {
        memcpy(w, rd->line, bytes);
        for (int c = 0; c < nc; c++)
            co[c] = (uint32_t)(rd->cells[c] - rd->line);
    } else {
        size_t at = 0;
        for (int c = 0; c < nc; c++) {
            size_t n = strlen(rd->cells[c]) + 1;
            memcpy(w + at, rd->cells[c], n);
            co[c] = (uint32_t)at;
            at += n;
        }
    }
    r->ncells = nc;
    r->off = (uint32_t)b->text_n;
    r->cell0 = (uint32_t)b->cell_n;
    r->len = (uint32_t)(bytes ? bytes - 1 : 0);
    b->text_n += bytes;
    b->cell_n += (size_t)nc;
    return true;
}

static void *reader_main(void *arg)
{
    pipeline *p = arg;
    input *in = p->in;
    tcpfsm_segment seg;
    for (;;) {
        int r = input_next(in, &seg);
        if (!p->cur)
            p->cur = reader_batch(p);
        batch *b = p->cur;
        if (r == INPUT_END || r == INPUT_FAIL) {
            b->end = r;
            p->reader_cpu = thread_cpu(); /* read after the join */
            publish(p);
            return NULL;
        }
        prow *row = &b->rows[b->n];
        if (p->cells && !copy_cells(b, row, &in->rd)) {
            publish(p);
            b = p->cur = reader_batch(p);
            row = &b->rows[0];
            copy_cells(b, row, &in->rd); /* an empty batch grows */
        }
        row->seg = seg;
        row->kind = r;
        if (++b->n == p->rows_max)
            publish(p);
    }
}

/* ---- the engine's side ---- */

static batch *next_filled(pipeline *p)
{
    pthread_mutex_lock(&p->mu);
    while (p->filled == p->taken)
        pthread_cond_wait(&p->filled_cv, &p->mu);
    batch *b = &p->b[p->taken % PIPE_BATCHES];
    pthread_mutex_unlock(&p->mu);
    return b;
}

static void release(pipeline *p)
{
    pthread_mutex_lock(&p->mu);
    p->taken++;
    pthread_cond_signal(&p->taken_cv);
    pthread_mutex_unlock(&p->mu);
}

/* the engine's on_summary while a pipeline runs: kept with the batch
 * being fed, for the reader to write */
static void keep_summary(const tcpfsm_summary *s, void *user)
{
    pipeline *p = user;
    batch *b = p->feeding;
    if (!b) {
        p->on_summary(s, p->summary_user);
        return;
    }
    if (b->sums_n == b->sums_cap) /* grows to the most a batch gave */
        b->sums = grow(b->sums, &b->sums_cap, b->sums_n + 1, sizeof *b->sums);
    b->sums[b->sums_n++] = *s;
}

pipeline *pipeline_new(input *in)
{
    if (in->o.threads < 2 || in->o.live || in->o.follow || in->via_tshark)
        return NULL;
    struct stat st;
    if (!in->pc && /* else a capture file (not growing) read directly */
        !(in->rd.fp && fstat(fileno(in->rd.fp), &st) == 0 &&
          S_ISREG(st.st_mode)))
        return NULL;
    pipeline *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->in = in;
    p->rows_max = batch_rows();
    p->cells = in->o.cells;
    for (int i = 0; i < PIPE_BATCHES; i++) {
        batch *b = &p->b[i];
        b->rows = malloc(p->rows_max * sizeof *b->rows);
        if (!b->rows)
            abort();
        if (p->cells) {
            b->text = grow(NULL, &b->text_cap, p->rows_max * 192, 1);
            b->celloff = grow(NULL, &b->cell_cap, p->rows_max * TCPFSM_F_COUNT,
                              sizeof *b->celloff);
        }
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->filled_cv, NULL);
    pthread_cond_init(&p->taken_cv, NULL);
    return p;
}

void pipeline_config(pipeline *p, tcpfsm_config *cfg)
{
    if (!p || !p->in->o.rows_silent || !cfg->on_summary)
        return;
    p->on_summary = cfg->on_summary;
    p->summary_user = cfg->user;
    cfg->on_summary = keep_summary;
    cfg->user = p;
}

void pipeline_free(pipeline *p)
{
    if (!p)
        return;
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->filled_cv);
    pthread_cond_destroy(&p->taken_cv);
    for (int i = 0; i < PIPE_BATCHES; i++) {
        free(p->b[i].rows);
        free(p->b[i].text);
        free(p->b[i].celloff);
        free(p->b[i].sums);
    }
    free(p);
}

int pipeline_run(pipeline *p, tcpfsm_engine *eng, input_row_fn row, void *user)
{
    input *in = p->in;
    /* no flush on idle: input_next would flush the output from the reader
     * thread (a regular file never waits anyway) */
    FILE *flush_idle = in->o.flush_idle;
    in->o.flush_idle = NULL;
    in->before_switch = drain;
    in->switch_ctx = p;

    int status = -1;
    pthread_t reader;
    if (pthread_create(&reader, NULL, reader_main, p) != 0) {
        in->o.flush_idle = flush_idle;
        goto out;
    }
    /* the row's columns as the writers read them: the cells of the copy */
    tsv_reader view;
    memset(&view, 0, sizeof view);
    int cells_cap = 0;
    char **cells = NULL;
    in->row = &view;
    tcpfsm_label lab;
    unsigned long long rows = 0;
    int end = 0;
    while (!end) {
        batch *b = next_filled(p);
        if (p->on_summary)
            p->feeding = b;
        if (p->cells) {
            view.colnames = b->colnames;
            view.ncols = b->ncols;
            memcpy(view.col_of, b->col_of, sizeof view.col_of);
        }
        for (size_t i = 0; i < b->n; i++) {
            prow *r = &b->rows[i];
            if (p->cells) {
                if (r->ncells > cells_cap) {
                    size_t cap = (size_t)cells_cap;
                    cells = grow(cells, &cap, (size_t)r->ncells, sizeof *cells);
                    cells_cap = (int)cap;
                }
                char *t = b->text + r->off;
                const uint32_t *co = b->celloff + r->cell0;
                for (int c = 0; c < r->ncells; c++)
                    cells[c] = t + co[c];
                view.line = t;
                view.len = r->len;
                view.cells = cells;
                view.ncells = view.cells_cap = r->ncells;
            }
            if (r->kind == INPUT_OTHER)
                row(user, NULL, NULL);
            else
                row(user, &r->seg,
                    tcpfsm_engine_feed(eng, &r->seg, &lab) == 0 ? &lab : NULL);
        }
        rows += b->n;
        end = b->end;
        release(p);
    }
    pthread_join(reader, NULL);
    /* the summaries of the last batches, which the reader did not take
     * again: the oldest first */
    p->feeding = NULL;
    if (p->on_summary)
        for (unsigned long j = p->filled > PIPE_BATCHES ? p->filled - PIPE_BATCHES : 0;
             j < p->filled; j++)
            write_summaries(p, &p->b[j % PIPE_BATCHES]);
    /* for the tests: the pipeline ran, and how its batches went */
    const char *dbg = getenv("TCPFSM_DEBUG_PIPELINE");
    if (dbg && *dbg == '1')
        fprintf(stderr, "tcpfsm: pipeline: %llu rows in %lu batches of at "
                "most %zu; CPU s: reader %.3f, engine %.3f\n", rows, p->filled,
                p->rows_max, p->reader_cpu, thread_cpu());
    free(cells);
    in->row = &in->rd;
    status = end == INPUT_FAIL ? in->status : TCPFSM_EXIT_OK;
out:
    in->before_switch = NULL;
    in->switch_ctx = NULL;
    return status;
}
