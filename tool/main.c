/* main.c - the `tcpfsm` command: annotate and summarize TCP captures with
 * the rule engine, from `tshark -T fields` exports or capture files. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "diagram.h"
#include "help.h"
#include "input.h"
#include "ladder.h"      /* [ladder] */
#include "live.h"
#include "output.h"
#include "tcpfsm.h"
#include "tcpfsm_lang.h" /* [lang] */
#include "tshark.h"
#include "tsv.h"

#ifndef TCPFSM_TOOL_VERSION
#define TCPFSM_TOOL_VERSION TCPFSM_VERSION
#endif

/* exit codes (sysexits.h values where one fits) */
enum {
    EXIT_OK = TCPFSM_EXIT_OK,
    EXIT_SKIPPED = TCPFSM_EXIT_SKIPPED, /* finished, bad rows skipped */
    EXIT_USAGE = TCPFSM_EXIT_USAGE,
    EXIT_DATAERR = TCPFSM_EXIT_DATAERR, /* header, or bad row + --strict */
    EXIT_NOINPUT = TCPFSM_EXIT_NOINPUT,
    EXIT_UNAVAILABLE = TCPFSM_EXIT_UNAVAILABLE, /* tshark, or a cut capture */
    EXIT_SOFTWARE = TCPFSM_EXIT_SOFTWARE,   /* batch: an input's run crashed */
    EXIT_IOERR = TCPFSM_EXIT_IOERR,
};

static const char usage_text[] =
    "Usage: tcpfsm COMMAND [OPTIONS] [INPUT...]\n"
    "\n"
    "Label every TCP segment with its handshake or teardown step and the state\n"
    "moves it causes on both endpoints (RFC 9293), and summarize connections.\n"
    "\n"
    "Commands:\n"
    "  annotate [--format tsv|jsonl|csv] [--lang en|zh] [INPUT | -i IFACE]\n"
    "  annotate --output-dir DIR [--jobs N] FILE...\n"
    "        the input rows plus the label columns: event phase step close role\n"
    "        client_state server_state src_prev src_state dst_prev dst_state\n"
    "        seq_rel ack_rel ack_ok anomaly label; with --output-dir, one\n"
    "        DIR/NAME.tcpfsm.tsv (.csv, .jsonl) per FILE\n"
    "  summary [--format tsv|jsonl] [--zeek[=bare]] [--pretty]\n"
    "          [INPUT... | -i IFACE]\n"
    "        one record per connection: stream client server first_frame\n"
    "        last_frame duration handshake close active_closer client_state\n"
    "        server_state syn_rtt irtt client_packets server_packets client_bytes\n"
    "        server_bytes conn_state history orig_h orig_p resp_h resp_p\n"
    "        orig_pkts resp_pkts anomalies; with several inputs, one combined\n"
    "        summary whose first column, file, names the input\n"
    "  ladder [--stream N | --conn ADDR:PORT-ADDR:PORT] [--all] [--svg FILE]\n"
    "         [--time-scale] [--width N] [--follow] [--lang en|zh]\n"
    "         [INPUT | -i IFACE]\n"
    "        each connection (or the one selected) as a ladder diagram: client\n"
    "        left, server right, one arrow per segment with its flags, relative\n"
    "        Seq/Ack/Len, step and check, each side's state where it changes\n"
    "  diagram [--stream N] [--svg FILE] [--lang en|zh] [INPUT]\n"
    "        RFC 9293's state diagram with the path each endpoint of the\n"
    "        connection took: client and server in their colours, each edge\n"
    "        with the frame that caused it, edges never taken in grey\n"
    "  fields [CAPTURE]\n"
    "        print the tshark command that exports the input tcpfsm reads\n"
    "  help, --help      this text (COMMAND --help: that command's)\n"
    "  version, --version\n"
    "\n"
    "INPUT is a pcap/pcapng capture file, read directly (Ethernet, 802.1Q/QinQ,\n"
    "Linux cooked SLL/SLL2, raw IP, loopback; IPv4, IPv6) or, for what tcpfsm\n"
    "does not decode itself (a note on stderr says so), through tshark run\n"
    "without a shell; or a `tshark -T fields -E header=y` export (a file, or -\n"
    "or nothing for standard input).\n"
    "\n"
"Options:\n"
    "  -f, --format FMT   output format: tsv (default), jsonl, csv (annotate)\n"
    "  -o, --output FILE  write to FILE instead of standard output\n"
    "  -D, --output-dir DIR  annotate: one output file per input in DIR\n"
    "  -j, --jobs N       inputs processed at once (default: the number of\n"
    "                     cores)\n"
    "      --threads N    threads for one input read from a file (default:\n"
    "                     the cores; with several inputs, the cores shared\n"
    "                     by the jobs): a reader thread and the engine's,\n"
    "                     output identical to --threads 1\n"
    "      --max-open N   at most N connections open at once (default 250000;\n"
    "                     0 = no limit): past it, the one idle the longest is\n"
    "                     summarized early with the anomaly \"evicted\"\n"
    "      --strict       stop at the first bad input row (exit 65)\n"
    "      --via-tshark   read captures through tshark, not directly\n"
    "      --tshark PATH  the tshark to run (default: tshark on PATH, or\n"
    "                     $TCPFSM_TSHARK)\n"
    "  -q, --quiet        no progress line (shown only on a terminal, for\n"
    "                     inputs that take more than a second)\n"
    "      --line-buffered  write each row at once (default: whenever the\n"
    "                     input has nothing more to read right now)\n"
    "  -i, --interface IFACE  capture live on IFACE (libpcap; needs the\n"
    "                     rights dumpcap needs) until Ctrl-C (SIGINT) or\n"
    "                     SIGTERM, then summarize what is still open\n"
    "      --capture-filter EXPR  with -i: a capture filter (BPF, as\n"
    "                     tcpdump's); -f EXPR too, when EXPR is not a format\n"
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
    "      --pretty       an aligned table for reading (default on a\n"
    "                     terminal; --no-pretty: tab-separated there too)\n"
    "  ladder only:\n"
    "      --stream N     only the connection with tcp.stream N\n"
    "      --conn A:P-B:P only the connection(s) between these two endpoints\n"
    "      --all          draw every segment (default: runs of plain data and\n"
    "                     ACK segments are folded into one line)\n"
    "      --svg FILE     write the diagram as SVG to FILE (- for standard\n"
    "                     output) instead of text\n"
    "      --time-scale   with --svg: space the arrows by capture time\n"
    "      --width N      fit the text in N columns (default: the terminal's\n"
    "                     width; not on a terminal: $COLUMNS, else no limit)\n"
    "      --follow       draw each arrow as its segment arrives (a live\n"
    "                     capture, or a capture file still being written)\n"
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
    "  69  tshark cannot be run or failed, or the capture is cut short (the\n"
    "      frames before the cut are labelled)\n"
    "  70  batch: the run of an input crashed (the others finish)\n"
    "  74  output error\n";

typedef struct run {
    const char *cmd;
    out_format format;
    input_opts io;        /* tshark, strict, --via-tshark, --quiet */
    FILE *out;
    bool no_header;       /* batch summary: the parent writes the header */
    int zeek;             /* 0 off, 1 default scripts, 2 bare */
    bool ignore_checksums;
    bool zeek_timers;
    tcpfsm_lang lang;     /* [lang] --lang: language of the label column */
    size_t max_open;      /* --max-open: open connections held at most */
    bool finishing;       /* annotate -i: the end, what is still open */
} run;

/* annotate -i: at the end, the connections still open, on stderr */
static void on_open_at_end(const tcpfsm_summary *s, void *user)
{
    run *r = user;
    if (!r->finishing)
        return;
    char ca[80], sa[80];
    tcpfsm_endpoint_str(&s->client_addr, s->client_port, ca, sizeof ca);
    tcpfsm_endpoint_str(&s->server_addr, s->server_port, sa, sizeof sa);
    fprintf(stderr, "tcpfsm: at the end: stream %lld client %s, server %s: "
            "handshake %s, close %s, client %s, server %s\n",
            (long long)s->stream, ca, sa, tcpfsm_handshake_name(s->handshake),
            tcpfsm_close_name(s->close), tcpfsm_state_name(s->client_state),
            tcpfsm_state_name(s->server_state));
}

static void on_summary(const tcpfsm_summary *s, void *user)
{
    run *r = user;
    out_summary_row(r->out, r->format, s);
}

/* input_run_engine's hooks for one process() run */
typedef struct process_run {
    run *rn;
    input *in;
    const char *path;
    bool annotate;
} process_run;

static void process_row(void *user, const tcpfsm_segment *seg, const tcpfsm_label *lab)
{
    process_run *pr = user;
    (void)seg; /* a row that is not TCP passes through, unlabelled */
    if (pr->annotate)
        out_annot_row(pr->rn->out, pr->rn->format, pr->in->row, lab);
}

/* a capture cut short or stopped: the connections seen so far are summarized */
static void process_stopping(void *user)
{
    process_run *pr = user;
    pr->rn->finishing = true;
    if (pr->rn->io.live && live_stopped())
        fprintf(stderr, "\ntcpfsm: %s: capture stopped (signal %d), %llu "
                "packets\n", pr->path, live_stopped(), pr->in->rows + pr->in->bad_rows);
}

/* Reads one input to the end, writing to rn->out; returns an exit code
 * (messages printed). */
static int process(run *rn, const char *path)
{
    bool annotate = strcmp(rn->cmd, "annotate") == 0;
    input_opts io = rn->io;
    io.checksums = rn->zeek && !rn->ignore_checksums;
    io.cells = annotate;
    io.rows_silent = !annotate; /* summary: no row written per segment */
    input in;
    int rc = input_open(&in, path, &io);
    if (rc)
        return rc;

    tcpfsm_config cfg;
    tcpfsm_config_init(&cfg);
    cfg.zeek_bare = rn->zeek == 2;
    cfg.zeek_ignore_checksums = rn->ignore_checksums;
    cfg.lang = rn->lang; /* [lang] */
    cfg.max_open = rn->max_open;
    cfg.no_label_text = !annotate; /* a summary shows no sentence */
    cfg.no_zeek = annotate;        /* annotate shows no Zeek column */
    /* --zeek: connections begin and end as Zeek's do (an engine mode) */
    cfg.zeek_split = rn->zeek != 0;
    cfg.zeek_no_timers = !rn->zeek_timers;
    if (annotate && rn->io.live) {
        cfg.on_summary = on_open_at_end;
        cfg.user = rn;
    }
    if (!annotate) {
        cfg.on_summary = on_summary;
        cfg.user = rn;
        if (!rn->no_header)
            out_summary_header(rn->out, rn->format);
    } else {
        out_annot_header(rn->out, rn->format, &in.rd);
    }
    process_run pr = {rn, &in, path, annotate};
    uint64_t evicted = 0;
    int status = input_run_engine(&in, &cfg, process_row, process_stopping,
                                  NULL, &pr, &evicted);
    if (evicted)
        fprintf(stderr, "tcpfsm: %s: %llu connections evicted (more than %zu "
                "open at once; --max-open): their summaries say \"evicted\"\n",
                path ? path : "-", (unsigned long long)evicted, rn->max_open);
    if (fflush(rn->out) != 0 || ferror(rn->out)) {
        fprintf(stderr, "tcpfsm: write error: %s\n", strerror(errno));
        status = EXIT_IOERR;
    }
    return input_report(&in, status);
}

/* ------------------------------------------------------------------ */
/* Batch: many inputs, one process per input, --jobs at a time          */
/* ------------------------------------------------------------------ */

typedef struct job {
    const char *path;
    char *out_path;  /* annotate: DIR/NAME.tcpfsm.EXT */
    int tmp_fd;      /* summary: this input's rows, for the combined file */
    pid_t pid;
    int status;      /* exit code; -1 not run yet */
} job;

/* NAME of DIR/NAME.tcpfsm.EXT: the file name without its directory and
 * its capture or export extension */
static char *output_name(const char *path)
{
    char *base = g_path_get_basename(path);
    static const char *const exts[] = {".pcapng.gz", ".pcap.gz", ".pcapng",
                                       ".pcap", ".cap", ".tsv", ".txt"};
    size_t n = strlen(base);
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
        size_t e = strlen(exts[i]);
        if (n > e && g_ascii_strcasecmp(base + n - e, exts[i]) == 0) {
            base[n - e] = '\0';
            break;
        }
    }
    return base;
}

static const char *format_ext(out_format f)
{
    return f == OUT_JSONL ? "jsonl" : f == OUT_CSV ? "csv" : "tsv";
}

/* runs one input in a child process; returns its pid, or -1 */
static pid_t start_job(run *rn, job *j)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    /* the child */
    FILE *out;
    if (j->out_path)
        out = fopen(j->out_path, "w");
    else
        out = fdopen(j->tmp_fd, "w");
    if (!out) {
        fprintf(stderr, "tcpfsm: %s: %s\n", j->out_path ? j->out_path : "temporary file",
                strerror(errno));
        _exit(EXIT_IOERR);
    }
    rn->out = out;
    int rc = process(rn, j->path);
    /* an input that could not be read at all leaves no empty output */
    bool empty = j->out_path && ftello(out) == 0;
    if (fclose(out) != 0 && rc == EXIT_OK) {
        fprintf(stderr, "tcpfsm: %s: %s\n", j->out_path ? j->out_path : "temporary file",
                strerror(errno));
        rc = EXIT_IOERR;
    }
    if (empty && rc != EXIT_OK)
        unlink(j->out_path);
    _exit(rc);
}

static int exit_of(int wstatus, const char *path)
{
    if (WIFEXITED(wstatus))
        return WEXITSTATUS(wstatus);
    fprintf(stderr, "tcpfsm: %s: the run was stopped by signal %d (%s)\n", path,
            WTERMSIG(wstatus), strsignal(WTERMSIG(wstatus)));
    return EXIT_SOFTWARE;
}

/* Appends one input's summary rows to the combined summary, each with the
 * file name as its first column. */
static bool append_summary(run *rn, job *j)
{
    FILE *in = fdopen(j->tmp_fd, "r");
    if (!in)
        return false;
    j->tmp_fd = -1;
    rewind(in);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, in)) > 0) {
        if (rn->format == OUT_JSONL) {
            fputs("{\"file\":", rn->out);
            out_text_cell(rn->out, rn->format, j->path);
            if (n > 3) /* {} is an empty record */
                fputc(',', rn->out);
            fputs(line + 1, rn->out);
        } else {
            out_text_cell(rn->out, rn->format, j->path);
            fputc(rn->format == OUT_CSV ? ',' : '\t', rn->out);
            fputs(line, rn->out);
        }
    }
    free(line);
    fclose(in);
    return true;
}

static void batch_progress(size_t done, size_t total, size_t running)
{
    fprintf(stderr, "\r\033[Ktcpfsm: %zu of %zu inputs done, %zu running", done,
            total, running);
}

static int run_batch(run *rn, char **paths, int npaths, const char *outdir,
                     int jobs)
{
    bool annotate = strcmp(rn->cmd, "annotate") == 0;
    job *js = g_new0(job, npaths);
    int rc = EXIT_OK;
    GHashTable *names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (int i = 0; i < npaths; i++) {
        js[i].path = paths[i];
        js[i].status = -1;
        js[i].tmp_fd = -1;
        if (annotate) {
            char *name = output_name(paths[i]);
            const char *other = g_hash_table_lookup(names, name);
            if (other) {
                fprintf(stderr, "tcpfsm: annotate: %s and %s would both write "
                        "%s/%s.tcpfsm.%s\n", other, paths[i], outdir, name,
                        format_ext(rn->format));
                g_free(name);
                rc = EXIT_USAGE;
                break;
            }
            js[i].out_path = g_strdup_printf("%s/%s.tcpfsm.%s", outdir, name,
                                             format_ext(rn->format));
            g_hash_table_insert(names, name, (gpointer)paths[i]);
        } else {
            GError *ge = NULL;
            char *tmpname = NULL;
            js[i].tmp_fd = g_file_open_tmp("tcpfsm-XXXXXX.tsv", &tmpname, &ge);
            if (js[i].tmp_fd < 0) {
                fprintf(stderr, "tcpfsm: temporary file: %s\n", ge->message);
                g_error_free(ge);
                rc = EXIT_IOERR;
                break;
            }
            unlink(tmpname);
            g_free(tmpname);
        }
    }
    g_hash_table_destroy(names);
    if (rc == EXIT_OK && annotate && g_mkdir_with_parents(outdir, 0777) != 0) {
        fprintf(stderr, "tcpfsm: %s: %s\n", outdir, strerror(errno));
        rc = EXIT_IOERR;
    }
    if (rc != EXIT_OK)
        goto out;

    /* several jobs at once: their own progress lines would fight */
    bool show = !rn->io.quiet && isatty(STDERR_FILENO) && jobs > 1;
    if (jobs > 1)
        rn->io.quiet = true;
    rn->no_header = true;
    int64_t next_show = g_get_monotonic_time() +
                        (int64_t)(input_progress_after() * 1e6);
    bool shown = false;
    size_t next = 0, running = 0, done = 0;
    while (done < (size_t)npaths) {
        while (running < (size_t)jobs && next < (size_t)npaths) {
            js[next].pid = start_job(rn, &js[next]);
            if (js[next].pid < 0) {
                fprintf(stderr, "tcpfsm: %s: cannot start a process: %s\n",
                        js[next].path, strerror(errno));
                js[next].status = EXIT_SOFTWARE;
                done++;
            } else {
                running++;
            }
            next++;
        }
        if (!running)
            continue;
        if (show) {
            int64_t now = g_get_monotonic_time();
            if (now >= next_show) {
                batch_progress(done, (size_t)npaths, running);
                shown = true;
                next_show = now + 250000;
            }
        }
        int ws;
        pid_t pid = show ? waitpid(-1, &ws, WNOHANG) : waitpid(-1, &ws, 0);
        if (pid == 0) {
            g_usleep(20000);
            continue;
        }
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < npaths; i++) {
            if (js[i].pid == pid && js[i].status < 0) {
                js[i].status = exit_of(ws, js[i].path);
                running--;
                done++;
                break;
            }
        }
    }
    if (shown)
        fputs("\r\033[K", stderr);

    /* the combined summary, in the order of the command line */
    if (!annotate) {
        if (rn->format != OUT_JSONL) {
            out_text_cell(rn->out, rn->format, "file");
            fputc(rn->format == OUT_CSV ? ',' : '\t', rn->out);
            out_summary_header(rn->out, rn->format);
        }
        for (int i = 0; i < npaths; i++) {
            if (!append_summary(rn, &js[i])) {
                fprintf(stderr, "tcpfsm: %s: summary lost: %s\n", js[i].path,
                        strerror(errno));
                js[i].status = EXIT_IOERR;
            }
        }
    }
    int failed = 0, worst = EXIT_OK;
    GString *which = g_string_new(NULL);
    for (int i = 0; i < npaths; i++) {
        if (js[i].status > worst)
            worst = js[i].status;
        if (js[i].status != EXIT_OK && js[i].status != EXIT_SKIPPED) {
            failed++;
            g_string_append_printf(which, "%s%s (%d)", failed > 1 ? ", " : "",
                                   js[i].path, js[i].status);
        }
    }
    if (failed)
        fprintf(stderr, "tcpfsm: %d of %d inputs failed: %s; the others "
                "finished\n", failed, npaths, which->str);
    g_string_free(which, TRUE);
    rc = worst;
out:
    for (int i = 0; i < npaths; i++) {
        g_free(js[i].out_path);
        if (js[i].tmp_fd >= 0)
            close(js[i].tmp_fd);
    }
    g_free(js);
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
    if (!strcmp(cmd, "diagram")) /* tool/diagram.c */
        return diagram_main(argc - 1, argv + 1);
    if (strcmp(cmd, "annotate") && strcmp(cmd, "summary") && strcmp(cmd, "fields")) {
        fprintf(stderr, "tcpfsm: unknown command '%s' (try tcpfsm --help)\n", cmd);
        return EXIT_USAGE;
    }

    run rn = {.cmd = cmd, .format = OUT_TSV, .out = stdout, .zeek_timers = true,
              .max_open = TCPFSM_DEFAULT_MAX_OPEN};
    rn.io.tshark = getenv("TCPFSM_TSHARK") ? getenv("TCPFSM_TSHARK") : "tshark";
    const char *output = NULL, *outdir = NULL;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1)
        cores = 1;
    long jobs = cores;
    long threads = 0; /* --threads; 0: not given */
    static const struct option longopts[] = {
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"output-dir", required_argument, NULL, 'D'},
        {"jobs", required_argument, NULL, 'j'},
        {"threads", required_argument, NULL, 'R'},
        {"max-open", required_argument, NULL, 'M'},
        {"strict", no_argument, NULL, 'S'},
        {"tshark", required_argument, NULL, 'T'},
        {"via-tshark", no_argument, NULL, 'V'},
        {"quiet", no_argument, NULL, 'q'},
        {"zeek", optional_argument, NULL, 'Z'},
        {"ignore-checksums", no_argument, NULL, 'C'},
        {"no-zeek-timers", no_argument, NULL, 'N'},
        {"lang", required_argument, NULL, 'L'}, /* [lang] */
        {"help", no_argument, NULL, 'h'},
        {"line-buffered", no_argument, NULL, 'B'},
        {"interface", required_argument, NULL, 'i'},
        {"capture-filter", required_argument, NULL, 'F'},
        {"pretty", no_argument, NULL, 'P'},
        {"no-pretty", no_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    const char *iface = NULL, *filter = NULL;
    bool line_buffered = false;
    int pretty = -1; /* -1: on a terminal */
    optind = 2;
    int opt;
    while ((opt = getopt_long(argc, argv, "f:o:D:j:qhi:", longopts, NULL)) != -1) {
        switch (opt) {
        case 'B':
            line_buffered = true;
            break;
        case 'i':
            iface = optarg;
            break;
        case 'F':
            filter = optarg;
            break;
        case 'P':
        case 'p':
            if (strcmp(cmd, "summary")) {
                fprintf(stderr, "tcpfsm: %s: --pretty is an option of summary\n",
                        cmd);
                return EXIT_USAGE;
            }
            pretty = opt == 'P';
            break;
        case 'f': {
            int f = out_format_parse(optarg);
            if (f < 0 && strcmp(cmd, "fields")) {
                /* -f EXPR as tshark's: a capture filter (with -i) */
                filter = optarg;
                break;
            }
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
        case 'D':
            if (strcmp(cmd, "annotate")) {
                fprintf(stderr, "tcpfsm: %s: --output-dir is an option of annotate "
                        "(summary FILE... writes one combined summary)\n", cmd);
                return EXIT_USAGE;
            }
            outdir = optarg;
            break;
        case 'j': {
            char *e;
            errno = 0;
            jobs = strtol(optarg, &e, 10);
            if (e == optarg || *e || errno || jobs < 1 || jobs > 1024) {
                fprintf(stderr, "tcpfsm: %s: --jobs: not a number from 1 to 1024: "
                        "'%s'\n", cmd, optarg);
                return EXIT_USAGE;
            }
            break;
        }
        case 'R': {
            char *e;
            errno = 0;
            threads = strtol(optarg, &e, 10);
            if (e == optarg || *e || errno || threads < 1 || threads > 1024) {
                fprintf(stderr, "tcpfsm: %s: --threads: not a number from 1 to "
                        "1024: '%s'\n", cmd, optarg);
                return EXIT_USAGE;
            }
            break;
        }
        case 'M': {
            char *e;
            errno = 0;
            unsigned long long v = strtoull(optarg, &e, 10);
            if (e == optarg || *e || errno || optarg[0] == '-' || v > SIZE_MAX / 2) {
                fprintf(stderr, "tcpfsm: %s: --max-open: not a number of "
                        "connections: '%s' (0 = no limit)\n", cmd, optarg);
                return EXIT_USAGE;
            }
            rn.max_open = (size_t)v;
            break;
        }
        case 'S':
            rn.io.strict = true;
            break;
        case 'T':
            rn.io.tshark = optarg;
            break;
        case 'V':
            rn.io.via_tshark = true;
            break;
        case 'q':
            rn.io.quiet = true;
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
            fputs(command_help(cmd) ? command_help(cmd) : usage_text, stdout);
            return EXIT_OK;
        default:
            return EXIT_USAGE;
        }
    }
    int ninputs = argc - optind;
    if (filter && !iface) {
        fprintf(stderr, "tcpfsm: %s: -f: unknown format '%s' (tsv, jsonl%s); "
                "as a capture filter it needs -i IFACE\n", cmd, filter,
                strcmp(cmd, "annotate") ? "" : ", csv");
        return EXIT_USAGE;
    }
    if (iface && (ninputs || !strcmp(cmd, "fields"))) {
        fprintf(stderr, "tcpfsm: %s: -i %s captures live: give no INPUT\n", cmd,
                iface);
        return EXIT_USAGE;
    }
    const char *input = ninputs > 0 ? argv[optind] : NULL;

    if (!strcmp(cmd, "fields")) {
        if (ninputs > 1) {
            fprintf(stderr, "tcpfsm: fields: one CAPTURE at most (got %d)\n",
                    ninputs);
            return EXIT_USAGE;
        }
        char *line = tshark_command_line(input ? input : "CAPTURE.pcapng");
        printf("%s\n", line);
        g_free(line);
        return EXIT_OK;
    }
    bool annotate = !strcmp(cmd, "annotate");
    if (annotate && ninputs > 1 && !outdir) {
        fprintf(stderr, "tcpfsm: annotate: %d inputs need --output-dir DIR (one "
                "output per input)\n", ninputs);
        return EXIT_USAGE;
    }
    if (outdir && output) {
        fprintf(stderr, "tcpfsm: annotate: --output and --output-dir: give one\n");
        return EXIT_USAGE;
    }
    if (outdir && ninputs == 0) {
        fprintf(stderr, "tcpfsm: annotate: --output-dir needs input files\n");
        return EXIT_USAGE;
    }

    if (output) {
        rn.out = fopen(output, "w");
        if (!rn.out) {
            fprintf(stderr, "tcpfsm: %s: %s\n", output, strerror(errno));
            return EXIT_IOERR;
        }
    }
    if (iface) {
        rn.io.live = true;
        rn.io.live_filter = filter;
        input = iface;
    }
    if (line_buffered)
        setvbuf(rn.out, NULL, _IOLBF, 0);
    bool batch = outdir || ninputs > 1;
    /* --threads: by default the cores, shared by the inputs processed at
     * once (batch: --jobs processes, each with cores / jobs threads) */
    if (!threads) {
        long at_once = batch ? (jobs < ninputs ? jobs : ninputs) : 1;
        threads = cores / at_once > 1 ? cores / at_once : 1;
    }
    rn.io.threads = (int)threads;
    if (!batch)
        rn.io.flush_idle = rn.out; /* live use: rows leave as they come */
    /* summary --pretty: the table is aligned once it is all there */
    FILE *final_out = rn.out;
    char *table = NULL;
    size_t table_len = 0;
    if (pretty < 0)
        pretty = !strcmp(cmd, "summary") && !iface && !output &&
                 isatty(fileno(stdout));
    if (pretty && rn.format == OUT_TSV) {
        rn.out = open_memstream(&table, &table_len);
        rn.io.flush_idle = NULL;
    } else {
        pretty = 0;
    }
    int rc;
    if (batch)
        rc = run_batch(&rn, argv + optind, ninputs, outdir, (int)jobs);
    else
        rc = process(&rn, input); /* flushes and reports a write error */
    if (pretty) {
        fclose(rn.out);
        rn.out = final_out;
        out_pretty_table(rn.out, table, table_len);
        free(table);
        if (fflush(rn.out) != 0 || ferror(rn.out)) {
            fprintf(stderr, "tcpfsm: write error: %s\n", strerror(errno));
            rc = EXIT_IOERR;
        }
    }
    if (batch && (fflush(rn.out) != 0 || ferror(rn.out))) {
        fprintf(stderr, "tcpfsm: write error: %s\n", strerror(errno));
        rc = EXIT_IOERR;
    }
    if (output && fclose(rn.out) != 0 && rc == EXIT_OK) {
        fprintf(stderr, "tcpfsm: %s: %s\n", output, strerror(errno));
        rc = EXIT_IOERR;
    }
    return rc;
}
