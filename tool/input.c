/* input.c - open INPUT (TSV export, standard input, or a capture through
 * tshark) and read its rows, with the messages and exit codes of
 * `tcpfsm annotate` (see input.h). */
#include "input.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

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
        fprintf(stderr, "tcpfsm: %s:%llu: %s\n", in->name,
                in->rd.line_no ? in->rd.line_no : 1ULL, err);
        if (strstr(err, "missing required column"))
            print_fields_hint(in->capture);
        tsv_close(&in->rd);
        return TCPFSM_EXIT_DATAERR;
    }
    return TCPFSM_EXIT_OK;
}

int input_open(input *in, const char *path, const char *tshark,
               bool checksums, bool strict)
{
    memset(in, 0, sizeof *in);
    in->strict = strict;
    int rc;
    if (!path || strcmp(path, "-") == 0) {
        in->name = g_strdup("-");
        rc = open_rows(in, stdin);
    } else if (is_capture_file(path)) {
        char err[512];
        in->capture = path;
        if (!tshark_start(&in->tp, tshark, path, checksums, err, sizeof err)) {
            fprintf(stderr, "tcpfsm: %s: %s\n", path, err);
            fprintf(stderr, "tcpfsm: install tshark (apt-get install tshark), or "
                    "export on another machine and give tcpfsm the TSV:\n");
            print_fields_hint(path);
            return TCPFSM_EXIT_UNAVAILABLE;
        }
        in->via_tshark = true;
        in->name = g_strdup_printf("%s (tshark)", path);
        rc = open_rows(in, in->tp.out);
        if (rc != TCPFSM_EXIT_OK)
            tshark_finish(&in->tp);
    } else {
        in->fp = fopen(path, "r");
        if (!in->fp) {
            fprintf(stderr, "tcpfsm: %s: %s\n", path, strerror(errno));
            return TCPFSM_EXIT_NOINPUT;
        }
        in->name = g_strdup(path);
        rc = open_rows(in, in->fp);
        if (rc != TCPFSM_EXIT_OK)
            fclose(in->fp);
    }
    if (rc != TCPFSM_EXIT_OK) {
        g_free(in->name);
        memset(in, 0, sizeof *in);
    }
    return rc;
}

int input_next(input *in, tcpfsm_segment *seg)
{
    char err[512];
    for (;;) {
        int rc = tsv_next(&in->rd);
        if (rc == TSV_EOF)
            return INPUT_END;
        if (rc == TSV_EREAD) {
            fprintf(stderr, "tcpfsm: %s:%llu: read error: %s\n", in->name,
                    in->rd.line_no + 1, strerror(errno));
            in->status = TCPFSM_EXIT_NOINPUT;
            return INPUT_FAIL;
        }
        if (in->rd.len == 0 && feof(in->rd.fp))
            return INPUT_END;
        int pr = tsv_parse(&in->rd, seg, err, sizeof err);
        if (pr < 0) {
            in->bad_rows++;
            if (in->bad_rows <= INPUT_MAX_SHOWN_ERRORS || in->strict)
                fprintf(stderr, "tcpfsm: %s:%llu: %s\n", in->name,
                        in->rd.line_no, err);
            if (in->strict) {
                in->status = TCPFSM_EXIT_DATAERR;
                return INPUT_FAIL;
            }
            continue;
        }
        in->rows++;
        return pr == 0 ? INPUT_OTHER : INPUT_SEGMENT;
    }
}

int input_close(input *in, int status)
{
    tsv_close(&in->rd);
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
