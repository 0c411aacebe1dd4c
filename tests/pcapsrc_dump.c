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

#include "pcapsrc.h"
#include "tsv.h"

static void put_addr(FILE *out, const tcpfsm_addr *a)
{
    char buf[64];
    if (a->family)
        fputs(tcpfsm_addr_str(a, buf, sizeof buf), out);
}

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
        uint32_t pr = pcapsrc_present(p);
        tcpfsm_addr a[4];
        pcapsrc_addrs(p, &a[0], &a[1], &a[2], &a[3]);
        for (int f = 0; f < TCPFSM_F_COUNT; f++) {
            if (f)
                fputc('\t', out);
            if (f == TCPFSM_F_PROTOCOLS) {
                fputs(pcapsrc_protocols(p), out);
                continue;
            }
            if (!(pr & (1u << f)))
                continue;
            switch (f) {
            case TCPFSM_F_FRAME_NUMBER:
                fprintf(out, "%llu", (unsigned long long)seg.frame);
                break;
            case TCPFSM_F_STREAM:
                if (streams)
                    fprintf(out, "%lld", (long long)pcapsrc_stream(p));
                break;
            case TCPFSM_F_TIME_EPOCH:
                fputs(pcapsrc_time_str(p), out);
                break;
            case TCPFSM_F_IP_SRC:
                put_addr(out, &a[0]);
                break;
            case TCPFSM_F_IP_DST:
                put_addr(out, &a[1]);
                break;
            case TCPFSM_F_IPV6_SRC:
                put_addr(out, &a[2]);
                break;
            case TCPFSM_F_IPV6_DST:
                put_addr(out, &a[3]);
                break;
            case TCPFSM_F_SRCPORT:
                fprintf(out, "%u", seg.sport);
                break;
            case TCPFSM_F_DSTPORT:
                fprintf(out, "%u", seg.dport);
                break;
            case TCPFSM_F_FLAGS:
                fprintf(out, "0x%04x", seg.flags);
                break;
            case TCPFSM_F_SEQ_RAW:
                fprintf(out, "%u", seg.seq);
                break;
            case TCPFSM_F_ACK_RAW:
                fprintf(out, "%u", seg.ack);
                break;
            case TCPFSM_F_LEN:
                fprintf(out, "%u", seg.len);
                break;
            case TCPFSM_F_WINDOW_VALUE:
                fprintf(out, "%d", (int)pcapsrc_window_value(p));
                break;
            case TCPFSM_F_WINDOW_SIZE:
                fprintf(out, "%u", seg.window);
                break;
            case TCPFSM_F_CHECKSUM_STATUS:
                fprintf(out, "%d", seg.checksum);
                break;
            case TCPFSM_F_FRAME_LEN:
            case TCPFSM_F_FRAME_CAP_LEN: {
                uint32_t len = 0, caplen = 0;
                if (pcapsrc_frame_len(p, &len, &caplen))
                    fprintf(out, "%u", f == TCPFSM_F_FRAME_LEN ? len : caplen);
                break;
            }
            default:
                break;
            }
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
