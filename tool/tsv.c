/* tsv.c - reader for `tshark -T fields -E header=y` exports. */
#include "tsv.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
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
        /* cells are short: a byte loop beats a memchr call per cell */
        while (p < end && *p != '\t')
            p++;
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
    free(r->proto_last);
    memset(r, 0, sizeof *r);
}

/* ---- cells ---- */

/* The innermost (last) occurrence of a field exported with more than one
 * (`-E occurrence=a`): "a,b" -> "b". */
static const char *last_value(const char *cell)
{
    const char *comma = strrchr(cell, ',');
    return comma ? comma + 1 : cell;
}

static const char *cell_of(const tsv_reader *r, int f)
{
    int c = r->col_of[f];
    if (c < 0 || c >= r->ncells)
        return NULL;
    return r->no_commas ? r->cells[c] : last_value(r->cells[c]);
}

static void quote(char *dst, size_t size, const char *v)
{
    /* shows at most 40 bytes of a bad value, escaped */
    size_t o = 0;
    for (size_t i = 0; v[i] && o + 5 < size; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (i >= 40) {
            snprintf(dst + o, size - o, "...");
            return;
        }
        if (ch < 0x20 || ch == '"' || ch == '\\')
            o += (size_t)snprintf(dst + o, size - o, "\\x%02x", ch);
        else
            dst[o++] = (char)ch;
    }
    dst[o] = '\0';
}

static int bad(char *err, size_t errsize, int f, const char *reason,
               const char *value)
{
    char q[200];
    if (value) {
        quote(q, sizeof q, value);
        snprintf(err, errsize, "%s: %s: \"%s\"", field_names[f], reason, q);
    } else {
        snprintf(err, errsize, "%s: %s", field_names[f], reason);
    }
    return -1;
}

/* unsigned decimal, at most max (one pass: strtoull per cell was 5% of
 * a run) */
static bool parse_uint(const char *v, unsigned long long max,
                       unsigned long long *out, const char **why)
{
    if (!*v) {
        *why = "empty";
        return false;
    }
    if (*v == '-') {
        *why = "negative number";
        return false;
    }
    unsigned long long x = 0;
    const char *p = v;
    for (; *p; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (d > 9) {
            *why = "not a decimal number";
            return false;
        }
        x = x * 10 + d; /* wraps after 19 digits: checked below */
    }
    bool over = false;
    if (p - v > 19) {
        /* 20 digits or more: redo it the careful way */
        x = 0;
        for (const char *q = v; *q; q++) {
            unsigned d = (unsigned)(*q - '0');
            if (x > (ULLONG_MAX - d) / 10) {
                over = true;
                break;
            }
            x = x * 10 + d;
        }
    }
    if (over || x > max) {
        *why = "number out of range";
        return false;
    }
    *out = x;
    return true;
}

/* The time of frame.time_epoch ("1700000000.000004000"): digits, a point,
 * digits.  When its digits without the trailing zeros fit in 2^53, one
 * division by an exact power of ten gives the correctly rounded double,
 * the same as strtod (Clinger's fast path); false: use strtod. */
static bool fast_time(const char *t, double *out)
{
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,
                                 1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
                                 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = t;
    uint64_t m = 0;
    int digits = 0, frac = 0, zeros = 0;
    while (*p >= '0' && *p <= '9') {
        if (m > (UINT64_C(1) << 53))
            return false;
        m = m * 10 + (uint64_t)(*p - '0');
        if (m)
            digits++;
        p++;
    }
    bool any = p != t;
    if (*p == '.') {
        p++;
        for (; *p >= '0' && *p <= '9'; p++) {
            any = true;
            if (*p == '0') {
                zeros++; /* held back: trailing zeros change nothing */
                continue;
            }
            for (; zeros; zeros--) {
                if (m > (UINT64_C(1) << 53))
                    return false;
                m *= 10;
                frac++;
            }
            if (m > (UINT64_C(1) << 53))
                return false;
            m = m * 10 + (uint64_t)(*p - '0');
            frac++;
        }
    }
    if (*p || !any || m > (UINT64_C(1) << 53) || frac > 22)
        return false;
    (void)digits;
    *out = (double)m / p10[frac];
    return true;
}

static int need_uint(const tsv_reader *r, int f, unsigned long long max,
                     unsigned long long *out, char *err, size_t errsize)
{
    const char *v = cell_of(r, f);
    const char *why = NULL;
    if (!v)
        return bad(err, errsize, f, "missing", NULL);
    if (!parse_uint(v, max, out, &why))
        return bad(err, errsize, f, why, *v ? v : NULL);
    return 0;
}

static int parse_flags(const char *v, uint16_t *out)
{
    if (v[0] != '0' || (v[1] != 'x' && v[1] != 'X') || !v[2])
        return -1;
    unsigned long x = 0;
    for (const char *p = v + 2; *p; p++) {
        int d;
        if (*p >= '0' && *p <= '9')
            d = *p - '0';
        else if (*p >= 'a' && *p <= 'f')
            d = *p - 'a' + 10;
        else if (*p >= 'A' && *p <= 'F')
            d = *p - 'A' + 10;
        else
            return -1;
        x = x * 16 + (unsigned long)d;
        if (x > 0xfff)
            return -2;
    }
    *out = (uint16_t)x;
    return 0;
}

/* tcpfsm_protocols_classify, remembered for the previous row's text:
 * nearly every row of a capture has the same frame.protocols. */
static bool protocols_classify(tsv_reader *r, const char *v, int *ip)
{
    if (r->proto_last && strcmp(r->proto_last, v) == 0) {
        *ip = r->proto_ip;
        return r->proto_ok;
    }
    bool ok = tcpfsm_protocols_classify(v, ip);
    size_t n = strlen(v) + 1;
    if (n > r->proto_cap) {
        char *p = realloc(r->proto_last, n);
        if (!p)
            return ok;
        r->proto_last = p;
        r->proto_cap = n;
    }
    memcpy(r->proto_last, v, n);
    r->proto_ok = ok;
    r->proto_ip = *ip;
    return ok;
}

int tsv_parse(tsv_reader *r, tcpfsm_segment *seg, char *err, size_t errsize)
{
    tcpfsm_segment_init(seg);
    if (r->has_nul) {
        snprintf(err, errsize, "row: contains a NUL byte");
        return -1;
    }
    if (r->ncells != r->ncols) {
        snprintf(err, errsize, "row: %d fields, the header has %d", r->ncells,
                 r->ncols);
        return -1;
    }
    const char *sport = cell_of(r, TCPFSM_F_SRCPORT);
    if (!sport || !*sport)
        return 0; /* not a TCP segment: passed through unlabelled */
    /* frame.protocols, e.g. "eth:ethertype:ipv6:ip:tcp" */
    int ip_first = 0; /* 4 or 6: the innermost IP header, 0 = unknown */
    int pc = r->col_of[TCPFSM_F_PROTOCOLS];
    if (pc >= 0 && pc < r->ncells && r->cells[pc][0] &&
        !protocols_classify(r, r->cells[pc], &ip_first))
        return 0; /* a TCP header quoted in an ICMP error */

    unsigned long long v;
    if (need_uint(r, TCPFSM_F_FRAME_NUMBER, UINT64_MAX, &v, err, errsize))
        return -1;
    seg->frame = v;
    if (need_uint(r, TCPFSM_F_SRCPORT, 65535, &v, err, errsize))
        return -1;
    seg->sport = (uint16_t)v;
    if (need_uint(r, TCPFSM_F_DSTPORT, 65535, &v, err, errsize))
        return -1;
    seg->dport = (uint16_t)v;
    if (need_uint(r, TCPFSM_F_SEQ_RAW, UINT32_MAX, &v, err, errsize))
        return -1;
    seg->seq = (uint32_t)v;
    if (need_uint(r, TCPFSM_F_ACK_RAW, UINT32_MAX, &v, err, errsize))
        return -1;
    seg->ack = (uint32_t)v;
    /* Wireshark leaves tcp.len out of a segment whose TCP header is cut
     * short ("Short segment"); such a segment carries no payload. */
    const char *lv = cell_of(r, TCPFSM_F_LEN);
    if (lv && !*lv) {
        seg->len = 0;
    } else {
        if (need_uint(r, TCPFSM_F_LEN, UINT32_MAX, &v, err, errsize))
            return -1;
        seg->len = (uint32_t)v;
    }

    const char *fl = cell_of(r, TCPFSM_F_FLAGS);
    if (!fl || !*fl)
        return bad(err, errsize, TCPFSM_F_FLAGS, "empty", NULL);
    int fr = parse_flags(fl, &seg->flags);
    if (fr == -1)
        return bad(err, errsize, TCPFSM_F_FLAGS, "not a hex number", fl);
    if (fr == -2)
        return bad(err, errsize, TCPFSM_F_FLAGS, "number out of range", fl);

    const char *st = cell_of(r, TCPFSM_F_STREAM);
    if (st && *st) {
        const char *why;
        if (!parse_uint(st, INT64_MAX, &v, &why))
            return bad(err, errsize, TCPFSM_F_STREAM, why, st);
        seg->stream = (int64_t)v;
    }
    const char *t = cell_of(r, TCPFSM_F_TIME_EPOCH);
    if (t && *t) {
        double d;
        if (!fast_time(t, &d)) {
            char *endp;
            errno = 0;
            d = strtod(t, &endp);
            if (*endp || errno == ERANGE || !isfinite(d) || d < 0)
                return bad(err, errsize, TCPFSM_F_TIME_EPOCH,
                           "not a time in seconds", t);
        }
        seg->time = d;
        seg->has_time = true;
    }
    const char *w = cell_of(r, TCPFSM_F_WINDOW_SIZE);
    int wf = TCPFSM_F_WINDOW_SIZE;
    if (!w || !*w) {
        w = cell_of(r, TCPFSM_F_WINDOW_VALUE);
        wf = TCPFSM_F_WINDOW_VALUE;
    }
    if (w && *w) {
        const char *why;
        if (!parse_uint(w, UINT32_MAX, &v, &why))
            return bad(err, errsize, wf, why, w);
        seg->window = (uint32_t)v;
        seg->has_window = true;
        seg->window_scaled = (wf == TCPFSM_F_WINDOW_SIZE);
    }
    const char *ck = cell_of(r, TCPFSM_F_CHECKSUM_STATUS);
    if (ck && *ck) {
        const char *why;
        if (!parse_uint(ck, 3, &v, &why))
            return bad(err, errsize, TCPFSM_F_CHECKSUM_STATUS, why, ck);
        seg->checksum = (int8_t)v;
    }

    const char *fl_ = cell_of(r, TCPFSM_F_FRAME_LEN);
    const char *cl_ = cell_of(r, TCPFSM_F_FRAME_CAP_LEN);
    if (fl_ && *fl_ && cl_ && *cl_) {
        unsigned long long flen, clen;
        const char *why;
        if (!parse_uint(fl_, UINT32_MAX, &flen, &why))
            return bad(err, errsize, TCPFSM_F_FRAME_LEN, why, fl_);
        if (!parse_uint(cl_, UINT32_MAX, &clen, &why))
            return bad(err, errsize, TCPFSM_F_FRAME_CAP_LEN, why, cl_);
        seg->payload_caplen = tcpfsm_payload_caplen(seg->len, flen, clen);
    }
    /* addresses: the innermost IP header (frame.protocols), else IPv4 when
     * present, else IPv6 */
    int pairs[2][2];
    tcpfsm_address_fields(ip_first, pairs);
    for (int k = 0; k < 2; k++) {
        int p = pairs[k][0] == TCPFSM_F_IPV6_SRC;
        const char *a = cell_of(r, pairs[k][0]);
        const char *b = cell_of(r, pairs[k][1]);
        if (!a || !*a)
            continue;
        if (!tcpfsm_addr_parse(a, &seg->src))
            return bad(err, errsize, pairs[k][0], "not an address", a);
        if (!b || !*b)
            return bad(err, errsize, pairs[k][1], "empty", NULL);
        if (!tcpfsm_addr_parse(b, &seg->dst))
            return bad(err, errsize, pairs[k][1], "not an address", b);
        if (seg->src.family != (p ? 6 : 4) || seg->dst.family != (p ? 6 : 4))
            return bad(err, errsize, pairs[k][0], "wrong address family", a);
        return 1;
    }
    return bad(err, errsize, r->col_of[TCPFSM_F_IP_SRC] >= 0 ? TCPFSM_F_IP_SRC
                                                            : TCPFSM_F_IPV6_SRC,
               "no IPv4 or IPv6 address on a TCP row", NULL);
}
