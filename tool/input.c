/* input.c - open INPUT (TSV export, standard input, or a capture read
 * directly or through tshark) and read its rows, with the messages and
 * exit codes of `tcpfsm annotate` (see input.h). */
#include "input.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "hints.h"
#include "live.h"
#include "numfmt.h"

static void print_fields_hint(const char *capture)
{
    char *cmd = tshark_command_line(capture ? capture : "CAPTURE.pcapng");
    fprintf(stderr, "tcpfsm: export the fields it needs with:\n  %s > input.tsv\n",
            cmd);
    g_free(cmd);
}

/* tsv_open on an opened stream; on failure the stream is left to the
 * caller */
static int open_rows(input *in, FILE *fp)
{
    char err[512];
    int rc = tsv_open(&in->rd, fp, in->name, err, sizeof err);
    if (rc == TSV_EREAD) {
        fprintf(stderr, "tcpfsm: %s: read error: %s\n", in->name,
                strerror(errno));
        tsv_close(&in->rd);
        return TCPFSM_EXIT_NOINPUT;
    }
    if (rc == TSV_EHEADER) {
        if (strstr(err, "missing required column") &&
            hint_header(in->name, in->rd.header, in->capture)) {
            tsv_close(&in->rd);
            return TCPFSM_EXIT_DATAERR;
        }
        fprintf(stderr, "tcpfsm: %s:%llu: %s\n", in->name,
                in->rd.line_no ? in->rd.line_no : 1ULL, err);
        if (strstr(err, "missing required column"))
            print_fields_hint(in->capture);
        tsv_close(&in->rd);
        return TCPFSM_EXIT_DATAERR;
    }
    return TCPFSM_EXIT_OK;
}

static int open_tshark(input *in, const char *path)
{
    char err[512];
    if (!tshark_start(&in->tp, in->o.tshark, path, in->o.checksums, err,
                      sizeof err)) {
        fprintf(stderr, "tcpfsm: %s: %s\n", path, err);
        fprintf(stderr, "tcpfsm: install tshark (apt-get install tshark), or "
                "export on another machine and give tcpfsm the TSV:\n");
        print_fields_hint(path);
        return TCPFSM_EXIT_UNAVAILABLE;
    }
    in->via_tshark = true;
    g_free(in->name);
    in->name = g_strdup_printf("%s (tshark)", path);
    int rc = open_rows(in, in->tp.out);
    if (rc != TCPFSM_EXIT_OK) {
        tshark_finish(&in->tp);
        in->via_tshark = false;
    }
    return rc;
}

/* ---- a capture read directly: the columns of the tshark export ---- */

#define ROW_BUF 1024

/* in->rd as a tsv_reader over the `tcpfsm fields` columns, so that the
 * writers print a directly read frame as they print an exported row
 * (tsv_close frees it) */
static void direct_reader(input *in)
{
    tsv_reader *r = &in->rd;
    memset(r, 0, sizeof *r);
    r->name = in->name;
    r->ncols = r->ncells = r->cells_cap = TCPFSM_F_COUNT;
    r->colnames = g_malloc(sizeof *r->colnames * TCPFSM_F_COUNT);
    r->cells = g_malloc0(sizeof *r->cells * TCPFSM_F_COUNT);
    for (int f = 0; f < TCPFSM_F_COUNT; f++) {
        r->colnames[f] = strdup(tsv_field_name(f));
        r->col_of[f] = f;
    }
    r->cap = ROW_BUF;
    r->line = g_malloc(ROW_BUF);
}

/* v in decimal at p (room checked against end); two digits a step */
static char *put_u64(char *p, char *end, uint64_t v)
{
    if (end - p <= (ptrdiff_t)numfmt_digits(v))
        return p;
    return numfmt_u64(p, v);
}

/* an address as tshark prints it: IPv4 by hand (inet_ntop goes through
 * printf, a tenth of a directly read annotate), IPv6 through inet_ntop */
static char *put_addr(char *w, const tcpfsm_addr *a)
{
    if (a->family != 4) {
        tcpfsm_addr_str(a, w, 64);
        return w + strlen(w);
    }
    return numfmt_ipv4(w, a->bytes);
}

void input_pcap_cells(pcapsrc *p, const tcpfsm_segment *seg, bool streams,
                      char *buf, size_t bufsize, char **cells)
{
    uint32_t pr = pcapsrc_present(p);
    tcpfsm_addr a[4];
    pcapsrc_addrs(p, &a[0], &a[1], &a[2], &a[3]);
    char *w = buf, *end = buf + bufsize;
    for (int f = 0; f < TCPFSM_F_COUNT; f++) {
        cells[f] = w;
        if (f == TCPFSM_F_PROTOCOLS) {
            const char *pr_ = pcapsrc_protocols(p);
            size_t n = strnlen(pr_, 256);
            memcpy(w, pr_, n);
            w += n;
        } else if (pr & (1u << f)) {
            switch (f) {
            case TCPFSM_F_FRAME_NUMBER:
                w = put_u64(w, end, seg->frame);
                break;
            case TCPFSM_F_STREAM:
                if (streams && pcapsrc_stream(p) >= 0)
                    w = put_u64(w, end, (uint64_t)pcapsrc_stream(p));
                break;
            case TCPFSM_F_TIME_EPOCH: {
                const char *ts = pcapsrc_time_str(p);
                size_t n = strnlen(ts, 40);
                memcpy(w, ts, n);
                w += n;
                break;
            }
            case TCPFSM_F_IP_SRC:
            case TCPFSM_F_IP_DST:
            case TCPFSM_F_IPV6_SRC:
            case TCPFSM_F_IPV6_DST: {
                const tcpfsm_addr *ad = &a[f - TCPFSM_F_IP_SRC];
                if (ad->family)
                    w = put_addr(w, ad);
                break;
            }
            case TCPFSM_F_SRCPORT:
                w = put_u64(w, end, seg->sport);
                break;
            case TCPFSM_F_DSTPORT:
                w = put_u64(w, end, seg->dport);
                break;
            case TCPFSM_F_FLAGS: { /* "0x%04x" */
                static const char hex[] = "0123456789abcdef";
                unsigned fl = seg->flags & 0xffff;
                *w++ = '0';
                *w++ = 'x';
                for (int sh = 12; sh >= 0; sh -= 4)
                    *w++ = hex[(fl >> sh) & 0xf];
                break;
            }
            case TCPFSM_F_SEQ_RAW:
                w = put_u64(w, end, seg->seq);
                break;
            case TCPFSM_F_ACK_RAW:
                w = put_u64(w, end, seg->ack);
                break;
            case TCPFSM_F_LEN:
                w = put_u64(w, end, seg->len);
                break;
            case TCPFSM_F_WINDOW_VALUE:
                if (pcapsrc_window_value(p) >= 0)
                    w = put_u64(w, end, (uint64_t)pcapsrc_window_value(p));
                break;
            case TCPFSM_F_WINDOW_SIZE:
                w = put_u64(w, end, seg->window);
                break;
            case TCPFSM_F_CHECKSUM_STATUS:
                w = put_u64(w, end, (uint64_t)seg->checksum);
                break;
            case TCPFSM_F_FRAME_LEN:
            case TCPFSM_F_FRAME_CAP_LEN: {
                uint32_t len = 0, caplen = 0;
                if (pcapsrc_frame_len(p, &len, &caplen))
                    w = put_u64(w, end, f == TCPFSM_F_FRAME_LEN ? len : caplen);
                break;
            }
            default:
                break;
            }
        }
        *w++ = '\0';
    }
}

/* `TSHARK -v` says "TShark (Wireshark) X.Y.Z": 40 up to 4.0, else 42;
 * no tshark or no version: 42 (what current Wireshark does). */
static int ask_tshark_rule(const char *tshark)
{
    char *argv[] = {(char *)tshark, (char *)"-v", NULL};
    char *out = NULL;
    int major = 0, minor = 0, rule = 42;
    if (g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, &out, NULL, NULL, NULL) &&
        out) {
        const char *v = strstr(out, "(Wireshark) ");
        if (v && sscanf(v + 12, "%d.%d", &major, &minor) == 2 &&
            (major < 4 || (major == 4 && minor < 2)))
            rule = 40;
    }
    g_free(out);
    return rule;
}

/* The answer for one tshark binary, remembered: its path, inode, size
 * and modification time name it (another binary or a rebuilt one is asked
 * again).  `tshark -v` costs ~0.1 s and ~140 MB of RSS, more than
 * `tcpfsm summary` of a million packets. */
static char *rule_cache_key(const char *tshark)
{
    char *path = strchr(tshark, '/') ? g_strdup(tshark)
                                      : g_find_program_in_path(tshark);
    struct stat st;
    char *key = NULL;
    if (path && stat(path, &st) == 0)
        key = g_strdup_printf("%s\t%llu\t%lld\t%lld.%09ld", path,
                              (unsigned long long)st.st_ino,
                              (long long)st.st_size, (long long)st.st_mtim.tv_sec,
                              (long)st.st_mtim.tv_nsec);
    g_free(path);
    return key;
}

/* pcapsrc's question: which tshark numbers tcp.stream here, the one up to
 * 4.0 (40) or from 4.2 (42)?  Asked of tshark once per binary: the answer
 * is kept for the run and in $XDG_CACHE_HOME/tcpfsm/tshark-stream-rule
 * (when that cannot be read or written, tshark is simply asked). */
G_LOCK_DEFINE_STATIC(rule_memo); /* a reader thread may ask */

int input_tshark_stream_rule(void *ctx)
{
    static char *memo_name;
    static int memo_rule;
    const char *tshark = ctx ? (const char *)ctx : "tshark";
    G_LOCK(rule_memo);
    if (memo_name && !strcmp(memo_name, tshark)) {
        int r = memo_rule; /* a batch: asked once */
        G_UNLOCK(rule_memo);
        return r;
    }
    char *key = rule_cache_key(tshark);
    char *file = g_build_filename(g_get_user_cache_dir(), "tcpfsm",
                                  "tshark-stream-rule", NULL);
    char *text = NULL;
    int rule = 0;
    if (key && g_file_get_contents(file, &text, NULL, NULL)) {
        char **lines = g_strsplit(text, "\n", -1);
        size_t kn = strlen(key);
        for (char **l = lines; *l && !rule; l++)
            if (!strncmp(*l, key, kn) && (*l)[kn] == '\t') {
                int r = atoi(*l + kn + 1);
                if (r == 40 || r == 42)
                    rule = r;
            }
        g_strfreev(lines);
    }
    if (!rule) {
        rule = ask_tshark_rule(tshark);
        if (key) { /* one line per path: its newest binary's answer */
            GString *keep = g_string_new(NULL);
            if (text) { /* other binaries' lines stay; this path's go */
                char **lines = g_strsplit(text, "\n", -1);
                size_t pn = (size_t)(strchr(key, '\t') - key) + 1;
                for (char **l = lines; *l; l++)
                    if (**l && strncmp(*l, key, pn))
                        g_string_append_printf(keep, "%s\n", *l);
                g_strfreev(lines);
            }
            g_string_append_printf(keep, "%s\t%d\n", key, rule);
            char *dir = g_path_get_dirname(file);
            if (g_mkdir_with_parents(dir, 0700) == 0)
                (void)g_file_set_contents(file, keep->str, (gssize)keep->len, NULL);
            g_free(dir);
            g_string_free(keep, TRUE);
        }
    }
    g_free(text);
    g_free(file);
    g_free(key);
    g_free(memo_name);
    memo_name = g_strdup(tshark);
    memo_rule = rule;
    G_UNLOCK(rule_memo);
    return rule;
}

static int open_capture(input *in, const char *path)
{
    in->capture = path;
    in->name = g_strdup(path);
    if (!in->o.via_tshark) {
        char err[512];
        bool unsupported = false;
        in->pc = pcapsrc_open(path, &unsupported, err, sizeof err);
        if (in->pc) {
            pcapsrc_set_checksums(in->pc, in->o.checksums);
            pcapsrc_set_stream_rule_cb(in->pc, input_tshark_stream_rule, (void *)in->o.tshark);
            in->total_bytes = pcapsrc_file_size(in->pc);
            if (in->o.cells)
                direct_reader(in);
            return TCPFSM_EXIT_OK;
        }
        if (!unsupported) {
            fprintf(stderr, "tcpfsm: %s: %s\n", path, err);
            return TCPFSM_EXIT_NOINPUT;
        }
        fprintf(stderr, "tcpfsm: %s: %s; reading it through tshark\n", path,
                err);
    }
    return open_tshark(in, path);
}

static bool regular_file(const char *path)
{
    struct stat st;
    return stat(path, &st) != 0 || S_ISREG(st.st_mode);
}

int input_open(input *in, const char *path, const input_opts *o)
{
    memset(in, 0, sizeof *in);
    in->o = *o;
    if (!in->o.tshark)
        in->o.tshark = "tshark";
    int rc;
    if (o->live) {
        char err[512];
        in->name = g_strdup(path);
        in->pc = live_open(path, o->live_filter, err, sizeof err, &rc);
        if (in->pc && in->o.cells)
            direct_reader(in);
    } else if (!path || strcmp(path, "-") == 0) {
        in->name = g_strdup("-");
        rc = open_rows(in, stdin);
    } else if (regular_file(path) && is_capture_file(path)) {
        /* (a FIFO is read once: its rows are an export) */
        rc = open_capture(in, path);
        if (rc == TCPFSM_EXIT_OK && o->follow && in->pc) {
            pcapsrc_set_follow(in->pc, true);
            live_catch_signals();
        }
    } else {
        in->fp = fopen(path, "r");
        if (!in->fp) {
            fprintf(stderr, "tcpfsm: %s: %s\n", path, strerror(errno));
            return TCPFSM_EXIT_NOINPUT;
        }
        struct stat st;
        if (fstat(fileno(in->fp), &st) == 0 && S_ISREG(st.st_mode))
            in->total_bytes = (uint64_t)st.st_size;
        in->name = g_strdup(path);
        rc = open_rows(in, in->fp);
        if (rc != TCPFSM_EXIT_OK)
            fclose(in->fp);
    }
    if (rc != TCPFSM_EXIT_OK) {
        g_free(in->name);
        memset(in, 0, sizeof *in);
        return rc;
    }
    /* a regular file never waits: no flush on idle to check for */
    struct stat rst;
    if (in->o.flush_idle && !in->pc && in->rd.fp &&
        fstat(fileno(in->rd.fp), &rst) == 0 && S_ISREG(rst.st_mode))
        in->o.flush_idle = NULL;
    /* progress: only on a terminal; TCPFSM_PROGRESS_AFTER (seconds,
     * default 1) is for the tests */
    in->progress = !o->quiet && isatty(STDERR_FILENO);
    in->t0 = g_get_monotonic_time();
    in->t_next = in->t0 + (int64_t)(input_progress_after() * 1e6);
    return TCPFSM_EXIT_OK;
}

/* ---- progress ---- */

double input_progress_after(void)
{
    const char *pa = getenv("TCPFSM_PROGRESS_AFTER");
    double after = pa && *pa ? g_ascii_strtod(pa, NULL) : 1.0;
    return after >= 0 && after < 1e6 ? after : 1.0;
}

static void human_bytes(char *buf, size_t n, uint64_t b)
{
    if (b >= 1000ULL * 1000 * 1000)
        snprintf(buf, n, "%.2f GB", b / 1e9);
    else if (b >= 1000ULL * 1000)
        snprintf(buf, n, "%.1f MB", b / 1e6);
    else
        snprintf(buf, n, "%.1f kB", b / 1e3);
}

static void show_progress(input *in, int64_t now)
{
    double secs = (now - in->t0) / 1e6;
    uint64_t done = 0;
    if (in->pc)
        done = pcapsrc_bytes_read(in->pc);
    else if (in->fp) {
        off_t off = ftello(in->fp);
        done = off > 0 ? (uint64_t)off : 0;
    }
    unsigned long long rows = in->rows + in->bad_rows;
    char rate[32], a[32], b[32];
    double r = secs > 0 ? rows / secs : 0;
    if (r >= 1e6)
        snprintf(rate, sizeof rate, "%.2f M", r / 1e6);
    else
        snprintf(rate, sizeof rate, "%.0f k", r / 1e3);
    const char *what = in->pc || in->via_tshark ? "packets" : "rows";
    if (done && in->total_bytes) {
        human_bytes(a, sizeof a, done);
        human_bytes(b, sizeof b, in->total_bytes);
        fprintf(stderr, "\r\033[Ktcpfsm: %s: %3.0f%%  %s of %s, %llu %s, %s %s/s",
                in->capture ? in->capture : in->name,
                100.0 * (double)done / (double)in->total_bytes, a, b, rows,
                what, rate, what);
    } else {
        fprintf(stderr, "\r\033[Ktcpfsm: %s: %llu %s, %s %s/s",
                in->capture ? in->capture : in->name, rows, what, rate, what);
    }
    in->progress_shown = true;
}

static inline void tick(input *in)
{
    if (!in->progress || ((in->rows + in->bad_rows) & 0x3fff))
        return;
    int64_t now = g_get_monotonic_time();
    if (now < in->t_next)
        return;
    show_progress(in, now);
    in->t_next = now + 250000;
}

static void end_progress(input *in)
{
    if (in->progress_shown) {
        fputs("\r\033[K", stderr);
        in->progress_shown = false;
    }
}

/* ---- rows ---- */

/* a bad row: reported (the first ones) and skipped, or the end under
 * --strict */
/* ":LINE" of a TSV row, or ": frame N" of a frame read directly: formatted
 * only for a message, never per row */
static const char *where(const input *in, char *buf, size_t size)
{
    if (in->pc)
        snprintf(buf, size, ": frame %llu", in->cur_frame);
    else
        snprintf(buf, size, ":%llu", in->rd.line_no);
    return buf;
}

static int bad_row(input *in, const char *err)
{
    in->bad_rows++;
    if (in->bad_rows <= INPUT_MAX_SHOWN_ERRORS || in->o.strict) {
        end_progress(in);
        char w[48];
        fprintf(stderr, "tcpfsm: %s%s: %s\n", in->name, where(in, w, sizeof w),
                err);
    }
    if (in->o.strict) {
        in->status = TCPFSM_EXIT_DATAERR;
        return INPUT_FAIL;
    }
    return 0;
}

/* Frame numbers that go backwards (a concatenation, a sorted export):
 * the segment is labelled where it comes, and said so. */
static int check_order(input *in, const tcpfsm_segment *seg)
{
    if (seg->frame > in->last_frame || !in->any_segment) {
        in->last_frame = seg->frame;
        in->any_segment = true;
        return 0;
    }
    char msg[160];
    snprintf(msg, sizeof msg, "frame.number: goes backwards (%llu after %llu)%s",
             (unsigned long long)seg->frame, in->last_frame,
             in->o.strict ? "" : "; labelled in the order given");
    in->last_frame = seg->frame;
    if (in->o.strict) {
        bad_row(in, msg);
        return INPUT_FAIL;
    }
    in->backwards++;
    if (in->backwards <= INPUT_MAX_SHOWN_ERRORS) {
        end_progress(in);
        char w[48];
        fprintf(stderr, "tcpfsm: %s%s: %s\n", in->name, where(in, w, sizeof w),
                msg);
    }
    return 0;
}

/* pcapsrc met a frame it cannot decode: the rest of the file goes through
 * tshark, from the next frame on */
static int switch_to_tshark(input *in, uint64_t frame, const char *why)
{
    end_progress(in);
    fprintf(stderr, "tcpfsm: %s: %s; reading %s through tshark\n", in->capture,
            why, frame > 1 ? "the rest" : "it");
    in->skip_until = frame ? frame - 1 : 0;
    if (in->before_switch) /* a pipeline: its rows still use rd's columns */
        in->before_switch(in->switch_ctx);
    pcapsrc_close(in->pc);
    in->pc = NULL;
    bool had_cells = in->o.cells;
    if (had_cells)
        tsv_close(&in->rd);
    int rc = open_tshark(in, in->capture);
    if (rc != TCPFSM_EXIT_OK) {
        in->status = rc;
        if (had_cells)
            direct_reader(in); /* so that input_close has it to free */
        return INPUT_FAIL;
    }
    return 0;
}

enum { SWITCHED = 2 }; /* next_direct: go on with tshark's rows */

static int next_direct(input *in, tcpfsm_segment *seg)
{
    char err[512];
    for (;;) {
        tick(in);
        if (in->o.flush_idle && in->o.live) {
            struct pollfd pfd = {.fd = live_wait_fd(in->pc), .events = POLLIN};
            if (pfd.fd < 0 || poll(&pfd, 1, 0) == 0)
                fflush(in->o.flush_idle);
        }
        int rc = pcapsrc_next(in->pc, seg, err, sizeof err);
        if (rc == PCAPSRC_EOF)
            return INPUT_END;
        if (rc == PCAPSRC_AGAIN) { /* live, or a file that grows */
            if (live_stopped())
                return INPUT_END;
            if (in->o.flush_idle)
                fflush(in->o.flush_idle);
            if (!in->o.live)
                g_usleep(100000);
            continue;
        }
        if (rc == PCAPSRC_UNSUPPORTED && in->o.live) {
            in->cur_frame = (unsigned long long)seg->frame;
            if (bad_row(in, err) < 0)
                return INPUT_FAIL;
            continue;
        }
        if (rc == PCAPSRC_ERROR) {
            end_progress(in);
            fprintf(stderr, "tcpfsm: %s: %s; the frames before it were "
                    "labelled\n", in->name, err);
            in->status = TCPFSM_EXIT_UNAVAILABLE;
            return INPUT_FAIL;
        }
        if (rc == PCAPSRC_UNSUPPORTED)
            return switch_to_tshark(in, seg->frame, err) < 0 ? INPUT_FAIL
                                                            : SWITCHED;
        in->cur_frame = (unsigned long long)seg->frame;
        if (rc == PCAPSRC_BAD_ROW) {
            if (bad_row(in, err) < 0)
                return INPUT_FAIL;
            continue;
        }
        if (rc == PCAPSRC_SEGMENT) {
            seg->stream = pcapsrc_stream(in->pc);
            if (check_order(in, seg) < 0)
                return INPUT_FAIL;
        }
        if (in->o.cells) {
            input_pcap_cells(in->pc, seg, true, in->rd.line, in->rd.cap,
                             in->rd.cells);
            /* the row as one NUL-separated line, as tsv_next leaves it */
            char *last = in->rd.cells[TCPFSM_F_COUNT - 1];
            in->rd.len = (size_t)(last + strlen(last) - in->rd.line);
        }
        in->rows++;
        return rc == PCAPSRC_SEGMENT ? INPUT_SEGMENT : INPUT_OTHER;
    }
}

/* nothing more to read right now: a read would wait (live use) */
static bool would_wait(FILE *fp)
{
#ifdef __GLIBC__
    if (fp->_IO_read_ptr < fp->_IO_read_end)
        return false; /* rows already buffered */
#endif
    struct pollfd pfd = {.fd = fileno(fp), .events = POLLIN};
    return poll(&pfd, 1, 0) == 0;
}

int input_next(input *in, tcpfsm_segment *seg)
{
    char err[512];
    if (in->pc) {
        int r = next_direct(in, seg);
        if (r != SWITCHED)
            return r;
        /* switched to tshark: go on below */
    }
    for (;;) {
        tick(in);
        if (in->o.flush_idle && would_wait(in->rd.fp))
            fflush(in->o.flush_idle);
        int rc = tsv_next(&in->rd);
        if (rc == TSV_EOF)
            return INPUT_END;
        if (rc == TSV_EREAD) {
            end_progress(in);
            fprintf(stderr, "tcpfsm: %s:%llu: read error: %s\n", in->name,
                    in->rd.line_no + 1, strerror(errno));
            in->status = TCPFSM_EXIT_NOINPUT;
            return INPUT_FAIL;
        }
        if (in->rd.len == 0 && feof(in->rd.fp))
            return INPUT_END;
        int pr = tsv_parse(&in->rd, seg, err, sizeof err);
        if (in->skip_until) {
            /* after a switch: the frames read directly come again */
            int fc = in->rd.col_of[TCPFSM_F_FRAME_NUMBER];
            const char *fv = fc >= 0 && fc < in->rd.ncells ? in->rd.cells[fc] : "";
            if (strtoull(fv, NULL, 10) <= in->skip_until)
                continue;
            in->skip_until = 0;
        }
        if (pr < 0) {
            if (bad_row(in, err) < 0)
                return INPUT_FAIL;
            continue;
        }
        if (pr == 1 && check_order(in, seg) < 0)
            return INPUT_FAIL;
        in->rows++;
        return pr == 0 ? INPUT_OTHER : INPUT_SEGMENT;
    }
}

int input_close(input *in, int status)
{
    end_progress(in);
    if (status == TCPFSM_EXIT_OK && in->capture && !in->rows && !in->bad_rows)
        fprintf(stderr, "tcpfsm: %s: the capture holds no packets (a file "
                "header only): nothing to label; capture some with tcpfsm "
                "annotate -i IFACE, or tshark -i IFACE -w FILE\n", in->capture);
    tsv_close(&in->rd);
    if (in->pc) {
        pcapsrc_close(in->pc);
        in->pc = NULL;
        if (in->o.live)
            live_close();
    }
    if (in->fp) {
        fclose(in->fp);
        in->fp = NULL;
    }
    if (in->via_tshark) {
        int ts = tshark_finish(&in->tp);
        in->via_tshark = false;
        if (status == TCPFSM_EXIT_OK && ts != 0) {
            fprintf(stderr, "tcpfsm: %s: tshark exited with status %d; the rows "
                    "it exported were labelled\n", in->capture, ts);
            status = TCPFSM_EXIT_UNAVAILABLE;
        }
    }
    return status;
}

int input_report(input *in, int status)
{
    if (in->backwards > INPUT_MAX_SHOWN_ERRORS)
        fprintf(stderr, "tcpfsm: %s: %llu segments with frame numbers going "
                "backwards, labelled in the order given\n", in->name,
                in->backwards);
    if (in->bad_rows && status == TCPFSM_EXIT_OK) {
        if (in->bad_rows > INPUT_MAX_SHOWN_ERRORS)
            fprintf(stderr, "tcpfsm: (%llu more errors not shown)\n",
                    in->bad_rows - INPUT_MAX_SHOWN_ERRORS);
        fprintf(stderr, "tcpfsm: %llu bad input rows skipped, %llu rows used\n",
                in->bad_rows, in->rows);
        status = TCPFSM_EXIT_SKIPPED;
    }
    g_free(in->name);
    in->name = NULL;
    return status;
}

int input_run_engine(input *in, const tcpfsm_config *cfg, input_row_fn row,
                     input_hook_fn before_finish, input_hook_fn after_finish,
                     void *user, uint64_t *evicted)
{
    /* --threads: a reader thread and this one (tool/pipeline.c) */
    pipeline *pl = pipeline_new(in);
    tcpfsm_config c = *cfg;
    pipeline_config(pl, &c);
    tcpfsm_engine *eng = tcpfsm_engine_new(&c);
    if (!eng) {
        fprintf(stderr, "tcpfsm: cannot start the rule engine: %s\n", strerror(errno));
        pipeline_free(pl);
        return input_close(in, TCPFSM_EXIT_SOFTWARE);
    }
    in->row = &in->rd;
    int status = pl ? pipeline_run(pl, eng, row, user) : -1;
    if (status < 0) { /* one thread */
        int r;
        tcpfsm_segment seg;
        tcpfsm_label lab;
        status = TCPFSM_EXIT_OK;
        while ((r = input_next(in, &seg)) != INPUT_END) {
            if (r == INPUT_FAIL) {
                status = in->status;
                break;
            }
            if (r == INPUT_OTHER)
                row(user, NULL, NULL);
            else
                row(user, &seg,
                    tcpfsm_engine_feed(eng, &seg, &lab) == 0 ? &lab : NULL);
        }
    }
    if (status != TCPFSM_EXIT_DATAERR) {
        if (before_finish)
            before_finish(user);
        tcpfsm_engine_finish(eng);
        if (after_finish)
            after_finish(user);
    }
    if (evicted)
        *evicted = tcpfsm_engine_evictions(eng);
    tcpfsm_engine_free(eng);
    pipeline_free(pl);
    return input_close(in, status);
}
