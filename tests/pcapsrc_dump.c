/* pcapsrc_dump.c - test harness: decode a capture with pcapsrc and print
 * the rows in the layout of the `tcpfsm fields` tshark export (header
 * line, the same columns, tab-separated), so that it can be compared with
 * tshark's export column by column, or fed to `tcpfsm annotate -`.
 *
 *   pcapsrc_dump [--checksums] [--streams] CAPTURE > rows.tsv
 *
 * --checksums: as tshark -o tcp.check_checksum:TRUE.
 * --streams: fill tcp.stream (pcapsrc_stream); by default it is left
 * empty, as seg->stream.  frame.protocols lists the layers pcapsrc decoded
 * (tshark also names payload protocols).
 * Exit status: 0 done, 2 the capture is cut short / unreadable (the rows
 * before are printed, as tshark prints them), 3 pcapsrc cannot decode the
 * capture or one of its frames (message on stderr: "unsupported: ..."),
 * 64 usage, 66 cannot open.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h" /* input_pcap_cells: the tshark columns */
#include "pcapsrc.h"
#include "tsv.h"

int main(int argc, char **argv)
{
    bool checksums = false, streams = false;
    while (argc > 2 && argv[1][0] == '-') {
        if (!strcmp(argv[1], "--checksums"))
            checksums = true;
        else if (!strcmp(argv[1], "--streams"))
            streams = true;
        else
            break;
        argv++;
        argc--;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: pcapsrc_dump [--checksums] [--streams] CAPTURE\n");
        return 64;
    }
    char err[512];
    bool unsup = false;
    pcapsrc *p = pcapsrc_open(argv[1], &unsup, err, sizeof err);
    if (!p) {
        fprintf(stderr, "pcapsrc_dump: %s: %s%s\n", argv[1],
                unsup ? "unsupported: " : "", err);
        return unsup ? 3 : 66;
    }
    pcapsrc_set_checksums(p, checksums);
    /* number tcp.stream as the tshark it is compared with does */
    pcapsrc_set_stream_rule_cb(p, input_tshark_stream_rule, NULL);
    FILE *out = stdout;
    static char obuf[1 << 16];
    setvbuf(out, obuf, _IOFBF, sizeof obuf);
    for (int f = 0; f < TCPFSM_F_COUNT; f++)
        fprintf(out, "%s%s", f ? "\t" : "", tsv_field_name(f));
    fputc('\n', out);
    int status = 0;
    for (;;) {
        tcpfsm_segment seg;
        int rc = pcapsrc_next(p, &seg, err, sizeof err);
        if (rc == PCAPSRC_EOF)
            break;
        if (rc == PCAPSRC_ERROR) {
            fprintf(stderr, "pcapsrc_dump: %s: %s\n", argv[1], err);
            status = 2;
            break;
        }
        if (rc == PCAPSRC_UNSUPPORTED) {
            fprintf(stderr, "pcapsrc_dump: %s: unsupported: %s\n", argv[1], err);
            status = 3;
            break;
        }
        char row[1024];
        char *cells[TCPFSM_F_COUNT];
        input_pcap_cells(p, &seg, streams, row, sizeof row, cells);
        for (int f = 0; f < TCPFSM_F_COUNT; f++) {
            if (f)
                fputc('\t', out);
            fputs(cells[f], out);
        }
        fputc('\n', out);
    }
    if (fflush(out) != 0) {
        perror("pcapsrc_dump: write");
        status = 74;
    }
    pcapsrc_close(p);
    return status;
}
