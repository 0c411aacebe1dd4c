/* tsv.c - reader for `tshark -T fields -E header=y` exports. */
#include "tsv.h"

#include "fill_inline.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const field_names[TCPFSM_F_COUNT] = {
#define TSV_X_NAME(id, name, req) [TCPFSM_F_##id] = name,
    TCPFSM_INPUT_FIELDS(TSV_X_NAME)
#undef TSV_X_NAME
};
static const int field_required[TCPFSM_F_COUNT] = {
#define TSV_X_REQ(id, name, req) [TCPFSM_F_##id] = req,
    TCPFSM_INPUT_FIELDS(TSV_X_REQ)
#undef TSV_X_REQ
};

const char *tsv_field_name(int id)
{
    return id >= 0 && id < TCPFSM_F_COUNT ? field_names[id] : "?";
}

int tsv_field_required(int id)
{
    return id >= 0 && id < TCPFSM_F_COUNT ? field_required[id] : 0;
}

/* Reads one line into r->line; strips "\n" and "\r\n".  Returns 1, 0 at
 * end of input, -1 on error. */
static int read_line(tsv_reader *r)
{
    errno = 0;
    ssize_t n = getline(&r->line, &r->cap, r->fp);
    if (n < 0)
        return ferror(r->fp) ? -1 : 0;
    r->line_no++;
    size_t len = (size_t)n;
    if (len && r->line[len - 1] == '\n')
        len--;
    if (len && r->line[len - 1] == '\r')
        len--;
    r->line[len] = '\0';
    r->len = len;
    /* a NUL inside the line would cut a cell short: tsv_parse rejects it */
    r->has_nul = memchr(r->line, '\0', len) != NULL;
    return 1;
}

/* The first tab in [p, end), or end: eight bytes a step (a byte equal to
 * '\t' is a zero byte of w ^ 0x09...; the lowest flagged byte of the
 * classic zero-byte test is always a true one on a little-endian load). */
static inline char *find_tab(char *p, char *end)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t x = w ^ 0x0909090909090909ull;
        uint64_t z = (x - 0x0101010101010101ull) & ~x & 0x8080808080808080ull;
        if (z)
            return p + (__builtin_ctzll(z) >> 3);
        p += 8;
    }
#endif
    while (p < end && *p != '\t')
        p++;
    return p;
}

static void split(tsv_reader *r)
{
    r->ncells = 0;
    char *p = r->line;
    char *end = r->line + r->len;
    for (;;) {
        if (r->ncells == r->cells_cap) {
            r->cells_cap = r->cells_cap ? r->cells_cap * 2 : 32;
            r->cells = realloc(r->cells, (size_t)r->cells_cap * sizeof *r->cells);
            if (!r->cells)
                abort();
        }
        r->cells[r->ncells++] = p;
        /* cells are short: a word loop beats a memchr call per cell */
        p = find_tab(p, end);
        if (p == end)
            break;
        *p++ = '\0';
    }
}

int tsv_open(tsv_reader *r, FILE *fp, const char *name, char *err,
             size_t errsize)
{
    memset(r, 0, sizeof *r);
    r->fp = fp;
    r->name = name;
    for (int i = 0; i < TCPFSM_F_COUNT; i++)
        r->col_of[i] = -1;
    int got = read_line(r);
    if (got < 0)
        return TSV_EREAD;
    if (got == 0 || r->len == 0) {
        snprintf(err, errsize, "%s: empty input: no header line",
                 got == 0 ? "header" : "header");
        return TSV_EHEADER;
    }
    if (r->has_nul) {
        snprintf(err, errsize, "header: contains a NUL byte");
        return TSV_EHEADER;
    }
    r->header = strdup(r->line);
    split(r);
    r->ncols = r->ncells;
    r->colnames = calloc((size_t)r->ncols, sizeof *r->colnames);
    if (!r->header || !r->colnames)
        abort();
    for (int c = 0; c < r->ncols; c++) {
        r->colnames[c] = strdup(r->cells[c]);
        for (int f = 0; f < TCPFSM_F_COUNT; f++) {
            if (strcmp(r->cells[c], field_names[f]) != 0)
                continue;
            if (r->col_of[f] >= 0) {
                snprintf(err, errsize, "%s: duplicate column (columns %d and %d)",
                         field_names[f], r->col_of[f] + 1, c + 1);
                return TSV_EHEADER;
            }
            r->col_of[f] = c;
        }
    }
    for (int f = 0; f < TCPFSM_F_COUNT; f++) {
        if (field_required[f] && r->col_of[f] < 0) {
            snprintf(err, errsize, "%s: missing required column", field_names[f]);
            return TSV_EHEADER;
        }
    }
    bool v4 = r->col_of[TCPFSM_F_IP_SRC] >= 0 && r->col_of[TCPFSM_F_IP_DST] >= 0;
    bool v6 = r->col_of[TCPFSM_F_IPV6_SRC] >= 0 && r->col_of[TCPFSM_F_IPV6_DST] >= 0;
    if (!v4 && !v6) {
        snprintf(err, errsize, "ip.src: missing required column "
                 "(ip.src/ip.dst or ipv6.src/ipv6.dst)");
        return TSV_EHEADER;
    }
    return TSV_ROW;
}

int tsv_next(tsv_reader *r)
{
    int got = read_line(r);
    if (got < 0)
        return TSV_EREAD;
    if (got == 0)
        return TSV_EOF;
    /* one look for a comma in the row spares a strrchr per cell */
    r->no_commas = memchr(r->line, ',', r->len) == NULL;
    r->rewritten = 0;
    split(r);
    return TSV_ROW;
}

void tsv_close(tsv_reader *r)
{
    free(r->line);
    free(r->cells);
    free(r->header);
    for (int c = 0; c < r->ncols; c++)
        free(r->colnames[c]);
    free(r->colnames);
    memset(r, 0, sizeof *r);
}

/* ---- cells ---- */

/* `-E occurrence=a -E aggregator=,` exports every occurrence of a field,
 * comma-separated.  Narrows such a cell, in place, to the occurrence
 * tcpfsm_segment_fill() asks for (tcpfsm_value.occurrence: TCPFSM_OCC_LAST,
 * TCPFSM_OCC_FIRST, or n before the last); no such occurrence empties it.
 * The row is then echoed as narrowed (r->rewritten). */
static char *narrow(tsv_reader *r, char *cell, int occ)
{
    if (!strchr(cell, ',')) { /* one occurrence */
        if (occ > 0 && *cell) {
            cell[0] = '\0'; /* it is inside the payload */
            r->rewritten = 1;
        }
        return cell;
    }
    int n = 1;
    for (const char *q = cell; (q = strchr(q, ',')) != NULL; q++)
        n++;
    int want = occ == TCPFSM_OCC_FIRST ? 1 : n - (occ > 0 ? occ : 0); /* 1-based */
    r->rewritten = 1;
    if (want < 1) {
        cell[0] = '\0'; /* every occurrence is inside the payload */
        return cell;
    }
    char *v = cell;
    for (int i = 1; i < want; i++)
        v = strchr(v, ',') + 1;
    size_t len = strcspn(v, ",");
    memmove(cell, v, len);
    cell[len] = '\0';
    return cell;
}

/* The getter tcpfsm_segment_fill() asks (tcpfsm_input.h): a cell's text,
 * the occurrence asked for (frame.protocols as it is: its names never
 * hold a comma) */
static tcpfsm_value_kind tsv_get(void *ctx, int f, tcpfsm_value *v)
{
    tsv_reader *r = ctx;
    int c = r->col_of[f];
    if (c < 0) /* no such column (the row has the header's cell count) */
        return TCPFSM_VAL_NONE;
    r->asked |= 1u << f;
    if (f == TCPFSM_F_PROTOCOLS || (r->no_commas && v->occurrence <= 0))
        v->text = r->cells[c];
    else
        v->text = narrow(r, r->cells[c], v->occurrence);
    return TCPFSM_VAL_TEXT;
}

/* an IP layer after the TCP one (an IP packet carried in TCP) */
static int ip_in_tcp(tsv_reader *r, const char *protocols)
{
    size_t n = strnlen(protocols, sizeof r->ip_in_tcp_text);
    if (r->ip_in_tcp_valid && n == r->ip_in_tcp_len &&
        n < sizeof r->ip_in_tcp_text && !memcmp(protocols, r->ip_in_tcp_text, n))
        return r->ip_in_tcp;
    const char *tcp = strstr(protocols, ":tcp:");
    int v = tcp && strstr(tcp, ":ip");
    if (n < sizeof r->ip_in_tcp_text) {
        memcpy(r->ip_in_tcp_text, protocols, n);
        r->ip_in_tcp_len = n;
        r->ip_in_tcp = v;
        r->ip_in_tcp_valid = 1;
    }
    return v;
}

int tsv_parse(tsv_reader *r, tcpfsm_segment *seg, char *err, size_t errsize)
{
    if (r->has_nul || r->ncells != r->ncols) {
        tcpfsm_segment_init(seg);
        if (r->has_nul)
            snprintf(err, errsize, "row: contains a NUL byte");
        else
            snprintf(err, errsize, "row: %d fields, the header has %d",
                     r->ncells, r->ncols);
        return -1;
    }
    tcpfsm_input_error e;
    r->asked = 0;
    int rc = tcpfsm_segment_fill_inline(seg, tsv_get, r, &e);
    int pc = r->col_of[TCPFSM_F_PROTOCOLS];
    if (!r->no_commas || (rc > 0 && pc >= 0 && ip_in_tcp(r, r->cells[pc]))) {
        /* the cells the fill did not ask for, narrowed the same way (a
         * row that is not a segment: the last occurrence of each, as
         * `-E occurrence=l` printed it), so the row echoed is the one the
         * direct reader exports */
        int ip, after[2] = {0, 0};
        if (rc != 0 && pc >= 0 && r->cells[pc][0])
            tcpfsm_protocols_layers(r->cells[pc], &ip, after);
        for (int f = 0; f < TCPFSM_F_COUNT; f++) {
            int c = r->col_of[f];
            if (c >= 0 && f != TCPFSM_F_PROTOCOLS && !(r->asked & (1u << f)))
                narrow(r, r->cells[c], tcpfsm_field_occurrence(f, after));
        }
    }
    if (rc < 0) {
        tcpfsm_input_error_str(&e, err, errsize);
        return -1;
    }
    return rc;
}
