/* main.c - the `tcpfsm` command: annotate and summarize TCP captures with
 * the rule engine, from `tshark -T fields` exports or capture files. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "ladder.h"      /* [ladder] */
#include "output.h"
#include "tcpfsm.h"
#include "tcpfsm_lang.h" /* [lang] */
#include "tshark.h"
#include "tsv.h"
#include "zeek.h"

#ifndef TCPFSM_TOOL_VERSION
#define TCPFSM_TOOL_VERSION TCPFSM_VERSION
#endif

/* exit codes (sysexits.h values where one fits) */
enum {
    EXIT_OK = 0,
    EXIT_SKIPPED = 2,  /* finished, but bad rows were skipped */
    EXIT_USAGE = 64,
    EXIT_DATAERR = 65, /* unusable input: header, or a bad row with --strict */
    EXIT_NOINPUT = 66,
    EXIT_UNAVAILABLE = 69, /* tshark missing or failed */
    EXIT_IOERR = 74,
};

#define MAX_SHOWN_ERRORS 20

static const char usage_text[] =
    "Usage: tcpfsm COMMAND [OPTIONS] [INPUT]\n"
    "\n"
    "Label every TCP segment with its handshake or teardown step and the state\n"
    "moves it causes on both endpoints (RFC 9293), and summarize connections.\n"
    "\n"
    "Commands:\n"
    "  annotate [--format tsv|jsonl|csv] [--lang en|zh] [INPUT]\n"
    "        the input rows plus the label columns: event phase step close role\n"
    "        src_prev src_state dst_prev dst_state seq_rel ack_rel ack_ok anomaly\n"
    "        label\n"
    "  summary [--format tsv|jsonl] [--zeek[=bare]] [INPUT]\n"
    "        one record per connection: stream client server first_frame\n"
    "        last_frame duration handshake close active_closer client_state\n"
    "        server_state syn_rtt irtt client_packets server_packets client_bytes\n"
    "        server_bytes conn_state history orig_h orig_p resp_h resp_p\n"
    "        orig_pkts resp_pkts anomalies\n"
    "  ladder [--stream N | --conn ADDR:PORT-ADDR:PORT] [--all] [--svg FILE]\n"
    "         [--time-scale] [--lang en|zh] [INPUT]\n"
    "        each connection (or the one selected) as a ladder diagram: client\n"
    "        left, server right, one arrow per segment with its flags, relative\n"
    "        Seq/Ack/Len, step and check, each side's state where it changes\n"
    "  fields [CAPTURE]\n"
    "        print the tshark command that exports the input tcpfsm reads\n"
    "  help, --help      this text\n"
    "  version, --version\n"
    "\n"
    "INPUT is a `tshark -T fields -E header=y` export (a file, or - or nothing\n"
    "for standard input) or a pcap/pcapng capture file, which tcpfsm exports\n"
    "by running tshark itself (no shell).\n"
    "\n"
    "Options:\n"
    "  -f, --format FMT   output format: tsv (default), jsonl, csv (annotate)\n"
    "  -o, --output FILE  write to FILE instead of standard output\n"
    "      --strict       stop at the first bad input row (exit 65)\n"
    "      --tshark PATH  the tshark to run (default: tshark on PATH, or\n"
    "                     $TCPFSM_TSHARK)\n"
    "      --lang LANG    en (default) or zh: the language of the label\n"
    "                     sentence and of the ladder; tokens never change\n"
    "  summary only:\n"
    "      --zeek         split connections as Zeek does (SYN reuse, timers),\n"
    "                     one record per conn.log row; with the likely-server\n"
    "                     ports of Zeek's default scripts\n"
    "      --zeek=bare    the same as Zeek's bare mode (zeek -b): no\n"
    "                     likely-server ports\n"
    "      --ignore-checksums  as zeek -C: bad TCP checksums are not dropped\n"
    "                     (without it, tshark checks checksums for --zeek)\n"
    "      --no-zeek-timers  never expire connections (Zeek's timers off)\n"
    "  ladder only:\n"
    "      --stream N     only the connection with tcp.stream N\n"
    "      --conn A:P-B:P only the connection(s) between these two endpoints\n"
    "      --all          draw every segment (default: runs of plain data and\n"
    "                     ACK segments are folded into one line)\n"
    "      --svg FILE     write the diagram as SVG to FILE (- for standard\n"
    "                     output) instead of text\n"
    "      --time-scale   with --svg: space the arrows by capture time\n"
    "\n"
    "Exit status:\n"
    "   0  success\n"
    "   1  ladder: no connection matched the selection\n"
    "   2  finished, but bad input rows were skipped (each is reported as\n"
    "      FILE:LINE: FIELD: REASON on standard error, with a count at the end)\n"
    "  64  usage error\n"
    "  65  unusable input: no header, a missing or duplicate column, or a bad\n"
    "      row under --strict\n"
    "  66  the input cannot be opened\n"
    "  69  tshark cannot be run, or failed on the capture\n"
    "  74  output error\n";

typedef struct run {
    const char *cmd;
    out_format format;
    bool strict;
    const char *tshark;
    FILE *out;
    unsigned long long bad_rows;
    unsigned long long rows;
    bool summary_header_done;
    int zeek;             /* 0 off, 1 default scripts, 2 bare */
    bool ignore_checksums;
    bool zeek_timers;
    tcpfsm_lang lang;     /* [lang] --lang: language of the label column */
    tcpfsm_engine *eng;   /* for --zeek: released as Zeek removes */
} run;

static void on_summary(const tcpfsm_summary *s, void *user)
{
    run *r = user;
    out_summary_row(r->out, r->format, s);
}

/* --zeek: Zeek removed a connection; the engine summarizes ours */
static void on_zeek_record(const tcpfsm_zeek_record *z, void *user)
{
    run *r = user;
    tcpfsm_engine_release_key(r->eng, (int64_t)z->uid);
}

static void print_fields_hint(const char *capture)
{
    char *cmd = tshark_command_line(capture ? capture : "CAPTURE.pcapng");
    fprintf(stderr, "tcpfsm: export the fields it needs with:\n  %s > input.tsv\n",
            cmd);
    g_free(cmd);
}

/* Reads one TSV stream to the end; returns an exit code. */
static int process(run *rn, FILE *in, const char *name, const char *capture)
{
    tsv_reader rd;
    char err[512];
    int rc = tsv_open(&rd, in, name, err, sizeof err);
    if (rc == TSV_EREAD) {
        fprintf(stderr, "tcpfsm: %s: read error: %s\n", name, strerror(errno));
        tsv_close(&rd);
        return EXIT_NOINPUT;
    }
    if (rc == TSV_EHEADER) {
        fprintf(stderr, "tcpfsm: %s:%llu: %s\n", name,
                rd.line_no ? rd.line_no : 1ULL, err);
        if (strstr(err, "missing required column"))
            print_fields_hint(capture);
        tsv_close(&rd);
        return EXIT_DATAERR;
    }

    bool annotate = strcmp(rn->cmd, "annotate") == 0;
    tcpfsm_config cfg;
    tcpfsm_config_init(&cfg);
    cfg.zeek_bare = rn->zeek == 2;
    cfg.zeek_ignore_checksums = rn->ignore_checksums;
    cfg.lang = rn->lang; /* [lang] */
    tcpfsm_zeek_table *zt = NULL;
    if (rn->zeek) {
        /* Zeek decides when a connection ends: nothing lingers or is
         * released early by the engine itself */
        cfg.max_lingering = SIZE_MAX;
        cfg.linger_seconds = 1e300;
        tcpfsm_zeek_opts zo;
        tcpfsm_zeek_opts_init(&zo);
        zo.bare = rn->zeek == 2;
        zo.ignore_checksums = rn->ignore_checksums;
        zo.timers = rn->zeek_timers;
        zt = tcpfsm_zeek_table_new(&zo, on_zeek_record, rn);
    }
    if (!annotate) {
        cfg.on_summary = on_summary;
        cfg.user = rn;
        out_summary_header(rn->out, rn->format);
    } else {
        out_annot_header(rn->out, rn->format, &rd);
    }
    tcpfsm_engine *eng = tcpfsm_engine_new(&cfg);
    rn->eng = eng;
    int status = EXIT_OK;
    for (;;) {
        rc = tsv_next(&rd);
        if (rc == TSV_EOF)
            break;
        if (rc == TSV_EREAD) {
            fprintf(stderr, "tcpfsm: %s:%llu: read error: %s\n", name,
                    rd.line_no + 1, strerror(errno));
            status = EXIT_NOINPUT;
            break;
        }
        if (rd.len == 0 && feof(rd.fp))
            break;
        tcpfsm_segment seg;
        tcpfsm_label lab;
        int pr = tsv_parse(&rd, &seg, err, sizeof err);
        if (pr < 0) {
            rn->bad_rows++;
            if (rn->bad_rows <= MAX_SHOWN_ERRORS || rn->strict)
                fprintf(stderr, "tcpfsm: %s:%llu: %s\n", name, rd.line_no, err);
            if (rn->strict) {
                status = EXIT_DATAERR;
                break;
            }
            continue;
        }
        rn->rows++;
        if (pr == 0) {
            if (annotate)
                out_annot_row(rn->out, rn->format, &rd, NULL);
            continue;
        }
        if (zt) {
            if (tcpfsm_zeek_table_feed(zt, &seg) == 0)
                seg.split_key = (int64_t)tcpfsm_zeek_table_last_uid(zt);
        }
        int fe = tcpfsm_engine_feed(eng, &seg, &lab);
        if (annotate)
            out_annot_row(rn->out, rn->format, &rd, fe == 0 ? &lab : NULL);
    }
    if (status != EXIT_DATAERR) {
        if (zt)
            tcpfsm_zeek_table_finish(zt);
        tcpfsm_engine_finish(eng);
    }
    if (zt)
        tcpfsm_zeek_table_free(zt);
    tcpfsm_engine_free(eng);
    rn->eng = NULL;
    tsv_close(&rd);
    return status;
}

static int run_input(run *rn, const char *input)
{
    if (!input || strcmp(input, "-") == 0)
        return process(rn, stdin, "-", NULL);

    if (is_capture_file(input)) {
        tshark_proc tp = {0};
        char err[512];
        bool check = rn->zeek && !rn->ignore_checksums;
        if (!tshark_start(&tp, rn->tshark, input, check, err, sizeof err)) {
            fprintf(stderr, "tcpfsm: %s: %s\n", input, err);
            fprintf(stderr, "tcpfsm: install tshark (apt-get install tshark), or "
                    "export on another machine and give tcpfsm the TSV:\n");
            print_fields_hint(input);
            return EXIT_UNAVAILABLE;
        }
        char *name = g_strdup_printf("%s (tshark)", input);
        int rc = process(rn, tp.out, name, input);
        g_free(name);
        int ts = tshark_finish(&tp);
        if (rc == EXIT_OK && ts != 0) {
            fprintf(stderr, "tcpfsm: %s: tshark exited with status %d; the rows "
                    "it exported were labelled\n", input, ts);
            return EXIT_UNAVAILABLE;
        }
        return rc;
    }

    FILE *in = fopen(input, "r");
    if (!in) {
        fprintf(stderr, "tcpfsm: %s: %s\n", input, strerror(errno));
        return EXIT_NOINPUT;
    }
    int rc = process(rn, in, input, NULL);
    fclose(in);
    return rc;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_DFL);
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage_text, stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("tcpfsm %s\n", TCPFSM_TOOL_VERSION);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "ladder")) /* [ladder] tool/ladder.c */
        return ladder_main(argc - 1, argv + 1);
    if (strcmp(cmd, "annotate") && strcmp(cmd, "summary") && strcmp(cmd, "fields")) {
        fprintf(stderr, "tcpfsm: unknown command '%s' (try tcpfsm --help)\n", cmd);
        return EXIT_USAGE;
    }

    run rn = {.cmd = cmd, .format = OUT_TSV, .out = stdout, .zeek_timers = true};
    rn.tshark = getenv("TCPFSM_TSHARK") ? getenv("TCPFSM_TSHARK") : "tshark";
    const char *output = NULL;
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"strict", no_argument, NULL, 'S'},
        {"tshark", required_argument, NULL, 'T'},
        {"zeek", optional_argument, NULL, 'Z'},
        {"ignore-checksums", no_argument, NULL, 'C'},
        {"no-zeek-timers", no_argument, NULL, 'N'},
        {"lang", required_argument, NULL, 'L'}, /* [lang] */
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 2;
    int opt;
    while ((opt = getopt_long(argc, argv, "f:o:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'f': {
            int f = out_format_parse(optarg);
            if (f < 0 || (f == OUT_CSV && strcmp(cmd, "annotate"))) {
                fprintf(stderr, "tcpfsm: %s: --format: unknown format '%s'\n",
                        cmd, optarg);
                return EXIT_USAGE;
            }
            rn.format = (out_format)f;
            break;
        }
        case 'o':
            output = optarg;
            break;
        case 'S':
            rn.strict = true;
            break;
        case 'T':
            rn.tshark = optarg;
            break;
        case 'Z':
            if (strcmp(cmd, "summary")) {
                fprintf(stderr, "tcpfsm: %s: --zeek is an option of summary\n", cmd);
                return EXIT_USAGE;
            }
            if (!optarg)
                rn.zeek = 1;
            else if (!strcmp(optarg, "bare"))
                rn.zeek = 2;
            else {
                fprintf(stderr, "tcpfsm: --zeek: unknown mode '%s' (bare)\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'C':
            rn.ignore_checksums = true;
            break;
        case 'N':
            rn.zeek_timers = false;
            break;
        case 'L': /* [lang] */
            if (!tcpfsm_lang_parse(optarg, &rn.lang)) {
                fprintf(stderr, "tcpfsm: --lang: unknown language '%s' (en, zh)\n",
                        optarg);
                return EXIT_USAGE;
            }
            break;
        case 'h':
            fputs(usage_text, stdout);
            return EXIT_OK;
        default:
            return EXIT_USAGE;
        }
    }
    if (argc - optind > 1) {
        fprintf(stderr, "tcpfsm: %s: one INPUT at most (got %d)\n", cmd,
                argc - optind);
        return EXIT_USAGE;
    }
    const char *input = optind < argc ? argv[optind] : NULL;

    if (!strcmp(cmd, "fields")) {
        char *line = tshark_command_line(input ? input : "CAPTURE.pcapng");
        printf("%s\n", line);
        g_free(line);
        return EXIT_OK;
    }

    if (output) {
        rn.out = fopen(output, "w");
        if (!rn.out) {
            fprintf(stderr, "tcpfsm: %s: %s\n", output, strerror(errno));
            return EXIT_IOERR;
        }
    }
    int rc = run_input(&rn, input);
    if (fflush(rn.out) != 0 || ferror(rn.out)) {
        fprintf(stderr, "tcpfsm: write error: %s\n", strerror(errno));
        rc = EXIT_IOERR;
    }
    if (output)
        fclose(rn.out);
    if (rn.bad_rows && rc == EXIT_OK) {
        if (rn.bad_rows > MAX_SHOWN_ERRORS)
            fprintf(stderr, "tcpfsm: (%llu more errors not shown)\n",
                    rn.bad_rows - MAX_SHOWN_ERRORS);
        fprintf(stderr, "tcpfsm: %llu bad input rows skipped, %llu rows used\n",
                rn.bad_rows, rn.rows);
        rc = EXIT_SKIPPED;
    }
    return rc;
}
