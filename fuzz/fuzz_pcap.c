/* fuzz_pcap.c - libFuzzer harness: the direct capture decoder
 * (tool/pcapsrc.c) on arbitrary bytes taken as a pcap/pcapng file, its
 * segments fed to the engine (as `tcpfsm annotate`) and, at the same time,
 * to the Zeek session table and a second engine (as `tcpfsm summary
 * --zeek`), every label and summary formatted.  Built with -DTCPFSM_FUZZ=ON
 * (clang).
 *
 * pcapsrc_open() takes a path: the input is written to a memfd and opened
 * as /proc/self/fd/N (pcapsrc reads it with stdio and pread, as a file).
 * The last byte of the input (still part of the file) picks the options:
 *   bit 0  pcapsrc_set_checksums (what --zeek without -C does)
 *   bit 1  Zeek bare mode (--zeek=bare)
 *   bit 2  Zeek timers off (--no-zeek-timers)
 *   bit 3  labels in Chinese (--lang zh)
 *   bit 4  through tool/input.c instead, as `tcpfsm annotate FILE` reads
 *          it: input_open with opts.cells (the columns of a frame read
 *          directly) and checksums as bit 0, input_next to the end, every
 *          row written by out_annot_row, input_close, input_report.  A
 *          frame pcapsrc cannot decode switches to tshark, here
 *          /nonexistent/tshark (it fails: that path too); an input that is
 *          no capture is read as a TSV export
 *   bit 5  (with bit 4) --strict
 *   bit 6, 7 (with bit 4) the output format: TSV, CSV, JSONL
 * input.c's messages go to /dev/null (the stderr stream; sanitizer reports
 * still reach file descriptor 2).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "input.h"
#include "output.h"
#include "pcapsrc.h"
#include "tcpfsm.h"
#include "tcpfsm_lang.h"
#include "zeek.h"

static FILE *devnull;
static int memfd = -1;
static char memfd_path[64];

static void on_summary(const tcpfsm_summary *s, void *user)
{
    (void)user;
    char buf[512];
    for (int f = 0; f < TCPFSM_SF_COUNT; f++) {
        const char *v = tcpfsm_summary_field_str(s, f, buf, sizeof buf);
        if (!v)
            abort();
        fputs(v, devnull);
    }
    out_summary_row(devnull, OUT_TSV, s);
    out_summary_row(devnull, OUT_JSONL, s);
}

/* Zeek's session table on its own: its records */
static void on_zeek_record(const tcpfsm_zeek_record *z, void *user)
{
    (void)user;
    char a[64], b[64];
    fprintf(devnull, "%s %s %s %s %s\n", tcpfsm_addr_str(&z->orig_h, a, sizeof a),
            tcpfsm_addr_str(&z->resp_h, b, sizeof b), z->conn_state,
            z->history ? z->history : "", z->removed_by ? z->removed_by : "");
}

static void format_label(const tcpfsm_label *l, tcpfsm_lang lang)
{
    char buf[TCPFSM_LABEL_MAX + 64];
    for (int f = 0; f < TCPFSM_LF_COUNT; f++) {
        const char *v = tcpfsm_label_field_str(l, f, buf, sizeof buf);
        if (!v)
            abort();
        fputs(v, devnull);
    }
    fputs(tcpfsm_step_title(l, lang, buf, sizeof buf), devnull);
}

/* the accessors a writer of the input columns uses */
static void echo_columns(const pcapsrc *p)
{
    tcpfsm_addr a[4];
    char buf[64];
    uint32_t len, caplen;
    pcapsrc_addrs(p, &a[0], &a[1], &a[2], &a[3]);
    for (int i = 0; i < 4; i++)
        if (a[i].family)
            fputs(tcpfsm_addr_str(&a[i], buf, sizeof buf), devnull);
    if (pcapsrc_frame_len(p, &len, &caplen) && caplen > len)
        abort(); /* pcapsrc reports such a frame as unsupported */
    fprintf(devnull, "%x %s %d %lld %s %llu %llu\n", (unsigned)pcapsrc_present(p),
            pcapsrc_time_str(p), (int)pcapsrc_window_value(p),
            (long long)pcapsrc_stream(p), pcapsrc_protocols(p),
            (unsigned long long)pcapsrc_bytes_read(p),
            (unsigned long long)pcapsrc_file_size(p));
}

/* bit 4: the tool's input layer, as annotate drives it (main.c) */
static void run_input(unsigned opt, bool checksums, tcpfsm_lang lang)
{
    input in;
    input_opts o = {.tshark = "/nonexistent/tshark", .checksums = checksums,
                    .strict = (opt & 32) != 0, .cells = true, .quiet = true};
    out_format fmt = (opt >> 6) == 1 ? OUT_CSV : (opt >> 6) == 2 ? OUT_JSONL : OUT_TSV;
    if (input_open(&in, memfd_path, &o) != TCPFSM_EXIT_OK)
        return;
    out_annot_header(devnull, fmt, &in.rd);
    tcpfsm_config cfg;
    tcpfsm_config_init(&cfg);
    cfg.lang = lang;
    cfg.no_zeek = true;
    tcpfsm_engine *eng = tcpfsm_engine_new(&cfg);
    int status = TCPFSM_EXIT_OK, r;
    unsigned long long rows = 0;
    tcpfsm_segment seg;
    tcpfsm_label lab;
    while ((r = input_next(&in, &seg)) != INPUT_END) {
        if (r == INPUT_FAIL) {
            status = in.status;
            if (status == TCPFSM_EXIT_OK)
                abort(); /* a failure always says its exit code */
            break;
        }
        if (r != INPUT_SEGMENT && r != INPUT_OTHER)
            abort();
        rows++;
        if (r == INPUT_OTHER) {
            out_annot_row(devnull, fmt, &in.rd, NULL);
            continue;
        }
        if (seg.src.family != seg.dst.family ||
            (seg.src.family != 4 && seg.src.family != 6))
            abort();
        int fe = tcpfsm_engine_feed(eng, &seg, &lab);
        out_annot_row(devnull, fmt, &in.rd, fe == 0 ? &lab : NULL);
    }
    if (rows != in.rows)
        abort(); /* every row returned is counted as used */
    if (status != TCPFSM_EXIT_DATAERR)
        tcpfsm_engine_finish(eng);
    tcpfsm_engine_free(eng);
    status = input_close(&in, status);
    status = input_report(&in, status);
    if (in.name || in.pc || in.fp || in.via_tshark)
        abort(); /* input_close / input_report left something open */
    (void)status;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!devnull) {
        devnull = fopen("/dev/null", "w");
        memfd = memfd_create("fuzz_pcap", 0);
        if (!devnull || memfd < 0)
            abort();
        snprintf(memfd_path, sizeof memfd_path, "/proc/self/fd/%d", memfd);
        stderr = devnull; /* input.c's messages */
    }
    if (size == 0)
        return 0;
    if (ftruncate(memfd, 0) != 0)
        abort();
    for (size_t off = 0; off < size;) {
        ssize_t n = pwrite(memfd, data + off, size - off, (off_t)off);
        if (n <= 0)
            abort();
        off += (size_t)n;
    }
    unsigned opt = data[size - 1];
    bool checksums = opt & 1, bare = opt & 2, timers = !(opt & 4);
    tcpfsm_lang lang = (opt & 8) ? TCPFSM_LANG_ZH : TCPFSM_LANG_EN;
    if (opt & 16) {
        run_input(opt, checksums, lang);
        return 0;
    }

    char err[512];
    bool unsup = false;
    pcapsrc *p = pcapsrc_open(memfd_path, &unsup, err, sizeof err);
    if (!p)
        return 0;
    pcapsrc_set_checksums(p, checksums);

    /* annotate: the engine's own lingering and release */
    tcpfsm_config cfg;
    tcpfsm_config_init(&cfg);
    cfg.max_lingering = 4; /* exercise release often */
    cfg.linger_seconds = 0.5;
    cfg.lang = lang;
    cfg.on_summary = on_summary;
    tcpfsm_engine *eng = tcpfsm_engine_new(&cfg);

    /* summary --zeek: Zeek's table decides when a connection ends (the
     * engine's zeek_split mode) */
    tcpfsm_config zcfg;
    tcpfsm_config_init(&zcfg);
    zcfg.zeek_split = true;
    zcfg.zeek_no_timers = !timers;
    zcfg.zeek_bare = bare;
    zcfg.zeek_ignore_checksums = !checksums;
    zcfg.on_summary = on_summary;
    tcpfsm_engine *zeng = tcpfsm_engine_new(&zcfg);
    tcpfsm_zeek_opts zo;
    tcpfsm_zeek_opts_init(&zo);
    zo.bare = bare;
    zo.ignore_checksums = !checksums;
    zo.timers = timers;
    tcpfsm_zeek_table *zt = tcpfsm_zeek_table_new(&zo, on_zeek_record, NULL);

    uint64_t frames = 0;
    for (;;) {
        tcpfsm_segment seg;
        tcpfsm_label lab;
        int rc = pcapsrc_next(p, &seg, err, sizeof err);
        if (rc == PCAPSRC_EOF || rc == PCAPSRC_ERROR || rc == PCAPSRC_UNSUPPORTED)
            break;
        frames++;
        if (seg.frame != frames || pcapsrc_frames(p) != frames)
            abort(); /* frame numbers count every frame returned */
        echo_columns(p);
        if (rc != PCAPSRC_SEGMENT)
            continue;
        if (seg.src.family != seg.dst.family ||
            (seg.src.family != 4 && seg.src.family != 6))
            abort(); /* a segment always has the innermost address pair */
        seg.stream = pcapsrc_stream(p);
        if (tcpfsm_engine_feed(eng, &seg, &lab) == 0)
            format_label(&lab, lang);
        if (tcpfsm_zeek_table_feed_ex(zt, &seg, seg.payload_caplen) == 0) {
            const tcpfsm_zeek_conn *zc = tcpfsm_zeek_table_last_conn(zt);
            if (zc)
                fputs(tcpfsm_zeek_conn_history(zc), devnull);
        }
        if (tcpfsm_engine_feed(zeng, &seg, &lab) == 0)
            format_label(&lab, lang);
    }
    tcpfsm_zeek_table_finish(zt);
    tcpfsm_engine_finish(zeng);
    tcpfsm_engine_finish(eng);
    tcpfsm_zeek_table_free(zt);
    tcpfsm_engine_free(zeng);
    tcpfsm_engine_free(eng);
    pcapsrc_close(p);
    return 0;
}
