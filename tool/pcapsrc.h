/* pcapsrc.h - read pcap/pcapng files directly (no tshark) and turn each
 * frame into the tcpfsm_segment that the tshark path would have produced.
 *
 * The tshark path is `tshark -n -r FILE -T fields -E occurrence=a ...` (the
 * `tcpfsm fields` command, default preferences) read by tsv.c.  pcapsrc
 * reproduces that export frame by frame: same frame numbers, the same
 * frame.time_epoch text, the innermost IP addresses, tcp.len from the IP
 * lengths (not the captured length), tcp.window_size scaled by the window
 * scale Wireshark learned for the conversation, IPv4/IPv6 reassembly, and
 * the same verdict (segment / not TCP / bad row) for short and truncated
 * headers.  Cases pcapsrc does not decode are reported, never guessed:
 * the caller then uses the tshark path.  Details and limits: pcapsrc.c
 * (the file), pcap_decode.c (decoding), pcap_reasm.c, pcap_conv.c;
 * pcapsrc_int.h says what each part does.
 */
#ifndef TCPFSM_PCAPSRC_H
#define TCPFSM_PCAPSRC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpfsm.h"
#include "tcpfsm_fields.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pcapsrc pcapsrc;

/* pcapsrc_next results */
enum {
    PCAPSRC_SEGMENT = 1,      /* a TCP segment: seg filled */
    PCAPSRC_NOT_TCP = 0,      /* a frame that is not a TCP segment */
    PCAPSRC_EOF = -1,         /* end of file */
    PCAPSRC_ERROR = -2,       /* read error / truncated file: err says which */
    PCAPSRC_UNSUPPORTED = -3, /* this frame needs a decoder pcapsrc lacks
                                 (tunnel, PPP, MPLS...): err says which;
                                 the caller falls back to tshark */
    PCAPSRC_AGAIN = -4,       /* live or growing file: nothing yet */
    PCAPSRC_BAD_ROW = 2,      /* a TCP frame whose tshark row tsv.c rejects
                                 (e.g. a TCP header cut short: tcp.ack_raw
                                 empty): tcpfsm_segment_fill() judged the
                                 fields tshark prints for it, as tsv.c
                                 does the row; err holds its "field:
                                 reason" text; seg->frame/time are set */
};

/* Opens a capture.  NULL + err on failure; *unsupported = true when the
 * file opens but pcapsrc cannot read it exactly as tshark would (gzip,
 * a format libpcap does not know, a link type not decoded): the caller
 * falls back to tshark. */
pcapsrc *pcapsrc_open(const char *path, bool *unsupported, char *err,
                      size_t errsize);

/* A live capture (tool/live.c opens it; pcapsrc takes it over and closes
 * it) read with the same decoder; pcapsrc_next returns PCAPSRC_AGAIN when
 * the read timed out.  NULL + err when its link type is not decoded. */
struct pcap;
pcapsrc *pcapsrc_open_live(struct pcap *pc, bool nano, char *err, size_t errsize);
/* A capture file that grows (ladder --follow): pcapsrc_next returns
 * PCAPSRC_AGAIN instead of reading a record that is not all written. */
void pcapsrc_set_follow(pcapsrc *p, bool follow);

/* Reads the next frame.
 *  1 (PCAPSRC_SEGMENT): a TCP segment, seg filled exactly as tsv_parse
 *    fills it from the `tcpfsm fields` row, except seg->stream (-1; see
 *    pcapsrc_stream);
 *  0 (PCAPSRC_NOT_TCP): a frame that is not TCP: seg->frame and
 *    seg->time/has_time set (no time for a pcapng custom block); the TCP
 *    members hold what tshark prints for a TCP header quoted in an ICMP
 *    error (pcapsrc_present says which), else their initial values;
 *  2 (PCAPSRC_BAD_ROW): see above;
 * -1 end of file; -2 error ("truncated capture: frame 1234 cut short"):
 *    the caller reports it and stops cleanly (the frames before it were
 *    returned, as tshark exports them);
 * -3 PCAPSRC_UNSUPPORTED: see above (seg->frame is the frame). */
int pcapsrc_next(pcapsrc *p, tcpfsm_segment *seg, char *err, size_t errsize);

/* As `tshark -o tcp.check_checksum:TRUE` (what `tcpfsm summary --zeek`
 * runs): tcp.checksum.status becomes 1 good / 0 bad when the whole
 * segment is captured and not an unreassembled fragment, else stays 2.
 * Call before the first pcapsrc_next. */
void pcapsrc_set_checksums(pcapsrc *p, bool check);

/* Which Wireshark's tcp.stream numbering to follow where versions differ:
 * from 4.2 a SYN with the sequence number of the conversation's first SYN
 * starts a new conversation once an RST or a FIN+ACK was seen in it (4.0
 * keeps the old one).  cb returns 40 (up to 4.0) or 42 (4.2 and later);
 * it is called at most once, only when a capture has such a SYN.  Without
 * a cb: 42.  Call before the first pcapsrc_next. */
void pcapsrc_set_stream_rule_cb(pcapsrc *p, int (*cb)(void *ctx), void *ctx);

/* ---- the last frame's export columns (for printing the input columns
 * the way tshark prints them) ---- */

/* Bit (1u << TCPFSM_F_x) set for each column tshark prints non-empty for
 * the last frame, for the columns pcapsrc knows: frame.number,
 * frame.time_epoch, tcp.stream, ip.src/ip.dst, ipv6.src/ipv6.dst,
 * tcp.srcport ... tcp.checksum.status, frame.len, frame.cap_len.
 * frame.protocols is never set (see pcapsrc_protocols). */
uint32_t pcapsrc_present(const pcapsrc *p);
/* frame.time_epoch as tshark 4.0 prints it ("1595425213.123456000");
 * "" when the frame has no time stamp.  Made when first asked for. */
const char *pcapsrc_time_str(const pcapsrc *p);
/* tcp.window_size_value (the raw 16-bit field); -1 when not printed. */
int32_t pcapsrc_window_value(const pcapsrc *p);
/* tcp.stream as tshark numbers it (its conversation count: a new 4-tuple,
 * or a new SYN on a known one, takes the next number); -1 when not
 * printed.  pcapsrc_next leaves seg->stream at -1: set it from this to
 * give the engine the same streams as the tshark path. */
int64_t pcapsrc_stream(const pcapsrc *p);
/* The last ip.src/ip.dst and ipv6.src/ipv6.dst occurrences (what
 * `-E occurrence=l` would print, the occurrences tsv.c keeps of `-E
 * occurrence=a`; family 0 = column empty).  For a TCP segment
 * seg->src/dst is the innermost pair of these. */
void pcapsrc_addrs(const pcapsrc *p, tcpfsm_addr *ip_src, tcpfsm_addr *ip_dst,
                   tcpfsm_addr *ipv6_src, tcpfsm_addr *ipv6_dst);
/* frame.len (the original length, clipped at INT_MAX as Wireshark does)
 * and frame.cap_len of the last frame; false before the first frame. */
bool pcapsrc_frame_len(const pcapsrc *p, uint32_t *len, uint32_t *caplen);
/* The layers decoded, tshark-style ("eth:ethertype:ip:tcp"); tshark also
 * names the payload protocols (":http"), which pcapsrc does not. */
const char *pcapsrc_protocols(const pcapsrc *p);
/* The last frame's decoding stopped at bytes the capture does not hold (a
 * bounds-checked read failed where Wireshark would throw): what it
 * returned is what tshark prints for that cut frame. */
bool pcapsrc_truncated(const pcapsrc *p);

/* ---- progress ---- */
uint64_t pcapsrc_bytes_read(const pcapsrc *p); /* file bytes consumed */
uint64_t pcapsrc_file_size(const pcapsrc *p);  /* 0 when not known */
uint64_t pcapsrc_frames(const pcapsrc *p); /* frames returned so far */

void pcapsrc_close(pcapsrc *p);

#ifdef __cplusplus
}
#endif
#endif
