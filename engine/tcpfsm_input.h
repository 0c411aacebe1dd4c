/* tcpfsm_input.h - one input path: a tcpfsm_segment filled from the values
 * of the tshark fields (tcpfsm_fields.h), checked in one place.
 *
 * Every front end reads the same fields from its own source - the tool
 * from the cells of a `tshark -T fields` export, the Wireshark plugin from
 * the dissection tree, the direct capture reader from the decoded packet -
 * and hands them over through a small getter: field id -> value.
 * tcpfsm_segment_fill() asks for the values it needs, in a fixed order,
 * and makes of them the segment the engine is fed, or says which field's
 * value it cannot use and why (an error value: code, field, the value).
 * So a row the tool rejects is a frame the plugin does not label, with
 * the same reason.
 *
 *   static tcpfsm_value_kind get(void *ctx, int field, tcpfsm_value *v)
 *   {
 *       const char *cell = my_cell(ctx, field);   // NULL: no such column
 *       if (!cell || !*cell)
 *           return TCPFSM_VAL_NONE;
 *       v->text = cell;
 *       return TCPFSM_VAL_TEXT;
 *   }
 *   ...
 *   tcpfsm_input_error err;
 *   int r = tcpfsm_segment_fill(&seg, get, row, &err);
 *   if (r < 0) {                       // a bad row: "tcp.flags: not a hex number: \"0xzz\""
 *       char msg[256];
 *       fprintf(stderr, "%s:%llu: %s\n", file, line,
 *               tcpfsm_input_error_str(&err, msg, sizeof msg));
 *   } else if (r == 1) {
 *       tcpfsm_engine_feed(engine, &seg, &label);
 *   }                                  // 0: not a TCP segment
 *
 * Thread-safety: no state is kept between calls.
 */
#ifndef TCPFSM_INPUT_H
#define TCPFSM_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "tcpfsm.h"
#include "tcpfsm_fields.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a getter found for a field.  Which kinds each field takes:
 *   every field          TEXT: as `tshark -T fields` prints it, the
 *                        occurrence asked for (v->occurrence; "a,b" of
 *                        `-E occurrence=a` must be given as one of them)
 *   numbers (frame.number, tcp.stream, ports, tcp.flags, tcp.seq_raw,
 *   tcp.ack_raw, tcp.len, windows, tcp.checksum.status, frame.len,
 *   frame.cap_len)       UINT
 *   ip.*, ipv6.*         ADDR (family 4 for ip.*, 6 for ipv6.*)
 *   frame.time_epoch     TIME (seconds and nanoseconds since the epoch)
 *   frame.protocols      TEXT only
 * Another kind is TCPFSM_E_KIND. */
typedef enum tcpfsm_value_kind {
    TCPFSM_VAL_NONE = 0, /* no value: the field is absent, its cell empty */
    TCPFSM_VAL_TEXT,
    TCPFSM_VAL_UINT,
    TCPFSM_VAL_ADDR,
    TCPFSM_VAL_TIME,
} tcpfsm_value_kind;

/* Which occurrence of a field the fill asks for (tcpfsm_value.occurrence)
 * when the frame has more than one - a TCP payload may carry whole IP
 * packets with their own ip.* and tcp.* fields (OpenFlow, tunnels over
 * TCP): TCPFSM_OCC_LAST (0) the last, what `-E occurrence=l` prints;
 * TCPFSM_OCC_FIRST the first; n > 0 the n-th before the last (n = 1: the
 * one before the last).  The fill decides (from frame.protocols, see
 * tcpfsm_protocols_layers); a getter only hands that occurrence over, or
 * TCPFSM_VAL_NONE when there is no such occurrence.  A source with one
 * value per field may ignore it. */
#define TCPFSM_OCC_LAST 0
#define TCPFSM_OCC_FIRST (-1)

typedef struct tcpfsm_value {
    int occurrence; /* in: set by the fill before each call (TCPFSM_OCC_*) */
    union {
        const char *text; /* TEXT: the value (NUL-terminated) */
        uint64_t u;       /* UINT */
        tcpfsm_addr addr; /* ADDR */
        struct {
            int64_t secs;  /* TIME: secs + nsecs / 1e9; judged as the */
            int32_t nsecs; /* text tshark prints, "%lld.%09d", when */
        } time;            /* nsecs is not in 0..999999999 */
    };
} tcpfsm_value;

/* The getter: fills the member of *v its kind names and returns the kind
 * (TCPFSM_VAL_NONE: nothing to fill).  Called at most once per field per
 * fill; text must stay valid until tcpfsm_segment_fill returns. */
typedef tcpfsm_value_kind (*tcpfsm_field_get_fn)(void *ctx, int field,
                                                 tcpfsm_value *v);

/* Why a value was rejected. */
typedef struct tcpfsm_input_error {
    int code;        /* TCPFSM_E_* (tcpfsm.h), negative */
    int field;       /* TCPFSM_F_*: the field whose value is rejected */
    char value[168]; /* the value as text, control bytes, '"' and '\\'
                        escaped (\xNN), cut after 40 bytes ("...");
                        "" when there is none (an empty field) */
} tcpfsm_input_error;

/* Fills *seg (from tcpfsm_segment_init) from the getter's values.
 * Returns
 *   1  a TCP segment: *seg is ready for tcpfsm_engine_feed;
 *   0  not a TCP segment: no tcp.srcport, or frame.protocols says the TCP
 *      header is quoted in an ICMP error (an ICMP before the first tcp);
 *  <0  a TCPFSM_E_* code: a value cannot be used (*err says which, when
 *      err is not NULL); *seg holds the fields read before it.
 * The checks, in this order (the first failure is the one reported):
 * frame.number, tcp.srcport, tcp.dstport, tcp.seq_raw, tcp.ack_raw,
 * tcp.flags must be present; tcp.len absent counts as 0 (Wireshark leaves
 * it out of a short segment); numbers in range (ports 0..65535, flags
 * 0..0xfff, tcp.checksum.status 0..3, 32-bit sequence numbers, lengths
 * and windows); then tcp.stream, frame.time_epoch (a finite time >= 0),
 * tcp.window_size (else tcp.window_size_value), tcp.checksum.status,
 * frame.len and frame.cap_len (both, or neither is used); then the
 * addresses: the pair of the innermost IP header before the TCP header
 * (frame.protocols; IPv4 before IPv6 when it does not say), source and
 * destination of its family.  The occurrences asked for: the last of
 * each field, unless IP headers follow the first `tcp` of
 * frame.protocols (IP packets inside the TCP payload): then the first
 * occurrence of the tcp.* fields and, of ip.* / ipv6.*, the one as many
 * before the last as IPv4 / IPv6 headers follow that TCP header. */
TCPFSM_API int tcpfsm_segment_fill(tcpfsm_segment *seg, tcpfsm_field_get_fn get,
                        void *ctx, tcpfsm_input_error *err);

/* frame.protocols ("eth:ethertype:ip:tcp"), as tcpfsm_segment_fill()
 * reads it: false when an ICMP (or ICMPv6) before the first "tcp" quotes
 * the TCP header (not a segment); *innermost = 4 or 6 for the last IP
 * header before that "tcp" (0: none named); after[0] / after[1]: how
 * many IPv4 / IPv6 headers follow it, inside the TCP payload. */
TCPFSM_API bool tcpfsm_protocols_layers(const char *protocols, int *innermost,
                                        int after[2]);
/* The occurrence (TCPFSM_OCC_*) of field f (TCPFSM_F_*) that
 * tcpfsm_segment_fill() asks for, after[] from tcpfsm_protocols_layers:
 * for a front end that shows the fields it read (the tool echoes rows). */
TCPFSM_API int tcpfsm_field_occurrence(int field, const int after[2]);

/* "FIELD: REASON" or "FIELD: REASON: \"VALUE\"" into buf; returns buf. */
TCPFSM_API char *tcpfsm_input_error_str(const tcpfsm_input_error *err, char *buf,
                             size_t size);

/* secs + nsecs / 1e9 rounded to the nearest double: the double strtod()
 * gives for the text "%lld.%09d" (nsecs 0..999999999, secs >= 0). */
TCPFSM_API double tcpfsm_time_seconds(uint64_t secs, uint32_t nsecs);

#ifdef __cplusplus
}
#endif
#endif
